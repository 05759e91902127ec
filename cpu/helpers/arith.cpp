// Arithmetic helpers: division, the decimal adjust instructions and bit scans. Each checks
// everything that can fault before it writes guest state.
#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

uint32_t mask_of(unsigned bits) { return bits == 32 ? 0xffffffffu : (1u << bits) - 1; }

int64_t sign_extend(uint64_t v, unsigned bits) {
  return bits == 64 ? int64_t(v) : int64_t(v << (64 - bits)) >> (64 - bits);
}

// Records SF ZF PF of `res` and the explicit CF AF OF bits in `cao`.
void set_szp(CpuState& s, unsigned size, uint32_t cao, uint32_t res) {
  s.cc_op = cc_op(CcKind::Szp, size);
  s.cc_src1 = cao;
  s.cc_src2 = 0;
  s.cc_res = res;
}

}  // namespace

// DIV/IDIV (SDM Vol.2 "DIV", "IDIV"): #DE on a zero divisor or when the quotient does not fit
// the destination; IDIV accepts the most negative quotient (e.g. -128 for 8 bits), which the
// 8086 rejected. All flags are undefined; they are left unchanged.
uint32_t helper_div(Cpu& cpu, uint32_t divisor, uint32_t, uint32_t, uint32_t k) {
  CpuState& s = cpu.s;
  const unsigned size = k & 7, bits = size * 8;
  const uint32_t mask = mask_of(bits);
  uint64_t dividend;
  if (size == 1)
    dividend = s.regs[EAX] & 0xffff;
  else if (size == 2)
    dividend = (s.regs[EDX] & 0xffff) << 16 | (s.regs[EAX] & 0xffff);
  else
    dividend = uint64_t(s.regs[EDX]) << 32 | s.regs[EAX];
  divisor &= mask;
  if (divisor == 0) raise(kDE);
  uint32_t q, r;
  if (k & kDivSigned) {
    const int64_t n = sign_extend(dividend, 2 * bits), d = sign_extend(divisor, bits);
    if (d == -1 && n == INT64_MIN) raise(kDE);  // the quotient 2^63 fits nothing
    const int64_t sq = n / d;                     // truncates toward zero, as IDIV does
    const int64_t lim = int64_t(1) << (bits - 1);
    if (sq >= lim || sq < -lim) raise(kDE);
    q = uint32_t(sq) & mask;
    r = uint32_t(n % d) & mask;  // the remainder has the sign of the dividend
  } else {
    const uint64_t uq = dividend / divisor;
    if (uq > mask) raise(kDE);
    q = uint32_t(uq);
    r = uint32_t(dividend % divisor);
  }
  if (size == 1) {
    cpu.set_reg(EAX, 2, r << 8 | q);
  } else {
    cpu.set_reg(EAX, size, q);
    cpu.set_reg(EDX, size, r);
  }
  return 0;
}

// DAA (SDM Vol.2 "DAA" Operation). OF is undefined; it is produced as the signed overflow of
// the whole adjustment (old AL + 06h/60h/66h), which is what the 80286 captures show.
uint32_t helper_daa(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  CpuState& s = cpu.s;
  const uint32_t f = arith_flags(s);
  const uint32_t old_al = s.regs[EAX] & 0xff;
  const bool old_cf = f & fl::CF;
  uint32_t al = old_al, out = 0;
  if ((al & 0x0f) > 9 || (f & fl::AF)) {
    al += 6;
    if (old_cf || al > 0xff) out |= fl::CF;
    out |= fl::AF;
  }
  if (old_al > 0x99 || old_cf) {
    al += 0x60;
    out |= fl::CF;
  } else {
    out &= ~fl::CF;
  }
  al &= 0xff;
  if ((old_al ^ al) & ((al - old_al) ^ al) & 0x80) out |= fl::OF;
  cpu.set_reg(EAX, 1, al);
  set_szp(s, 1, out, al);
  return 0;
}

// DAS (SDM Vol.2 "DAS" Operation). Unlike DAA there is no "ELSE CF := 0" in the second step, so a
// borrow out of AL - 6 survives. OF is undefined; it is produced as the signed overflow of
// old AL - adjustment, as for DAA.
uint32_t helper_das(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  CpuState& s = cpu.s;
  const uint32_t f = arith_flags(s);
  const uint32_t old_al = s.regs[EAX] & 0xff;
  const bool old_cf = f & fl::CF;
  uint32_t al = old_al, out = 0;
  if ((al & 0x0f) > 9 || (f & fl::AF)) {
    if (old_cf || al < 6) out |= fl::CF;
    al -= 6;
    out |= fl::AF;
  }
  if (old_al > 0x99 || old_cf) {
    al -= 0x60;
    out |= fl::CF;
  }
  al &= 0xff;
  if ((old_al ^ (old_al - al)) & (old_al ^ al) & 0x80) out |= fl::OF;
  cpu.set_reg(EAX, 1, al);
  set_szp(s, 1, out, al);
  return 0;
}

// AAA/AAS (SDM Vol.2 "AAA", "AAS"). The 386 and later adjust AX as a whole (AX + 106h; AX - 6
// then AH - 1), so a carry or borrow out of AL also reaches AH; the 8086 adjusted AL and AH
// separately. OF SF ZF PF are undefined: they are produced as the flags of the byte adjustment
// AL +/- 6 before AL is masked to its low nibble (the 80286 captures show this).
namespace {
uint32_t ascii_adjust(Cpu& cpu, bool sub) {
  CpuState& s = cpu.s;
  const uint32_t ax = s.regs[EAX] & 0xffff, al = ax & 0xff;
  uint32_t out = 0, adj = 0, nax = ax;
  if ((al & 0x0f) > 9 || (arith_flags(s) & fl::AF)) {
    adj = 6;
    nax = sub ? ax - 0x106 : ax + 0x106;
    out = fl::AF | fl::CF;
  }
  const uint32_t nal = (sub ? al - adj : al + adj) & 0xff;
  const uint32_t ov = sub ? (al ^ adj) & (al ^ nal) : ~(al ^ adj) & (al ^ nal);
  if (ov & 0x80) out |= fl::OF;
  cpu.set_reg(EAX, 2, nax & 0xff0f);
  set_szp(s, 1, out, nal);
  return 0;
}
}  // namespace

uint32_t helper_aaa(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) { return ascii_adjust(cpu, false); }
uint32_t helper_aas(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) { return ascii_adjust(cpu, true); }

// AAM imm8 (SDM Vol.2 "AAM"): AH = AL / imm8, AL = AL MOD imm8; #DE when imm8 is 0. SF ZF PF
// follow AL; OF AF CF are undefined and produced as 0.
uint32_t helper_aam(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t base) {
  base &= 0xff;
  if (base == 0) raise(kDE);
  const uint32_t al = cpu.s.regs[EAX] & 0xff;
  const uint32_t q = al / base, r = al % base;
  cpu.set_reg(EAX, 2, q << 8 | r);
  set_szp(cpu.s, 1, 0, r);
  return 0;
}

// BSF/BSR bit index of a non-zero source (the lowering keeps the destination when it is 0).
uint32_t helper_bit_scan(Cpu&, uint32_t src, uint32_t, uint32_t, uint32_t k) {
  if (src == 0) return 0;
  return (k & kBitScanReverse) ? 31 - uint32_t(__builtin_clz(src)) : uint32_t(__builtin_ctz(src));
}

}  // namespace cpu
