// FMUL and FDIV (SDM Vol.1 §8.3.5; special operands per the instruction pages in Vol.2).
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

F80 mul(F80 a, F80 b, Env& env) {
  F80 out;
  if (binary_specials(a, b, env, out)) return out;
  const Class ca = classify(a), cb = classify(b);
  const bool sign = a.sign() != b.sign();
  if ((ca == Class::Inf && cb == Class::Zero) || (ca == Class::Zero && cb == Class::Inf))
    return invalid(env);
  if (denormal_check(ca, cb, env)) return a;
  if (ca == Class::Inf || cb == Class::Inf) return inf(sign);
  if (ca == Class::Zero || cb == Class::Zero) return zero(sign);
  const Unpacked ua = unpack(a), ub = unpack(b);
  // sig_a * sig_b has its binary point after bit 126.
  return round_pack(sign, ua.exp + ub.exp - kExpBias + 1, u128(ua.sig) * ub.sig, env.pc, env);
}

F80 div(F80 a, F80 b, Env& env) {
  F80 out;
  if (binary_specials(a, b, env, out)) return out;
  const Class ca = classify(a), cb = classify(b);
  const bool sign = a.sign() != b.sign();
  if ((ca == Class::Inf && cb == Class::Inf) || (ca == Class::Zero && cb == Class::Zero))
    return invalid(env);
  if (cb == Class::Zero && ca != Class::Inf) {
    // Zero divide takes precedence over a denormal dividend (which then raises no DE).
    env.flags |= exc::ZE;
    return inf(sign);
  }
  if (denormal_check(ca, cb, env)) return a;
  if (ca == Class::Inf) return inf(sign);
  if (cb == Class::Inf || ca == Class::Zero) return zero(sign);
  const Unpacked ua = unpack(a), ub = unpack(b);
  // Two 64-bit quotient digits: q = (sig_a / sig_b) * 2^127, the remainder folded into bit 0.
  const u128 n1 = u128(ua.sig) << 63;
  const u128 q1 = n1 / ub.sig, r1 = n1 % ub.sig;
  const u128 n2 = r1 << 64;
  const u128 q2 = n2 / ub.sig, r2 = n2 % ub.sig;
  const u128 q = (q1 << 64) | q2 | u128(r2 != 0);
  return round_pack(sign, ua.exp - ub.exp + kExpBias, q, env.pc, env);
}

}  // namespace sf
