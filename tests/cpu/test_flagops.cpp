// CLC STC CMC CLD STD (SDM Vol.2): each changes exactly one flag.
#include <catch2/catch.hpp>

#include "tests/cpu/run_util.h"

using namespace cpu;
using jit::StopReason;

TEST_CASE("CLC STC CMC change only CF, also after lazily evaluated flags", "[cpu][flagops]") {
  for (bool real : {true, false}) {
    INFO((real ? "real mode" : "flat 32-bit"));
    test::TestCpu t;
    if (real) t.real_mode(); else t.flat32();
    // mov al,0ffh; add al,1 -> CF ZF AF PF; cmc
    REQUIRE(test::run(t, {0xb0, 0xff, 0x04, 0x01, 0xf5}) == StopReason::Halted);
    CHECK((t.flags() & fl::kArith) == (fl::ZF | fl::AF | fl::PF));
    REQUIRE(test::run(t, {0xf5}) == StopReason::Halted);  // cmc again
    CHECK((t.flags() & fl::kArith) == (fl::CF | fl::ZF | fl::AF | fl::PF));
    REQUIRE(test::run(t, {0xf8}) == StopReason::Halted);  // clc
    CHECK((t.flags() & fl::kArith) == (fl::ZF | fl::AF | fl::PF));
    REQUIRE(test::run(t, {0xf9}) == StopReason::Halted);  // stc
    CHECK((t.flags() & fl::kArith) == (fl::CF | fl::ZF | fl::AF | fl::PF));
    CHECK((t.flags() & ~fl::kArith) == fl::kFixed1);
  }
}

TEST_CASE("CLD and STD set the string direction", "[cpu][flagops]") {
  for (bool real : {true, false}) {
    INFO((real ? "real mode" : "flat 32-bit"));
    test::TestCpu t;
    if (real) t.real_mode(); else t.flat32();
    t.s().regs[ESI] = 0x2000;
    REQUIRE(test::run(t, {0xfd, 0xac}) == StopReason::Halted);  // std; lodsb
    CHECK((t.flags() & fl::DF) != 0);
    CHECK(t.s().regs[ESI] == 0x1fff);
    REQUIRE(test::run(t, {0xfc, 0xac}) == StopReason::Halted);  // cld; lodsb
    CHECK(t.flags() == fl::kFixed1);
    CHECK(t.s().regs[ESI] == 0x2000);
  }
}
