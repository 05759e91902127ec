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
    W term = wide::div_u64(p, k);
    if (term.zero() || term.exp < sum.exp - 130) return {sum, tail_of(term, sum)};
    sum = wide::add(sum, term);
  }
}

// arctan(t) for 0 < t <= 1. Above tan(pi/8) use arctan(t) = pi/4 + arctan((t - 1) / (t + 1)).
Approx atan_unit(W t) {
  constexpr W kTanPiOver8{wide::make_u128(0xd413cccfe7799211, 0x65f626cdd52afa7c), -2, false};
  if (wide::cmp_mag(t, kTanPiOver8) <= 0) return atan_series(t);
  W s = wide::div(wide::sub(t, wide::kOne), wide::add(t, wide::kOne));
  return {wide::add(wide::scale2(wide::kPi, -2), atan_series(s).v), Tail::Above};
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
