// Shared pieces of the transcendental instructions: operand checks, NaN propagation and the
// final rounding of a wide result to the 64-bit x87 format.
#pragma once

#include "cpu/softfloat/f80.h"
#include "cpu/softfloat/wide.h"

namespace sf::transc {

enum class Kind : uint8_t { Zero, Finite, Inf, QNaN, SNaN, Unsupported };

// The operand's kind; sets #D for denormals and pseudo-denormals (which are Finite here).
Kind kind(F80 a, bool& denormal);

constexpr F80 quiet(F80 a) { return {a.sig | (1ull << 62), a.se}; }

// Result of an operation with at least one NaN or unsupported operand (SDM Vol.1 Table 4-7):
// #I and the indefinite for unsupported formats, #I for signaling NaNs, which are quieted; of
// two NaNs the one with the larger significand wins, a QNaN over an SNaN.
F80 nan_result(F80 a, Kind ka, Env& env);
F80 nan_result(F80 a, Kind ka, F80 b, Kind kb, Env& env);

inline F80 invalid(Env& env) {
  env.flags |= exc::IE;
  return kIndefinite;
}

// Rounds w to 64 bits with env.rc. `inexact` says that w was truncated from the exact value (it
// lies strictly between w and the next wide value away from zero). Handles overflow and
// underflow with the x87 masked and unmasked responses (SDM Vol.1 §4.9.1.4, §4.9.1.5).
F80 round(wide::W w, bool inexact, Env& env);

// pi * num / 4, rounded (the FPATAN constant results).
F80 pi_quarters(unsigned num, bool neg, Env& env);

}  // namespace sf::transc
