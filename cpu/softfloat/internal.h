// Building blocks shared by the soft-float operations (cpu/softfloat/*.cpp): operand unpacking,
// the x87 rounding core and NaN propagation. Not part of the public interface (f80.h).
#pragma once

#include <cstdint>

#include "cpu/softfloat/f80.h"

namespace sf::detail {

using u128 = unsigned __int128;

inline int clz64(uint64_t v) { return v ? __builtin_clzll(v) : 64; }
inline int clz128(u128 v) {
  uint64_t hi = uint64_t(v >> 64);
  return hi ? __builtin_clzll(hi) : 64 + clz64(uint64_t(v));
}
// v >> n with every shifted-out bit OR-ed into bit 0 ("sticky"); n may exceed 127.
inline u128 shift_right_jam(u128 v, int n) {
  if (n <= 0) return v;
  if (n >= 128) return v != 0;
  return (v >> n) | u128((v << (128 - n)) != 0);
}

// Significand bits kept under a precision control setting. The reserved setting behaves like
// 64 bits (checked against the host in the differential test).
inline int precision_bits(Prec pc) {
  switch (pc) {
    case Prec::P24: return 24;
    case Prec::P53: return 53;
    default: return 64;
  }
}

// A finite operand with the binary point after bit 63 of `sig`:
//   value = (-1)^sign * sig / 2^63 * 2^(exp - kExpBias).
// unpack() normalises denormals and pseudo-denormals (whose exponent field 0 means 1), so `sig`
// has bit 63 set unless the value is zero; `exp` may then be below 1.
struct Unpacked {
  bool sign = false;
  int32_t exp = 0;
  uint64_t sig = 0;
};
Unpacked unpack(F80 a);

// The rounding core. The exact value to deliver is
//   (-1)^sign * S / 2^127 * 2^(exp - kExpBias),   S = sig_hi:sig_lo (a 128-bit integer),
// i.e. bit 127 of S has the weight of the integer bit of an F80 with exponent field `exp`. S need
// not be normalised (any S, including 0, is accepted; 0 gives a zero of the given sign, exactly).
// It is rounded to `pc` significand bits with env.rc, with the x87 exponent range:
//  - overflow (rounded exponent > 0x7ffe): OE and PE; masked: infinity or the largest finite value
//    of the precision, by rounding mode and sign; unmasked: the rounded value with the exponent
//    reduced by 24576, PE only if inexact (SDM Vol.1 §8.5.4).
//  - tiny: below 2^-16382 after rounding to the precision with an unbounded exponent (the x87
//    detects tininess after rounding; checked against the host). Masked: a denormal (rounded at
//    the same precision, counted from the denormal's integer bit), UE only if that is inexact;
//    unmasked: UE even when exact, the normally rounded value with the exponent raised by 24576
//    (§8.5.5).
//  - unmasked results still out of range after the 24576 adjustment (only FSCALE gets there):
//    an infinity with OE and PE, or a zero with UE and PE, as the host delivers.
//  - PE when the delivered value differs from the exact one; env.rounded_up when its magnitude
//    was increased by rounding (the x87's C1).
F80 round_pack(bool sign, int32_t exp, uint64_t sig_hi, uint64_t sig_lo, Prec pc, Env& env);
inline F80 round_pack(bool sign, int32_t exp, u128 s, Prec pc, Env& env) {
  return round_pack(sign, exp, uint64_t(s >> 64), uint64_t(s), pc, env);
}

// Rounds `s` to a multiple of 2^lsb_shift with `rc` (sign: of the value, for directed modes).
// Returns the kept bits; `inexact` when bits were dropped, `up` when the magnitude was increased,
// `carry` when that increase overflowed 128 bits (the result is then 2^128, returned as 0).
bool round_increment(Round rc, bool sign, u128 rest, u128 half, bool odd);
u128 round_bits(u128 s, int lsb_shift, bool sign, Round rc, bool& inexact, bool& up, bool& carry);

constexpr uint16_t kWrap = 24576;  // exponent adjustment of unmasked overflow/underflow results

// NaN propagation (SDM Vol.1 Table 4-7). `a` is the destination operand (ST(0) for the x87's
// register forms), `b` the source. Either may be a NaN (at least one is). An SNaN raises IE and is
// quietened; of two NaNs the one with the larger significand wins.
F80 propagate_nan(F80 a, F80 b, Env& env);
F80 propagate_nan(F80 a, Env& env);  // one NaN operand: quieten an SNaN (IE)

// Unsupported operands (invalid) and NaN operands of a two-operand operation: true when they
// decide the result, which is then in `out`.
bool binary_specials(F80 a, F80 b, Env& env, F80& out);
// Raises DE for denormal operand classes; true when DE is unmasked (the x87 then stops: the
// caller returns without a result).
bool denormal_check(Class ca, Class cb, Env& env);

// An invalid operation: IE and the real indefinite.
inline F80 invalid(Env& env) {
  env.flags |= exc::IE;
  return kIndefinite;
}

inline F80 quiet(F80 a) { return {a.sig | (1ull << 62), a.se}; }
inline bool is_denormal_class(Class c) {
  return c == Class::Denormal || c == Class::PseudoDenormal;
}
// True when an exception in `mask` was raised and is unmasked: the x87 then stops before
// producing a result (IE, DE and ZE are detected before the computation).
inline bool unmasked(const Env& env, uint16_t mask) { return env.flags & mask & ~env.masks; }

// Largest finite value with p significand bits.
inline uint64_t max_sig(int p) { return ~0ull << (64 - p); }

}  // namespace sf::detail
