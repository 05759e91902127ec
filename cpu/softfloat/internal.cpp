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

u128 round_bits(u128 s, int lsb_shift, bool sign, Round rc, bool& inexact, bool& up, bool& carry) {
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

namespace {

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

  // Tininess is detected after rounding: a value that rounds (at the precision, with an unbounded
  // exponent) to 2^-16382 or more is not tiny.
  bool tiny = exp < 1;
  if (tiny) {
    u128 k = round_bits(s, lsb_shift, sign, env.rc, inexact, up, carry);
    if (carry) k = u128(1) << 127;
    const int32_t rounded_exp = exp + (carry ? 1 : 0);
    tiny = rounded_exp < 1;
    // Unmasked underflow: UE, and the rounded value with the exponent raised by 24576. Beyond
    // even that range (only FSCALE gets there) the x87 delivers a zero.
    if (tiny && !(env.masks & exc::UE)) {
      if (rounded_exp + kWrap < 1) {
        env.flags |= exc::UE | exc::PE;
        env.rounded_up = false;
        return zero(sign);
      }
      env.flags |= exc::UE | (inexact ? exc::PE : 0);
      env.rounded_up = up;
      return pack(sign, rounded_exp + kWrap, uint64_t(k >> 64));
    }
  }
  if (exp < 1) {
    // Masked: denormalise to exponent 1, then round at the precision's last place.
    u128 d = shift_right_jam(s, 1 - exp);
    u128 k = round_bits(d, lsb_shift, sign, env.rc, inexact, up, carry);
    if (inexact) env.flags |= (tiny ? exc::UE : 0) | exc::PE;
    env.rounded_up = up;
    if (carry) return pack(sign, 2, 1ull << 63);  // unreachable in practice (denormal + ulp)
    uint64_t sig = uint64_t(k >> 64);
    return pack(sign, (sig >> 63) ? 1 : 0, sig);
  }

  u128 k = round_bits(s, lsb_shift, sign, env.rc, inexact, up, carry);
  if (carry) k = u128(1) << 127, ++exp;
  if (exp >= 0x7fff) {
    if (!(env.masks & exc::OE)) {
      if (exp - kWrap >= 0x7fff) {
        // Beyond even the wrapped range (only FSCALE gets there): an infinity.
        env.flags |= exc::OE | exc::PE;
        env.rounded_up = true;
        return inf(sign);
      }
      env.flags |= exc::OE | (inexact ? exc::PE : 0);
      env.rounded_up = up;
      return pack(sign, exp - kWrap, uint64_t(k >> 64));
    }
    // Masked: infinity or the largest finite value, by rounding mode.
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
  if (!na || !nb) return quiet(na ? a : b);
  // Table 4-7: an SNaN and a QNaN give the QNaN; two of a kind give the larger significand. On a
  // tie (equal significands, opposite signs) the host gives the positive one.
  if (ca != cb) return quiet(ca == Class::QNaN ? a : b);
  if (a.sig != b.sig) return quiet(a.sig > b.sig ? a : b);
  return quiet(a.sign() ? b : a);
}

bool binary_specials(F80 a, F80 b, Env& env, F80& out) {
  Class ca = classify(a), cb = classify(b);
  if (ca == Class::Unsupported || cb == Class::Unsupported) {
    out = invalid(env);
    return true;
  }
  if (ca == Class::QNaN || ca == Class::SNaN || cb == Class::QNaN || cb == Class::SNaN) {
    out = propagate_nan(a, b, env);
    return true;
  }
  return false;
}

bool denormal_check(Class ca, Class cb, Env& env) {
  if (is_denormal_class(ca) || is_denormal_class(cb)) env.flags |= exc::DE;
  return unmasked(env, exc::DE);
}

}  // namespace sf::detail
