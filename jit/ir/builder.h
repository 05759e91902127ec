// Builds IR blocks. Lowerings talk to this; it hands out temps and interns constants.
#pragma once

#include <unordered_map>

#include "jit/ir/block.h"

namespace ir {

class Builder {
 public:
  explicit Builder(Block& block);

  Block& block() { return b_; }

  Temp imm(uint32_t value);
  Temp emit(Op op, Temp a = kNoTemp, Temp b = kNoTemp, Temp c = kNoTemp, uint8_t sz = 0,
            uint32_t imm = 0);

  // Shorthands for the common ops.
  Temp add(Temp a, Temp b) { return emit(Op::Add, a, b); }
  Temp sub(Temp a, Temp b) { return emit(Op::Sub, a, b); }
  Temp and_(Temp a, Temp b) { return emit(Op::And, a, b); }
  Temp or_(Temp a, Temp b) { return emit(Op::Or, a, b); }
  Temp xor_(Temp a, Temp b) { return emit(Op::Xor, a, b); }
  Temp shl(Temp a, Temp b) { return emit(Op::Shl, a, b); }
  Temp shr(Temp a, Temp b) { return emit(Op::Shr, a, b); }
  Temp sar(Temp a, Temp b) { return emit(Op::Sar, a, b); }
  Temp not_(Temp a) { return emit(Op::Not, a); }
  Temp eq(Temp a, Temp b) { return emit(Op::Eq, a, b); }
  Temp ne(Temp a, Temp b) { return emit(Op::Ne, a, b); }
  Temp select(Temp c, Temp t, Temp f) { return emit(Op::Select, c, t, f); }
  Temp load(unsigned seg, Temp off, unsigned size) {
    return emit(Op::Load, off, kNoTemp, kNoTemp, uint8_t(size), seg);
  }
  void store(unsigned seg, Temp off, Temp value, unsigned size) {
    emit(Op::Store, off, value, kNoTemp, uint8_t(size), seg);
  }
  // `k` is the helper's 8-bit immediate parameter.
  Temp call(uint32_t helper, Temp a = kNoTemp, Temp b = kNoTemp, Temp c = kNoTemp,
            uint8_t k = 0) {
    return emit(Op::Call, a, b, c, k, helper);
  }
  void set_cc(uint32_t cc_op, Temp src1, Temp src2, Temp res) {
    emit(Op::SetCc, src1, src2, res, 0, cc_op);
  }
  Temp cond(unsigned cc) { return emit(Op::Cond, kNoTemp, kNoTemp, kNoTemp, uint8_t(cc)); }
  void branch_if(Temp c, uint32_t eip) { emit(Op::BranchIf, c, kNoTemp, kNoTemp, 0, eip); }
  void jmp(uint32_t eip) { emit(Op::Jmp, kNoTemp, kNoTemp, kNoTemp, 0, eip); }
  void jmp_ind(Temp eip) { emit(Op::JmpInd, eip); }

  // Ends the block if the last op is not already a block end.
  bool ended() const;

 private:
  Temp new_temp(bool is_const, uint32_t value);

  Block& b_;
  std::unordered_map<uint32_t, Temp> consts_;
};

}  // namespace ir
