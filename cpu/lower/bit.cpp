// Bit instructions: BT, BTS, BTR, BTC, BSF, BSR, SETcc (SDM Vol.2).
#include "cpu/lower/rmw.h"
#include "cpu/opcode_table.h"

namespace cpu {

// BT family. The bit offset is an immediate (taken MOD operand size) or a register. With a
// register offset and a memory operand the offset is signed and may address bits outside the
// operand: the access moves by (offset SAR log2(size in bits)) operands (SDM Vol.2 "BT",
// bit-base addressing) and the bit is offset MOD size. Only CF changes; OF SF AF PF are
// undefined and left unchanged, ZF is unaffected.
void lower_bt(LowerCtx& c) {
  const Operand& o = c.op(0);
  const Operand& off = c.op(1);
  const unsigned size = o.size, bits = size * 8;
  const unsigned log_bits = size == 2 ? 4 : 5;
  Temp bitno;
  Temp reg_off = ir::kNoTemp;
  if (off.kind == OpKind::Imm) {
    bitno = c.imm(off.imm & (bits - 1));
  } else {
    reg_off = c.get_reg(off.reg, size);
    bitno = c.b.and_(reg_off, c.imm(bits - 1));
  }
  Temp addr = ir::kNoTemp;
  if (o.kind == OpKind::Mem) {
    addr = c.ea(o);
    if (reg_off != ir::kNoTemp) {
      const Temp step = c.b.sar(c.sext(reg_off, size), c.imm(log_bits));
      addr = c.b.add(addr, c.b.shl(step, c.imm(size == 2 ? 1 : 2)));
      if (c.insn.addrsize == 2) addr = c.trunc(addr, 2);
    }
  }
  Rmw dst = o.kind == OpKind::Mem ? Rmw(c, o, addr) : Rmw(c, o);
  const Temp v = dst.read();
  const Temp cf = c.b.and_(c.b.shr(v, bitno), c.imm(1));
  const Temp m = c.b.shl(c.imm(1), bitno);
  switch (c.insn.mnemonic) {
    case ZYDIS_MNEMONIC_BTS: dst.write(c.b.or_(v, m)); break;
    case ZYDIS_MNEMONIC_BTR: dst.write(c.b.and_(v, c.b.not_(m))); break;
    case ZYDIS_MNEMONIC_BTC: dst.write(c.b.xor_(v, m)); break;
    default: break;
  }
  c.b.emit(ir::Op::SetFlags, cf, ir::kNoTemp, ir::kNoTemp, 0, fl::CF);
}

// BSF/BSR: with a zero source ZF = 1 and the destination keeps its value (as Intel processors
// do; the SDM calls it undefined). Otherwise ZF = 0 and the destination gets the bit index. CF
// OF SF AF PF are undefined: they are produced from the source as by a logical operation.
void lower_bitscan(LowerCtx& c) {
  const Operand& d = c.op(0);
  const unsigned size = d.size;
  const Temp src = c.read(c.op(1));
  const Temp old = c.get_reg(d.reg, size);
  const uint8_t k = c.insn.mnemonic == ZYDIS_MNEMONIC_BSR ? uint8_t(kBitScanReverse) : 0;
  const Temp idx = c.call(Helper::BitScan, src, ir::kNoTemp, ir::kNoTemp, k);
  c.set_reg(d.reg, size, c.b.select(src, idx, old));
  c.set_cc(CcKind::Logic, size, src, src, src);
}

// SETcc r/m8: 1 if the condition (low nibble of the opcode) holds, else 0. No flags change.
void lower_setcc(LowerCtx& c) { c.write(c.op(0), c.b.cond(c.insn.opcode & 0xf)); }

}  // namespace cpu
