// FRNDINT, FSCALE and FXTRACT (SDM Vol.2): operations on the exponent and the integer part.
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

F80 round_to_int(F80 a, Env& env) {
  const Class c = classify(a);
  if (c == Class::Unsupported) return invalid(env);
  if (c == Class::QNaN || c == Class::SNaN) return propagate_nan(a, env);
  if (c == Class::Inf || c == Class::Zero) return a;
  if (denormal_check(c, Class::Zero, env)) return a;
  const Unpacked u = unpack(a);
  if (u.exp >= kExpBias + 63) return a;  // no fraction bits
  // Integer part in the high half, fraction (with sticky) in the low half.
  const u128 v = shift_right_jam(u128(u.sig) << 64, kExpBias + 63 - u.exp);
  bool inexact, up, carry;
  const u128 k = round_bits(v, 64, u.sign, env.rc, inexact, up, carry);
  if (inexact) env.flags |= exc::PE;
  env.rounded_up = up;
  const u128 integer = k >> 64;
  if (integer == 0) return zero(u.sign);
  F80 r = round_pack(u.sign, kExpBias + 127, integer, Prec::P64, env);  // exact
  env.rounded_up = up;
  return r;
}

F80 scale(F80 a, F80 b, Env& env) {
  F80 out;
  if (binary_specials(a, b, env, out)) return out;
  const Class ca = classify(a), cb = classify(b);
  if (cb == Class::Inf) {
    // 0 * 2^+inf and inf * 2^-inf are invalid; otherwise the infinite exponent wins.
    if (!b.sign() && ca == Class::Zero) return invalid(env);
    if (b.sign() && ca == Class::Inf) return invalid(env);
    if (denormal_check(ca, cb, env)) return a;
    if (ca == Class::Inf || ca == Class::Zero) return a;
    return b.sign() ? zero(a.sign()) : inf(a.sign());
  }
  if (denormal_check(ca, cb, env)) return a;
  if (ca == Class::Inf || ca == Class::Zero) return a;
  // trunc(b), clamped far beyond any exponent that can still produce a finite result.
  const Unpacked ub = unpack(b);
  int32_t n = 0;
  if (cb != Class::Zero && ub.exp >= kExpBias) {
    const int32_t e = ub.exp - kExpBias;
    n = e >= 20 ? (1 << 20) : int32_t(ub.sig >> (63 - e));
    if (ub.sign) n = -n;
  }
  const Unpacked ua = unpack(a);
  return round_pack(ua.sign, ua.exp + n, ua.sig, 0, Prec::P64, env);
}

Xtract xtract(F80 a, Env& env) {
  const Class c = classify(a);
  if (c == Class::Unsupported) {
    F80 v = invalid(env);
    return {v, v};
  }
  if (c == Class::QNaN || c == Class::SNaN) {
    F80 v = propagate_nan(a, env);
    return {v, v};
  }
  if (c == Class::Zero) {
    // The exponent of zero is -infinity, with a zero-divide exception.
    env.flags |= exc::ZE;
    return {inf(true), a};
  }
  if (c == Class::Inf) return {inf(false), a};
  if (denormal_check(c, Class::Zero, env)) return {a, a};
  const Unpacked u = unpack(a);
  return {from_int(u.exp - kExpBias), F80{u.sig, uint16_t((u.sign ? 0x8000 : 0) | kExpBias)}};
}

}  // namespace sf
