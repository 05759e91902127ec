#include "cpu/flags.h"

namespace cpu {
namespace {

constexpr uint32_t mask_of(unsigned bits) { return bits == 32 ? 0xffffffffu : (1u << bits) - 1; }

uint32_t szp(uint32_t res, unsigned bits) {
  res &= mask_of(bits);
  uint32_t f = 0;
  if (res == 0) f |= fl::ZF;
  if (res >> (bits - 1) & 1) f |= fl::SF;
  if (parity8(res)) f |= fl::PF;
  return f;
}

// Carry out of, and borrow from, the top bit of an addition or subtraction (ADC and SBB
// included): the majority of a, b and the carry into the top bit, which is r ^ a ^ b.
bool add_carry(uint32_t a, uint32_t b, uint32_t r, unsigned msb) { return ((a & b) | ((a | b) & ~r)) >> msb & 1; }
bool sub_borrow(uint32_t a, uint32_t b, uint32_t r, unsigned msb) { return ((~a & b) | ((~a | b) & r)) >> msb & 1; }

}  // namespace

bool carry_flag(const CpuState& s) {
  // The kinds whose CF is cheap come first: translated code asks for CF alone (INC, DEC, ADC,
  // SBB, RCL, RCR after a block boundary) and should not pay for parity and the rest.
  const uint32_t op = s.cc_op;
  const unsigned msb = cc_bits(op) - 1;
  switch (cc_kind(op)) {
    case CcKind::Eflags: return s.eflags & fl::CF;
    case CcKind::Logic: return false;
    case CcKind::Inc:
    case CcKind::Dec: return s.cc_src2;
    case CcKind::Add: return add_carry(s.cc_src1, s.cc_src2, s.cc_res, msb);
    case CcKind::Sub:
    case CcKind::Sbb: return sub_borrow(s.cc_src1, s.cc_src2, s.cc_res, msb);
    default: return arith_flags(s) & fl::CF;
  }
}

uint32_t lazy_arith_flags(uint32_t op, uint32_t a, uint32_t b, uint32_t r) {
  const unsigned bits = cc_bits(op);
  const unsigned msb = bits - 1;
  uint32_t f = szp(r, bits);
  switch (cc_kind(op)) {
    case CcKind::Eflags: return 0;
    case CcKind::Add:
      if (add_carry(a, b, r, msb)) f |= fl::CF;
      if (((a ^ r) & (b ^ r)) >> msb & 1) f |= fl::OF;
      if ((a ^ b ^ r) & 0x10) f |= fl::AF;
      return f;
    case CcKind::Sub:
    case CcKind::Sbb:
      if (sub_borrow(a, b, r, msb)) f |= fl::CF;
      if (((a ^ b) & (a ^ r)) >> msb & 1) f |= fl::OF;
      if ((a ^ b ^ r) & 0x10) f |= fl::AF;
      return f;
    case CcKind::Logic: return f;
    case CcKind::Inc:
      if (b) f |= fl::CF;
      if ((r & mask_of(bits)) == (1u << msb)) f |= fl::OF;
      if ((a ^ r) & 0x10) f |= fl::AF;
      return f;
    case CcKind::Dec:
      if (b) f |= fl::CF;
      if ((r & mask_of(bits)) == (1u << msb) - 1) f |= fl::OF;
      if ((a ^ r) & 0x10) f |= fl::AF;
      return f;
    case CcKind::Shl: {
      // CF is the last bit shifted out; OF (defined for count 1) is MSB(result) ^ CF.
      bool cf = b <= bits ? (a >> (bits - b)) & 1 : false;
      if (cf) f |= fl::CF;
      if (((r >> msb) & 1) != cf) f |= fl::OF;
      return f;
    }
    case CcKind::Shr:
      if (b <= 32 && (a >> (b - 1)) & 1) f |= fl::CF;
      // OF (count 1) is the original MSB.
      if ((a >> msb) & 1 && b == 1) f |= fl::OF;
      return f;
    case CcKind::Sar: {
      // a is sign-extended to 32 bits by the lowering, so shifting by up to 31 is exact.
      unsigned sh = b - 1 < 31 ? b - 1 : 31;
      if ((int32_t(a) >> sh) & 1) f |= fl::CF;
      return f;
    }
    case CcKind::Mul:
      if (b & mask_of(bits)) f |= fl::CF | fl::OF;
      return f;
    case CcKind::Imul: {
      uint32_t sign_ext = (r >> msb & 1) ? mask_of(bits) : 0;
      if ((b & mask_of(bits)) != sign_ext) f |= fl::CF | fl::OF;
      return f;
    }
    case CcKind::Szp: return f | (a & (fl::CF | fl::AF | fl::OF));
    case CcKind::ImulPair: {
      const int64_t p = int64_t(int32_t(a)) * int32_t(b);
      if (p != int64_t(int32_t(r))) f |= fl::CF | fl::OF;
      return f;
    }
    case CcKind::kCount: break;
  }
  return f;
}

bool eval_cond(const CpuState& s, unsigned cc) {
  const uint32_t op = s.cc_op;
  if (cc_kind(op) == CcKind::Sub) {
    // CMP/SUB fast paths: compare the operands directly.
    const unsigned bits = cc_bits(op);
    const unsigned sh = 32 - bits;
    const uint32_t a = s.cc_src1 << sh, b = s.cc_src2 << sh;
    switch (cc) {
      case Cond::B: return a < b;
      case Cond::AE: return a >= b;
      case Cond::E: return a == b;
      case Cond::NE: return a != b;
      case Cond::BE: return a <= b;
      case Cond::A: return a > b;
      case Cond::L: return int32_t(a) < int32_t(b);
      case Cond::GE: return int32_t(a) >= int32_t(b);
      case Cond::LE: return int32_t(a) <= int32_t(b);
      case Cond::G: return int32_t(a) > int32_t(b);
      default: break;
    }
  }
  const uint32_t f = arith_flags(s);
  bool r;
  switch (cc >> 1) {
    case 0: r = f & fl::OF; break;
    case 1: r = f & fl::CF; break;
    case 2: r = f & fl::ZF; break;
    case 3: r = f & (fl::CF | fl::ZF); break;
    case 4: r = f & fl::SF; break;
    case 5: r = f & fl::PF; break;
    case 6: r = !(f & fl::SF) != !(f & fl::OF); break;
    default: r = (f & fl::ZF) || (!(f & fl::SF) != !(f & fl::OF)); break;
  }
  return r != (cc & 1);
}

}  // namespace cpu
