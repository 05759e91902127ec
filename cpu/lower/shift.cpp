// Shifts and rotates: SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR, SHLD, SHRD (SDM Vol.2). Immediate
// counts (including the D0/D1 count of 1) are known at translation time and lowered to IR; CL
// counts of SHL, SHR and SAR are lowered the same way with the count in a temp; the other CL
// counts go through Helper::Shift (cpu/helpers/shift.cpp), which implements the same rules.
//
// Rules shared by both paths: the count is masked to 5 bits; a masked count of 0 changes nothing
// (not even the flags). OF is defined by the SDM for 1-bit shifts only; for other counts the
// value the SDM's count-1 formula gives is produced (SHL/ROL/RCL/SHLD: MSB(result) XOR CF;
// SHR/ROR/RCR/SHRD: XOR of the two top result bits; SAR: 0). AF is produced as 0.
#include "cpu/lower/rmw.h"
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

ShiftOp shift_op(uint16_t mnemonic) {
  switch (mnemonic) {
    case ZYDIS_MNEMONIC_ROL: return ShiftOp::Rol;
    case ZYDIS_MNEMONIC_ROR: return ShiftOp::Ror;
    case ZYDIS_MNEMONIC_RCL: return ShiftOp::Rcl;
    case ZYDIS_MNEMONIC_RCR: return ShiftOp::Rcr;
    case ZYDIS_MNEMONIC_SHR: return ShiftOp::Shr;
    case ZYDIS_MNEMONIC_SAR: return ShiftOp::Sar;
    case ZYDIS_MNEMONIC_SHLD: return ShiftOp::Shld;
    case ZYDIS_MNEMONIC_SHRD: return ShiftOp::Shrd;
    default: return ShiftOp::Shl;  // SHL, and SAL (the same operation)
  }
}

// IR shorthands.
struct Ir {
  LowerCtx& c;
  Temp k(uint32_t v) { return c.imm(v); }
  Temp shl(Temp a, unsigned n) { return n ? c.b.shl(a, k(n)) : a; }
  Temp shr(Temp a, unsigned n) { return n ? c.b.shr(a, k(n)) : a; }
  Temp bit(Temp a, unsigned n) { return c.b.and_(shr(a, n), k(1)); }
  Temp or_(Temp a, Temp b) { return c.b.or_(a, b); }
  Temp xor_(Temp a, Temp b) { return c.b.xor_(a, b); }
  // CF and OF (0/1 each) at their EFLAGS positions.
  Temp cf_of(Temp cf, Temp of) { return or_(cf, shl(of, 11)); }
};

// Immediate count `n` (already masked, non-zero). `v` is the destination value, `src` the
// SHLD/SHRD fill operand.
void lower_imm(LowerCtx& c, Rmw& dst, ShiftOp op, Temp v, Temp src, unsigned n) {
  Ir ir{c};
  const unsigned size = dst.size(), bits = size * 8, msb = bits - 1;
  Temp r;
  switch (op) {
    case ShiftOp::Shl:
      r = c.trunc(ir.shl(v, n), size);
      dst.write(r);
      c.set_cc(CcKind::Shl, size, v, ir.k(n), r);
      return;
    case ShiftOp::Shr:
      r = ir.shr(v, n);
      dst.write(r);
      c.set_cc(CcKind::Shr, size, v, ir.k(n), r);
      return;
    case ShiftOp::Sar: {
      const Temp sv = c.sext(v, size);
      r = c.trunc(c.b.sar(sv, ir.k(n)), size);
      dst.write(r);
      c.set_cc(CcKind::Sar, size, sv, ir.k(n), r);
      return;
    }
    case ShiftOp::Rol:
    case ShiftOp::Ror: {
      const unsigned m = n & msb;  // rotation MOD size; CF/OF still change when it is 0
      const bool left = op == ShiftOp::Rol;
      r = m ? c.trunc(ir.or_(left ? ir.shl(v, m) : ir.shr(v, m),
                             left ? ir.shr(v, bits - m) : ir.shl(v, bits - m)), size)
            : v;
      dst.write(r);
      const Temp top = ir.shr(r, msb);
      const Temp cf = left ? c.b.and_(r, ir.k(1)) : top;
      const Temp of = left ? ir.xor_(cf, top) : ir.xor_(top, ir.bit(r, msb - 1));
      c.b.emit(ir::Op::SetFlags, ir.cf_of(cf, of), ir::kNoTemp, ir::kNoTemp, 0, fl::CF | fl::OF);
      return;
    }
    case ShiftOp::Rcl:
    case ShiftOp::Rcr: {
      // Rotation of the (size + 1)-bit value CF:DEST; 8/16-bit counts are MOD 9/17. A rotation
      // of 0 keeps DEST and CF but still recomputes OF (as the 80286 captures show).
      const unsigned m = bits == 32 ? n : n % (bits + 1);
      const Temp cin = c.b.emit(ir::Op::GetCF);
      Temp cf;
      if (m == 0) {
        r = v;
        cf = cin;
      } else if (op == ShiftOp::Rcl) {
        r = ir.or_(ir.shl(v, m), ir.shl(cin, m - 1));
        if (m >= 2) r = ir.or_(r, ir.shr(v, bits + 1 - m));
        cf = ir.bit(v, bits - m);
      } else {
        r = ir.or_(ir.shr(v, m), ir.shl(cin, bits - m));
        if (m >= 2) r = ir.or_(r, ir.shl(v, bits + 1 - m));
        cf = ir.bit(v, m - 1);
      }
      r = c.trunc(r, size);
      dst.write(r);
      const Temp top = ir.shr(r, msb);
      const Temp of = op == ShiftOp::Rcl ? ir.xor_(cf, top) : ir.xor_(top, ir.bit(r, msb - 1));
      c.b.emit(ir::Op::SetFlags, ir.cf_of(cf, of), ir::kNoTemp, ir::kNoTemp, 0, fl::CF | fl::OF);
      return;
    }
    case ShiftOp::Shld:
    case ShiftOp::Shrd: {
      // n <= operand size here (the 16-bit n > 16 case takes the helper path).
      Temp cf, of;
      if (op == ShiftOp::Shld) {
        r = c.trunc(ir.or_(ir.shl(v, n), ir.shr(src, bits - n)), size);
        cf = ir.bit(v, bits - n);
        of = ir.xor_(cf, ir.shr(r, msb));
      } else {
        r = c.trunc(ir.or_(ir.shr(v, n), ir.shl(src, bits - n)), size);
        cf = ir.bit(v, n - 1);
        of = ir.xor_(ir.shr(r, msb), ir.bit(r, msb - 1));
      }
      dst.write(r);
      c.set_cc(CcKind::Szp, size, ir.cf_of(cf, of), ir::kNoTemp, r);
      return;
    }
  }
}

// SHL, SHR and SAR by CL. A masked count of 0 changes nothing, not even the flags: the value
// written back is then the old one, and the block leaves (to the next instruction) before the
// flag record is replaced.
void lower_cl(LowerCtx& c, Rmw& dst, ShiftOp op, Temp v) {
  const unsigned size = dst.size();
  const Temp m = c.b.and_(c.get_reg(ECX, 1), c.imm(31));
  Temp src1 = v, r;
  CcKind kind;
  switch (op) {
    case ShiftOp::Shl:
      r = c.trunc(c.b.shl(v, m), size);
      kind = CcKind::Shl;
      break;
    case ShiftOp::Shr:
      r = c.b.shr(v, m);
      kind = CcKind::Shr;
      break;
    default:
      src1 = c.sext(v, size);
      r = c.trunc(c.b.sar(src1, m), size);
      kind = CcKind::Sar;
      break;
  }
  dst.write(r);
  c.b.branch_if(c.b.eq(m, c.imm(0)), c.next_eip());
  c.set_cc(kind, size, src1, m, r);
}

}  // namespace

void lower_shift(LowerCtx& c) {
  const ShiftOp op = shift_op(c.insn.mnemonic);
  const bool dbl = op == ShiftOp::Shld || op == ShiftOp::Shrd;
  Rmw dst(c, c.op(0));
  const unsigned size = dst.size();
  const Operand& cnt = c.op(dbl ? 2 : 1);
  const Temp v = dst.read();
  const Temp src = dbl ? c.read(c.op(1)) : ir::kNoTemp;
  if (cnt.kind == OpKind::Imm) {
    const unsigned n = cnt.imm & 31;
    if (n == 0) {
      // Nothing changes, but a memory destination is still written back (the instruction is a
      // read-modify-write: a read-only page faults, a clean one becomes dirty).
      if (dst.mem()) dst.write(v);
      return;
    }
    if (!(dbl && n > size * 8)) return lower_imm(c, dst, op, v, src, n);
  }
  if (cnt.kind != OpKind::Imm && (op == ShiftOp::Shl || op == ShiftOp::Shr || op == ShiftOp::Sar))
    return lower_cl(c, dst, op, v);
  const Temp count = cnt.kind == OpKind::Imm ? c.imm(cnt.imm) : c.get_reg(ECX, 1);
  if (dst.mem()) {
    const Temp r = c.call(Helper::Shift, v, count, src, shift_key(op, size, false));
    dst.write(r);
    c.call(Helper::Shift, v, count, src, shift_key(op, size, true));
  } else {
    dst.write(c.call(Helper::Shift, v, count, src, shift_key(op, size, true)));
  }
}

}  // namespace cpu
