// Differential test of the soft-float core (cpu/softfloat) against the host's x87: seeded random
// operands and control words, one x87 instruction per case, results and flags compared bit for
// bit. Used by the Catch2 suite (test_fpudiff.cpp) and the ghost86-fpudiff command.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/softfloat/host_x87.h"

namespace fpudiff {

// The operations of f80.h compared bit for bit, and all of them (with the transcendentals, whose
// results may also differ by one ulp: see fpudiff_transc.h).
std::vector<HostOp> core_ops();
std::vector<HostOp> all_ops();
bool parse_op(const std::string& name, HostOp& op);

struct OpStats {
  HostOp op;
  uint64_t cases = 0, passed = 0;
  uint64_t one_ulp = 0;                 // transcendentals: passed, but one ulp from the host
  uint64_t c1_only = 0;                 // transcendentals: passed, the same value but C1 differs
  std::vector<std::string> mismatches;  // the first few, in hex
};

struct RunOptions {
  unsigned keep = 5;           // mismatch reports kept per operation
  bool strict = false;         // a one-ulp difference is a mismatch
  std::FILE* lines = nullptr;  // transcendental cases for check_rounding.py
  bool all_lines = false;      // every delivered case, not only the one-ulp ones
};

// Runs `count` cases of each op in `ops` from `seed`.
std::vector<OpStats> run(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops,
                         const RunOptions& opt = {});

// Writes the check_rounding.py line of every delivered transcendental case in `ops`, from our
// results alone (any host).
void reference_lines(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops, std::FILE* out);

// A digest of our results alone (no host x87 needed) over the same cases as run(): equal digests
// on two hosts show that the soft-float core computes bit-identical results on both.
uint64_t digest(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops);

}  // namespace fpudiff
