// FADD and FSUB (special operands per SDM Vol.2 FADD/FSUB; signed zeros per IEEE 754).
#include <utility>

#include "cpu/softfloat/internal.h"

namespace sf {
namespace {

using namespace detail;

F80 add_signed(F80 a, F80 b, bool negate_b, Env& env) {
  F80 out;
  if (binary_specials(a, b, env, out)) return out;
  const Class ca = classify(a), cb = classify(b);
  const bool sign_b = b.sign() != negate_b;
  if (ca == Class::Inf || cb == Class::Inf) {
    if (ca == Class::Inf && cb == Class::Inf && a.sign() != sign_b) return invalid(env);
    if (denormal_check(ca, cb, env)) return a;
    return ca == Class::Inf ? a : inf(sign_b);
  }
  if (denormal_check(ca, cb, env)) return a;
  Unpacked ua = unpack(a), ub = unpack(b);
  ub.sign = sign_b;
  if (ua.sig == 0 && ub.sig == 0) {
    // Opposite-signed zeros sum to +0, or -0 when rounding down.
    return zero(ua.sign == ub.sign ? ua.sign : env.rc == Round::Down);
  }
  // x + 0 is x, rounded to the precision control (denormals stay denormal).
  if (ub.sig == 0) return round_pack(ua.sign, ua.exp, ua.sig, 0, env.pc, env);
  if (ua.sig == 0) return round_pack(ub.sign, ub.exp, ub.sig, 0, env.pc, env);
  // Order by magnitude so the subtraction is non-negative and takes the larger one's sign.
  if (ua.exp < ub.exp || (ua.exp == ub.exp && ua.sig < ub.sig)) std::swap(ua, ub);
  // Significands at bits 126..63, leaving 63 guard bits below for the aligned smaller operand.
  const u128 big = u128(ua.sig) << 63;
  const u128 small = shift_right_jam(u128(ub.sig) << 63, ua.exp - ub.exp);
  const u128 sum = ua.sign == ub.sign ? big + small : big - small;
  if (sum == 0) return zero(env.rc == Round::Down);  // x - x
  return round_pack(ua.sign, ua.exp + 1, sum, env.pc, env);
}

}  // namespace

F80 add(F80 a, F80 b, Env& env) { return add_signed(a, b, false, env); }
F80 sub(F80 a, F80 b, Env& env) { return add_signed(a, b, true, env); }

}  // namespace sf
