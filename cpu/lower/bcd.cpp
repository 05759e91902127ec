// Decimal adjust instructions (SDM Vol.2 DAA, DAS, AAA, AAS, AAM, AAD). They are rare, so all but
// AAD are helpers (cpu/helpers/arith.cpp), which follow the SDM pseudocode.
#include "cpu/opcode_table.h"

namespace cpu {

void lower_bcd(LowerCtx& c) {
  switch (c.insn.mnemonic) {
    case ZYDIS_MNEMONIC_DAA: c.call(Helper::Daa); break;
    case ZYDIS_MNEMONIC_DAS: c.call(Helper::Das); break;
    case ZYDIS_MNEMONIC_AAA: c.call(Helper::Aaa); break;
    case ZYDIS_MNEMONIC_AAS: c.call(Helper::Aas); break;
    default:
      c.call(Helper::Aam, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, uint8_t(c.op(0).imm));
      break;
  }
}

// AAD imm8: AL = (AL + AH * imm8) AND FFh, AH = 0. SF ZF PF follow AL; OF AF CF are undefined
// and are produced as the flags of the final byte addition AL + (AH * imm8 AND FFh).
void lower_aad(LowerCtx& c) {
  const Temp al = c.get_reg(EAX, 1);
  const Temp ah = c.get_reg(4, 1);  // AH
  const Temp prod = c.trunc(c.b.emit(ir::Op::Mul, ah, c.imm(c.op(0).imm & 0xff)), 1);
  const Temp r = c.trunc(c.b.add(al, prod), 1);
  c.set_reg(EAX, 2, r);
  c.set_cc(CcKind::Add, 1, al, prod, r);
}

}  // namespace cpu
