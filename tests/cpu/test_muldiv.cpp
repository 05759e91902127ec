// MUL, IMUL, DIV, IDIV. Expected values follow the SDM Vol.2 definitions; SF ZF AF PF are
// undefined after multiplication and every flag after division, so only CF/OF are checked there.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

constexpr uint32_t kCO = fl::CF | fl::OF;

// Real mode with the IVT entry for `vector` pointing at a HLT at 1000:0200. Code runs at
// 1000:0100 with SS:SP = 1000:FFFE, so an exception pushes IP at 1000:FFF8.
void real_mode_with_handler(test::TestCpu& t, uint8_t vector) {
  t.real_mode();
  t.poke(vector * 4u, {0x00, 0x02, 0x00, 0x10});
  t.poke(0x10200, {0xf4});
}

// Runs one instruction that must raise #DE: the handler is reached, the pushed IP names the
// instruction, and no general register changed.
void expect_de(test::TestCpu& t, std::initializer_list<uint8_t> code) {
  uint32_t before[8];
  std::copy(t.s().regs, t.s().regs + 8, before);
  REQUIRE(t.run(code) == jit::StopReason::Halted);
  CHECK(t.s().eip == 0x201);  // halted in the handler
  CHECK(t.peek16(0x1fff8) == 0x100);
  for (unsigned r = 0; r < 8; r++) {
    if (r == ESP) continue;
    CHECK(t.s().regs[r] == before[r]);
  }
}

}  // namespace

TEST_CASE("MUL r8/r16 set CF=OF when the high half is non-zero", "[cpu][muldiv]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EAX] = 0x1280;
  t.s().regs[EBX] = 0x02;
  REQUIRE(t.run({0xf6, 0xe3}) == jit::StopReason::Halted);  // mul bl: 80h * 2 = 0100h
  CHECK((t.s().regs[EAX] & 0xffff) == 0x0100);
  CHECK((t.flags() & kCO) == kCO);

  t.s().regs[EAX] = 0x10;
  t.s().regs[EBX] = 0x0f;
  REQUIRE(t.run({0xf6, 0xe3}) == jit::StopReason::Halted);  // 10h * 0Fh = 00F0h: AH = 0
  CHECK((t.s().regs[EAX] & 0xffff) == 0x00f0);
  CHECK((t.flags() & kCO) == 0);

  t.s().regs[EAX] = 0xffff;
  t.s().regs[EBX] = 0xffff;
  t.s().regs[EDX] = 0x12340000;
  REQUIRE(t.run({0xf7, 0xe3}) == jit::StopReason::Halted);  // mul bx: FFFFh^2 = FFFE0001h
  CHECK((t.s().regs[EAX] & 0xffff) == 0x0001);
  CHECK(t.s().regs[EDX] == 0x1234fffe);  // only DX is written
  CHECK((t.flags() & kCO) == kCO);
}

TEST_CASE("MUL r32 and 32-bit IMUL forms", "[cpu][muldiv]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x80000000;
  t.s().regs[EBX] = 4;
  REQUIRE(t.run({0xf7, 0xe3}) == jit::StopReason::Halted);  // mul ebx: 2^31 * 4 = 2^33
  CHECK(t.s().regs[EAX] == 0);
  CHECK(t.s().regs[EDX] == 2);
  CHECK((t.flags() & kCO) == kCO);

  // imul ebx with -1 * -1 = 1: EDX:EAX = 0:1, the high half is the sign extension -> CF=OF=0.
  t.s().regs[EAX] = 0xffffffff;
  t.s().regs[EBX] = 0xffffffff;
  REQUIRE(t.run({0xf7, 0xeb}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 1);
  CHECK(t.s().regs[EDX] == 0);
  CHECK((t.flags() & kCO) == 0);

  // imul eax, ebx (0F AF): 10000h * 10000h = 2^32 truncates to 0 -> CF=OF=1.
  t.s().regs[EAX] = 0x10000;
  t.s().regs[EBX] = 0x10000;
  REQUIRE(t.run({0x0f, 0xaf, 0xc3}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0);
  CHECK((t.flags() & kCO) == kCO);

  // imul ecx, ebx, -3 (6B /r ib, sign-extended): 7 * -3 = -21 fits -> CF=OF=0.
  t.s().regs[EBX] = 7;
  REQUIRE(t.run({0x6b, 0xcb, 0xfd}) == jit::StopReason::Halted);
  CHECK(t.s().regs[ECX] == uint32_t(-21));
  CHECK((t.flags() & kCO) == 0);

  // imul edx, [0x20000], 40000000h (69 /r id): 4 * 2^30 = 2^32 does not fit -> CF=OF=1.
  t.poke(0x20000, {4, 0, 0, 0});
  REQUIRE(t.run({0x69, 0x15, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x40}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EDX] == 0);
  CHECK((t.flags() & kCO) == kCO);
}

TEST_CASE("IMUL r8 and 16-bit forms: CF=OF when the product needs the high half", "[cpu][muldiv]") {
  test::TestCpu t;
  t.real_mode();
  // imul bl: -128 * -1 = +128 = 0080h; AH = 00h is not the sign extension of AL = 80h.
  t.s().regs[EAX] = 0x80;
  t.s().regs[EBX] = 0xff;
  REQUIRE(t.run({0xf6, 0xeb}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x0080);
  CHECK((t.flags() & kCO) == kCO);

  // imul bl: -2 * 3 = -6 = FFFAh: AH is the sign extension of AL.
  t.s().regs[EAX] = 0xfe;
  t.s().regs[EBX] = 0x03;
  REQUIRE(t.run({0xf6, 0xeb}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0xfffa);
  CHECK((t.flags() & kCO) == 0);

  // imul ax, bx, -1 (6B C3 FF): 8000h * -1 = +32768 does not fit 16 bits -> AX = 8000h.
  t.s().regs[EBX] = 0x8000;
  REQUIRE(t.run({0x6b, 0xc3, 0xff}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x8000);
  CHECK((t.flags() & kCO) == kCO);

  // imul cx (F7 E9): AX = -300 (FED4h) * CX = 300 = -90000 = FFFEA070h -> DX = FFFEh,
  // AX = A070h; DX is not the sign extension of AX (FFFFh).
  t.s().regs[EAX] = 0xfed4;
  t.s().regs[ECX] = 300;
  REQUIRE(t.run({0xf7, 0xe9}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0xa070);
  CHECK((t.s().regs[EDX] & 0xffff) == 0xfffe);
  CHECK((t.flags() & kCO) == kCO);
}

TEST_CASE("DIV and IDIV quotients and remainders", "[cpu][muldiv]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EAX] = 0x0100;
  t.s().regs[EBX] = 3;
  REQUIRE(t.run({0xf6, 0xf3}) == jit::StopReason::Halted);  // div bl: 256 / 3 = 85 r 1
  CHECK((t.s().regs[EAX] & 0xffff) == 0x0155);

  t.s().regs[EDX] = 1;
  t.s().regs[EAX] = 0;
  t.s().regs[EBX] = 0x100;
  REQUIRE(t.run({0xf7, 0xf3}) == jit::StopReason::Halted);  // div bx: 10000h / 100h = 100h r 0
  CHECK((t.s().regs[EAX] & 0xffff) == 0x100);
  CHECK((t.s().regs[EDX] & 0xffff) == 0);

  // idiv bl: -7 / 2 = -3 r -1 (truncation toward zero; the remainder takes the dividend's sign)
  t.s().regs[EAX] = 0xfff9;
  t.s().regs[EBX] = 2;
  REQUIRE(t.run({0xf6, 0xfb}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0xfffd);

  // idiv bl: -256 / 2 = -128 r 0: the most negative quotient is allowed (SDM: temp < 80h faults).
  t.s().regs[EAX] = 0xff00;
  REQUIRE(t.run({0xf6, 0xfb}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x0080);

  t.flat32();
  t.s().regs[EDX] = 1;
  t.s().regs[EAX] = 5;
  t.s().regs[EBX] = 2;
  REQUIRE(t.run({0xf7, 0xf3}) == jit::StopReason::Halted);  // div ebx: (2^32 + 5) / 2
  CHECK(t.s().regs[EAX] == 0x80000002);
  CHECK(t.s().regs[EDX] == 1);

  // idiv dword [0x20000] = 4: EDX:EAX = -9 -> -2 r -1.
  t.poke(0x20000, {4, 0, 0, 0});
  t.s().regs[EDX] = 0xffffffff;
  t.s().regs[EAX] = uint32_t(-9);
  REQUIRE(t.run({0xf7, 0x3d, 0x00, 0x00, 0x02, 0x00}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == uint32_t(-2));
  CHECK(t.s().regs[EDX] == uint32_t(-1));
}

TEST_CASE("DIV/IDIV raise #DE precisely on zero divisors and quotient overflow", "[cpu][muldiv]") {
  test::TestCpu t;
  SECTION("div bl, BL = 0") {
    real_mode_with_handler(t, kDE);
    t.s().regs[EAX] = 0x1234;
    expect_de(t, {0xf6, 0xf3});
  }
  SECTION("div bl: 100h / 1 does not fit AL") {
    real_mode_with_handler(t, kDE);
    t.s().regs[EAX] = 0x100;
    t.s().regs[EBX] = 1;
    expect_de(t, {0xf6, 0xf3});
  }
  SECTION("div word [0x300]: DX:AX = 00020000h / 2 = 10000h does not fit AX") {
    real_mode_with_handler(t, kDE);
    t.poke(0x10300, {2, 0});
    t.s().regs[EDX] = 2;
    expect_de(t, {0xf7, 0x36, 0x00, 0x03});
  }
  SECTION("idiv bl: -32768 / -1 = +32768") {
    real_mode_with_handler(t, kDE);
    t.s().regs[EAX] = 0x8000;
    t.s().regs[EBX] = 0xff;
    expect_de(t, {0xf6, 0xfb});
  }
  SECTION("idiv bl: 256 / 2 = +128 is one past the largest quotient") {
    real_mode_with_handler(t, kDE);
    t.s().regs[EAX] = 0x100;
    t.s().regs[EBX] = 2;
    expect_de(t, {0xf6, 0xfb});
  }
  SECTION("idiv ebx: -2^63 / -1") {
    real_mode_with_handler(t, kDE);
    t.s().regs[EDX] = 0x80000000;
    t.s().regs[EAX] = 0;
    t.s().regs[EBX] = 0xffffffff;
    expect_de(t, {0x66, 0xf7, 0xfb});
  }
  SECTION("idiv ebx: -2^31 - 1 quotient is one past the most negative") {
    // EDX:EAX = -(2^31 + 1) * 1 with divisor 1: quotient -2147483649 < -2^31.
    real_mode_with_handler(t, kDE);
    t.s().regs[EDX] = 0xffffffff;
    t.s().regs[EAX] = 0x7fffffff;
    t.s().regs[EBX] = 1;
    expect_de(t, {0x66, 0xf7, 0xfb});
  }
}
