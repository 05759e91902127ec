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

// A guest register that a loop block (one whose final exit jumps back to its own start) keeps
// in a host register from one iteration to the next (jit/passes/loop.cpp).
// CF, carried like a register: the block reads the CF an iteration starts with (GetCF, before
// it writes flags) and leaves a flag record whose CF the next iteration starts with.
constexpr uint8_t kLoopCarryFlag = 8;

struct LoopReg {
  enum class Next : uint8_t {
    Same,    // the block leaves the register unchanged
    Temp,    // the temp `next` holds the next iteration's value (kNoTemp is the constant 0)
    Reload,  // read CpuState again (a helper or a partial write changed the register)
  };
  uint8_t reg;         // guest register, or kLoopCarryFlag
  Temp head;           // its value at the start of an iteration (read by the front ops)
  Next how = Next::Same;
  Temp next = kNoTemp;
};

struct Block {
  std::vector<Inst> insts;
  // Value slots, one per temp. Constant temps are filled at build time and never written, so an
  // engine reads constants and computed temps the same way.
  std::vector<uint32_t> values;
  std::vector<bool> is_const;
  uint32_t guest_insns = 0;  // guest instructions in the block
  // Loop blocks only: the registers carried in host registers, and how many ops at the front
  // read them (each iteration after the first starts right after those ops).
  std::vector<LoopReg> loop;
  uint32_t loop_head_ops = 0;
};

// Returns an empty string when the block is well formed, else a description of the first problem.
std::string verify(const Block& block);
std::string print(const Block& block);

}  // namespace ir
