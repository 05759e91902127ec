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
    W term = wide::div_small(p, k);
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
    term = wide::div_small(wide::mul(term, u), k);
    if (term.zero() || term.exp < sum.exp - 130) return sum;
    sum = wide::add(sum, term);
  }
}

constexpr F80 kOneF80{0x8000000000000000ull, 0x3fff};

// y * log2(...), rounded. Where the logarithm is exact (an integer), the product is exact in the
// wide format, yet the x87 reports it inexact, and a denormal one as underflow (host x87).
F80 product(F80 y, Log2 l, Env& env) {
  W p = wide::mul(wide::from_f80(y), l.value);
  if (!l.exact) return round(p, Tail::Above, env);
  F80 r = round(p, Tail::Exact, env);
  env.flags |= exc::PE | (r.exp() == 0 ? exc::UE : 0);
  return r;
}

}  // namespace

F80 f2xm1(F80 a, Env& env) {
  bool denormal = false;
  Kind k = kind(a, denormal);
  if (nan_like(k)) return nan_result(a, k, env);
  if (denormal) env.flags |= exc::DE;
  if (k == Kind::Zero) return a;
  // Outside the documented domain -1 <= x <= 1 the result is undefined; these follow the host
  // x87: 2^-inf - 1 = -1 and 2^+inf - 1 = +inf exactly, other operands come back unchanged but
  // flagged inexact.
  if (k == Kind::Inf) return a.sign() ? F80{0x8000000000000000ull, 0xbfff} : a;
  if (a.exp() >= kExpBias) {
    if (a == kOneF80) return round(wide::kOne, Tail::Below, env);  // as the host: 1 - tiny
    env.flags |= exc::PE;
    // 2^-1 - 1 = -1/2 exactly, yet flagged inexact (host x87).
    if (a.exp() == kExpBias && a.sig == kOneF80.sig) return F80{0x8000000000000000ull, 0xbffe};
    return a;
  }
  return round(expm1_series(wide::mul(wide::from_f80(a), wide::kLn2)), Tail::Above, env);
}

F80 fyl2x(F80 x, F80 y, Env& env) {
  bool denormal = false;
  Kind kx = kind(x, denormal), ky = kind(y, denormal);
  if (nan_like(kx) || nan_like(ky))
    return nan_result(y, ky, x, kx, env);  // y: the destination, ST(1)
  // Invalid and zero-divide results take precedence over #D (host x87).
  bool sx = x.sign(), sy = y.sign();
  if (sx && kx != Kind::Zero) return invalid(env);  // log of a negative number
  if (kx == Kind::Zero) {                           // log2(0) = -inf
    if (ky == Kind::Zero) return invalid(env);
    if (ky == Kind::Finite) env.flags |= exc::ZE;
    return inf(!sy);
  }
  if (kx == Kind::Inf && ky == Kind::Zero) return invalid(env);
  if (x == kOneF80 && ky == Kind::Inf) return invalid(env);  // inf * log2(1)
  if (denormal) env.flags |= exc::DE;
  if (kx == Kind::Inf) return inf(sy);
  if (x == kOneF80) return zero(sy);  // log2(1) = +0
  Log2 l = log2_of(wide::from_f80(x));
  bool neg = sy != l.value.neg;
  if (ky == Kind::Inf) return inf(neg);
  if (ky == Kind::Zero) return zero(neg);
  return product(y, l, env);
}

F80 fyl2xp1(F80 x, F80 y, Env& env) {
  bool denormal = false;
  Kind kx = kind(x, denormal), ky = kind(y, denormal);
  if (nan_like(kx) || nan_like(ky))
    return nan_result(y, ky, x, kx, env);  // y: the destination, ST(1)
  bool sx = x.sign(), sy = y.sign();
  bool neg = sy != sx;  // the sign of y * log2(1 + x)
  if (kx == Kind::Zero) {
    if (ky == Kind::Inf) return invalid(env);
    if (denormal) env.flags |= exc::DE;
    return zero(neg);
  }
  if (kx == Kind::Inf) {  // outside the documented domain: as log2(x), -inf invalid
    if (sx || ky == Kind::Zero) return invalid(env);
    if (denormal) env.flags |= exc::DE;
    return inf(sy);
  }
  if (denormal) env.flags |= exc::DE;
  if (ky == Kind::Inf) return inf(neg);
  if (ky == Kind::Zero) return zero(neg);
  W wx = wide::from_f80(x);
  if (sx && wide::cmp_mag(wx, wide::kOne) >= 0) {
    // 1 + x <= 0, far outside the documented domain: the host x87 returns x, inexact.
    env.flags |= exc::PE;
    return x;
  }
  Log2 l;
  if (x.exp() < kExpBias - 1) {  // |x| < 1/2: ln(1 + x) = 2 atanh(x / (2 + x)), no cancellation
    W s = wide::div(wx, wide::add(wide::scale2(wide::kOne, 1), wx));
    l = {wide::mul(ln_ratio(s), wide::kLog2E), false};
  } else {
    l = log2_of(wide::add(wide::kOne, wx));  // exact sum: x has no bits below 2^-64
  }
  return product(y, l, env);
}

}  // namespace sf
