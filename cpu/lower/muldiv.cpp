// Multiplication and division (SDM Vol.2 MUL, IMUL, DIV, IDIV). Products are IR; division goes
// through Helper::Div, which raises #DE before it writes any register.
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

// Two- and three-operand IMUL: dest = truncated product; CF = OF = (the full signed product
// does not fit the destination), SDM "IMUL" Operation.
void lower_imul_n(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const unsigned size = dst.size;
  const bool three = c.insn.nops == 3;
  const Temp a = c.read(c.op(three ? 1 : 0));
  const Temp b = c.read(c.op(three ? 2 : 1));
  if (size == 4) {
    // The record keeps both factors: the high half is computed only if the flags are read.
    const Temp lo = c.b.emit(ir::Op::Mul, a, b);
    c.set_reg(dst.reg, size, lo);
    c.set_cc(CcKind::ImulPair, size, a, b, lo);
    return;
  }
  const Temp p = c.b.emit(ir::Op::Mul, c.sext(a, 2), c.sext(b, 2));
  const Temp lo = c.trunc(p, 2);
  const Temp hi = c.b.shr(p, c.imm(16));
  c.set_reg(dst.reg, size, lo);
  c.set_cc(CcKind::Imul, size, a, hi, lo);
}

}  // namespace

// MUL and one-operand IMUL: AX = AL * src, DX:AX = AX * src, EDX:EAX = EAX * src. The flag
// record holds the high half; CF = OF = (high half is significant).
void lower_mul(LowerCtx& c) {
  const bool sgn = c.insn.mnemonic == ZYDIS_MNEMONIC_IMUL;
  if (sgn && c.insn.nops > 1) return lower_imul_n(c);
  const unsigned size = c.op(0).size;
  const Temp src = c.read(c.op(0));
  const Temp acc = c.get_reg(EAX, size);
  const CcKind kind = sgn ? CcKind::Imul : CcKind::Mul;
  if (size == 4) {
    const Temp lo = c.b.emit(ir::Op::Mul, acc, src);
    const Temp hi = c.b.emit(sgn ? ir::Op::MulHiS : ir::Op::MulHiU, acc, src);
    c.set_reg(EAX, 4, lo);
    c.set_reg(EDX, 4, hi);
    c.set_cc(kind, 4, acc, hi, lo);
    return;
  }
  // 8x8 and 16x16 products fit in 32 bits.
  const Temp p = sgn ? c.b.emit(ir::Op::Mul, c.sext(acc, size), c.sext(src, size))
                     : c.b.emit(ir::Op::Mul, acc, src);
  const unsigned bits = size * 8;
  const Temp lo = c.trunc(p, size);
  const Temp hi = c.trunc(c.b.shr(p, c.imm(bits)), size);
  if (size == 1) {
    c.set_reg(EAX, 2, p);
  } else {
    c.set_reg(EAX, 2, lo);
    c.set_reg(EDX, 2, hi);
  }
  c.set_cc(kind, size, acc, hi, lo);
}

void lower_div(LowerCtx& c) {
  const unsigned size = c.op(0).size;
  const Temp divisor = c.read(c.op(0));
  const uint8_t k = uint8_t(size | (c.insn.mnemonic == ZYDIS_MNEMONIC_IDIV ? kDivSigned : 0));
  c.call(Helper::Div, divisor, ir::kNoTemp, ir::kNoTemp, k);
}

}  // namespace cpu
