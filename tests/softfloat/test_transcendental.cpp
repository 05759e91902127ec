// Unit tests of the x87 transcendentals: the special-value tables of the SDM's FSIN, FCOS,
// FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X and FYL2XP1 pages, exact results, and values of known
// mathematical constants (computed independently to 300 bits; the decimal value is given).
#include <catch2/catch.hpp>

#include "cpu/softfloat/f80.h"

using sf::F80;
namespace exc = sf::exc;

namespace {

constexpr F80 f(uint16_t se, uint64_t sig) { return {sig, se}; }
constexpr F80 kOne = f(0x3fff, 0x8000000000000000), kMinusOne = f(0xbfff, 0x8000000000000000);
constexpr F80 kTwo = f(0x4000, 0x8000000000000000), kHalf = f(0x3ffe, 0x8000000000000000);
constexpr F80 kDenormal = f(0x0000, 0x0000123456789abc);
constexpr F80 kQNaN = f(0x7fff, 0xc000000000000123), kSNaN = f(0x7fff, 0xa000000000000000);
constexpr F80 kUnnormal = f(0x3fff, 0x4000000000000000);
constexpr F80 kFinite = f(0x4001, 0xa000000000000000);  // 5

// Rounded to nearest: pi, pi/2, pi/4 (0xc90fdaa22168c234c4c6...) and 3pi/4.
constexpr F80 kPi = f(0x4000, 0xc90fdaa22168c235), kPiOver2 = f(0x3fff, 0xc90fdaa22168c235);
constexpr F80 kPiOver4 = f(0x3ffe, 0xc90fdaa22168c235), k3PiOver4 = f(0x4000, 0x96cbe3f9990e91a8);

constexpr F80 neg(F80 a) { return {a.sig, uint16_t(a.se ^ 0x8000)}; }

sf::Env env_rc(sf::Round rc = sf::Round::Nearest) {
  sf::Env e;
  e.rc = rc;
  return e;
}

}  // namespace

TEST_CASE("FSIN/FCOS/FSINCOS/FPTAN special operands", "[softfloat][transcendental]") {
  for (bool s : {false, true}) {
    F80 z = sf::zero(s);
    sf::Env e = env_rc();
    CHECK(sf::sin(z, e).value == z);
    CHECK(sf::cos(z, e).value == kOne);
    sf::TrigResult sc = sf::sincos(z, e);
    CHECK(sc.value == z);
    CHECK(sc.value2 == kOne);
    sf::TrigResult t = sf::tan(z, e);
    CHECK(t.value == z);
    CHECK(t.value2 == kOne);
    CHECK(e.flags == 0);

    // Infinities are invalid; FSINCOS and FPTAN deliver the indefinite in both registers.
    e = env_rc();
    CHECK(sf::sin(sf::inf(s), e).value == sf::kIndefinite);
    CHECK(e.flags == exc::IE);
    e = env_rc();
    sc = sf::sincos(sf::inf(s), e);
    CHECK(sc.value == sf::kIndefinite);
    CHECK(sc.value2 == sf::kIndefinite);
    t = sf::tan(sf::inf(s), e);
    CHECK(t.value == sf::kIndefinite);
    CHECK(t.value2 == sf::kIndefinite);
    CHECK(e.flags == exc::IE);

    // |x| >= 2^63: C2 set, operand unchanged, no exception.
    for (F80 big : {f(0x403e, 0x8000000000000000), f(0x7ffe, 0xffffffffffffffff)}) {
      if (s) big = neg(big);
      e = env_rc();
      for (auto fn : {sf::sin, sf::cos, sf::sincos, sf::tan}) {
        sf::TrigResult r = fn(big, e);
        CHECK(r.c2);
        CHECK(r.value == big);
      }
      CHECK(e.flags == 0);
    }
  }
  // Just below 2^63 is in range.
  sf::Env e = env_rc();
  CHECK_FALSE(sf::sin(f(0x403d, 0xffffffffffffffff), e).c2);

  // NaNs: a QNaN passes unchanged, an SNaN is quieted with #I, an unnormal is invalid.
  e = env_rc();
  CHECK(sf::sin(kQNaN, e).value == kQNaN);
  CHECK(e.flags == 0);
  CHECK(sf::cos(kSNaN, e).value == f(0x7fff, 0xe000000000000000));
  CHECK(e.flags == exc::IE);
  e = env_rc();
  CHECK(sf::tan(kUnnormal, e).value == sf::kIndefinite);
  CHECK(e.flags == exc::IE);

  // A denormal: #D, and sin(x) = x - x^3/6 rounds to x (rounded up) with underflow.
  e = env_rc();
  CHECK(sf::sin(kDenormal, e).value == kDenormal);
  CHECK(e.flags == (exc::DE | exc::UE | exc::PE));
  CHECK(e.rounded_up);
  e = env_rc(sf::Round::Zero);
  CHECK(sf::sin(kDenormal, e).value == f(0x0000, 0x0000123456789abb));
  CHECK_FALSE(e.rounded_up);
}

TEST_CASE("FSIN/FCOS/FPTAN known values", "[softfloat][transcendental]") {
  struct Case {
    F80 x;
    sf::TrigResult (*fn)(F80, sf::Env&);
    F80 truncated;  // the exact value, truncated to 64 bits (never exact here)
  };
  const Case cases[] = {
      {kOne, sf::sin, f(0x3ffe, 0xd76aa47848677020)},   // 0.84147098480789650665250
      {kOne, sf::cos, f(0x3ffe, 0x8a51407da8345c91)},   // 0.54030230586813971740094
      {kHalf, sf::sin, f(0x3ffd, 0xf57743a2582f7f43)},  // 0.47942553860420300027329
      {kHalf, sf::cos, f(0x3ffe, 0xe0a94032dbea7ced)},  // 0.87758256189037271611628
      {kHalf, sf::tan, f(0x3ffe, 0x8bda7adf9a3a5218)},  // 0.54630248984379051325518
      {f(0xbffe, 0xc000000000000000), sf::sin, f(0xbffe, 0xae7fe0b5fc786b2d)},  // sin(-0.75)
      {f(0xbffe, 0xc000000000000000), sf::cos, f(0x3ffe, 0xbb4ff632a908f73e)},  // cos(-0.75)
      {f(0xbffe, 0xc000000000000000), sf::tan, f(0xbffe, 0xee7d1b0887775f06)},  // tan(-0.75)
  };
  for (const Case& c : cases) {
    F80 up = {c.truncated.sig + 1, c.truncated.se};
    bool negative = c.truncated.sign();
    sf::Env e = env_rc(sf::Round::Zero);
    CHECK(c.fn(c.x, e).value == c.truncated);
    CHECK(e.flags == exc::PE);
    CHECK_FALSE(e.rounded_up);
    e = env_rc(sf::Round::Up);
    CHECK(c.fn(c.x, e).value == (negative ? c.truncated : up));
    e = env_rc(sf::Round::Down);
    CHECK(c.fn(c.x, e).value == (negative ? up : c.truncated));
    CHECK(e.rounded_up == negative);
  }
  // Nearest, where the fraction beyond 64 bits is known: sin(1) ...020|c6, cos(1) ...c91|c2.
  sf::Env e = env_rc();
  CHECK(sf::sin(kOne, e).value == f(0x3ffe, 0xd76aa47848677021));
  CHECK(e.rounded_up);
  sf::TrigResult sc = sf::sincos(kOne, e);
  CHECK(sc.value == f(0x3ffe, 0xd76aa47848677021));
  CHECK(sc.value2 == f(0x3ffe, 0x8a51407da8345c92));
  sf::TrigResult t = sf::tan(kOne, e);
  CHECK(t.value == f(0x3fff, 0xc75922e5f71d2dc5));  // 1.5574077246549022305 (fraction .40)
  CHECK(t.value2 == kOne);
}

TEST_CASE("trigonometric reduction uses the x87's 66-bit pi", "[softfloat][transcendental]") {
  // FLDPI's value, pi rounded up to 64 bits, is 2^-64 above pi rounded to 66 bits (the x87's
  // reduction constant: ...c234 followed by binary 11). So FSIN gives -sin(2^-64) = -2^-64 and not
  // pi - x = -2^-64 * 0.93 as a reduction by the true pi would.
  sf::Env e = env_rc();
  CHECK(sf::sin(kPi, e).value == f(0xbfbf, 0x8000000000000000));
  CHECK(e.flags == exc::PE);
  e = env_rc();
  CHECK(sf::cos(kPi, e).value == kMinusOne);
  // And pi/2 rounded down to 64 bits is 3 * 2^-65 below pi66/2: cos = sin(3 * 2^-65), just
  // below 1.5 * 2^-64.
  e = env_rc(sf::Round::Zero);
  CHECK(sf::cos(f(0x3fff, 0xc90fdaa22168c234), e).value == f(0x3fbf, 0xbfffffffffffffff));
  e = env_rc();
  CHECK(sf::cos(f(0x3fff, 0xc90fdaa22168c234), e).value == f(0x3fbf, 0xc000000000000000));
  // pi/2 rounded up to 64 bits is exactly 2^-65 above pi66/2, so FPTAN gives -cot(2^-65), whose
  // magnitude is 2^65 - 2^-65/3 - ...: just below a power of two.
  const F80 half_pi_up = f(0x3fff, 0xc90fdaa22168c235);
  e = env_rc(sf::Round::Zero);
  CHECK(sf::tan(half_pi_up, e).value == f(0xc03f, 0xffffffffffffffff));
  CHECK_FALSE(e.rounded_up);
  e = env_rc(sf::Round::Up);
  CHECK(sf::tan(half_pi_up, e).value == f(0xc03f, 0xffffffffffffffff));
  e = env_rc(sf::Round::Down);
  CHECK(sf::tan(half_pi_up, e).value == f(0xc040, 0x8000000000000000));
  CHECK(e.rounded_up);
  e = env_rc();
  CHECK(sf::tan(half_pi_up, e).value == f(0xc040, 0x8000000000000000));
}

TEST_CASE("FPTAN of tiny operands rounds by the x^3/3 term", "[softfloat][transcendental]") {
  // tan(x) = x + x^3/3 + ... for |x| < 2^-64: the magnitude is just above |x|, so x itself is
  // the result toward zero and to nearest (C1 = 0), and the next value out toward infinity.
  const F80 xs[] = {f(0xbfbe, 0xf174cdfc7e3ccbff), f(0x3fbe, 0xeea699a6693106b0),
                    f(0x3fbe, 0xff51b0ffffffffff), f(0x3f00, 0x8000000000000001)};
  for (const F80& x : xs) {
    const F80 out{x.sig + 1, x.se};
    sf::Env e = env_rc(sf::Round::Zero);
    CHECK(sf::tan(x, e).value == x);
    CHECK_FALSE(e.rounded_up);
    e = env_rc();
    CHECK(sf::tan(x, e).value == x);
    CHECK_FALSE(e.rounded_up);
    e = env_rc(x.sign() ? sf::Round::Up : sf::Round::Down);
    CHECK(sf::tan(x, e).value == x);
    e = env_rc(x.sign() ? sf::Round::Down : sf::Round::Up);
    CHECK(sf::tan(x, e).value == out);
    CHECK(e.rounded_up);
  }
}

TEST_CASE("FPATAN special operands (SDM FPATAN table)", "[softfloat][transcendental]") {
  for (bool sy : {false, true}) {
    auto s = [&](F80 v) { return sy ? neg(v) : v; };
    F80 y0 = sf::zero(sy), yinf = sf::inf(sy), yf = s(kFinite);
    sf::Env e = env_rc();
    // y = +-0
    CHECK(sf::atan2(y0, sf::zero(false), e) == y0);
    CHECK(sf::atan2(y0, kFinite, e) == y0);
    CHECK(sf::atan2(y0, sf::inf(false), e) == y0);
    CHECK(e.flags == 0);
    CHECK(sf::atan2(y0, sf::zero(true), e) == s(kPi));
    CHECK(sf::atan2(y0, neg(kFinite), e) == s(kPi));
    CHECK(sf::atan2(y0, sf::inf(true), e) == s(kPi));
    // finite y
    CHECK(sf::atan2(yf, sf::zero(false), e) == s(kPiOver2));
    CHECK(sf::atan2(yf, sf::zero(true), e) == s(kPiOver2));
    CHECK(sf::atan2(yf, sf::inf(false), e) == y0);
    CHECK(sf::atan2(yf, sf::inf(true), e) == s(kPi));
    // y = +-inf
    CHECK(sf::atan2(yinf, sf::inf(false), e) == s(kPiOver4));
    CHECK(sf::atan2(yinf, sf::inf(true), e) == s(k3PiOver4));
    CHECK(sf::atan2(yinf, kFinite, e) == s(kPiOver2));
    CHECK(sf::atan2(yinf, sf::zero(true), e) == s(kPiOver2));
    CHECK(e.flags == exc::PE);  // no #I anywhere in the table
  }
  // The constants round with the rounding control: pi/4 = 0.c90fdaa22168c234|c4c6...
  sf::Env e = env_rc(sf::Round::Zero);
  CHECK(sf::atan2(kOne, kOne, e) == f(0x3ffe, 0xc90fdaa22168c234));
  e = env_rc();
  CHECK(sf::atan2(kOne, kOne, e) == kPiOver4);  // arctan(1) = pi/4
  CHECK(e.rounded_up);
  // arctan(1/2) = 0.46364760900080611621; arctan2(1, -2) = pi - arctan(1/2) = 2.6779450445889871222
  CHECK(sf::atan2(kOne, kTwo, e) == f(0x3ffd, 0xed63382b0dda7b45));
  CHECK(sf::atan2(kOne, neg(kTwo), e) == f(0x4000, 0xab63739cbfad72cc));
  CHECK(sf::atan2(neg(kOne), neg(kTwo), e) == f(0xc000, 0xab63739cbfad72cc));

  // NaNs: the larger significand wins, a QNaN over an SNaN; unnormals are invalid.
  e = env_rc();
  CHECK(sf::atan2(kQNaN, f(0xffff, 0xc000000000000456), e) == f(0xffff, 0xc000000000000456));
  CHECK(sf::atan2(kSNaN, kQNaN, e) == kQNaN);
  CHECK(e.flags == exc::IE);
  e = env_rc();
  CHECK(sf::atan2(kOne, kUnnormal, e) == sf::kIndefinite);
  CHECK(e.flags == exc::IE);
}

TEST_CASE("F2XM1 special operands and known values", "[softfloat][transcendental]") {
  sf::Env e = env_rc();
  CHECK(sf::f2xm1(sf::zero(false), e) == sf::zero(false));
  CHECK(sf::f2xm1(sf::zero(true), e) == sf::zero(true));
  CHECK(e.flags == 0);
  // 2^-1 - 1 = -1/2, 2^1 - 1 = 1: exact, though the x87 flags them inexact.
  CHECK(sf::f2xm1(kMinusOne, e) == f(0xbffe, 0x8000000000000000));
  CHECK(sf::f2xm1(kOne, e) == kOne);
  CHECK(e.flags == exc::PE);
  // 2^0.5 - 1 = sqrt(2) - 1 = 0.41421356237309504880 (...211|66)
  CHECK(sf::f2xm1(kHalf, e) == f(0x3ffd, 0xd413cccfe7799211));
  // 2^-0.5 - 1 = -0.29289321881345247560 (...6f7|4d)
  CHECK(sf::f2xm1(neg(kHalf), e) == f(0xbffd, 0x95f619980c4336f7));
  e = env_rc(sf::Round::Down);
  CHECK(sf::f2xm1(neg(kHalf), e) == f(0xbffd, 0x95f619980c4336f8));
  // Tiny x: 2^x - 1 = x ln 2.
  e = env_rc();
  CHECK(sf::f2xm1(f(0x3fc0, 0x8000000000000000), e) == f(0x3fbf, 0xb17217f7d1cf79ac));
  // NaN and invalid operands.
  e = env_rc();
  CHECK(sf::f2xm1(kSNaN, e) == f(0x7fff, 0xe000000000000000));
  CHECK(e.flags == exc::IE);
  e = env_rc();
  CHECK(sf::f2xm1(kDenormal, e).exp() == 0);
  CHECK(e.flags == (exc::DE | exc::UE | exc::PE));
}

TEST_CASE("FYL2X special operands (SDM FYL2X table)", "[softfloat][transcendental]") {
  for (bool sy : {false, true}) {
    F80 yf = sy ? neg(kFinite) : kFinite;
    // x = +-0: -inf * y, zero-divide for finite y; 0 * log2(0) is invalid.
    for (bool sx : {false, true}) {
      sf::Env e = env_rc();
      CHECK(sf::fyl2x(sf::zero(sx), yf, e) == sf::inf(!sy));
      CHECK(e.flags == exc::ZE);
      e = env_rc();
      CHECK(sf::fyl2x(sf::zero(sx), sf::inf(sy), e) == sf::inf(!sy));
      CHECK(e.flags == 0);
      CHECK(sf::fyl2x(sf::zero(sx), sf::zero(sy), e) == sf::kIndefinite);
      CHECK(e.flags == exc::IE);
    }
    // Negative x (finite or infinite) is invalid.
    for (F80 x : {neg(kFinite), sf::inf(true), neg(kHalf)}) {
      sf::Env e = env_rc();
      CHECK(sf::fyl2x(x, yf, e) == sf::kIndefinite);
      CHECK(e.flags == exc::IE);
    }
    // x = 1: y * +0; infinite y is invalid.
    sf::Env e = env_rc();
    CHECK(sf::fyl2x(kOne, yf, e) == sf::zero(sy));
    CHECK(sf::fyl2x(kOne, sf::zero(sy), e) == sf::zero(sy));
    CHECK(e.flags == 0);
    CHECK(sf::fyl2x(kOne, sf::inf(sy), e) == sf::kIndefinite);
    CHECK(e.flags == exc::IE);
    // 0 < x < 1: the sign flips; x > 1 keeps it.
    e = env_rc();
    CHECK(sf::fyl2x(kHalf, sf::zero(sy), e) == sf::zero(!sy));
    CHECK(sf::fyl2x(kHalf, sf::inf(sy), e) == sf::inf(!sy));
    CHECK(sf::fyl2x(kTwo, sf::zero(sy), e) == sf::zero(sy));
    CHECK(sf::fyl2x(kTwo, sf::inf(sy), e) == sf::inf(sy));
    // x = +inf
    CHECK(sf::fyl2x(sf::inf(false), yf, e) == sf::inf(sy));
    CHECK(e.flags == 0);
    CHECK(sf::fyl2x(sf::inf(false), sf::zero(sy), e) == sf::kIndefinite);
    CHECK(e.flags == exc::IE);
  }
  // #D gives way to #Z and #I.
  sf::Env e = env_rc();
  sf::fyl2x(sf::zero(false), kDenormal, e);
  CHECK(e.flags == exc::ZE);
}

TEST_CASE("FYL2X exact and known values", "[softfloat][transcendental]") {
  // Powers of two: y * k exactly (the x87 still reports them inexact).
  for (int k : {1, -1, 10, -3, 16383, -16382}) {
    F80 x = f(uint16_t(0x3fff + k), 0x8000000000000000);
    sf::Env e = env_rc(sf::Round::Up);
    CHECK(sf::fyl2x(x, kOne, e) == sf::from_int(k));
    CHECK(e.flags == exc::PE);
    CHECK_FALSE(e.rounded_up);
  }
  sf::Env e = env_rc();
  // y = 1.5, x = 2^-3: -4.5 exactly.
  CHECK(sf::fyl2x(f(0x3ffc, 0x8000000000000000), f(0x3fff, 0xc000000000000000), e) ==
        f(0xc001, 0x9000000000000000));
  // log2(10) = 3.3219280948873623479 (...afe|49): FLDL2T's value.
  e = env_rc();
  CHECK(sf::fyl2x(f(0x4002, 0xa000000000000000), kOne, e) == f(0x4000, 0xd49a784bcd1b8afe));
  CHECK(e.flags == exc::PE);
  // 10 * log2(3) = 15.849625007211561815 (...4c3|c4)
  CHECK(sf::fyl2x(f(0x4000, 0xc000000000000000), f(0x4002, 0xa000000000000000), e) ==
        f(0x4002, 0xfd9810643d6614c4));
  // log2(0.75) = -0.41503749927884381855 (...0c0|bf)
  CHECK(sf::fyl2x(f(0x3ffe, 0xc000000000000000), kOne, e) == f(0xbffd, 0xd47fcb8c0852f0c1));
  // Overflow: y near the top of the range times log2(2^16383).
  e = env_rc();
  CHECK(sf::fyl2x(f(0x7ffe, 0x8000000000000000), f(0x7ffe, 0xffffffffffffffff), e) ==
        sf::inf(false));
  CHECK(e.flags == (exc::OE | exc::PE));
}

TEST_CASE("FYL2XP1 special operands and known values", "[softfloat][transcendental]") {
  constexpr F80 kQuarter = f(0x3ffd, 0x8000000000000000);
  for (bool sy : {false, true}) {
    F80 yf = sy ? neg(kFinite) : kFinite;
    for (bool sx : {false, true}) {
      sf::Env e = env_rc();
      CHECK(sf::fyl2xp1(sf::zero(sx), yf, e) == sf::zero(sx != sy));
      CHECK(sf::fyl2xp1(sf::zero(sx), sf::zero(sy), e) == sf::zero(sx != sy));
      CHECK(e.flags == 0);
      CHECK(sf::fyl2xp1(sf::zero(sx), sf::inf(sy), e) == sf::kIndefinite);
      CHECK(e.flags == exc::IE);
      F80 x = sx ? neg(kQuarter) : kQuarter;
      e = env_rc();
      CHECK(sf::fyl2xp1(x, sf::inf(sy), e) == sf::inf(sx != sy));
      CHECK(sf::fyl2xp1(x, sf::zero(sy), e) == sf::zero(sx != sy));
      CHECK(e.flags == 0);
    }
  }
  // log2(1.25) = 0.32192809488736234787 (...7f2|49)
  sf::Env e = env_rc();
  CHECK(sf::fyl2xp1(kQuarter, kOne, e) == f(0x3ffd, 0xa4d3c25e68dc57f2));
  // -log2(0.75) with y = -1: 0.41503749927884381855 (...0c0|bf)
  CHECK(sf::fyl2xp1(neg(kQuarter), kMinusOne, e) == f(0x3ffd, 0xd47fcb8c0852f0c1));
  // Tiny x: y * x / ln 2 (1/ln 2 = 1.4426950408889634074, 0xb8aa3b295c17f0bb|be...).
  CHECK(sf::fyl2xp1(f(0x3f00, 0x8000000000000000), kOne, e) == f(0x3f00, 0xb8aa3b295c17f0bc));
  CHECK(e.flags == exc::PE);
}
