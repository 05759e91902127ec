// F2XM1, FYL2X, FYL2XP1 (SDM Vol.2 instruction pages and their special-value tables).
#include "cpu/softfloat/transc_common.h"

namespace sf {

namespace {

using namespace transc;
using wide::W;

bool nan_like(Kind k) { return k == Kind::QNaN || k == Kind::SNaN || k == Kind::Unsupported; }

// 2 * atanh(s) = ln((1 + s) / (1 - s)) = 2 (s + s^3/3 + s^5/5 + ...), for |s| <= 0.18.
W ln_ratio(W s) {
  W s2 = wide::mul(s, s), p = s, sum = s;
  for (uint64_t k = 3;; k += 2) {
    p = wide::mul(p, s2);
    W term = wide::div_u64(p, k);
    if (term.zero() || term.exp < sum.exp - 130) return wide::scale2(sum, 1);
    sum = wide::add(sum, term);
  }
}

struct Log2 {
  W value;
  bool exact;
};

// log2(v) for v > 0: v = m * 2^e with sqrt(2)/2 <= m < sqrt(2), ln(m) = 2 atanh((m-1)/(m+1)).
Log2 log2_of(W v) {
  constexpr wide::u128 kSqrt2 = wide::make_u128(0xb504f333f9de6484, 0x597d89b3754abe9f);
  int32_t e = v.exp;
  W m{v.sig, 0, false};
  if (v.sig > kSqrt2) {
    m.exp = -1;
    ++e;
  }
  W ev = e < 0 ? wide::from_u64(uint64_t(-int64_t(e)), true) : wide::from_u64(uint64_t(e));
  if (m.sig == wide::kOne.sig && m.exp == 0) return {ev, true};
  W s = wide::div(wide::sub(m, wide::kOne), wide::add(m, wide::kOne));
  return {wide::add(ev, wide::mul(ln_ratio(s), wide::kLog2E)), false};
}

// e^u - 1 = u + u^2/2! + u^3/3! + ..., for |u| <= ln(2).
W expm1_series(W u) {
  W term = u, sum = u;
  for (uint64_t k = 2;; ++k) {
    term = wide::div_u64(wide::mul(term, u), k);
    if (term.zero() || term.exp < sum.exp - 130) return sum;
    sum = wide::add(sum, term);
  }
}

constexpr F80 kOneF80{0x8000000000000000ull, 0x3fff};

// Just below -1 in magnitude: the wide value of 2^x - 1 for very negative x.
constexpr W kAlmostMinusOne{~wide::u128(0), -1, true};

}  // namespace

F80 f2xm1(F80 a, Env& env) {
  bool denormal = false;
  Kind k = kind(a, denormal);
  if (nan_like(k)) return nan_result(a, k, env);
  if (denormal) env.flags |= exc::DE;
  if (k == Kind::Zero) return a;
  if (k == Kind::Inf) return a.sign() ? F80{0x8000000000000000ull, 0xbfff} : a;
  int32_t e = int32_t(a.exp()) - kExpBias;
  if (e == 0 && a.sig == kOneF80.sig) {
    // Exact results, yet the x87 reports them inexact (observed on the host: 2^1 - 1 also has
    // C1 set, 2^-1 - 1 does not).
    env.flags |= exc::PE;
    env.rounded_up = !a.sign();
    return a.sign() ? F80{0x8000000000000000ull, 0xbffe} : kOneF80;
  }
  if (e < 0) return round(expm1_series(wide::mul(wide::from_f80(a), wide::kLn2)), true, env);
  // Outside the documented domain: 2^x - 1 = 2^n * 2^f - 1 with n = round(x), |f| <= 1/2.
  if (e >= 15) {
    if (a.sign()) return round(kAlmostMinusOne, true, env);
    return round(W{wide::kOne.sig, 1 << 16, false}, true, env);  // overflows
  }
  uint64_t n = a.sig >> (63 - e);
  if ((a.sig >> (62 - e)) & 1) ++n;  // nearest (ties away: any |f| <= 1/2 will do)
  W f = wide::sub(wide::abs(wide::from_f80(a)), wide::from_u64(n));
  if (a.sign()) f = wide::neg(f);
  W p = wide::add(expm1_series(wide::mul(f, wide::kLn2)), wide::kOne);  // 2^f
  p = wide::scale2(p, a.sign() ? -int32_t(n) : int32_t(n));
  return round(wide::sub(p, wide::kOne), true, env);
}

F80 fyl2x(F80 x, F80 y, Env& env) {
  bool denormal = false;
  Kind kx = kind(x, denormal), ky = kind(y, denormal);
  if (nan_like(kx) || nan_like(ky)) return nan_result(x, kx, y, ky, env);
  if (denormal) env.flags |= exc::DE;
  bool sx = x.sign(), sy = y.sign();
  if (sx && kx != Kind::Zero) return invalid(env);  // log of a negative number
  if (kx == Kind::Zero) {                           // log2(0) = -inf
    if (ky == Kind::Zero) return invalid(env);
    if (ky == Kind::Finite) env.flags |= exc::ZE;
    return inf(!sy);
  }
  if (kx == Kind::Inf) {
    if (ky == Kind::Zero) return invalid(env);
    return inf(sy);
  }
  if (x == kOneF80) {  // log2(1) = +0
    if (ky == Kind::Inf) return invalid(env);
    return zero(sy);
  }
  Log2 l = log2_of(wide::from_f80(x));
  bool neg = sy != l.value.neg;
  if (ky == Kind::Inf) return inf(neg);
  if (ky == Kind::Zero) return zero(neg);
  return round(wide::mul(wide::from_f80(y), l.value), !l.exact, env);
}

F80 fyl2xp1(F80 x, F80 y, Env& env) {
  bool denormal = false;
  Kind kx = kind(x, denormal), ky = kind(y, denormal);
  if (nan_like(kx) || nan_like(ky)) return nan_result(x, kx, y, ky, env);
  if (denormal) env.flags |= exc::DE;
  bool sx = x.sign(), sy = y.sign();
  if (kx == Kind::Zero) {
    if (ky == Kind::Inf) return invalid(env);
    return zero(sx != sy);
  }
  if (kx == Kind::Inf) {  // outside the documented domain: log2(1 + x) = log2(x)
    if (sx || ky == Kind::Zero) return invalid(env);
    return inf(sy);
  }
  W wx = wide::from_f80(x);
  int c = wide::cmp_mag(wx, wide::kOne);
  if (sx && c > 0) return invalid(env);  // 1 + x < 0
  if (sx && c == 0) {                    // log2(0)
    if (ky == Kind::Zero) return invalid(env);
    if (ky == Kind::Finite) env.flags |= exc::ZE;
    return inf(!sy);
  }
  Log2 l;
  if (x.exp() < kExpBias - 1) {  // |x| < 1/2: ln(1 + x) = 2 atanh(x / (2 + x)), no cancellation
    W s = wide::div(wx, wide::add(wide::scale2(wide::kOne, 1), wx));
    l = {wide::mul(ln_ratio(s), wide::kLog2E), false};
  } else {
    l = log2_of(wide::add(wide::kOne, wx));  // exact sum: x has no bits below 2^-64
  }
  bool neg = sy != sx;
  if (ky == Kind::Inf) return inf(neg);
  if (ky == Kind::Zero) return zero(neg);
  return round(wide::mul(wide::from_f80(y), l.value), !l.exact, env);
}

}  // namespace sf
