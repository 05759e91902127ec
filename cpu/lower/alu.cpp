// Two-operand ALU instructions with their flag semantics (SDM Vol.2 ADD/ADC/SUB/SBB/AND/OR/XOR/
// CMP): the result is computed in IR and the flags are recorded lazily.
#include "cpu/opcode_table.h"

namespace cpu {

void lower_alu(LowerCtx& c) {
  const unsigned size = c.op(0).size;
  const Temp a = c.read(c.op(0));
  const Temp b = c.read(c.op(1));
  Temp r;
  CcKind kind;
  bool writeback = true;
  switch (c.insn.mnemonic) {
    case ZYDIS_MNEMONIC_ADD: r = c.b.add(a, b); kind = CcKind::Add; break;
    case ZYDIS_MNEMONIC_ADC: r = c.b.add(c.b.add(a, b), c.b.emit(ir::Op::GetCF)); kind = CcKind::Add; break;
    case ZYDIS_MNEMONIC_SUB: r = c.b.sub(a, b); kind = CcKind::Sub; break;
    case ZYDIS_MNEMONIC_SBB: r = c.b.sub(c.b.sub(a, b), c.b.emit(ir::Op::GetCF)); kind = CcKind::Sub; break;
    case ZYDIS_MNEMONIC_CMP: r = c.b.sub(a, b); kind = CcKind::Sub; writeback = false; break;
    case ZYDIS_MNEMONIC_AND: r = c.b.and_(a, b); kind = CcKind::Logic; break;
    case ZYDIS_MNEMONIC_OR: r = c.b.or_(a, b); kind = CcKind::Logic; break;
    default: r = c.b.xor_(a, b); kind = CcKind::Logic; break;
  }
  r = c.trunc(r, size);
  if (writeback) c.write(c.op(0), r);
  c.set_cc(kind, size, a, b, r);
}

}  // namespace cpu
