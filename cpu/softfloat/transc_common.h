// Shared pieces of the transcendental instructions: operand checks, NaN propagation and the
// final rounding of a wide result to the 64-bit x87 format.
#pragma once

#include "cpu/softfloat/f80.h"
#include "cpu/softfloat/internal.h"
#include "cpu/softfloat/wide.h"

namespace sf::transc {

enum class Kind : uint8_t { Zero, Finite, Inf, QNaN, SNaN, Unsupported };

// The operand's kind; denormals and pseudo-denormals are Finite and set `denormal` (for #D).
Kind kind(F80 a, bool& denormal);

// Result of an operation with at least one NaN or unsupported operand (SDM Vol.1 Table 4-7):
// #I and the indefinite for unsupported formats, otherwise the NaN propagation of
// detail::propagate_nan (`a` is the destination operand).
F80 nan_result(F80 a, Kind ka, Env& env);
F80 nan_result(F80 a, Kind ka, F80 b, Kind kb, Env& env);

using detail::invalid;

// Where the exact value lies relative to a wide result: equal to it, or just above or just below
// it in magnitude (by less than one unit of its last bit). It decides the rounding when the wide
// value falls on a 64-bit boundary, as sin(x) = x - x^3/6 does for tiny x.
enum class Tail : int8_t { Below = -1, Exact = 0, Above = 1 };

// A wide approximation and where the exact value lies relative to it.
struct Approx {
  wide::W v;
  Tail tail = Tail::Above;
};

// The tail of a series whose first neglected term is `term`.
inline Tail tail_of(wide::W term, wide::W sum) {
  if (term.zero()) return Tail::Exact;
  return term.neg == sum.neg ? Tail::Above : Tail::Below;
}

// Rounds w to 64 bits with env.rc. Handles overflow and underflow with the x87 masked and
// unmasked responses (SDM Vol.1 §4.9.1.4, §4.9.1.5). Unlike detail::round_pack (the arithmetic
// instructions), tininess is detected after rounding: the host x87 delivers FSIN or FPATAN
// results that round up to 2^-16382 without #U.
F80 round(wide::W w, Tail tail, Env& env);

// pi * num / 4, rounded (the FPATAN constant results).
F80 pi_quarters(unsigned num, bool neg, Env& env);

}  // namespace sf::transc
