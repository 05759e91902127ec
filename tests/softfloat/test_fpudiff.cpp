// The soft-float core against the host's x87: a few thousand seeded random cases of every
// operation (ghost86-fpudiff runs millions). Skipped, with a notice, on hosts without an x87.
#include <catch2/catch.hpp>

#include "tests/softfloat/fpudiff.h"

TEST_CASE("softfloat matches the host x87 on random operands", "[softfloat][fpudiff]") {
  if (!fpudiff::host_x87_available()) {
    WARN("no host x87: the differential test is skipped");
    return;
  }
  for (const auto& s : fpudiff::run(7, 3000, fpudiff::core_ops(), 3)) {
    INFO(fpudiff::host_op_name(s.op));
    for (const auto& m : s.mismatches) UNSCOPED_INFO(m);
    CHECK(s.passed == s.cases);
  }
}

TEST_CASE("the x87 differential test detects a wrong result", "[softfloat][fpudiff]") {
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
