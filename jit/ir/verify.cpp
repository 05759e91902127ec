#include <fmt/format.h>

#include "jit/ir/block.h"

namespace ir {

std::string verify(const Block& blk) {
  const size_t n = blk.values.size();
  if (blk.is_const.size() != n) return "value and constant tables differ in size";
  if (n == 0 || !blk.is_const[0] || blk.values[0] != 0) return "temp 0 must be the constant 0";
  std::vector<bool> defined(blk.is_const);
  if (blk.insts.empty()) return "empty block";
  for (size_t i = 0; i < blk.insts.size(); i++) {
    const Inst& in = blk.insts[i];
    if (size_t(in.op) >= size_t(Op::kCount)) return fmt::format("op {}: bad opcode", i);
    const OpInfo& oi = info(in.op);
    const Temp uses[3] = {in.a, in.b, in.c};
    const uint16_t use_flags[3] = {kUsesA, kUsesB, kUsesC};
    for (int k = 0; k < 3; k++) {
      if (!(oi.flags & use_flags[k])) {
        if (uses[k] != kNoTemp) return fmt::format("op {} ({}): unused operand {} set", i, oi.name, "abc"[k]);
        continue;
      }
      if (uses[k] >= n || !defined[uses[k]])
        return fmt::format("op {} ({}): operand {} uses undefined t{}", i, oi.name, "abc"[k], uses[k]);
    }
    if (oi.flags & kHasDst) {
      if (in.dst == kNoTemp || in.dst >= n) return fmt::format("op {} ({}): bad destination", i, oi.name);
      if (defined[in.dst]) return fmt::format("op {} ({}): t{} assigned twice", i, oi.name, in.dst);
      defined[in.dst] = true;
    } else if (in.dst != kNoTemp) {
      return fmt::format("op {} ({}): has a destination but produces no value", i, oi.name);
    }
    if (in.op == Op::Load || in.op == Op::Store) {
      if (in.sz != 1 && in.sz != 2 && in.sz != 4) return fmt::format("op {}: access size {}", i, in.sz);
      if (in.imm > 5) return fmt::format("op {}: segment {}", i, in.imm);
    }
    if ((in.op >= Op::GetReg32 && in.op <= Op::SyncReg) && in.sz > 7)
      return fmt::format("op {}: register {}", i, in.sz);
    const bool last = i + 1 == blk.insts.size();
    if (bool(oi.flags & kEndsBlock) != last)
      return last ? "block does not end in a block-exit op" : fmt::format("op {} ({}) ends the block early", i, oi.name);
  }
  return {};
}

}  // namespace ir
