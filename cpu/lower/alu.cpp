// Integer ALU instructions with their flag semantics (SDM Vol.2 ADD/ADC/SUB/SBB/AND/OR/XOR/CMP/
// TEST, INC, DEC, NEG, NOT; SALC is the undocumented D6 opcode): results are computed in IR and
// the flags are recorded lazily. Flag records come after the write-back, so a faulting store
// leaves the flags untouched.
#include "cpu/lower/rmw.h"
#include "cpu/opcode_table.h"

namespace cpu {

void lower_alu(LowerCtx& c) {
  const unsigned size = c.op(0).size;
  Rmw dst(c, c.op(0));
  const Temp a = dst.read();
  const Temp b = c.read(c.op(1));
  Temp r;
  CcKind kind;
  bool writeback = true;
  switch (c.insn.mnemonic) {
    case ZYDIS_MNEMONIC_ADD: r = c.b.add(a, b); kind = CcKind::Add; break;
    case ZYDIS_MNEMONIC_ADC: r = c.b.add(c.b.add(a, b), c.b.emit(ir::Op::GetCF)); kind = CcKind::Add; break;
    case ZYDIS_MNEMONIC_SUB: r = c.b.sub(a, b); kind = CcKind::Sub; break;
    // SBB's CF and ZF depend on the borrow too, so it must not share SUB's compare fast paths.
    case ZYDIS_MNEMONIC_SBB: r = c.b.sub(c.b.sub(a, b), c.b.emit(ir::Op::GetCF)); kind = CcKind::Sbb; break;
    case ZYDIS_MNEMONIC_CMP: r = c.b.sub(a, b); kind = CcKind::Sub; writeback = false; break;
    case ZYDIS_MNEMONIC_AND: r = c.b.and_(a, b); kind = CcKind::Logic; break;
    case ZYDIS_MNEMONIC_TEST: r = c.b.and_(a, b); kind = CcKind::Logic; writeback = false; break;
    case ZYDIS_MNEMONIC_OR: r = c.b.or_(a, b); kind = CcKind::Logic; break;
    default: r = c.b.xor_(a, b); kind = CcKind::Logic; break;
  }
  r = c.trunc(r, size);
  if (writeback) dst.write(r);
  c.set_cc(kind, size, a, b, r);
}

// INC/DEC: like ADD/SUB with 1 but CF is preserved (the Inc/Dec records carry the old CF).
void lower_incdec(LowerCtx& c) {
  const unsigned size = c.op(0).size;
  const bool inc = c.insn.mnemonic == ZYDIS_MNEMONIC_INC;
  Rmw dst(c, c.op(0));
  const Temp a = dst.read();
  const Temp r = c.trunc(inc ? c.b.add(a, c.imm(1)) : c.b.sub(a, c.imm(1)), size);
  const Temp cf = c.b.emit(ir::Op::GetCF);
  dst.write(r);
  c.set_cc(inc ? CcKind::Inc : CcKind::Dec, size, a, cf, r);
}

// NEG is 0 - src: the SUB record gives CF = (src != 0) and OF for the most negative value.
void lower_neg(LowerCtx& c) {
  const unsigned size = c.op(0).size;
  Rmw dst(c, c.op(0));
  const Temp a = dst.read();
  const Temp r = c.trunc(c.b.emit(ir::Op::Neg, a), size);
  dst.write(r);
  c.set_cc(CcKind::Sub, size, c.imm(0), a, r);
}

// NOT affects no flags.
void lower_not(LowerCtx& c) {
  Rmw dst(c, c.op(0));
  dst.write(c.trunc(c.b.not_(dst.read()), dst.size()));
}

// SALC (D6, undocumented on Intel parts): AL = CF ? FFh : 00h, flags unchanged.
void lower_salc(LowerCtx& c) {
  c.set_reg(EAX, 1, c.b.emit(ir::Op::Neg, c.b.emit(ir::Op::GetCF)));
}

}  // namespace cpu
