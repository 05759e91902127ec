// LLDT, LTR, SLDT, STR, LAR, LSL, VERR, VERW, ARPL: protected-mode-only instructions on
// descriptor tables and selectors (#UD in real-address and virtual-8086 mode).
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

bool protected_only(LowerCtx& c) {
  if (!c.mode.pe || c.mode.vm) {
    c.raise(kUD);
    return false;
  }
  return true;
}

// The 16-bit selector operand of LLDT/LTR/LAR/... (a memory operand is read as a word).
Temp selector(LowerCtx& c, const Operand& o) {
  if (o.kind == OpKind::Mem) return c.load(o.seg, c.ea(o), 2);
  return c.get_reg(o.reg, 2);
}

}  // namespace

void lower_lldt_ltr(LowerCtx& c) {
  if (!protected_only(c)) return;
  if (c.mode.cpl != 0) {
    c.call(Helper::RaiseError, c.imm(0), ir::kNoTemp, ir::kNoTemp, kGP);
    return c.jump(c.insn.eip);
  }
  const bool ltr = c.insn.mnemonic == ZYDIS_MNEMONIC_LTR;
  c.call(ltr ? Helper::Ltr : Helper::Lldt, selector(c, c.op(0)));
}

// SLDT/STR: a register destination takes the selector zero-extended to the operand size; a
// memory destination is always a word.
void lower_sldt_str(LowerCtx& c) {
  if (!protected_only(c)) return;
  const bool str = c.insn.mnemonic == ZYDIS_MNEMONIC_STR;
  // LDTR and TR are not among the IR's segment registers, so a helper reads them.
  const Temp sel = c.call(Helper::ReadSystemSelector, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, str ? 1 : 0);
  const Operand& d = c.op(0);
  if (d.kind == OpKind::Mem)
    c.store(d.seg, c.ea(d), sel, 2);
  else
    c.set_reg(d.reg, d.size, sel);
}

void lower_lar_lsl(LowerCtx& c) {
  if (!protected_only(c)) return;
  const Operand& d = c.op(0);
  const Temp sel = selector(c, c.op(1));
  const bool lar = c.insn.mnemonic == ZYDIS_MNEMONIC_LAR;
  const Temp v = c.call(lar ? Helper::Lar : Helper::Lsl, sel, c.get_reg(d.reg, d.size));
  c.set_reg(d.reg, d.size, v);
}

void lower_verr_verw(LowerCtx& c) {
  if (!protected_only(c)) return;
  c.call(Helper::Verify, selector(c, c.op(0)), ir::kNoTemp, ir::kNoTemp,
         c.insn.mnemonic == ZYDIS_MNEMONIC_VERW ? 1 : 0);
}

// ARPL dest, src: if dest.RPL < src.RPL then dest.RPL = src.RPL and ZF = 1, else ZF = 0.
// The destination is written only in the first case (SDM Vol.2 ARPL: the write is inside the
// IF branch), so a memory operand that needs no change is only read: no #GP for a read-only
// data segment, no page made dirty.
void lower_arpl(LowerCtx& c) {
  if (!protected_only(c)) return;
  const Operand& d = c.op(0);
  const Temp dst = c.read(d);
  const Temp src = c.get_reg(c.op(1).reg, 2);
  const Temp drpl = c.b.and_(dst, c.imm(3)), srpl = c.b.and_(src, c.imm(3));
  const Temp lower = c.b.emit(ir::Op::LtU, drpl, srpl);
  const Temp adjusted = c.b.or_(c.b.and_(dst, c.imm(0xfffc)), srpl);
  c.b.emit(ir::Op::SetFlags, c.b.select(lower, c.imm(fl::ZF), c.imm(0)), ir::kNoTemp, ir::kNoTemp, 0, fl::ZF);
  if (d.kind != OpKind::Mem) {
    c.write(d, c.b.select(lower, adjusted, dst));
    return;
  }
  c.b.branch_if(c.b.eq(lower, c.imm(0)), c.next_eip());
  c.write(d, adjusted);
}

}  // namespace cpu
