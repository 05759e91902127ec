// The rounding core: precision control, the four rounding modes, overflow and underflow, masked
// and unmasked (SDM Vol.1 §4.8.4, §8.5.4, §8.5.5). Expected values follow from those rules.
#include <catch2/catch.hpp>

#include "cpu/softfloat/internal.h"

using namespace sf;
using sf::detail::round_pack;
using sf::detail::u128;

namespace {

Env env_of(Round rc, Prec pc = Prec::P64, uint16_t masks = exc::kAll) {
  Env e;
  e.rc = rc;
  e.pc = pc;
  e.masks = masks;
  return e;
}

constexpr uint64_t kTop = 1ull << 63;

}  // namespace

TEST_CASE("round_pack: exact values need no rounding", "[softfloat][round]") {
  Env e = env_of(Round::Nearest);
  // 1.0 given normalised and unnormalised (bit 120 set, exponent 7 higher).
  CHECK(round_pack(false, 0x3fff, kTop, 0, Prec::P64, e) == F80{kTop, 0x3fff});
  CHECK(round_pack(true, 0x3fff + 7, 1ull << 56, 0, Prec::P64, e) == F80{kTop, 0xbfff});
  CHECK(e.flags == 0);
  CHECK_FALSE(e.rounded_up);
  CHECK(round_pack(true, 0x3fff, 0, 0, Prec::P64, e) == zero(true));
  CHECK(e.flags == 0);
}

TEST_CASE("round_pack: the four rounding modes at 64 bits", "[softfloat][round]") {
  // 1 + 2^-63 + 2^-64 (half an ulp plus one ulp): nearest rounds to even upward.
  struct Case {
    Round rc;
    bool sign;
    uint64_t lo;  // bits below the 64-bit significand
    uint64_t expect_sig;
    bool up;
  } cases[] = {
      {Round::Nearest, false, 1ull << 63, kTop | 2, true},         // tie, odd -> even above
      {Round::Nearest, false, (1ull << 63) - 1, kTop | 1, false},  // below half
      {Round::Down, false, 1, kTop | 1, false},
      {Round::Down, true, 1, kTop | 2, true},
      {Round::Up, false, 1, kTop | 2, true},
      {Round::Up, true, 1, kTop | 1, false},
      {Round::Zero, true, ~0ull, kTop | 1, false},
  };
  for (const Case& c : cases) {
    Env e = env_of(c.rc);
    F80 r = round_pack(c.sign, 0x3fff, kTop | 1, c.lo, Prec::P64, e);
    CHECK(r.sig == c.expect_sig);
    CHECK(r.se == (c.sign ? 0xbfff : 0x3fff));
    CHECK(e.flags == exc::PE);
    CHECK(e.rounded_up == c.up);
  }
  // A tie with an even kept value stays.
  Env e = env_of(Round::Nearest);
  CHECK(round_pack(false, 0x3fff, kTop, 1ull << 63, Prec::P64, e).sig == kTop);
  CHECK_FALSE(e.rounded_up);
}

TEST_CASE("round_pack: precision control rounds the significand only", "[softfloat][round]") {
  // 1 + 2^-24 + 2^-30: at 24 bits (ulp 2^-23) that is above half an ulp.
  uint64_t sig = kTop | (1ull << 39) | (1ull << 33);
  Env e = env_of(Round::Nearest, Prec::P24);
  F80 r = round_pack(false, 0x3fff, sig, 0, Prec::P24, e);
  CHECK(r == F80{kTop | (1ull << 40), 0x3fff});
  CHECK(e.flags == exc::PE);
  CHECK(e.rounded_up);
  // 53 bits: all-ones significand carries into the exponent.
  e = env_of(Round::Up, Prec::P53);
  r = round_pack(false, 0x4000, ~0ull, 0, Prec::P53, e);
  CHECK(r == F80{kTop, 0x4001});
  // The exponent range stays the extended one: no overflow at 2^1024 with 53 bits.
  e = env_of(Round::Nearest, Prec::P53);
  r = round_pack(false, 0x3fff + 2000, kTop, 0, Prec::P53, e);
  CHECK(r == F80{kTop, 0x3fff + 2000});
  CHECK(e.flags == 0);
}

TEST_CASE("round_pack: masked overflow gives infinity or the largest finite value",
          "[softfloat][round]") {
  struct Case {
    Round rc;
    bool sign;
    bool to_inf;
  } cases[] = {{Round::Nearest, false, true}, {Round::Nearest, true, true},
               {Round::Zero, false, false},   {Round::Zero, true, false},
               {Round::Up, false, true},      {Round::Up, true, false},
               {Round::Down, false, false},   {Round::Down, true, true}};
  for (const Case& c : cases) {
    Env e = env_of(c.rc, Prec::P53);
    F80 r = round_pack(c.sign, 0x7fff, kTop, 0, Prec::P53, e);
    CHECK(e.flags == (exc::OE | exc::PE));
    if (c.to_inf) {
      CHECK(r == inf(c.sign));
    } else {
      // Largest finite with 53 bits: exponent 7FFE, the top 53 significand bits set.
      CHECK(r == F80{0xfffffffffffff800ull, uint16_t(c.sign ? 0xfffe : 0x7ffe)});
    }
    CHECK(e.rounded_up == c.to_inf);
  }
  // Rounding up the largest finite value also overflows.
  Env e = env_of(Round::Up);
  CHECK(round_pack(false, 0x7ffe, ~0ull, 1, Prec::P64, e) == inf(false));
  CHECK(e.flags == (exc::OE | exc::PE));
}

TEST_CASE("round_pack: unmasked overflow wraps the exponent by 24576", "[softfloat][round]") {
  Env e = env_of(Round::Nearest, Prec::P64, exc::kAll & ~exc::OE);
  F80 r = round_pack(true, 0x7fff + 5, kTop | 3, 0, Prec::P64, e);
  CHECK(r == F80{kTop | 3, uint16_t(0x8000 | (0x7fff + 5 - 24576))});
  CHECK(e.flags == exc::OE);  // exact: no PE
  e = env_of(Round::Up, Prec::P64, exc::kAll & ~exc::OE);
  r = round_pack(false, 0x7fff, kTop, 1, Prec::P64, e);
  CHECK(r == F80{kTop | 1, 0x7fff - 24576});
  CHECK(e.flags == (exc::OE | exc::PE));
  CHECK(e.rounded_up);
}

TEST_CASE("round_pack: masked underflow denormalises; UE only when inexact", "[softfloat][round]") {
  // 2^-16383 exactly (exponent 0 when normalised): the denormal 0x4000..., no UE.
  Env e = env_of(Round::Nearest);
  F80 r = round_pack(false, 0, kTop, 0, Prec::P64, e);
  CHECK(r == F80{kTop >> 1, 0});
  CHECK(e.flags == 0);
  // (1 + 2^-63) * 2^-16383: the low bit falls off; nearest ties to even (down).
  e = env_of(Round::Nearest);
  r = round_pack(true, 0, kTop | 1, 0, Prec::P64, e);
  CHECK(r == F80{kTop >> 1, 0x8000});
  CHECK(e.flags == (exc::UE | exc::PE));
  CHECK_FALSE(e.rounded_up);
  // Rounding up from just below the smallest normal gives the smallest normal (exponent 1).
  e = env_of(Round::Up);
  r = round_pack(false, 0, ~0ull, 0, Prec::P64, e);
  CHECK(r == F80{kTop, 1});
  CHECK(e.flags == (exc::UE | exc::PE));
  CHECK(e.rounded_up);
  // Far below the denormal range: zero, or the smallest denormal when rounding away.
  e = env_of(Round::Nearest);
  CHECK(round_pack(false, -200, kTop, 0, Prec::P64, e) == zero(false));
  CHECK(e.flags == (exc::UE | exc::PE));
  e = env_of(Round::Up);
  CHECK(round_pack(false, -200, kTop, 0, Prec::P64, e) == F80{1, 0});
  // With 24-bit precision a denormal keeps 24 bits counted from the denormal's integer bit.
  e = env_of(Round::Zero, Prec::P24);
  r = round_pack(false, 0, ~0ull, 0, Prec::P24, e);  // 0.111...1 * 2^-16382
  CHECK(r == F80{0x7fffff0000000000ull, 0});
  CHECK(e.flags == (exc::UE | exc::PE));
}

TEST_CASE("round_pack: unmasked underflow wraps the exponent and always raises UE",
          "[softfloat][round]") {
  Env e = env_of(Round::Nearest, Prec::P64, exc::kAll & ~exc::UE);
  F80 r = round_pack(false, -10, kTop | 1, 0, Prec::P64, e);
  CHECK(r == F80{kTop | 1, uint16_t(-10 + 24576)});
  CHECK(e.flags == exc::UE);  // exact, but tiny
  e = env_of(Round::Zero, Prec::P24, exc::kAll & ~exc::UE);
  r = round_pack(true, 0, ~0ull, 0, Prec::P24, e);
  CHECK(r == F80{0xffffff0000000000ull, uint16_t(0x8000 | 24576)});
  CHECK(e.flags == (exc::UE | exc::PE));
  CHECK_FALSE(e.rounded_up);
}

TEST_CASE("round_pack: tininess is detected after rounding", "[softfloat][round]") {
  // Just below 2^-16382, rounding (at the precision, unbounded exponent) up to 2^-16382: not
  // tiny, so no UE, masked or not; the result is the smallest normal. The host x87 agrees.
  for (uint16_t masks : {exc::kAll, uint16_t(exc::kAll & ~exc::UE)}) {
    Env e = env_of(Round::Nearest, Prec::P24, masks);
    F80 r = round_pack(true, 0, ~0ull, 0, Prec::P24, e);
    CHECK(r == F80{kTop, 0x8001});
    CHECK(e.flags == exc::PE);
    CHECK(e.rounded_up);
  }
}
