// An IR block: a straight-line sequence of ops translated from guest instructions that ends in
// one block-exit op (BranchIf ops may leave earlier). Temps are single-assignment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jit/ir/op.h"

namespace ir {

using Temp = uint16_t;
constexpr Temp kNoTemp = 0;  // temp 0 is reserved and always holds 0

struct Inst {
  Op op;
  uint8_t sz = 0;
  Temp dst = kNoTemp;
  Temp a = kNoTemp, b = kNoTemp, c = kNoTemp;
  uint16_t pad = 0;
  uint32_t imm = 0;
};
static_assert(sizeof(Inst) == 16);

struct Block {
  std::vector<Inst> insts;
  // Value slots, one per temp. Constant temps are filled at build time and never written, so an
  // engine reads constants and computed temps the same way.
  std::vector<uint32_t> values;
  std::vector<bool> is_const;
  uint32_t guest_insns = 0;  // guest instructions in the block
};

// Returns an empty string when the block is well formed, else a description of the first problem.
std::string verify(const Block& block);
std::string print(const Block& block);

}  // namespace ir
