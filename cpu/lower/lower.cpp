#include "cpu/lower/lower.h"

namespace cpu {

using ir::Op;

Temp LowerCtx::get_reg(unsigned r, unsigned size) {
  const Op op = size == 4 ? Op::GetReg32 : size == 2 ? Op::GetReg16 : Op::GetReg8;
  return b.emit(op, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, uint8_t(r));
}

void LowerCtx::set_reg(unsigned r, unsigned size, Temp v) {
  const Op op = size == 4 ? Op::SetReg32 : size == 2 ? Op::SetReg16 : Op::SetReg8;
  b.emit(op, v, ir::kNoTemp, ir::kNoTemp, uint8_t(r));
}

Temp LowerCtx::trunc(Temp v, unsigned size) {
  if (size == 4) return v;
  return b.emit(size == 2 ? Op::Zext16 : Op::Zext8, v);
}

Temp LowerCtx::sext(Temp v, unsigned size) {
  if (size == 4) return v;
  return b.emit(size == 2 ? Op::Sext16 : Op::Sext8, v);
}

Temp LowerCtx::zext(Temp v, unsigned size) { return trunc(v, size); }

Temp LowerCtx::ea(const Operand& o) {
  const unsigned as = insn.addrsize;
  Temp addr = ir::kNoTemp;
  bool have = false;
  auto add = [&](Temp t) {
    addr = have ? b.add(addr, t) : t;
    have = true;
  };
  if (o.base >= 0) add(get_reg(unsigned(o.base), as));
  if (o.index >= 0) {
    Temp idx = get_reg(unsigned(o.index), as);
    if (o.scale > 1) idx = b.shl(idx, imm(o.scale == 2 ? 1 : o.scale == 4 ? 2 : 3));
    add(idx);
  }
  if (!have) return imm(o.disp);
  if (o.disp) addr = b.add(addr, imm(o.disp));
  // 16-bit addressing wraps within the 64 KB segment offset space.
  return as == 2 && (o.index >= 0 || o.disp) ? trunc(addr, 2) : addr;
}

Temp LowerCtx::read(const Operand& o) {
  switch (o.kind) {
    case OpKind::Reg: return get_reg(o.reg, o.size);
    case OpKind::Mem: return load(o.seg, ea(o), o.size);
    case OpKind::Imm: return imm(o.imm);
    case OpKind::Seg: return b.emit(Op::GetSegSel, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, o.reg);
    default: return imm(0);
  }
}

void LowerCtx::write(const Operand& o, Temp v) {
  switch (o.kind) {
    case OpKind::Reg: set_reg(o.reg, o.size, v); break;
    case OpKind::Mem: store(o.seg, ea(o), v, o.size); break;
    default: break;
  }
}

Temp LowerCtx::get_sp() { return get_reg(ESP, mode.stack32 ? 4 : 2); }

void LowerCtx::push(Temp v, unsigned size) {
  // Store first, then move ESP: a faulting push leaves ESP unchanged.
  const unsigned ss = mode.stack32 ? 4 : 2;
  Temp sp = trunc(b.sub(get_sp(), imm(size)), ss);
  store(SS, sp, v, size);
  set_reg(ESP, ss, sp);
}

Temp LowerCtx::stack_read(unsigned size, uint32_t offset) {
  const unsigned ss = mode.stack32 ? 4 : 2;
  Temp sp = get_sp();
  if (offset) sp = trunc(b.add(sp, imm(offset)), ss);
  return load(SS, sp, size);
}

void LowerCtx::adjust_sp(int32_t delta) {
  const unsigned ss = mode.stack32 ? 4 : 2;
  set_reg(ESP, ss, b.add(get_sp(), imm(uint32_t(delta))));
}

}  // namespace cpu
