// The soft-float core against the host's x87: a few thousand seeded random cases of every
// operation (ghost86-fpudiff runs millions). Skipped, with a notice, on hosts without an x87.
#include <catch2/catch.hpp>

#include "tests/softfloat/fpudiff.h"

TEST_CASE("softfloat matches the host x87 on random operands", "[softfloat][fpudiff]") {
  if (!fpudiff::host_x87_available()) {
    WARN("no host x87: the differential test is skipped");
    return;
  }
  for (const auto& s : fpudiff::run(7, 3000, fpudiff::core_ops(), {3})) {
    INFO(fpudiff::host_op_name(s.op));
    for (const auto& m : s.mismatches) UNSCOPED_INFO(m);
    CHECK(s.passed == s.cases);
  }
}

TEST_CASE("the host x87 harness reads results and unmasked-exception state",
          "[softfloat][fpudiff]") {
  if (!fpudiff::host_x87_available()) return;
  // The host harness itself: 1 + 1 = 2 with no flags, and an unmasked overflow leaves the
  // wrapped exponent in the register (read back through FNSAVE without trapping).
  fpudiff::HostIn in;
  in.a = in.b = sf::F80{1ull << 63, 0x3fff};
  fpudiff::HostOut out = fpudiff::host_x87(fpudiff::HostOp::Add, in);
  CHECK(out.st[0] == sf::F80{1ull << 63, 0x4000});
  CHECK(out.flags() == 0);
  CHECK(out.depth == 2);
  in.fcw = 0x0377;  // OE unmasked
  in.a = in.b = sf::F80{1ull << 63, 0x7ffe};
  out = fpudiff::host_x87(fpudiff::HostOp::Mul, in);
  CHECK(out.flags() == sf::exc::OE);
  CHECK(out.st[0] == sf::F80{1ull << 63, 0x7ffe + 0x7ffe - 16383 - 24576});
}

TEST_CASE("the host x87 harness runs the transcendental instructions", "[softfloat][fpudiff]") {
  if (!fpudiff::host_x87_available()) return;
  using fpudiff::HostOp;
  const sf::F80 one{1ull << 63, 0x3fff};
  fpudiff::HostIn in;
  in.a = sf::zero(false);
  in.b = one;
  // FPTAN pushes 1.0 above tan(0) = 0; FSINCOS leaves cos in ST(0), sin in ST(1).
  fpudiff::HostOut out = fpudiff::host_x87(HostOp::Ptan, in);
  CHECK(out.st[0] == one);
  CHECK(out.st[1] == sf::zero(false));
  CHECK(out.depth == 2);  // one operand loaded, one pushed
  out = fpudiff::host_x87(HostOp::Sincos, in);
  CHECK(out.st[0] == one);
  CHECK(out.st[1] == sf::zero(false));
  // FPATAN pops: atan2(ST(1) = 1, ST(0) = 0) = pi/2, rounded to nearest.
  out = fpudiff::host_x87(HostOp::Patan, in);
  CHECK(out.depth == 1);
  CHECK(out.st[0] == sf::F80{0xc90fdaa22168c235ull, 0x3fff});
  // FYL2X: 1 * log2(1) = 0; F2XM1(0) = 0; FSIN(2^63) is out of range: C2 set, operand kept.
  in.a = one;
  out = fpudiff::host_x87(HostOp::Fyl2x, in);
  CHECK(out.st[0] == sf::zero(false));
  in.a = sf::F80{1ull << 63, 0x3fff + 63};
  out = fpudiff::host_x87(HostOp::Sin, in);
  CHECK(out.c2());
  CHECK(out.st[0] == in.a);
}
