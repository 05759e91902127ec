// ghost86-fpudiff: compares the soft-float core with the host's x87, instruction by instruction.
//   ghost86-fpudiff --seed N --count M [--op NAME] [--digest]
// Prints per-operation pass counts and the first mismatches; exits 1 on any mismatch. --digest
// prints a hash of our results alone instead (any host): equal on every host.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/softfloat/fpudiff.h"

namespace {

bool parse_u64(const char* s, uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 0);
  return end && *end == 0 && *s != 0 && *s != '-';
}

int usage() {
  std::fprintf(stderr, "usage: ghost86-fpudiff --seed N --count M [--op NAME] [--digest]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1, count = 10000;
  std::vector<fpudiff::HostOp> ops = fpudiff::core_ops();
  bool want_digest = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--digest") {
      want_digest = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* val = argv[++i];
    if (arg == "--seed") {
      if (!parse_u64(val, seed)) return usage();
    } else if (arg == "--count") {
      if (!parse_u64(val, count)) return usage();
    } else if (arg == "--op") {
      fpudiff::HostOp op;
      if (!fpudiff::parse_op(val, op)) {
        std::fprintf(stderr, "ghost86-fpudiff: unknown operation '%s'\n", val);
        return 2;
      }
      ops = {op};
    } else {
      return usage();
    }
  }
  if (want_digest) {
    std::printf("seed %llu, %llu cases per operation: digest %016llx\n", (unsigned long long)seed,
                (unsigned long long)count,
                (unsigned long long)fpudiff::digest(seed, count, ops));
    return 0;
  }
  if (!fpudiff::host_x87_available()) {
    std::printf("ghost86-fpudiff: the host has no x87; nothing to compare (skipped)\n");
    return 0;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const auto stats = fpudiff::run(seed, count, ops);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t total = 0, failed = 0;
  for (const auto& s : stats) {
    std::printf("%-9s %llu/%llu\n", fpudiff::host_op_name(s.op), (unsigned long long)s.passed,
                (unsigned long long)s.cases);
    for (const auto& m : s.mismatches) std::printf("  %s\n", m.c_str());
    total += s.cases;
    failed += s.cases - s.passed;
  }
  std::printf("seed %llu: %llu cases, %llu mismatches, %.1f s\n", (unsigned long long)seed,
              (unsigned long long)total, (unsigned long long)failed, secs);
  return failed ? 1 : 0;
}
