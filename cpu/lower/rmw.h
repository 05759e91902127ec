// A read-modify-write destination: the effective address of a memory operand is computed once
// and shared by the load and the store. Used by the arithmetic, shift and bit lowerings.
#pragma once

#include "cpu/lower/lower.h"

namespace cpu {

class Rmw {
 public:
  Rmw(LowerCtx& c, const Operand& o) : c_(c), o_(o) {
    if (o.kind == OpKind::Mem) off_ = c.ea(o);
  }
  // For memory operands whose address is adjusted (BT family bit-base addressing).
  Rmw(LowerCtx& c, const Operand& o, Temp off) : c_(c), o_(o), off_(off) {}

  bool mem() const { return o_.kind == OpKind::Mem; }
  unsigned size() const { return o_.size; }
  Temp read() { return mem() ? c_.load(o_.seg, off_, o_.size) : c_.read(o_); }
  void write(Temp v) {
    if (mem())
      c_.store(o_.seg, off_, v, o_.size);
    else
      c_.write(o_, v);
  }

 private:
  LowerCtx& c_;
  const Operand& o_;
  Temp off_ = ir::kNoTemp;
};

}  // namespace cpu
