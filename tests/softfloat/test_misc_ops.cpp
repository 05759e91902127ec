// FPREM/FPREM1, FRNDINT, FSCALE, FXTRACT, FCOM/FUCOM, FXAM classes and the constants, from the
// SDM's instruction pages (Vol.2) and operand tables (Vol.1 §8.1.3.4, §4.8).
#include <catch2/catch.hpp>

#include "cpu/softfloat/f80.h"

using namespace sf;

namespace {

constexpr uint64_t kTop = 1ull << 63;
constexpr F80 kOne{kTop, 0x3fff};

F80 num(int64_t v) { return from_int(v); }
F80 neg(F80 a) { return {a.sig, uint16_t(a.se ^ 0x8000)}; }

}  // namespace

TEST_CASE("FPREM and FPREM1 quotient bits and signs", "[softfloat][rem]") {
  Env e;
  // 17 rem 5: quotient 3 (Q2 Q1 Q0 = 011), remainder 2.
  RemResult r = rem(num(17), num(5), false, e);
  CHECK(r.value == num(2));
  CHECK_FALSE(r.c2);
  CHECK(r.quotient == 3);
  // FPREM1 rounds the quotient to nearest: 17 / 5 = 3.4 -> 3, remainder 2; 18 / 5 -> 4, -2.
  r = rem(num(18), num(5), true, e);
  CHECK(r.value == num(-2));
  CHECK(r.quotient == 4);
  // FPREM truncates: -18 rem 5 = -3 (the sign of the dividend).
  r = rem(num(-18), num(5), false, e);
  CHECK(r.value == num(-3));
  CHECK(r.quotient == 3);
  // Ties go to the even quotient: 7.5 rem1 5 -> quotient 2, -2.5; 2.5 rem1 5 -> 0, 2.5.
  const F80 seven_half{0xf000000000000000ull, 0x4001}, two_half{0xa000000000000000ull, 0x4000};
  r = rem(seven_half, num(5), true, e);
  CHECK(r.value == neg(two_half));
  CHECK(r.quotient == 2);
  r = rem(two_half, num(5), true, e);
  CHECK(r.value == two_half);
  CHECK(r.quotient == 0);
  // A zero remainder keeps the dividend's sign.
  r = rem(num(-10), num(5), false, e);
  CHECK(r.value == zero(true));
  CHECK(e.flags == 0);
}

TEST_CASE("FPREM partial remainder when the exponents differ by 64 or more", "[softfloat][rem]") {
  // 2^100 rem 3: an execution with an exponent difference of 64 or more only reduces it (by
  // N - d, N in 32..63) and sets C2; executing again until C2 clears gives the remainder.
  Env e;
  F80 a{kTop, 0x3fff + 100};
  const F80 three = num(3);
  int rounds = 0;
  RemResult r;
  do {
    r = rem(a, three, false, e);
    CHECK(r.c2 == (int(a.exp()) - int(three.exp()) >= 64));
    CHECK(int(r.value.exp()) < int(a.exp()));
    a = r.value;
    ++rounds;
  } while (r.c2 && rounds < 10);
  CHECK_FALSE(r.c2);
  CHECK(rounds >= 2);
  CHECK(r.value == num(1));  // 2^100 = (2^2)^50 = 1 (mod 3)
  CHECK(e.flags == 0);
}

TEST_CASE("FPREM invalid operands and trivial cases", "[softfloat][rem]") {
  Env e;
  CHECK(rem(inf(false), num(3), false, e).value == kIndefinite);
  CHECK(e.flags == exc::IE);
  e = {};
  CHECK(rem(num(3), zero(false), true, e).value == kIndefinite);
  CHECK(e.flags == exc::IE);
  e = {};
  CHECK(rem(num(3), inf(true), false, e).value == num(3));  // finite rem inf is the dividend
  CHECK(rem(zero(true), num(3), false, e).value == zero(true));
  CHECK(e.flags == 0);
}

TEST_CASE("FRNDINT rounds by the rounding control", "[softfloat][roundint]") {
  const F80 two_half{0xa000000000000000ull, 0x4000};  // 2.5
  struct Case {
    Round rc;
    F80 a, expect;
  } cases[] = {{Round::Nearest, two_half, num(2)},
               {Round::Up, two_half, num(3)},
               {Round::Down, neg(two_half), num(-3)},
               {Round::Zero, neg(two_half), num(-2)},
               {Round::Nearest, F80{kTop, 0x3ffe}, zero(false)},  // 0.5 -> +0 (even)
               {Round::Up, F80{kTop, 0xbffe}, zero(true)}};       // -0.5 -> -0
  for (const Case& c : cases) {
    Env e;
    e.rc = c.rc;
    CHECK(round_to_int(c.a, e) == c.expect);
    CHECK(e.flags == exc::PE);
  }
  Env e;
  CHECK(round_to_int(num(-7), e) == num(-7));
  CHECK(e.flags == 0);
}

TEST_CASE("FSCALE and FXTRACT", "[softfloat][roundint]") {
  Env e;
  CHECK(scale(num(3), num(4), e) == num(48));
  CHECK(scale(num(48), F80{0xe000000000000000ull, 0xc000}, e) == num(6));  // trunc(-3.5) = -3
  CHECK(e.flags == 0);
  CHECK(scale(num(3), inf(true), e) == zero(false));
  CHECK(scale(zero(true), inf(true), e) == zero(true));
  CHECK(e.flags == 0);
  CHECK(scale(zero(false), inf(false), e) == kIndefinite);  // 0 * 2^inf
  CHECK(e.flags == exc::IE);
  e = {};
  Xtract x = xtract(num(-48), e);  // -48 = -1.5 * 2^5
  CHECK(x.exponent == num(5));
  CHECK(x.significand == F80{0xc000000000000000ull, 0xbfff});
  x = xtract(F80{1, 0}, e);  // the smallest denormal, 2^-16445
  CHECK(x.exponent == num(-16445));
  CHECK(x.significand == kOne);
  CHECK(e.flags == exc::DE);
  e = {};
  x = xtract(zero(true), e);  // the exponent of zero is -inf, with a zero divide
  CHECK(x.exponent == inf(true));
  CHECK(x.significand == zero(true));
  CHECK(e.flags == exc::ZE);
}

TEST_CASE("FCOM and FUCOM", "[softfloat][compare]") {
  Env e;
  CHECK(compare(num(1), num(2), false, e) == Cmp::Less);
  CHECK(compare(num(-1), num(-2), false, e) == Cmp::Greater);
  CHECK(compare(zero(true), zero(false), false, e) == Cmp::Equal);
  CHECK(compare(inf(true), num(-5), false, e) == Cmp::Less);
  // A pseudo-denormal equals the normal 2^-16382 (DE raised).
  CHECK(compare(F80{kTop, 0}, F80{kTop, 1}, false, e) == Cmp::Equal);
  CHECK(e.flags == exc::DE);
  const F80 qnan{0xc000000000000000ull, 0x7fff}, snan{0xa000000000000000ull, 0x7fff};
  e = {};
  CHECK(compare(qnan, num(1), true, e) == Cmp::Unordered);  // FUCOM: QNaN is quiet
  CHECK(e.flags == 0);
  CHECK(compare(qnan, num(1), false, e) == Cmp::Unordered);  // FCOM: any NaN is invalid
  CHECK(e.flags == exc::IE);
  e = {};
  CHECK(compare(num(1), snan, true, e) == Cmp::Unordered);
  CHECK(e.flags == exc::IE);
}

TEST_CASE("FXAM classes (SDM Vol.2 FXAM, Vol.1 §8.2.2)", "[softfloat][classify]") {
  CHECK(classify(zero(true)) == Class::Zero);
  CHECK(classify(F80{1, 0}) == Class::Denormal);
  CHECK(classify(F80{kTop | 5, 0x8000}) == Class::PseudoDenormal);
  CHECK(classify(kOne) == Class::Normal);
  CHECK(classify(inf(true)) == Class::Inf);
  CHECK(classify(kIndefinite) == Class::QNaN);
  CHECK(classify(F80{kTop | 1, 0x7fff}) == Class::SNaN);
  CHECK(classify(F80{1ull << 62, 0x3fff}) == Class::Unsupported);  // unnormal
  CHECK(classify(F80{0, 0x7fff}) == Class::Unsupported);           // pseudo-infinity
  CHECK(classify(F80{1ull << 62, 0x7fff}) == Class::Unsupported);  // pseudo-NaN
}

TEST_CASE("constants are rounded by the rounding control", "[softfloat][constants]") {
  // pi = C90FDAA22168C234 C4C6... * 2^-62: the dropped part is above half an ulp.
  CHECK(constant(Const::Pi, Round::Nearest) == F80{0xc90fdaa22168c235ull, 0x4000});
  CHECK(constant(Const::Pi, Round::Up) == F80{0xc90fdaa22168c235ull, 0x4000});
  CHECK(constant(Const::Pi, Round::Down) == F80{0xc90fdaa22168c234ull, 0x4000});
  CHECK(constant(Const::Pi, Round::Zero) == F80{0xc90fdaa22168c234ull, 0x4000});
  // log2(10) = D49A784BCD1B8AFE 492B...: below half an ulp, so only rounding up changes it.
  CHECK(constant(Const::L2T, Round::Nearest) == F80{0xd49a784bcd1b8afeull, 0x4000});
  CHECK(constant(Const::L2T, Round::Up) == F80{0xd49a784bcd1b8affull, 0x4000});
  CHECK(constant(Const::One, Round::Down) == kOne);
  CHECK(constant(Const::Zero, Round::Up) == zero(false));
}
