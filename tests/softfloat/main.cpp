// ghost86-fpudiff: compares the soft-float core with the host's x87, instruction by instruction.
//   ghost86-fpudiff --seed N --count M [--op NAME | --ops core|transc|all] [--strict]
//                   [--lines FILE [--all-lines]] [--digest] [--reference FILE]
// Prints per-operation pass counts and the first mismatches; exits 1 on any mismatch. The
// transcendentals may differ from the host by one ulp, or in C1 alone (the x87 does not round
// them correctly); those cases are counted, are mismatches with --strict, and go to --lines FILE
// (with --all-lines: every case with a finite result) for tests/softfloat/check_rounding.py.
// --digest prints a hash of our results alone (any host): equal on every host. --reference FILE
// writes the transcendental cases with our results alone (any host) for check_rounding.py.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/softfloat/fpudiff.h"
#include "tests/softfloat/fpudiff_transc.h"

namespace {

bool parse_u64(const char* s, uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 0);
  return end && *end == 0 && *s != 0 && *s != '-';
}

int usage() {
  std::fprintf(stderr,
               "usage: ghost86-fpudiff --seed N --count M [--op NAME | --ops core|transc|all] "
               "[--strict] [--lines FILE [--all-lines]] [--digest] [--reference FILE]\n");
  return 2;
}

std::FILE* open_out(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) std::fprintf(stderr, "ghost86-fpudiff: cannot write %s\n", path.c_str());
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1, count = 10000;
  std::vector<fpudiff::HostOp> ops = fpudiff::all_ops();
  bool want_digest = false;
  fpudiff::RunOptions opt;
  std::string lines_path, reference_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--digest") {
      want_digest = true;
      continue;
    }
    if (arg == "--strict") {
      opt.strict = true;
      continue;
    }
    if (arg == "--all-lines") {
      opt.all_lines = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const std::string val = argv[++i];
    if (arg == "--seed") {
      if (!parse_u64(val.c_str(), seed)) return usage();
    } else if (arg == "--count") {
      if (!parse_u64(val.c_str(), count)) return usage();
    } else if (arg == "--op") {
      fpudiff::HostOp op;
      if (!fpudiff::parse_op(val, op)) {
        std::fprintf(stderr, "ghost86-fpudiff: unknown operation '%s'\n", val.c_str());
        return 2;
      }
      ops = {op};
    } else if (arg == "--ops") {
      if (val == "core") {
        ops = fpudiff::core_ops();
      } else if (val == "transc") {
        ops = fpudiff::transcendental_ops();
      } else if (val == "all") {
        ops = fpudiff::all_ops();
      } else {
        std::fprintf(stderr, "ghost86-fpudiff: --ops takes core, transc or all, not '%s'\n",
                     val.c_str());
        return 2;
      }
    } else if (arg == "--lines") {
      lines_path = val;
    } else if (arg == "--reference") {
      reference_path = val;
    } else {
      return usage();
    }
  }
  if (want_digest) {
    std::printf("seed %llu, %llu cases per operation: digest %016llx\n", (unsigned long long)seed,
                (unsigned long long)count, (unsigned long long)fpudiff::digest(seed, count, ops));
    return 0;
  }
  if (!reference_path.empty()) {
    std::FILE* f = open_out(reference_path);
    if (!f) return 1;
    fpudiff::reference_lines(seed, count, ops, f);
    return std::fclose(f) == 0 ? 0 : 1;
  }
  if (!fpudiff::host_x87_available()) {
    std::printf("ghost86-fpudiff: the host has no x87; nothing to compare (skipped)\n");
    return 0;
  }
  if (!lines_path.empty() && !(opt.lines = open_out(lines_path))) return 1;
  const auto t0 = std::chrono::steady_clock::now();
  const auto stats = fpudiff::run(seed, count, ops, opt);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.lines && std::fclose(opt.lines) != 0) {
    std::fprintf(stderr, "ghost86-fpudiff: cannot write %s\n", lines_path.c_str());
    return 1;
  }
  uint64_t total = 0, failed = 0, one_ulp = 0, c1_only = 0;
  for (const auto& s : stats) {
    std::printf("%-9s %llu/%llu", fpudiff::host_op_name(s.op), (unsigned long long)s.passed,
                (unsigned long long)s.cases);
    if (s.one_ulp || s.c1_only)
      std::printf("  (%llu one ulp and %llu only C1 from the host: %.2f%% bit-identical)",
                  (unsigned long long)s.one_ulp, (unsigned long long)s.c1_only,
                  100.0 * double(s.cases - s.one_ulp - s.c1_only) / double(s.cases));
    std::printf("\n");
    for (const auto& m : s.mismatches) std::printf("  %s\n", m.c_str());
    total += s.cases;
    failed += s.cases - s.passed;
    one_ulp += s.one_ulp;
    c1_only += s.c1_only;
  }
  std::printf(
      "seed %llu: %llu cases, %llu mismatches, %llu one-ulp and %llu C1-only differences, %.1f s\n",
      (unsigned long long)seed, (unsigned long long)total, (unsigned long long)failed,
      (unsigned long long)one_ulp, (unsigned long long)c1_only, secs);
  return failed ? 1 : 0;
}
