// Decimal adjust instructions. Expected values are worked through the SDM Vol.2 pseudocode
// (DAA, DAS, AAA, AAS, AAM, AAD); the SDM's own examples are used where it gives them.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

void real_mode_with_handler(test::TestCpu& t, uint8_t vector) {
  t.real_mode();
  t.poke(vector * 4u, {0x00, 0x02, 0x00, 0x10});
  t.poke(0x10200, {0xf4});
}

uint16_t ax(test::TestCpu& t) { return uint16_t(t.s().regs[EAX]); }

}  // namespace

TEST_CASE("DAA after packed BCD addition", "[cpu][bcd]") {
  for (bool real : {true, false}) {
    test::TestCpu t;
    real ? t.real_mode() : t.flat32();
    // SDM example: 79h + 35h = AEh; DAA: low nibble E > 9 -> AL + 6 = B4h, AF = 1; old AL AEh >
    // 99h -> + 60h = 14h (mod 256), CF = 1. 14h has even parity; not zero, not negative.
    t.s().regs[EAX] = 0x79;
    t.s().regs[EBX] = 0x35;
    REQUIRE(t.run({0x00, 0xd8, 0x27}) == jit::StopReason::Halted);  // add al, bl; daa
    CHECK(ax(t) == 0x0014);
    CHECK((t.flags() & (fl::CF | fl::AF | fl::ZF | fl::SF | fl::PF)) == (fl::CF | fl::AF | fl::PF));
  }
  // 38h + 49h = 81h with AF (8 + 9 carries out of the low nibble): + 6 = 87h, AF; old AL 81h <=
  // 99h and CF = 0 -> CF = 0. 87h: SF, even parity (4 bits).
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EAX] = 0x38;
  REQUIRE(t.run({0x04, 0x49, 0x27}) == jit::StopReason::Halted);  // add al, 49h; daa
  CHECK(ax(t) == 0x0087);
  CHECK((t.flags() & (fl::CF | fl::AF | fl::ZF | fl::SF | fl::PF)) == (fl::AF | fl::SF | fl::PF));
}

TEST_CASE("DAS after packed BCD subtraction", "[cpu][bcd]") {
  test::TestCpu t;
  t.real_mode();
  // SDM example: 35h - 47h = EEh with CF = AF = 1; DAS: E > 9 -> AL - 6 = E8h, AF = 1; old CF
  // -> AL - 60h = 88h, CF = 1.
  t.s().regs[EAX] = 0x35;
  REQUIRE(t.run({0x2c, 0x47, 0x2f}) == jit::StopReason::Halted);  // sub al, 47h; das
  CHECK(ax(t) == 0x0088);
  CHECK((t.flags() & (fl::CF | fl::AF | fl::ZF | fl::SF | fl::PF)) == (fl::CF | fl::AF | fl::SF | fl::PF));

  // AL = 05h with AF = 1, CF = 0: AL - 6 borrows -> CF = 1, AL = FFh; old AL <= 99h and old CF
  // = 0, and the SDM's second step has no "ELSE CF := 0", so CF stays 1.
  t.real_mode();
  t.s().regs[EAX] = 0x05;
  write_eflags(t.s(), fl::AF, fl::kArith);
  REQUIRE(t.run({0x2f}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x00ff);
  CHECK((t.flags() & (fl::CF | fl::AF)) == (fl::CF | fl::AF));
}

TEST_CASE("AAA and AAS adjust AX as a whole", "[cpu][bcd]") {
  test::TestCpu t;
  t.real_mode();
  // 08h + 04h = 0Ch: C > 9 -> AX + 106h = 0112h -> AL AND 0Fh -> AX = 0102h, AF = CF = 1.
  t.s().regs[EAX] = 0x0008;
  REQUIRE(t.run({0x04, 0x04, 0x37}) == jit::StopReason::Halted);  // add al, 4; aaa
  CHECK(ax(t) == 0x0102);
  CHECK((t.flags() & (fl::CF | fl::AF)) == (fl::CF | fl::AF));

  // AX = 00FBh: B > 9 -> AX + 106h = 0201h: the carry out of AL reaches AH (386 and later; the
  // 8086 added 1 to AH only, giving 0101h).
  t.s().regs[EAX] = 0x00fb;
  write_eflags(t.s(), 0, fl::kArith);
  REQUIRE(t.run({0x37}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x0201);

  // AL = 05h, AF = 0: no adjustment; AL AND 0Fh; AF = CF = 0.
  t.s().regs[EAX] = 0x0335;
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0x37}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x0305);
  CHECK((t.flags() & (fl::CF | fl::AF)) == 0);

  // AAS: AX = 020Eh: E > 9 -> AX - 6 = 0208h, AH - 1 -> 0108h, AF = CF = 1.
  t.s().regs[EAX] = 0x020e;
  write_eflags(t.s(), 0, fl::kArith);
  REQUIRE(t.run({0x3f}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x0108);
  CHECK((t.flags() & (fl::CF | fl::AF)) == (fl::CF | fl::AF));

  // AAS with AF = 1 and AL = 03h: AX - 6 = 01FDh borrows from AH, AH - 1 -> 00FDh -> AX = 000Dh.
  t.flat32();
  t.s().regs[EAX] = 0xabcd0203;
  write_eflags(t.s(), fl::AF, fl::kArith);
  REQUIRE(t.run({0x3f}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0xabcd000d);
  CHECK((t.flags() & (fl::CF | fl::AF)) == (fl::CF | fl::AF));
}

TEST_CASE("AAM splits AL by the immediate base; base 0 raises #DE", "[cpu][bcd]") {
  test::TestCpu t;
  t.real_mode();
  // AL = 3Fh = 63: AH = 6, AL = 3; 03h has even parity -> PF, not ZF, not SF.
  t.s().regs[EAX] = 0xff3f;
  REQUIRE(t.run({0xd4, 0x0a}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x0603);
  CHECK((t.flags() & (fl::ZF | fl::SF | fl::PF)) == fl::PF);

  // Base 16: 3Fh -> AH = 3, AL = 0Fh.
  t.s().regs[EAX] = 0x003f;
  REQUIRE(t.run({0xd4, 0x10}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x030f);

  // AL = 0 -> AX = 0, ZF.
  t.s().regs[EAX] = 0x1200;
  REQUIRE(t.run({0xd4, 0x0a}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0);
  CHECK(t.flags() & fl::ZF);

  real_mode_with_handler(t, kDE);
  t.s().regs[EAX] = 0x1234;
  REQUIRE(t.run({0xd4, 0x00}) == jit::StopReason::Halted);
  CHECK(t.s().eip == 0x201);
  CHECK(t.peek16(0x1fff8) == 0x100);
  CHECK(ax(t) == 0x1234);
}

TEST_CASE("AAD folds AH into AL with the immediate base", "[cpu][bcd]") {
  for (bool real : {true, false}) {
    test::TestCpu t;
    real ? t.real_mode() : t.flat32();
    // AX = 0603h: AL = 3 + 6 * 10 = 63 = 3Fh, AH = 0; 3Fh has six bits set -> PF.
    t.s().regs[EAX] = 0x0603;
    REQUIRE(t.run({0xd5, 0x0a}) == jit::StopReason::Halted);
    CHECK(ax(t) == 0x003f);
    CHECK((t.flags() & (fl::ZF | fl::SF | fl::PF)) == fl::PF);
  }
  test::TestCpu t;
  t.real_mode();
  // Base 16: AX = 0305h -> 35h.
  t.s().regs[EAX] = 0x0305;
  REQUIRE(t.run({0xd5, 0x10}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x0035);
  // AX = FFFFh, base 10: FFh * 10 = 9F6h -> F6h; FFh + F6h = 1F5h -> AL = F5h: SF, even parity.
  t.s().regs[EAX] = 0xffff;
  REQUIRE(t.run({0xd5, 0x0a}) == jit::StopReason::Halted);
  CHECK(ax(t) == 0x00f5);
  CHECK((t.flags() & (fl::ZF | fl::SF | fl::PF)) == (fl::SF | fl::PF));
}
