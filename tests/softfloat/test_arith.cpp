// FADD/FSUB/FMUL/FDIV/FSQRT special cases from the SDM's instruction pages and Vol.1 §4.8, §8.5.
#include <catch2/catch.hpp>

#include "cpu/softfloat/f80.h"

using namespace sf;

namespace {

constexpr uint64_t kTop = 1ull << 63;
constexpr F80 kOne{kTop, 0x3fff};
constexpr F80 kTwo{kTop, 0x4000};
constexpr F80 kThree{0xc000000000000000ull, 0x4000};
constexpr F80 kQNaN{0xc000000000001234ull, 0x7fff};
constexpr F80 kSNaN{0x8000000000001234ull, 0x7fff};
constexpr F80 kDenormal{0x0000000000000001ull, 0};       // 2^-16445
constexpr F80 kPseudoDenormal{kTop, 0};                  // 2^-16382, exponent field 0
constexpr F80 kUnnormal{0x4000000000000000ull, 0x3fff};  // integer bit clear: unsupported

Env masked(Round rc = Round::Nearest, Prec pc = Prec::P64) {
  Env e;
  e.rc = rc;
  e.pc = pc;
  return e;
}

F80 neg(F80 a) { return {a.sig, uint16_t(a.se ^ 0x8000)}; }

}  // namespace

TEST_CASE("signed zeros follow IEEE 754", "[softfloat][arith]") {
  for (Round rc : {Round::Nearest, Round::Up, Round::Zero, Round::Down}) {
    Env e = masked(rc);
    const bool down = rc == Round::Down;
    CHECK(sub(kThree, kThree, e) == zero(down));       // x - x
    CHECK(add(kThree, neg(kThree), e) == zero(down));  // x + (-x)
    CHECK(add(zero(false), zero(true), e) == zero(down));
    CHECK(add(zero(true), zero(true), e) == zero(true));
    CHECK(sub(zero(true), zero(false), e) == zero(true));
    CHECK(mul(zero(true), kThree, e) == zero(true));
    CHECK(div(zero(false), neg(kThree), e) == zero(true));
    CHECK(sqrt(zero(true), e) == zero(true));
    CHECK(e.flags == 0);
  }
}

TEST_CASE("invalid operations give the real indefinite", "[softfloat][arith]") {
  struct Case {
    const char* what;
    F80 (*op)(F80, F80, Env&);
    F80 a, b;
  } cases[] = {
      {"inf - inf", sub, inf(false), inf(false)}, {"inf + -inf", add, inf(true), inf(false)},
      {"0 * inf", mul, zero(false), inf(true)},   {"0 / 0", div, zero(true), zero(false)},
      {"inf / inf", div, inf(false), inf(true)},  {"SNaN-free unsupported", add, kUnnormal, kOne},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Env e = masked();
    CHECK(c.op(c.a, c.b, e) == kIndefinite);
    CHECK(e.flags == exc::IE);
  }
  Env e = masked();
  CHECK(sqrt(neg(kTwo), e) == kIndefinite);
  CHECK(e.flags == exc::IE);
  e = masked();
  CHECK(sqrt(inf(true), e) == kIndefinite);
  // An unsupported operand beats a QNaN (the result is the indefinite, not the NaN).
  e = masked();
  CHECK(mul(kQNaN, kUnnormal, e) == kIndefinite);
  CHECK(e.flags == exc::IE);
}

TEST_CASE("NaN propagation follows Table 4-7", "[softfloat][arith]") {
  const F80 qnan_big{0xc000000000009999ull, 0xffff};
  const F80 snan_big{0x8000000000009999ull, 0x7fff};
  const F80 quiet_snan{kSNaN.sig | (1ull << 62), kSNaN.se};
  Env e = masked();
  CHECK(add(kOne, kQNaN, e) == kQNaN);  // a QNaN passes through unchanged, no exception
  CHECK(e.flags == 0);
  CHECK(add(kSNaN, kOne, e) == quiet_snan);  // an SNaN is quietened, IE
  CHECK(e.flags == exc::IE);
  e = masked();
  CHECK(mul(kQNaN, qnan_big, e) == qnan_big);  // two QNaNs: the larger significand
  CHECK(div(kSNaN, snan_big, e) == F80{snan_big.sig | (1ull << 62), snan_big.se});
  e = masked();
  CHECK(sub(kSNaN, kQNaN, e) == kQNaN);  // SNaN and QNaN: the QNaN, even if smaller
  CHECK(e.flags == exc::IE);
  // A NaN operand takes precedence over a denormal one: no DE.
  e = masked();
  CHECK(add(kQNaN, kDenormal, e) == kQNaN);
  CHECK(e.flags == 0);
}

TEST_CASE("denormal operands raise DE; pseudo-denormals count as exponent 1",
          "[softfloat][arith]") {
  Env e = masked();
  CHECK(add(kOne, kDenormal, e) == kOne);
  CHECK(e.flags == (exc::DE | exc::PE));
  // 2^-16382 (as a pseudo-denormal) * 2^1 = 2^-16381, exact.
  e = masked();
  CHECK(mul(kPseudoDenormal, kTwo, e) == F80{kTop, 2});
  CHECK(e.flags == exc::DE);
  // Unmasked DE stops the operation: only DE is reported (the caller stores nothing).
  e = masked();
  e.masks = exc::kAll & ~exc::DE;
  add(kOne, kDenormal, e);
  CHECK(e.flags == exc::DE);
  // x / 0 with a denormal x: zero divide only.
  e = masked();
  CHECK(div(kDenormal, zero(true), e) == inf(true));
  CHECK(e.flags == exc::ZE);
}

TEST_CASE("zero divide gives a signed infinity", "[softfloat][arith]") {
  Env e = masked();
  CHECK(div(neg(kThree), zero(false), e) == inf(true));
  CHECK(e.flags == exc::ZE);
  e = masked();
  CHECK(div(inf(false), zero(true), e) == inf(true));  // inf / 0 is no zero divide
  CHECK(e.flags == 0);
}

TEST_CASE("overflow, masked and unmasked", "[softfloat][arith]") {
  const F80 big{0xc000000000000000ull, 0x7ffe};  // 1.5 * 2^16383
  Env e = masked();
  CHECK(mul(big, big, e) == inf(false));
  CHECK(e.flags == (exc::OE | exc::PE));
  CHECK(e.rounded_up);
  e = masked(Round::Zero);
  CHECK(add(big, big, e) == F80{~0ull, 0x7ffe});
  // Unmasked: 2.25 * 2^32766 delivered with the exponent reduced by 24576 (SDM §8.5.4).
  e = masked();
  e.masks = exc::kAll & ~exc::OE;
  CHECK(mul(big, big, e) == F80{0x9000000000000000ull, uint16_t(0x7fff + 0x3fff - 24576)});
  CHECK(e.flags == exc::OE);
}

TEST_CASE("precision control rounds results to 24 and 53 bits", "[softfloat][arith]") {
  // 1/3 = 1.0101... * 2^-2: at 24 bits the dropped part is 0.1010.. of an ulp (> half): up.
  Env e = masked(Round::Nearest, Prec::P24);
  CHECK(div(kOne, kThree, e) == F80{0xaaaaab0000000000ull, 0x3ffd});
  CHECK(e.flags == exc::PE);
  CHECK(e.rounded_up);
  e = masked(Round::Zero, Prec::P24);
  CHECK(div(kOne, kThree, e) == F80{0xaaaaaa0000000000ull, 0x3ffd});
  e = masked(Round::Up, Prec::P53);
  CHECK(div(kOne, kThree, e) == F80{0xaaaaaaaaaaaab000ull, 0x3ffd});
  // The reserved setting behaves as 64 bits.
  e = masked(Round::Nearest, Prec::Reserved);
  CHECK(div(kOne, kThree, e) == F80{0xaaaaaaaaaaaaaaabull, 0x3ffd});
}

TEST_CASE("sqrt is exact on squares and correctly rounded otherwise", "[softfloat][arith]") {
  Env e = masked();
  CHECK(sqrt(F80{0x9000000000000000ull, 0x4002}, e) == kThree);  // sqrt(9)
  CHECK(e.flags == 0);
  // sqrt(2) = 1.6A09E667F3BCC908B2F...: the 64-bit significand B504F333F9DE6484|597D.. rounds
  // down to nearest, up to +inf.
  CHECK(sqrt(kTwo, e) == F80{0xb504f333f9de6484ull, 0x3fff});
  e = masked(Round::Up);
  CHECK(sqrt(kTwo, e) == F80{0xb504f333f9de6485ull, 0x3fff});
  CHECK(e.rounded_up);
  // A denormal operand: sqrt(2^-16445) = 2^-8222.5.
  e = masked();
  CHECK(sqrt(kDenormal, e) == F80{0xb504f333f9de6484ull, uint16_t(0x3fff - 8223)});
  CHECK(e.flags == (exc::DE | exc::PE));
}
