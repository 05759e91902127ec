// Wide binary floating point for the transcendental instructions: a 128-bit significand and an
// unbounded (32-bit) exponent. Operations truncate and "jam" whatever they drop into the last
// bit, so an inexact wide value never looks like an exact 64-bit one. About 125 correct bits
// survive the few dozen operations of a series, so the final rounding to 64 bits is wrong only
// when the exact result lies within ~2^-60 ulp of a rounding boundary. Integer arithmetic only.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <utility>

#include "cpu/softfloat/f80.h"

namespace sf::wide {

using u128 = unsigned __int128;

// value = (-1)^neg * sig * 2^(exp - 127); sig has bit 127 set, or is 0 for zero.
struct W {
  u128 sig = 0;
  int32_t exp = 0;
  bool neg = false;

  constexpr bool zero() const { return sig == 0; }
};

constexpr u128 make_u128(uint64_t hi, uint64_t lo) { return (u128(hi) << 64) | lo; }

constexpr int clz128(u128 v) {
  uint64_t hi = uint64_t(v >> 64);
  return hi ? std::countl_zero(hi) : 64 + std::countl_zero(uint64_t(v));
}

// sig * 2^(exp - 127) for any sig (normalized here).
constexpr W normalize(u128 sig, int32_t exp, bool neg) {
  if (sig == 0) return W{0, 0, neg};
  int s = clz128(sig);
  return W{sig << s, exp - s, neg};
}

constexpr W from_u64(uint64_t v, bool neg = false) { return normalize(u128(v), 127, neg); }

// Exact conversion of a finite F80 (denormals and pseudo-denormals use exponent 1).
constexpr W from_f80(F80 a) {
  int32_t e = a.exp() == 0 ? 1 : a.exp();
  return normalize(u128(a.sig) << 64, e - kExpBias, a.sign());
}

constexpr W neg(W a) {
  a.neg = !a.neg;
  return a;
}
constexpr W abs(W a) {
  a.neg = false;
  return a;
}
constexpr W scale2(W a, int32_t k) {  // a * 2^k
  if (!a.zero()) a.exp += k;
  return a;
}

// Compares magnitudes: -1, 0, 1.
constexpr int cmp_mag(W a, W b) {
  if (a.zero() || b.zero()) return a.zero() ? (b.zero() ? 0 : -1) : 1;
  if (a.exp != b.exp) return a.exp < b.exp ? -1 : 1;
  return a.sig < b.sig ? -1 : (a.sig > b.sig ? 1 : 0);
}

constexpr W add(W a, W b) {
  if (a.zero()) return b;
  if (b.zero()) return a;
  if (cmp_mag(a, b) < 0) std::swap(a, b);
  int32_t d = a.exp - b.exp;
  // One bit of headroom for the carry; the bits shifted out of b are jammed.
  u128 x = a.sig >> 1, y = 0;
  if (d + 1 < 128) {
    y = b.sig >> (d + 1);
    if (b.sig & ((u128(1) << (d + 1)) - 1)) y |= 1;
  } else {
    y = 1;
  }
  if (a.sig & 1) {  // a's own last bit does not fit either: keep it as a sticky bit of y
    y |= 1;
  }
  if (a.neg == b.neg) return normalize(x + y, a.exp + 1, a.neg);
  return normalize(x - y, a.exp + 1, a.neg);
}
constexpr W sub(W a, W b) { return add(a, neg(b)); }

// High 128 bits of the 256-bit product.
constexpr W mul(W a, W b) {
  bool n = a.neg != b.neg;
  if (a.zero() || b.zero()) return W{0, 0, n};
  uint64_t ah = uint64_t(a.sig >> 64), al = uint64_t(a.sig);
  uint64_t bh = uint64_t(b.sig >> 64), bl = uint64_t(b.sig);
  u128 hh = u128(ah) * bh, hl = u128(ah) * bl, lh = u128(al) * bh, ll = u128(al) * bl;
  u128 mid = (ll >> 64) + uint64_t(hl) + uint64_t(lh);
  u128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
  uint64_t lo_top = uint64_t(mid);  // bits 64..127 of the product
  // The product of two values in [1, 2) is in [1, 4): exponent a.exp + b.exp + 1 before
  // normalization; shift in the top bit of the low half if the product is below 2.
  if (hi >> 127) return W{hi | (lo_top != 0 || uint64_t(ll) != 0), a.exp + b.exp + 1, n};
  bool sticky = (lo_top << 1) != 0 || uint64_t(ll) != 0;
  return W{(hi << 1) | (lo_top >> 63) | sticky, a.exp + b.exp, n};
}

// Truncated 128-bit quotient, jammed: long division in base 2^64 (Knuth's algorithm D, TAOCP
// vol. 2 §4.3.1) of a.sig * 2^127 (or 2^128 when a.sig < b.sig) by the normalized b.sig.
constexpr W div(W a, W b) {
  bool n = a.neg != b.neg;
  if (a.zero()) return W{0, 0, n};
  int32_t e = a.exp - b.exp;
  u128 rem, lo;  // the dividend: rem:lo, 256 bits, with rem < b.sig
  if (a.sig < b.sig) {
    rem = a.sig;
    lo = 0;
    e -= 1;
  } else {
    rem = a.sig >> 1;
    lo = a.sig << 127;
  }
  const uint64_t v1 = uint64_t(b.sig >> 64), v0 = uint64_t(b.sig);
  const uint64_t digits[2] = {uint64_t(lo >> 64), uint64_t(lo)};
  u128 q = 0;
  for (uint64_t next : digits) {
    // One quotient digit of (rem:next) / b.sig, below 2^64 since rem < b.sig.
    uint64_t u2 = uint64_t(rem >> 64), u1 = uint64_t(rem);
    u128 qhat, rhat;
    if (u2 >= v1) {  // u2 == v1: the estimate would not fit a digit
      qhat = ~uint64_t(0);
      rhat = rem - qhat * v1;
    } else {
      qhat = rem / v1;
      rhat = rem % v1;
    }
    while ((rhat >> 64) == 0 && qhat * v0 > ((rhat << 64) | next)) {
      --qhat;
      rhat += v1;
    }
    // (u2:u1:next) - qhat * b.sig, with at most one add-back.
    u128 p0 = qhat * v0, p1 = qhat * v1;
    u128 mid = (p0 >> 64) + uint64_t(p1);
    uint64_t prod0 = uint64_t(p0), prod1 = uint64_t(mid);
    u128 prod2 = (p1 >> 64) + (mid >> 64);
    uint64_t d0 = next - prod0;
    u128 s1 = u128(u1) - prod1 - (next < prod0);
    u128 s2 = u128(u2) - prod2 - ((s1 >> 64) != 0);
    rem = (u128(uint64_t(s1)) << 64) | d0;
    if (s2 >> 64) {  // negative: qhat was one too large
      --qhat;
      rem += b.sig;
    }
    q = (q << 64) | qhat;
  }
  if (rem) q |= 1;
  return W{q, e, n};
}

// a / d for a small positive integer d: a 192-bit quotient of sig * 2^64, truncated to 128 bits.
constexpr W div_u64(W a, uint64_t d) {
  if (a.zero()) return a;
  u128 q1 = a.sig / d, r1 = a.sig % d;
  uint64_t q0 = uint64_t((r1 << 64) / d);
  bool sticky = ((r1 << 64) % d) != 0;
  int lz = clz128(q1);  // q1 >= 2^127 / d, so lz <= 64
  u128 sig = lz == 0 ? q1 : (q1 << lz) | (u128(q0) >> (64 - lz));
  if (sticky || uint64_t(u128(q0) << lz) != 0) sig |= 1;  // the bits of q0 left out
  return W{sig, a.exp - lz, a.neg};
}

constexpr W kOne{u128(1) << 127, 0, false};

// 1/n for the series coefficients, computed at compile time.
inline constexpr auto kInverses = [] {
  std::array<W, 128> t{};
  for (uint64_t n = 1; n < t.size(); ++n) t[n] = div(kOne, from_u64(n));
  return t;
}();

// a / n for a small positive integer n: a multiplication by a tabulated 1/n where possible.
constexpr W div_small(W a, uint64_t n) {
  return n < kInverses.size() ? mul(a, kInverses[n]) : div_u64(a, n);
}

// Mathematical constants, rounded to 128 bits.
constexpr W kPi{make_u128(0xc90fdaa22168c234, 0xc4c6628b80dc1cd1), 1, false};
constexpr W kLn2{make_u128(0xb17217f7d1cf79ab, 0xc9e3b39803f2f6af), -1, false};
constexpr W kLog2E{make_u128(0xb8aa3b295c17f0bb, 0xbe87fed0691d3e89), 0, false};

}  // namespace sf::wide
