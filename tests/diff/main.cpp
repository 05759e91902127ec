// ghost86-difftest: random instruction streams run on ghost86 and on Unicorn, compared.
//
//   ghost86-difftest --seed 1 --count 100000 --mode both [--class alu] [--first N] [--oracle]
//   ghost86-difftest --list
//
// Prints one line per mode and class ("N passed, M failed"), describes the first divergence in
// full, and exits non-zero when any stream failed.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <vector>

#include "tests/diff/difftest.h"
#include "tests/diff/known_issues.h"

namespace {

void print_report(const diff::RunReport& r) {
  using namespace diff;
  std::fputs(r.reports.c_str(), stdout);
  const char* label = r.paged ? "paged" : mode_name(r.mode);
  Tally total;
  for (unsigned c = 0; c <= kNumCls; c++) {
    const Tally& t = r.by_cls[c];
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
    total.not_lowered += t.not_lowered;
    if (!t.passed && !t.failed && !t.skipped && !t.not_lowered) continue;
    std::string extra;
    if (t.skipped || t.not_lowered)
      extra = fmt::format("  (not yet lowered: {} streams skipped, {} instruction draws dropped)",
                          t.skipped, t.not_lowered);
    fmt::print("{:<6} {:<8} {} passed, {} failed{}\n", label, cls_name(c), t.passed,
               t.failed, extra);
  }
  const auto issues = known_issues();
  for (size_t i = 0; i < issues.size(); i++)
    if (r.known[i])
      fmt::print("{:<6} known issue {} avoided {} times: {}\n", label, issues[i].name,
                 r.known[i], issues[i].what);
  fmt::print("{:<6} {:<8} {} passed, {} failed; {} streams run in {:.2f} s, {:.2f} s CPU ({:.0f} streams/s)\n",
             label, "total", total.passed, total.failed, r.streams, r.seconds,
             r.cpu_seconds, r.cpu_seconds > 0 ? double(r.streams) / r.cpu_seconds : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Differential test of ghost86 against Unicorn on random instruction streams"};
  diff::RunOptions opt;
  std::string mode = "both", cls = "all";
  bool oracle = false, list = false;
  std::string include_known;
  app.add_option("--seed", opt.seed, "run seed (stream i of a run is reproducible on its own)");
  app.add_option("--count", opt.count, "streams per mode");
  app.add_option("--first", opt.first, "index of the first stream");
  app.add_option("--mode", mode, "real, flat32, both, or paged (flat32 with paging on)")
      ->check(CLI::IsMember({"real", "flat32", "both", "paged"}));
  app.add_option("--class", cls, "one instruction class, 'mix', or 'all' (each in turn)");
  app.add_option("--reports", opt.max_reports, "failures to describe in full per mode");
  app.add_flag("--oracle", oracle,
               "check the generator instead: Unicorn alone, every template, accesses confined");
  app.add_option("--include-known", include_known,
                 "do not avoid these ghost86 bugs from known_issues.h ('all' or name,name)");
  app.add_flag("--list", list, "list the classes and their templates, then exit");
  CLI11_PARSE(app, argc, argv);
  if (list) {
    for (unsigned c = 0; c < diff::kNumCls; c++)
      for (const diff::Template& t : diff::templates())
        if (t.cls == c)
          fmt::print("{:<8} {:<30} {}\n", diff::cls_name(c), t.name,
                     (t.traits & diff::kBoth) == diff::kBoth ? "real flat32" : t.traits & diff::kReal ? "real" : "flat32");
    return 0;
  }
  if (cls != "all") {
    opt.cls = diff::cls_by_name(cls);
    if (opt.cls < 0) {
      std::string names;
      for (unsigned c = 0; c <= diff::kMixCls; c++) names += std::string(" ") + diff::cls_name(c);
      std::fprintf(stderr, "ghost86-difftest: --class: unknown class '%s' (known: all%s)\n", cls.c_str(),
                   names.c_str());
      return 2;
    }
  }
  diff::KnownSet avoid = diff::kAllKnown;
  if (!include_known.empty()) {
    const auto set = diff::parse_known(include_known);
    if (!set) {
      std::string names;
      for (const diff::KnownIssue& k : diff::known_issues()) names += std::string(" ") + k.name;
      std::fprintf(stderr, "ghost86-difftest: --include-known: unknown issue in '%s' (known: all%s)\n",
                   include_known.c_str(), names.c_str());
      return 2;
    }
    avoid = ~*set;
  }
  std::vector<diff::Mode> modes;
  const bool paged = mode == "paged";
  if (paged && oracle) {
    std::fprintf(stderr, "ghost86-difftest: --oracle checks the generator: use --mode flat32\n");
    return 2;
  }
  if (mode == "real" || mode == "both") modes.push_back(diff::Mode::Real);
  if (mode != "real") modes.push_back(diff::Mode::Flat32);

  uint64_t failed = 0;
  try {
    for (diff::Mode m : modes) {
      diff::DiffTest t(m, oracle, diff::lowered_in_table, avoid);
      t.set_paged(paged);
      const diff::RunReport r = t.run_many(opt);
      print_report(r);
      failed += r.failed();
    }
  } catch (const std::exception& e) {  // Unicorn refused to set up
    std::fprintf(stderr, "ghost86-difftest: %s\n", e.what());
    return 2;
  }
  return failed ? 1 : 0;
}
