// The wide (128-bit significand) arithmetic the transcendentals are computed in.
#include <catch2/catch.hpp>
#include <random>

#include "cpu/softfloat/wide.h"

using namespace sf::wide;

namespace {

// Bit-by-bit restoring division: the reference for the base-2^64 long division.
W reference_div(W a, W b) {
  int32_t e = a.exp - b.exp;
  u128 r = a.sig;
  bool top = false;
  if (r < b.sig) {
    top = true;
    r <<= 1;
    e -= 1;
  }
  u128 q = 0;
  for (int i = 0; i < 128; ++i) {
    q <<= 1;
    if (top || r >= b.sig) {
      r -= b.sig;
      q |= 1;
    }
    top = r >> 127;
    r <<= 1;
  }
  if (top || r) q |= 1;
  return W{q, e, a.neg != b.neg};
}

}  // namespace

TEST_CASE("wide division matches restoring division", "[softfloat][wide]") {
  std::mt19937_64 g(11);
  auto sig = [&]() {
    uint64_t hi = g() | (1ull << 63), lo = g();
    switch (g() % 5) {
      case 0: lo = 0; break;
      case 1: hi = lo = ~0ull; break;
      case 2: hi = 1ull << 63, lo = 0; break;
      case 3: lo = ~0ull >> (g() % 64); break;
      default: break;
    }
    return make_u128(hi, lo);
  };
  for (int i = 0; i < 100000; ++i) {
    W a{sig(), int32_t(g() % 100) - 50, bool(g() & 1)}, b{sig(), int32_t(g() % 100) - 50, false};
    if (i % 7 == 0) b.sig = a.sig;                            // quotient exactly 1
    if (i % 11 == 0 && a.sig != ~u128(0)) b.sig = a.sig + 1;  // just below 1
    W q = div(a, b), r = reference_div(a, b);
    INFO(i);
    REQUIRE(q.sig == r.sig);
    REQUIRE(q.exp == r.exp);
    REQUIRE(q.neg == r.neg);
  }
}

TEST_CASE("wide arithmetic jams what it drops", "[softfloat][wide]") {
  // 1/3: inexact, so the last bit is set; 1/2 exact.
  CHECK((div(kOne, from_u64(3)).sig & 1) == 1);
  CHECK(div(kOne, from_u64(2)).sig == kOne.sig);
  CHECK(div_small(kOne, 4).sig == kOne.sig);
  // 1 - 2^-200 does not look like 1.
  W tiny = scale2(kOne, -200);
  W d = sub(kOne, tiny);
  CHECK(d.sig != kOne.sig);
  CHECK(cmp_mag(d, kOne) < 0);
  // Exact products stay exact: (2^64 - 1)^2.
  W m = mul(from_u64(~0ull), from_u64(~0ull));
  CHECK(m.sig == make_u128(0xfffffffffffffffe, 0x0000000000000001));
}
