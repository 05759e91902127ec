// Data movement: MOV, MOVZX/MOVSX, LEA, XCHG, XADD, CMPXCHG, CMPXCHG8B, BSWAP, XLAT, the CBW
// family, LAHF/SAHF, CMOVcc and the NOP forms (SDM Vol.2, one entry each).
//
// Memory operands are loaded and stored before any register or flag is written, so a fault
// leaves the registers as they were (precise exceptions).
#include "cpu/opcode_table.h"

namespace cpu {

void lower_mov(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  if (dst.kind == OpKind::Seg || src.kind == OpKind::Seg || dst.kind == OpKind::Cr ||
      src.kind == OpKind::Cr || dst.kind == OpKind::Dr || src.kind == OpKind::Dr) {
    return lower_mov_system(c);
  }
  c.write(dst, c.read(src));
}

// NOP, PAUSE and the multi-byte NOP (0F 1F /0, and the reserved-NOP space 0F 19..1E): the
// ModRM memory operand is never accessed, so it cannot fault.
void lower_nop(LowerCtx&) {}

// MOVZX/MOVSX: the source (byte or word) is extended to the operand size.
void lower_movx(LowerCtx& c) {
  const Operand& src = c.op(1);
  const Temp v = c.read(src);
  const bool sign = c.insn.mnemonic == ZYDIS_MNEMONIC_MOVSX;
  c.set_reg(c.op(0).reg, c.op(0).size, sign ? c.sext(v, src.size) : c.zext(v, src.size));
}

// LEA: the offset is computed with the address size and then truncated or zero-extended to the
// operand size (SDM Vol.2 LEA, table "Non-64-bit Mode LEA Operation"). ea() already wraps
// 16-bit addresses; set_reg keeps the low 16 bits for a 16-bit destination.
void lower_lea(LowerCtx& c) { c.set_reg(c.op(0).reg, c.op(0).size, c.ea(c.op(1))); }

// XCHG: with a memory operand it is locked whether or not LOCK is given; a single-threaded
// guest sees no difference. The memory side is stored first so a fault changes nothing.
void lower_xchg(LowerCtx& c) {
  const Operand& a = c.op(0);
  const Operand& b = c.op(1);
  const Temp va = c.read(a);
  const Temp vb = c.read(b);
  if (b.kind == OpKind::Mem) {
    c.write(b, va);
    c.write(a, vb);
  } else {
    c.write(a, vb);
    c.write(b, va);
  }
}

// XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. With two registers DEST is written last,
// so XADD r, r with the same register leaves the sum. Flags as ADD.
void lower_xadd(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  const unsigned size = dst.size;
  const Temp d = c.read(dst);
  const Temp s = c.read(src);
  const Temp sum = c.trunc(c.b.add(d, s), size);
  if (dst.kind == OpKind::Mem) {
    c.write(dst, sum);
    c.write(src, d);
  } else {
    c.write(src, d);
    c.write(dst, sum);
  }
  c.set_cc(CcKind::Add, size, d, s, sum);
}

// CMPXCHG: compares the accumulator with DEST (flags as CMP acc, DEST). Equal: DEST = SRC.
// Different: acc = DEST, and a memory DEST is written back with its own value (the processor
// always writes the destination). In both cases acc ends up equal to the old DEST, so it is
// written unconditionally; for a register DEST (which may be the accumulator itself) it is
// written first so that DEST = SRC wins.
void lower_cmpxchg(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const unsigned size = dst.size;
  const Temp d = c.read(dst);
  const Temp acc = c.get_reg(EAX, size);
  const Temp src = c.read(c.op(1));
  const Temp nd = c.b.select(c.b.eq(acc, d), src, d);
  if (dst.kind == OpKind::Mem) {
    c.write(dst, nd);
    c.set_reg(EAX, size, d);
  } else {
    c.set_reg(EAX, size, d);
    c.write(dst, nd);
  }
  c.set_cc(CcKind::Sub, size, acc, d, c.trunc(c.b.sub(acc, d), size));
}

void lower_cmpxchg8b(LowerCtx& c) {
  const Operand& m = c.op(0);
  c.call(Helper::Cmpxchg8b, c.ea(m), ir::kNoTemp, ir::kNoTemp, m.seg);
}

// BSWAP r32 reverses the bytes. BSWAP r16 is undefined (SDM Vol.2 BSWAP); we clear the 16-bit
// register, the result commonly reported for Intel processors, and leave bits 31:16 alone.
void lower_bswap(LowerCtx& c) {
  const Operand& r = c.op(0);
  if (r.size == 2) return c.set_reg(r.reg, 2, c.imm(0));
  c.set_reg(r.reg, 4, c.b.emit(ir::Op::Bswap, c.get_reg(r.reg, 4)));
}

// XLAT: AL = [seg:(E)BX + ZeroExtend(AL)], the sum wrapped to the address size; DS unless
// overridden.
void lower_xlat(LowerCtx& c) {
  const unsigned as = c.insn.addrsize;
  const unsigned seg = c.insn.has_seg_override ? c.insn.seg_override : unsigned(DS);
  const Temp off = c.trunc(c.b.add(c.get_reg(EBX, as), c.get_reg(EAX, 1)), as);
  c.set_reg(EAX, 1, c.load(seg, off, 1));
}

// CBW/CWDE: sign-extend AL into AX, or AX into EAX.
void lower_cbw(LowerCtx& c) {
  const unsigned half = c.opsize() / 2;
  c.set_reg(EAX, c.opsize(), c.sext(c.get_reg(EAX, half), half));
}

// CWD/CDQ: DX (EDX) = copies of the sign bit of AX (EAX).
void lower_cwd(LowerCtx& c) {
  const unsigned size = c.opsize();
  const Temp v = c.sext(c.get_reg(EAX, size), size);
  c.set_reg(EDX, size, c.b.sar(v, c.imm(31)));
}

// LAHF: AH = SF:ZF:0:AF:0:PF:1:CF, which is the low byte of EFLAGS as read.
void lower_lahf(LowerCtx& c) { c.set_reg(4 /* AH */, 1, c.b.emit(ir::Op::GetFlags)); }

// SAHF: SF ZF AF PF CF = AH bits 7 6 4 2 0.
void lower_sahf(LowerCtx& c) {
  c.b.emit(ir::Op::SetFlags, c.get_reg(4 /* AH */, 1), ir::kNoTemp, ir::kNoTemp, 0,
           fl::SF | fl::ZF | fl::AF | fl::PF | fl::CF);
}

// CMOVcc: the source is read (and may fault) whatever the condition; a false condition leaves
// the destination unchanged (no zero-extension outside 64-bit mode).
void lower_cmov(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Temp v = c.read(c.op(1));
  const Temp cond = c.b.cond(c.insn.opcode & 0xf);
  c.set_reg(dst.reg, dst.size, c.b.select(cond, v, c.get_reg(dst.reg, dst.size)));
}

}  // namespace cpu
