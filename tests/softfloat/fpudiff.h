// Differential test of the soft-float core (cpu/softfloat) against the host's x87: seeded random
// operands and control words, one x87 instruction per case, results and flags compared bit for
// bit. Used by the Catch2 suite (test_fpudiff.cpp) and the ghost86-fpudiff command.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/softfloat/host_x87.h"

namespace fpudiff {

// The operations of f80.h that the differential test covers (the transcendental instructions
// have host support in host_x87 but are compared by their own test).
std::vector<HostOp> core_ops();
bool parse_op(const std::string& name, HostOp& op);

struct OpStats {
  HostOp op;
  uint64_t cases = 0, passed = 0;
  std::vector<std::string> mismatches;  // the first few, in hex
};

// Runs `count` cases of each op in `ops` from `seed`; keeps up to `keep` mismatch reports per op.
std::vector<OpStats> run(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops,
                         unsigned keep = 5);

// A digest of our results alone (no host x87 needed) over the same cases as run(): equal digests
// on two hosts show that the soft-float core computes bit-identical results on both.
uint64_t digest(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops);

}  // namespace fpudiff
