// Software 80-bit extended-precision arithmetic with x87 semantics (SDM Vol.1 ch.4 and ch.8).
// Written for ghost86 so that results are bit-identical on every host: no host floating point,
// no `long double`. The x87 helpers (cpu/helpers/x87*.cpp) call these functions; everything
// about the FPU stack, tags and the status word lives there, not here.
#pragma once

#include <cstdint>

namespace sf {

// The 80-bit extended format: sign and 15-bit biased exponent in `se`, 64-bit significand with
// an explicit integer bit (bit 63) in `sig`.
struct F80 {
  uint64_t sig = 0;
  uint16_t se = 0;

  constexpr bool sign() const { return se >> 15; }
  constexpr uint16_t exp() const { return se & 0x7fff; }
  friend constexpr bool operator==(const F80&, const F80&) = default;
};

constexpr uint16_t kExpBias = 16383;
constexpr uint16_t kExpMax = 0x7fff;

// Exception flags, in status/control-word bit order.
namespace exc {
constexpr uint16_t IE = 1 << 0;  // invalid operation
constexpr uint16_t DE = 1 << 1;  // denormal operand
constexpr uint16_t ZE = 1 << 2;  // zero divide
constexpr uint16_t OE = 1 << 3;  // overflow
constexpr uint16_t UE = 1 << 4;  // underflow
constexpr uint16_t PE = 1 << 5;  // precision (inexact)
constexpr uint16_t kAll = 0x3f;
}  // namespace exc

// Rounding control and precision control, encoded as in the x87 control word.
enum class Round : uint8_t { Nearest = 0, Down = 1, Up = 2, Zero = 3 };
enum class Prec : uint8_t { P24 = 0, Reserved = 1, P53 = 2, P64 = 3 };

// The environment of one operation: inputs from the control word, outputs the caller merges into
// the status word. `masks` matters because unmasked overflow and underflow deliver a result with
// the exponent wrapped by 24576 (SDM Vol.1 §8.5.4, §8.5.5). The caller decides, from `flags` and
// `masks`, whether the result is stored at all (an unmasked #I, #D or #Z stores nothing).
struct Env {
  Round rc = Round::Nearest;
  Prec pc = Prec::P64;
  uint16_t masks = exc::kAll;
  uint16_t flags = 0;        // raised by the operation (OR-ed in; the caller clears it)
  bool rounded_up = false;   // the delivered result is the rounded-up magnitude (sets C1)

  // From an x87 control word.
  static Env from_fcw(uint16_t fcw) {
    Env e;
    e.masks = fcw & exc::kAll;
    e.pc = Prec((fcw >> 8) & 3);
    e.rc = Round((fcw >> 10) & 3);
    return e;
  }
};

// Special values.
constexpr F80 kIndefinite{0xc000000000000000ull, 0xffff};  // the real indefinite (a negative QNaN)
constexpr F80 zero(bool neg) { return {0, uint16_t(neg ? 0x8000 : 0)}; }
constexpr F80 inf(bool neg) { return {0x8000000000000000ull, uint16_t(neg ? 0xffff : 0x7fff)}; }

// Classification (FXAM and operand checks). Unsupported formats: a non-zero exponent with the
// integer bit clear (unnormals, pseudo-NaNs, pseudo-infinities); the 387+ treat them as invalid.
enum class Class : uint8_t { Zero, Denormal, PseudoDenormal, Normal, Inf, QNaN, SNaN, Unsupported };
Class classify(F80 a);
inline bool is_nan(F80 a) {
  Class c = classify(a);
  return c == Class::QNaN || c == Class::SNaN;
}

// Arithmetic (FADD, FSUB, FMUL, FDIV, FSQRT): rounded to env.pc bits with env.rc. NaN operands
// propagate as the SDM's Table 4-7 says; invalid operations give the real indefinite.
F80 add(F80 a, F80 b, Env& env);
F80 sub(F80 a, F80 b, Env& env);
F80 mul(F80 a, F80 b, Env& env);
F80 div(F80 a, F80 b, Env& env);
F80 sqrt(F80 a, Env& env);

// FPREM (round_nearest=false: truncating quotient) and FPREM1 (IEEE remainder). Sets `c2` when
// the reduction is partial and the caller must execute the instruction again; `quotient` holds
// the three low quotient bits (Q2 Q1 Q0) for C0, C3 and C1 when the reduction completed.
struct RemResult {
  F80 value;
  bool c2 = false;
  uint8_t quotient = 0;
};
RemResult rem(F80 a, F80 b, bool round_nearest, Env& env);

F80 round_to_int(F80 a, Env& env);  // FRNDINT with env.rc (precision control does not apply)
F80 scale(F80 a, F80 b, Env& env);  // FSCALE: a * 2^trunc(b)
// FXTRACT: exponent (as an F80) and significand (with the exponent of 1.0, same sign as a).
struct Xtract {
  F80 exponent, significand;
};
Xtract xtract(F80 a, Env& env);

// Comparisons. quiet=true is FUCOM (only SNaN raises #I); quiet=false is FCOM (any NaN raises #I).
enum class Cmp : uint8_t { Less, Equal, Greater, Unordered };
Cmp compare(F80 a, F80 b, bool quiet, Env& env);

// Conversions from memory formats. Loads are exact except that a single or double SNaN
// becomes a QNaN with #I, and denormal inputs raise #D.
F80 from_f32(uint32_t bits, Env& env);
F80 from_f64(uint64_t bits, Env& env);
F80 from_int(int64_t v);  // FILD of 16, 32 and 64-bit integers: always exact
// Conversions to memory formats, rounded with env.rc (precision control does not apply).
uint32_t to_f32(F80 a, Env& env);
uint64_t to_f64(F80 a, Env& env);
// FIST/FISTP of `bits` (16, 32, 64); truncate=true is FISTTP. Out of range or NaN: #I and the
// integer indefinite (the most negative value), returned sign-extended to 64 bits.
int64_t to_int(F80 a, unsigned bits, bool truncate, Env& env);
// 18-digit packed BCD (FBLD/FBSTP): ten bytes, little endian, sign in bit 7 of byte 9.
F80 from_bcd(const uint8_t bcd[10]);
void to_bcd(F80 a, uint8_t out[10], Env& env);  // out of range or NaN: #I and the BCD indefinite

// Transcendentals (cpu/softfloat/transcendental.cpp). Trigonometric functions set `c2` and leave
// the operand unchanged when |a| >= 2^63.
struct TrigResult {
  F80 value, value2;  // value2: the cosine for sincos, 1.0 for tan
  bool c2 = false;
};
TrigResult sin(F80 a, Env& env);
TrigResult cos(F80 a, Env& env);
TrigResult sincos(F80 a, Env& env);  // value = sin, value2 = cos
TrigResult tan(F80 a, Env& env);     // FPTAN: value = tan, value2 = 1.0
F80 atan2(F80 y, F80 x, Env& env);   // FPATAN: arctan(y / x) with the quadrant of (x, y)
F80 f2xm1(F80 a, Env& env);          // 2^a - 1 for -1 <= a <= 1
F80 fyl2x(F80 x, F80 y, Env& env);   // y * log2(x)
F80 fyl2xp1(F80 x, F80 y, Env& env); // y * log2(x + 1)

// Constants as FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/FLDZ load them: rounded with env.rc
// (the 387+ round these internal 66-bit constants by the rounding control).
enum class Const : uint8_t { One, L2T, L2E, Pi, LG2, LN2, Zero };
F80 constant(Const c, Round rc);

}  // namespace sf
