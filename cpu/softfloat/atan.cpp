// FPATAN (SDM Vol.2 FPATAN, Table 3-29 for the special operands).
#include "cpu/softfloat/transc_common.h"

namespace sf {

namespace {

using namespace transc;
using wide::W;

// arctan(s) = s - s^3/3 + s^5/5 - ..., for |s| <= 0.42.
Approx atan_series(W s) {
  W s2 = wide::mul(s, s), p = s, sum = s;
  for (uint64_t k = 3;; k += 2) {
    p = wide::neg(wide::mul(p, s2));
    W term = wide::div_small(p, k);
    if (term.zero() || term.exp < sum.exp - 130) return {sum, tail_of(term, sum)};
    sum = wide::add(sum, term);
  }
}

// arctan(k/8), k = 0..8, rounded to 128 bits.
constexpr W kAtanEighths[9] = {
    {},
    {wide::make_u128(0xfeadd4d5617b6e32, 0xc897989f3e888ef8), -4, false},
    {wide::make_u128(0xfadbafc96406eb15, 0x6dc79ef5f7a217e6), -3, false},
    {wide::make_u128(0xb7b0ca0f26f78473, 0x8aa32122dcfe4483), -2, false},
    {wide::make_u128(0xed63382b0dda7b45, 0x6fe445ecbc3a8d03), -2, false},
    {wide::make_u128(0x8f005d5ef7f59f9b, 0x5c835e1665c43748), -1, false},
    {wide::make_u128(0xa4bc7d1934f70924, 0x19a87f2a457dac9f), -1, false},
    {wide::make_u128(0xb8053e2bc2319e73, 0xcb2da55210a4443d), -1, false},
    {wide::make_u128(0xc90fdaa22168c234, 0xc4c6628b80dc1cd1), -1, false},  // pi/4
};

// arctan(t) for 0 < t <= 1: with c = k/8 the nearest eighth, arctan(t) = arctan(c) +
// arctan((t - c) / (1 + t c)), whose argument is below 1/16.
Approx atan_unit(W t) {
  // k = round(8t): t has exponent <= 0, so 2 * 8t = sig >> (123 - exp), an integer below 17.
  int shift = 123 - t.exp;
  uint64_t k = shift >= 128 ? 0 : uint64_t(((t.sig >> shift) + 1) >> 1);
  if (k == 0) return atan_series(t);
  W c = wide::from_u64(k);
  c.exp -= 3;
  W s = wide::div(wide::sub(t, c), wide::add(wide::kOne, wide::mul(t, c)));
  return {wide::add(kAtanEighths[k], atan_series(s).v), Tail::Above};
}

}  // namespace

F80 atan2(F80 y, F80 x, Env& env) {
  bool denormal = false;
  Kind ky = kind(y, denormal), kx = kind(x, denormal);
  auto nan_like = [](Kind k) {
    return k == Kind::QNaN || k == Kind::SNaN || k == Kind::Unsupported;
  };
  if (nan_like(ky) || nan_like(kx)) return nan_result(y, ky, x, kx, env);
  if (denormal) env.flags |= exc::DE;
  bool sy = y.sign(), sx = x.sign();
  if (ky == Kind::Inf) return pi_quarters(kx == Kind::Inf ? (sx ? 3 : 1) : 2, sy, env);
  if (kx == Kind::Inf || ky == Kind::Zero) return sx ? pi_quarters(4, sy, env) : zero(sy);
  if (kx == Kind::Zero) return pi_quarters(2, sy, env);

  W a = wide::abs(wide::from_f80(y)), b = wide::abs(wide::from_f80(x));
  Approx v = wide::cmp_mag(a, b) <= 0
                 ? atan_unit(wide::div(a, b))
                 : Approx{wide::sub(wide::scale2(wide::kPi, -1), atan_unit(wide::div(b, a)).v)};
  if (sx) v = {wide::sub(wide::kPi, v.v)};
  v.v.neg = sy;
  return round(v.v, v.tail, env);
}

}  // namespace sf
