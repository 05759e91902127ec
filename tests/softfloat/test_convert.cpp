// FLD/FST of single and double, FILD/FIST/FISTTP and FBLD/FBSTP (SDM Vol.2; Vol.1 §4.7, §4.8.3).
#include <algorithm>
#include <catch2/catch.hpp>

#include "cpu/softfloat/f80.h"

using namespace sf;

namespace {

constexpr uint64_t kTop = 1ull << 63;
F80 num(int64_t v) { return from_int(v); }
Env with_rc(Round rc) {
  Env e;
  e.rc = rc;
  return e;
}

}  // namespace

TEST_CASE("single and double loads are exact", "[softfloat][convert]") {
  Env e;
  CHECK(from_f32(0x3f800000, e) == F80{kTop, 0x3fff});   // 1.0f
  CHECK(from_f64(0xc008000000000000ull, e) == num(-3));  // -3.0
  CHECK(from_f32(0xff800000, e) == inf(true));
  CHECK(from_f32(0x80000000, e) == zero(true));
  CHECK(e.flags == 0);
  CHECK(from_f32(0x00000001, e) == F80{kTop, uint16_t(0x3fff - 149)});  // 2^-149, DE
  CHECK(e.flags == exc::DE);
  e = {};
  // A QNaN keeps its payload; an SNaN is quietened with IE.
  CHECK(from_f32(0x7fc00001, e) == F80{0xc000010000000000ull, 0x7fff});
  CHECK(e.flags == 0);
  CHECK(from_f64(0xfff0000000000001ull, e) == F80{0xc000000000000800ull, 0xffff});
  CHECK(e.flags == exc::IE);
}

TEST_CASE("single and double stores round, overflow and underflow", "[softfloat][convert]") {
  Env e;
  CHECK(to_f32(num(-3), e) == 0xc0400000u);
  CHECK(to_f64(F80{kTop, 0x3fff}, e) == 0x3ff0000000000000ull);
  CHECK(e.flags == 0);
  // 1 + 2^-24 is a tie at 24 bits: even (down); rounding up gives 1 + 2^-23.
  const F80 tie{kTop | (1ull << 39), 0x3fff};
  CHECK(to_f32(tie, e) == 0x3f800000u);
  CHECK(e.flags == exc::PE);
  e = with_rc(Round::Up);
  CHECK(to_f32(tie, e) == 0x3f800001u);
  CHECK(e.rounded_up);
  // Overflow: masked gives infinity (nearest) or the largest finite value (toward zero).
  e = {};
  CHECK(to_f32(F80{kTop, 0x3fff + 128}, e) == 0x7f800000u);
  CHECK(e.flags == (exc::OE | exc::PE));
  e = with_rc(Round::Zero);
  CHECK(to_f64(F80{kTop, 0xbfff + 1024}, e) == 0xffefffffffffffffull);
  // Underflow: 2^-149 is the smallest single denormal, exact; 2^-150 ties to zero.
  e = {};
  CHECK(to_f32(F80{kTop, 0x3fff - 149}, e) == 0x00000001u);
  CHECK(e.flags == 0);
  CHECK(to_f32(F80{kTop, 0x3fff - 150}, e) == 0x00000000u);
  CHECK(e.flags == (exc::UE | exc::PE));
  // Tininess is detected after rounding: just below 2^-126, rounding to 24 bits gives 2^-126,
  // the smallest normal single, so there is no underflow (masked or not).
  for (uint16_t masks : {exc::kAll, uint16_t(exc::kAll & ~exc::UE)}) {
    e = {};
    e.masks = masks;
    CHECK(to_f32(F80{0xfffffffffffffff8ull, 0x3fff - 127}, e) == 0x00800000u);
    CHECK(e.flags == exc::PE);
  }
  // NaNs: the payload is truncated; unsupported operands store the indefinite with IE.
  e = {};
  CHECK(to_f32(F80{0xc000010000000fffull, 0x7fff}, e) == 0x7fc00001u);
  CHECK(e.flags == 0);
  CHECK(to_f64(F80{1ull << 62, 0x3fff}, e) == 0xfff8000000000000ull);
  CHECK(e.flags == exc::IE);
}

TEST_CASE("FIST rounds, FISTTP truncates, overflow stores the integer indefinite",
          "[softfloat][convert]") {
  const F80 m2_5{0xa000000000000000ull, 0xc000};  // -2.5
  Env e;
  CHECK(to_int(m2_5, 16, false, e) == -2);  // nearest even
  CHECK(e.flags == exc::PE);
  e = with_rc(Round::Down);
  CHECK(to_int(m2_5, 32, false, e) == -3);
  CHECK(e.rounded_up);
  e = with_rc(Round::Up);
  CHECK(to_int(m2_5, 64, true, e) == -2);  // FISTTP ignores the rounding control
  // Range: -32768 fits 16 bits, 32768 and 32767.5 (rounding to 32768) do not.
  e = {};
  CHECK(to_int(num(-32768), 16, false, e) == -32768);
  CHECK(e.flags == 0);
  CHECK(to_int(num(32768), 16, false, e) == -32768);
  CHECK(e.flags == exc::IE);
  e = {};
  CHECK(to_int(F80{0xffff000000000000ull, 0x400d}, 16, false, e) == -32768);  // 32767.5
  CHECK(e.flags == exc::IE);
  e = {};
  CHECK(to_int(F80{0xffff000000000000ull, 0x400d}, 16, true, e) == 32767);  // truncated fits
  CHECK(e.flags == exc::PE);
  e = {};
  CHECK(to_int(F80{kTop, 0x3fff + 63}, 64, false, e) == INT64_MIN);  // 2^63
  CHECK(e.flags == exc::IE);
  e = {};
  CHECK(to_int(F80{kTop, 0xbfff + 63}, 64, false, e) == INT64_MIN);  // -2^63 fits
  CHECK(e.flags == 0);
  CHECK(to_int(kIndefinite, 32, false, e) == INT32_MIN);
  CHECK(e.flags == exc::IE);
  // A denormal rounds like any small value, without DE.
  e = with_rc(Round::Up);
  CHECK(to_int(F80{1, 0}, 32, false, e) == 1);
  CHECK(e.flags == exc::PE);
}

TEST_CASE("packed BCD round trips and the BCD indefinite", "[softfloat][bcd]") {
  const uint8_t bcd[10] = {0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80};
  const F80 v = from_bcd(bcd);
  CHECK(v == num(-234567890123456789));
  uint8_t out[10];
  Env e;
  to_bcd(v, out, e);
  CHECK(std::equal(out, out + 10, bcd));
  CHECK(e.flags == 0);
  const uint8_t neg_zero[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};
  CHECK(from_bcd(neg_zero) == zero(true));
  // 999999999999999999.5 rounds out of range (nearest even): #I and FFFF C000 0000 0000 0000.
  const uint8_t indefinite[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
  to_bcd(num(999999999999999999), out, e);
  CHECK(out[0] == 0x99);
  CHECK(out[8] == 0x99);
  to_bcd(num(1000000000000000000), out, e);
  CHECK(std::equal(out, out + 10, indefinite));
  CHECK(e.flags == exc::IE);
  e = {};
  to_bcd(inf(false), out, e);
  CHECK(std::equal(out, out + 10, indefinite));
  CHECK(e.flags == exc::IE);
  // Rounding by the control word: 2.5 -> 2 (nearest), 3 (up).
  e = with_rc(Round::Up);
  to_bcd(F80{0xa000000000000000ull, 0x4000}, out, e);
  CHECK(out[0] == 0x03);
  CHECK(e.flags == exc::PE);
}
