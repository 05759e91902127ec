#include "frontend/suite/test_main.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "frontend/suite/junit.h"
#include "frontend/suite/runner.h"
#include "frontend/suite/suite.h"
#include "machine/needle.h"

namespace frontend::suite {
namespace {

constexpr const char* kUsage =
    "Usage: ghost86 test [options] SUITE.toml [CASE...]\n"
    "       ghost86 test --merge OUT.xml SHARD.xml...\n"
    "Runs a suite's cases (all, or those named), each its own machine, and reports.\n"
    "  -j N            cases run at once (default: the number of processors)\n"
    "  --junit FILE    write JUnit XML (testcase times are virtual seconds)\n"
    "  --artifacts DIR where failing cases leave screen, serial log and command line\n"
    "                  (default ghost86-artifacts)\n"
    "  --shard I/N     run the I-th of N deterministic parts of the suite (1 <= I <= N)\n"
    "  --list          print the cases and exit\n"
    "  --update-needles a needle that does not match by its step's limit is rewritten from the\n"
    "                  screen at that moment (PNG, and JSON keeping its areas), for review\n"
    "  --merge OUT IN... join shard JUnit files into OUT, in suite order, and summarise\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

unsigned number(const std::string& text, const char* option) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw UsageError(fmt::format("{}: '{}' is not a number", option, text));
  return v;
}

std::string self_path() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "ghost86" : p.string();
}

const char* outcome_word(CaseResult::Outcome o) {
  return o == CaseResult::Outcome::Pass ? "pass" : o == CaseResult::Outcome::Skip ? "skip" : "FAIL";
}

// The table at the end, and the line under it; returns whether everything passed.
bool summarise(const std::vector<CaseResult>& results) {
  size_t width = 4;
  for (const CaseResult& r : results) width = std::max(width, r.name.size());
  std::printf("\n%-*s  result  virtual s  host s  state\n", int(width), "case");
  size_t passed = 0, failed = 0, skipped = 0;
  for (const CaseResult& r : results) {
    std::printf("%-*s  %-6s  %9.3f  %6.1f  %s\n", int(width), r.name.c_str(),
                outcome_word(r.outcome), r.virtual_ns / 1e9, r.host_s, r.report.c_str());
    passed += r.outcome == CaseResult::Outcome::Pass;
    failed += r.outcome == CaseResult::Outcome::Fail;
    skipped += r.outcome == CaseResult::Outcome::Skip;
  }
  std::printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
  std::fflush(stdout);
  return failed == 0;
}

int merge(const std::vector<std::string>& files) {
  if (files.size() < 2) throw UsageError("--merge: expected OUT.xml and at least one shard file");
  std::vector<JunitSuite> shards;
  for (size_t i = 1; i < files.size(); i++) shards.push_back(read_junit(files[i]));
  const JunitSuite merged = merge_junit(shards);
  write_junit(files[0], merged);
  return summarise(merged.results) ? 0 : 1;
}

int run(const std::vector<std::string>& args) {
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string junit, artifacts = "ghost86-artifacts", suite_path;
  unsigned shard = 1, shards = 1;
  bool list = false, update_needles = false;
  std::vector<std::string> names;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    const auto value = [&](const char* option) -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(fmt::format("{}: missing argument", option));
      return args[++i];
    };
    if (a == "-j" || a == "--jobs") {
      jobs = number(value("-j"), "-j");
      if (jobs == 0 || jobs > 256) throw UsageError("-j: expected 1 to 256");
    } else if (a.starts_with("-j") && a.size() > 2) {
      jobs = number(a.substr(2), "-j");
      if (jobs == 0 || jobs > 256) throw UsageError("-j: expected 1 to 256");
    } else if (a == "--junit") {
      junit = value("--junit");
    } else if (a == "--artifacts") {
      artifacts = value("--artifacts");
    } else if (a == "--shard") {
      const std::string& v = value("--shard");
      const size_t slash = v.find('/');
      if (slash == std::string::npos)
        throw UsageError(fmt::format("--shard: '{}': expected I/N", v));
      shard = number(v.substr(0, slash), "--shard");
      shards = number(v.substr(slash + 1), "--shard");
      if (shards == 0 || shard == 0 || shard > shards)
        throw UsageError(fmt::format("--shard: '{}': expected 1 <= I <= N", v));
    } else if (a == "--list") {
      list = true;
    } else if (a == "--update-needles") {
      update_needles = true;
    } else if (a == "--merge") {
      return merge({args.begin() + long(i) + 1, args.end()});
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.starts_with("-")) {
      throw UsageError(fmt::format("{}: unknown option (see ghost86 test --help)", a));
    } else if (suite_path.empty()) {
      suite_path = a;
    } else {
      names.push_back(a);
    }
  }
  if (suite_path.empty()) throw UsageError("no suite given (see ghost86 test --help)");
  const Suite suite = load_suite(suite_path);
  // Every needle is read before anything runs: a bad one is the suite's mistake (status 2).
  for (const Case& c : suite.cases)
    for (const std::string& n : c.needles) machine::load_needle(n, update_needles);
  const auto index_of = [&](const std::string& n) {
    return size_t(std::find_if(suite.cases.begin(), suite.cases.end(),
                               [&](const Case& c) { return c.name == n; }) -
                  suite.cases.begin());
  };
  // The cases named (with the cases they need), in suite order; all without names.
  std::vector<bool> chosen(suite.cases.size(), names.empty());
  for (const std::string& n : names) {
    if (index_of(n) == suite.cases.size())
      throw UsageError(fmt::format("{}: no case named '{}'", suite_path, n));
    chosen[index_of(n)] = true;
  }
  for (size_t i = suite.cases.size(); i-- > 0;)
    if (chosen[i])
      for (const std::string& need : suite.cases[i].needs) chosen[index_of(need)] = true;
  std::vector<Case> cases;
  for (size_t i = 0; i < suite.cases.size(); i++)
    if (chosen[i]) cases.push_back(suite.cases[i]);
  JunitSuite report;
  report.name = suite.name;
  for (const Case& c : cases) report.order.push_back(c.name);
  // Shard I of N takes every N-th case from the I-th: a split any CI fan-out can repeat. A
  // case that needs another goes with it: into the shard of the first case of its group.
  std::vector<size_t> group(cases.size());
  std::iota(group.begin(), group.end(), 0);
  const auto root = [&](size_t i) {
    while (group[i] != i) i = group[i];
    return i;
  };
  for (size_t i = 0; i < cases.size(); i++)
    for (const std::string& need : cases[i].needs)
      for (size_t j = 0; j < i; j++)
        if (cases[j].name == need) {
          const size_t a = root(i), b = root(j);
          group[std::max(a, b)] = std::min(a, b);
        }
  std::vector<Case> mine;
  for (size_t i = 0; i < cases.size(); i++)
    if (root(i) % shards == shard - 1) mine.push_back(cases[i]);
  if (list) {
    for (const Case& c : mine) std::printf("%s\n", c.name.c_str());
    return 0;
  }

  RunOptions options;
  options.jobs = jobs;
  options.artifacts = artifacts;
  options.self = self_path();
  options.suite_path = suite_path;
  options.update_needles = update_needles;
  const bool tty = ::isatty(STDOUT_FILENO);
  std::vector<Progress> progress(mine.size());
  if (tty) options.progress = &progress;
  size_t done = 0;
  // On a terminal: one live line per running case under the finished cases' lines, redrawn
  // a few times a second (host time: it only shows, nothing reads it back).
  std::mutex screen;
  size_t drawn = 0;  // live lines on the terminal below the cursor's line
  const auto erase_live = [&] {
    for (; drawn > 0; drawn--) std::printf("\033[A\033[2K");
  };
  const auto draw_live = [&] {
    for (size_t i = 0; i < mine.size(); i++) {
      const Progress& p = progress[i];
      if (!p.running) continue;
      const double host_s = p.host_s;
      std::printf("  %s  step %zu/%zu  %.3f s virtual  %.0f MIPS\n", mine[i].name.c_str(),
                  std::min(p.step.load() + 1, p.steps.load()), p.steps.load(), p.virtual_ns / 1e9,
                  host_s > 0 ? double(p.icount) / host_s / 1e6 : 0.0);
      drawn++;
    }
    std::printf("[%zu/%zu done]", done, mine.size());
    std::fflush(stdout);
  };
  options.started = [&](const Case& c) {
    if (!tty) std::printf("start %s\n", c.name.c_str());
    std::fflush(stdout);
  };
  options.finished = [&](const CaseResult& r) {
    const std::lock_guard<std::mutex> g(screen);
    done++;
    if (tty) {
      std::printf("\r\033[2K");
      erase_live();
    }
    std::printf("%s %s (%.3f s virtual)%s%s\n", outcome_word(r.outcome), r.name.c_str(),
                r.virtual_ns / 1e9, r.message.empty() ? "" : ": ", r.message.c_str());
    if (r.outcome == CaseResult::Outcome::Fail)
      std::printf("  artifacts: %s/%s\n", artifacts.c_str(), r.name.c_str());
    if (tty && done < mine.size()) draw_live();
    std::fflush(stdout);
  };
  std::atomic<bool> finished_all{false};
  std::condition_variable wake;
  std::thread live;
  if (tty)
    live = std::thread([&] {
      std::unique_lock<std::mutex> g(screen);
      while (!wake.wait_for(g, std::chrono::milliseconds(250), [&] { return finished_all.load(); })) {
        std::printf("\r\033[2K");
        erase_live();
        draw_live();
      }
      std::printf("\r\033[2K");
      erase_live();
      std::fflush(stdout);
    });
  // The live lines end before the summary, and also if the run throws.
  const auto stop_live = [&] {
    if (!live.joinable()) return;
    {
      const std::lock_guard<std::mutex> g(screen);
      finished_all = true;
    }
    wake.notify_all();
    live.join();
  };
  try {
    report.results = run_cases(mine, options);
  } catch (...) {
    stop_live();
    throw;
  }
  stop_live();
  if (!junit.empty()) write_junit(junit, report);
  return summarise(report.results) ? 0 : 1;
}

}  // namespace

int test_main(const std::vector<std::string>& args) {
  try {
    return run(args);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "ghost86 test: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ghost86 test: %s\n", e.what());
    return 2;
  }
}

}  // namespace frontend::suite
