// Shifts and rotates with a count only known at run time (CL), following the SDM Vol.2
// "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD" and "SHRD" Operation sections. Immediate counts are
// lowered to IR by cpu/lower/shift.cpp with the same rules.
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

void set_lazy(CpuState& s, CcKind kind, unsigned size, uint32_t a, uint32_t b, uint32_t r) {
  s.cc_op = cc_op(kind, size);
  s.cc_src1 = a;
  s.cc_src2 = b;
  s.cc_res = r;
}

}  // namespace

// k = shift_key(op, size, set_flags). Returns the result; with set_flags it also records the
// flags. A masked count of 0 changes nothing. A memory destination calls this twice (result
// first, flags after the store), so a faulting store leaves the flags as they were.
uint32_t helper_shift(Cpu& cpu, uint32_t v, uint32_t count, uint32_t src, uint32_t k) {
  CpuState& s = cpu.s;
  const ShiftOp op = ShiftOp(k & 15);
  const unsigned size = 1u << ((k >> 4) & 3), bits = size * 8, msb = bits - 1;
  const bool commit = k & 0x40;
  const uint32_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
  v &= mask;
  src &= mask;
  const unsigned c = count & 31;  // the count is masked to 5 bits on every IA-32 processor
  if (c == 0) return v;
  auto bit = [](uint64_t x, unsigned i) { return uint32_t(x >> i) & 1; };
  uint32_t r, cf, of;
  switch (op) {
    case ShiftOp::Shl:
      r = (v << c) & mask;
      if (commit) set_lazy(s, CcKind::Shl, size, v, c, r);
      return r;
    case ShiftOp::Shr:
      r = v >> c;
      if (commit) set_lazy(s, CcKind::Shr, size, v, c, r);
      return r;
    case ShiftOp::Sar: {
      const uint32_t sv = uint32_t(int32_t(v << (32 - bits)) >> (32 - bits));
      r = uint32_t(int32_t(sv) >> c) & mask;
      if (commit) set_lazy(s, CcKind::Sar, size, sv, c, r);
      return r;
    }
    case ShiftOp::Rol: {
      // The rotation is count MOD size, but any non-zero masked count sets CF = LSB(result).
      const unsigned n = c & msb;
      r = n ? ((v << n) | (v >> (bits - n))) & mask : v;
      cf = r & 1;
      of = cf ^ bit(r, msb);
      if (commit) write_eflags(s, cf | of << 11, fl::CF | fl::OF);
      return r;
    }
    case ShiftOp::Ror: {
      const unsigned n = c & msb;
      r = n ? ((v >> n) | (v << (bits - n))) & mask : v;
      cf = bit(r, msb);
      of = cf ^ bit(r, msb - 1);
      if (commit) write_eflags(s, cf | of << 11, fl::CF | fl::OF);
      return r;
    }
    case ShiftOp::Rcl:
    case ShiftOp::Rcr: {
      // A (size + 1)-bit rotation of CF:DEST; 8- and 16-bit counts are taken MOD 9 and MOD 17.
      // When that leaves 0 (a masked count of 9 or 18), DEST and CF keep their values but OF is
      // still recomputed from them, as the 80286 captures show.
      const unsigned n = bits == 32 ? c : c % (bits + 1);
      const uint64_t wmask = (uint64_t(1) << (bits + 1)) - 1;
      uint64_t x = uint64_t(carry_flag(s)) << bits | v;
      if (n != 0 && op == ShiftOp::Rcl)
        x = ((x << n) | (x >> (bits + 1 - n))) & wmask;
      else if (n != 0)
        x = ((x >> n) | (x << (bits + 1 - n))) & wmask;
      r = uint32_t(x) & mask;
      cf = bit(x, bits);
      of = op == ShiftOp::Rcl ? cf ^ bit(r, msb) : bit(r, msb) ^ bit(r, msb - 1);
      if (commit) write_eflags(s, cf | of << 11, fl::CF | fl::OF);
      return r;
    }
    case ShiftOp::Shld:
    case ShiftOp::Shrd: {
      // 32-bit: the 64-bit value DEST:SRC (SHLD) or SRC:DEST (SHRD) is shifted. 16-bit counts
      // above 16 are undefined in the SDM; like P6-family parts, the operands then act as the
      // 48-bit value DEST:SRC:DEST, which also gives the defined results for counts up to 16.
      uint64_t x;
      if (bits == 32)
        x = op == ShiftOp::Shld ? uint64_t(v) << 32 | src : uint64_t(src) << 32 | v;
      else
        x = uint64_t(v) << 32 | uint64_t(src) << 16 | v;
      const unsigned w = bits == 32 ? 64 : 48;
      if (op == ShiftOp::Shld) {
        r = uint32_t((x << c) >> (w - bits)) & mask;
        cf = bit(x, w - c);
        of = cf ^ bit(r, msb);  // sign change for a 1-bit shift
      } else {
        r = uint32_t(x >> c) & mask;
        cf = bit(x, c - 1);
        of = bit(r, msb) ^ bit(r, msb - 1);
      }
      if (commit) set_lazy(s, CcKind::Szp, size, cf | of << 11, 0, r);
      return r;
    }
  }
  return v;
}

}  // namespace cpu
