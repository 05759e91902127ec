// FSQRT (SDM Vol.2 FSQRT): correctly rounded to the precision control.
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

F80 sqrt(F80 a, Env& env) {
  const Class c = classify(a);
  if (c == Class::Unsupported) return invalid(env);
  if (c == Class::QNaN || c == Class::SNaN) return propagate_nan(a, env);
  if (c == Class::Zero) return a;  // sqrt(-0) = -0
  if (a.sign()) return invalid(env);
  if (denormal_check(c, Class::Zero, env)) return a;
  if (c == Class::Inf) return a;
  const Unpacked u = unpack(a);
  // value = y * 2^t with t even; y is the significand, doubled when the exponent is odd.
  int32_t t = u.exp - kExpBias - 63;
  u128 y = u.sig;
  if (t & 1) y <<= 1, --t;
  // Digit-by-digit square root of y * 2^68: 33 bit pairs from y (as a 66-bit number), then 34
  // zero pairs, giving a 67-bit root; the remainder's being non-zero makes the result inexact.
  u128 rem = 0, root = 0;
  for (int i = 0; i < 67; ++i) {
    const unsigned pair = i < 33 ? unsigned(y >> (2 * (32 - i))) & 3 : 0;
    rem = (rem << 2) | pair;
    const u128 trial = (root << 2) | 1;
    root <<= 1;
    if (rem >= trial) rem -= trial, root |= 1;
  }
  // sqrt(value) ~= root * 2^(t/2 - 34); with S = root << 61 that is S / 2^127 * 2^(t/2 + 32).
  const u128 s = (root << 61) | u128(rem != 0);
  return round_pack(false, t / 2 + 32 + kExpBias, s, env.pc, env);
}

}  // namespace sf
