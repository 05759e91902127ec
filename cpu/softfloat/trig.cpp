// FSIN, FCOS, FSINCOS, FPTAN (SDM Vol.2 instruction pages; Vol.1 §8.3.10).
//
// Argument reduction: like the hardware (SDM Vol.1 §8.3.10), these instructions reduce by
// multiples of pi/2 using pi rounded to 66 bits, and the reduction itself is exact. The result
// is the correctly rounded value of f(r + q * pi/2) with r = x - q * pi66/2. Measured on the
// host x87, this model matches the hardware to the last bit far more often than a reduction by
// the true pi does for |x| > pi/4.
#include "cpu/softfloat/transc_common.h"

namespace sf {

namespace {

using namespace transc;
using wide::u128;
using wide::W;

// pi rounded to 66 bits is 0x3.243F6A8885A308D3; as an integer it is pi/2 in units of 2^-65.
constexpr u128 kHalfPi66 = wide::make_u128(0x3, 0x243f6a8885a308d3);

struct Reduced {
  W r;         // |x| - q * pi66/2, |r| <= pi66/4
  unsigned q;  // quadrant, q mod 4
};

// |x| reduced; x is finite, non-zero and below 2^63.
Reduced reduce(F80 x) {
  int32_t e = int32_t(x.exp()) - kExpBias;
  if (e < -1) return {wide::abs(wide::from_f80(x)), 0};  // |x| < 1/2 < pi/4
  // |x| in units of 2^-65 fits 128 bits for |x| < 2^63.
  u128 X = u128(x.sig) << (e + 2);
  u128 q = X / kHalfPi66, rem = X % kHalfPi66;
  if (rem * 2 > kHalfPi66) {  // nearest multiple (pi66/2 is odd in these units: no ties)
    ++q;
    return {wide::normalize(kHalfPi66 - rem, 127 - 65, true), unsigned(q & 3)};
  }
  return {wide::normalize(rem, 127 - 65, false), unsigned(q & 3)};
}

// Done when a series term no longer changes the sum's top 130 bits.
bool negligible(W term, W sum) { return term.zero() || term.exp < sum.exp - 130; }

Approx sin_series(W r) {
  W r2 = wide::mul(r, r), term = r, sum = r;
  for (uint64_t k = 2;; k += 2) {
    term = wide::neg(wide::div_small(wide::div_small(wide::mul(term, r2), k), k + 1));
    if (negligible(term, sum)) return {sum, tail_of(term, sum)};
    sum = wide::add(sum, term);
  }
}

Approx cos_series(W r) {
  W r2 = wide::mul(r, r), term = wide::kOne, sum = wide::kOne;
  for (uint64_t k = 1;; k += 2) {
    term = wide::neg(wide::div_small(wide::div_small(wide::mul(term, r2), k), k + 1));
    if (negligible(term, sum)) return {sum, tail_of(term, sum)};
    sum = wide::add(sum, term);
  }
}

Approx neg(Approx a) { return {wide::neg(a.v), a.tail}; }

struct SinCos {
  Approx s, c, t;  // t: the tangent
};

// sin and cos of x (finite, non-zero, |x| < 2^63); only those `want`ed are computed (the
// others are left zero).
struct Want {
  bool sin, cos;
};
SinCos sin_cos(F80 x, Want want) {
  Reduced red = reduce(x);
  // In odd quadrants sin(x) comes from cos(r) and the other way round.
  bool need_s = red.q % 2 ? want.cos : want.sin, need_c = red.q % 2 ? want.sin : want.cos;
  Approx s = need_s ? sin_series(red.r) : Approx{}, c = need_c ? cos_series(red.r) : Approx{};
  SinCos out;
  switch (red.q) {
    case 0: out.s = s, out.c = c; break;
    case 1: out.s = c, out.c = neg(s); break;
    case 2: out.s = neg(s), out.c = neg(c); break;
    default: out.s = neg(c), out.c = s; break;
  }
  if (x.sign()) out.s = neg(out.s);
  // For tiny r the quotient of the series would lose the r^3/3 terms that decide the rounding:
  // tan(r) = r + r^3/3 + ... is just above |r| in magnitude, and in odd quadrants tan = -cot(r),
  // with |cot(r)| = 1/|r| - |r|/3 - ... just below 1/|r|, which is exact when |r| is a power of
  // two (otherwise its truncation error outweighs |r|/3 except with negligible probability).
  if (!(want.sin && want.cos)) return out;
  if (red.r.exp < -64) {
    const bool odd = red.q % 2;
    W t = odd ? wide::neg(wide::div(wide::kOne, red.r)) : red.r;
    if (x.sign()) t = wide::neg(t);
    const bool pow2 = (red.r.sig & (red.r.sig - 1)) == 0;
    out.t = {t, odd && pow2 ? Tail::Below : Tail::Above};
  } else {
    out.t = {wide::div(out.s.v, out.c.v), Tail::Above};
  }
  return out;
}

constexpr F80 kOneF80{0x8000000000000000ull, 0x3fff};

enum class Op { Sin, Cos, SinCos, Tan };

TrigResult trig(F80 a, Op op, Env& env) {
  TrigResult res;
  bool denormal = false;
  Kind k = kind(a, denormal);
  bool two = op == Op::SinCos || op == Op::Tan;
  if (k == Kind::QNaN || k == Kind::SNaN || k == Kind::Unsupported || k == Kind::Inf) {
    // Infinities are invalid; FSINCOS and FPTAN put the same NaN in both registers.
    res.value = k == Kind::Inf ? invalid(env) : nan_result(a, k, env);
    if (two) res.value2 = res.value;
    return res;
  }
  if (denormal) env.flags |= exc::DE;
  if (k == Kind::Finite && a.exp() >= kExpBias + 63) {
    res.c2 = true;  // out of range: the operand stays, nothing else happens
    res.value = a;
    return res;
  }
  if (k == Kind::Zero) {
    res.value = op == Op::Cos ? kOneF80 : a;
    if (op == Op::SinCos) res.value2 = kOneF80;
    if (op == Op::Tan) res.value2 = kOneF80;
    return res;
  }
  SinCos sc = sin_cos(a, {op != Op::Cos, op != Op::Sin});
  switch (op) {
    case Op::Sin: res.value = round(sc.s.v, sc.s.tail, env); break;
    case Op::Cos: res.value = round(sc.c.v, sc.c.tail, env); break;
    case Op::SinCos: {
      res.value = round(sc.s.v, sc.s.tail, env);
      bool up = env.rounded_up;
      res.value2 = round(sc.c.v, sc.c.tail, env);
      env.rounded_up = up;  // C1 reports the sine's rounding (measured on the host x87)
      break;
    }
    case Op::Tan:
      res.value = round(sc.t.v, sc.t.tail, env);
      res.value2 = kOneF80;
      break;
  }
  return res;
}

}  // namespace

TrigResult sin(F80 a, Env& env) { return trig(a, Op::Sin, env); }
TrigResult cos(F80 a, Env& env) { return trig(a, Op::Cos, env); }
TrigResult sincos(F80 a, Env& env) { return trig(a, Op::SinCos, env); }
TrigResult tan(F80 a, Env& env) { return trig(a, Op::Tan, env); }

}  // namespace sf
