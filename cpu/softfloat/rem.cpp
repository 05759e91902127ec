// FPREM and FPREM1 (SDM Vol.2 FPREM/FPREM1): exact partial remainders.
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

namespace {

// When the exponents differ by 64 or more, one execution reduces the exponent difference to an
// implementation-dependent N in 32..63 (SDM: "N ← an implementation-dependent number between 32
// and 63"). This is 32 + (d mod 32), as the reference host's x87 does (the differential test
// compares the partial results bit for bit).
int partial_bits(int d) { return 32 + (d & 31); }

}  // namespace

RemResult rem(F80 a, F80 b, bool round_nearest, Env& env) {
  RemResult r;
  if (binary_specials(a, b, env, r.value)) return r;
  const Class ca = classify(a), cb = classify(b);
  if (ca == Class::Inf || cb == Class::Zero) {
    r.value = invalid(env);
    return r;
  }
  r.value = a;
  if (denormal_check(ca, cb, env)) return r;
  if (ca == Class::Zero) return r;
  const Unpacked ua = unpack(a), ub = unpack(b);
  if (cb == Class::Inf) {
    r.value = round_pack(ua.sign, ua.exp, ua.sig, 0, Prec::P64, env);
    return r;
  }
  const int d = ua.exp - ub.exp;
  if (d < 0 && !(round_nearest && d == -1)) {
    // |a| < |b|/2 (or FPREM with |a| < |b|): the remainder is a itself, quotient 0.
    r.value = round_pack(ua.sign, ua.exp, ua.sig, 0, Prec::P64, env);
    return r;
  }
  r.c2 = d >= 64;
  const int n = r.c2 ? partial_bits(d) : d;
  // Work in units of 2^(unit - bias - 63): a's significand shifted by n over b's.
  u128 num, den;
  int32_t unit;
  if (n >= 0) {
    num = u128(ua.sig) << n, den = ub.sig, unit = ua.exp - n;
  } else {
    num = ua.sig, den = u128(ub.sig) << 1, unit = ua.exp;
  }
  u128 q = num / den, rem = num % den;
  bool sign = ua.sign;
  if (round_nearest && !r.c2) {
    const u128 twice = rem << 1;
    if (twice > den || (twice == den && (q & 1))) {
      ++q;
      rem = den - rem;
      sign = !sign;
    }
  }
  // A partial reduction clears C0, C3 and C1 (checked against the host).
  if (!r.c2) r.quotient = uint8_t(q & 7);
  if (rem == 0) {
    r.value = zero(ua.sign);
    return r;
  }
  r.value = round_pack(sign, unit + 64, rem, Prec::P64, env);
  return r;
}

}  // namespace sf
