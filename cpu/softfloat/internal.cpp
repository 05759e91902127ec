// The rounding core shared by every soft-float operation (see internal.h for the conventions).
#include "cpu/softfloat/internal.h"

namespace sf::detail {

Unpacked unpack(F80 a) {
  Unpacked u{a.sign(), a.exp(), a.sig};
  if (u.exp == 0) {
    // Denormals and pseudo-denormals have the weight of exponent 1 (SDM Vol.1 §8.2.2).
    u.exp = 1;
    if (u.sig == 0) return {a.sign(), 0, 0};
    int sh = clz64(u.sig);
    u.sig <<= sh;
    u.exp -= sh;
  }
  return u;
}

namespace {

// Whether to add one unit in the last place, given the dropped bits (`rest`, compared against
// `half`) and whether the kept value is odd.
bool round_increment(Round rc, bool sign, u128 rest, u128 half, bool odd) {
  if (rest == 0) return false;
  switch (rc) {
    case Round::Nearest: return rest > half || (rest == half && odd);
    case Round::Down: return sign;
    case Round::Up: return !sign;
    case Round::Zero: return false;
  }
  return false;
}

// Rounds S (normalised or shifted right for a denormal) to the kept bits above `lsb_shift`.
// Returns the kept value (may carry into bit 128: reported through `carry`).
u128 round_at(u128 s, int lsb_shift, bool sign, Round rc, bool& inexact, bool& up, bool& carry) {
  u128 lsb = u128(1) << lsb_shift;
  u128 rest = s & (lsb - 1);
  u128 kept = s - rest;
  inexact = rest != 0;
  up = round_increment(rc, sign, rest, lsb >> 1, (kept & lsb) != 0);
  carry = false;
  if (up) {
    kept += lsb;
    carry = kept == 0;
  }
  return kept;
}

F80 pack(bool sign, int32_t exp, uint64_t sig) {
  return {sig, uint16_t((sign ? 0x8000 : 0) | (exp & 0x7fff))};
}

}  // namespace

F80 round_pack(bool sign, int32_t exp, uint64_t sig_hi, uint64_t sig_lo, Prec pc, Env& env) {
  u128 s = (u128(sig_hi) << 64) | sig_lo;
  if (s == 0) return zero(sign);
  int sh = clz128(s);
  s <<= sh;
  exp -= sh;
  const int p = precision_bits(pc);
  const int lsb_shift = 128 - p;
  bool inexact, up, carry;

  if (exp < 1) {
    bool masked_ue = env.masks & exc::UE;
    if (!masked_ue) {
      // Unmasked underflow: UE whenever tiny; deliver the rounded value with a wrapped exponent.
      u128 k = round_at(s, lsb_shift, sign, env.rc, inexact, up, carry);
      if (carry) k = u128(1) << 127, ++exp;
      env.flags |= exc::UE | (inexact ? exc::PE : 0);
      env.rounded_up = up;
      return pack(sign, exp + kWrap, uint64_t(k >> 64));
    }
    // Masked: denormalise to exponent 1, then round at the precision's last place.
    u128 d = shift_right_jam(s, 1 - exp);
    u128 k = round_at(d, lsb_shift, sign, env.rc, inexact, up, carry);
    if (inexact) env.flags |= exc::UE | exc::PE;
    env.rounded_up = up;
    if (carry) return pack(sign, 2, 1ull << 63);  // unreachable in practice (denormal + ulp)
    uint64_t sig = uint64_t(k >> 64);
    return pack(sign, (sig >> 63) ? 1 : 0, sig);
  }

  u128 k = round_at(s, lsb_shift, sign, env.rc, inexact, up, carry);
  if (carry) k = u128(1) << 127, ++exp;
  if (exp >= 0x7fff) {
    if (!(env.masks & exc::OE)) {
      env.flags |= exc::OE | (inexact ? exc::PE : 0);
      env.rounded_up = up;
      return pack(sign, exp - kWrap, uint64_t(k >> 64));
    }
    env.flags |= exc::OE | exc::PE;
    bool to_inf = env.rc == Round::Nearest || (env.rc == Round::Up && !sign) ||
                  (env.rc == Round::Down && sign);
    env.rounded_up = to_inf;
    if (to_inf) return inf(sign);
    return pack(sign, 0x7ffe, max_sig(p));
  }
  if (inexact) env.flags |= exc::PE;
  env.rounded_up = up;
  return pack(sign, exp, uint64_t(k >> 64));
}

F80 propagate_nan(F80 a, Env& env) {
  if (classify(a) == Class::SNaN) env.flags |= exc::IE;
  return quiet(a);
}

F80 propagate_nan(F80 a, F80 b, Env& env) {
  Class ca = classify(a), cb = classify(b);
  bool na = ca == Class::QNaN || ca == Class::SNaN;
  bool nb = cb == Class::QNaN || cb == Class::SNaN;
  if (ca == Class::SNaN || cb == Class::SNaN) env.flags |= exc::IE;
  if (na && nb) {
    // Table 4-7: the larger significand wins (compared without the quiet bit); a tie keeps the
    // destination operand.
    uint64_t ma = a.sig & ~(1ull << 62), mb = b.sig & ~(1ull << 62);
    if (ma == mb) return quiet(a.sign() ? b : a);
    return quiet(ma > mb ? a : b);
  }
  return quiet(na ? a : b);
}

}  // namespace sf::detail
