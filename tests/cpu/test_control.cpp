// Control transfers: near/far JMP, CALL, RET, Jcc wrap, LOOP family, JCXZ, INT/IRET, INTO,
// BOUND. Expected values follow the SDM Vol.2 pseudocode of each instruction; the reasoning is
// in the comments.
#include <catch2/catch.hpp>

#include "cpu/helpers/helpers.h"
#include "tests/cpu/harness.h"

using namespace cpu;
using jit::StopReason;

namespace {

constexpr uint32_t kCode = 0x10000;  // real_mode(): CS = DS = SS = 0x1000, IP = 0x100

// Points IVT entry `vector` at 1000:`ip` where a HLT waits, so real-mode exceptions and
// interrupts can be observed (the vector's frame is at SS:SP afterwards).
void hlt_handler(test::TestCpu& t, uint8_t vector, uint16_t ip = 0x0f00) {
  t.poke(vector * 4u, {uint8_t(ip), uint8_t(ip >> 8), 0x00, 0x10});
  t.poke(kCode + ip, {0xf4});
}

uint16_t sp(test::TestCpu& t) { return uint16_t(t.s().regs[ESP]); }
uint16_t stack16(test::TestCpu& t, unsigned off) { return t.peek16(kCode + sp(t) + off); }

}  // namespace

TEST_CASE("real mode CALL rel16 pushes the next IP and RET returns to it", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  // 100: call 106 / 103: hlt / 104: nop nop / 106: mov bx,1234h / 109: ret
  t.poke(kCode + 0x103, {0xf4, 0x90, 0x90, 0xbb, 0x34, 0x12, 0xc3});
  REQUIRE(t.run({0xe8, 0x03, 0x00}) == StopReason::Halted);
  CHECK((t.s().regs[EBX] & 0xffff) == 0x1234);
  CHECK(t.s().eip == 0x104);       // halted after the HLT at 103
  CHECK(sp(t) == 0xfffe);          // RET popped what CALL pushed
  CHECK(t.peek16(kCode + 0xfffc) == 0x0103);  // the return address CALL stored
}

TEST_CASE("flat32 CALL rel32 and RET imm16 release the arguments", "[cpu][control]") {
  test::TestCpu t;
  t.flat32();
  // 10000: call 10008 / 10005: hlt / 10008: ret 8
  t.poke(0x10005, {0xf4, 0x90, 0x90, 0xc2, 0x08, 0x00});
  REQUIRE(t.run({0xe8, 0x03, 0x00, 0x00, 0x00}) == StopReason::Halted);
  CHECK(t.s().eip == 0x10006);
  // CALL: ESP = 80000h - 4, [7FFFCh] = 10005h; RET 8: ESP = 7FFFCh + 4 + 8.
  CHECK(t.peek32(0x7fffc) == 0x10005);
  CHECK(t.s().regs[ESP] == 0x80008);
}

TEST_CASE("CALL through memory reads the target with the old ESP", "[cpu][control]") {
  test::TestCpu t;
  t.flat32();
  t.poke(0x80000, {0x00, 0x02, 0x01, 0x00});  // [ESP] = 10200h
  t.poke(0x10200, {0xb9, 0x07, 0, 0, 0, 0xf4});  // mov ecx,7; hlt
  REQUIRE(t.run({0xff, 0x14, 0x24}) == StopReason::Halted);  // call [esp]
  CHECK(t.s().regs[ECX] == 7);
  CHECK(t.s().regs[ESP] == 0x7fffc);
  CHECK(t.peek32(0x7fffc) == 0x10003);  // next instruction after the 3-byte CALL
}

TEST_CASE("JMP r/m16 and CALL r16 in real mode", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EAX] = 0xabcd0200;  // only AX is the target with a 16-bit operand size
  t.poke(kCode + 0x200, {0xf4});
  REQUIRE(t.run({0xff, 0xe0}) == StopReason::Halted);  // jmp ax
  CHECK(t.s().eip == 0x201);
  t.real_mode();
  t.s().regs[EBX] = 0x0200;
  REQUIRE(t.run({0xff, 0xd3}) == StopReason::Halted);  // call bx
  CHECK(t.s().eip == 0x201);
  CHECK(stack16(t, 0) == 0x102);
}

TEST_CASE("short JMP and Jcc wrap IP at 64 KiB in 16-bit code", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode(0x1000, 0xfff0);
  // jmp short +10h at FFF0: FFF2 + 10h = 10002h, wrapped to 0002h.
  t.poke(kCode + 0x0002, {0xf4});
  REQUIRE(t.run({0xeb, 0x10}) == StopReason::Halted);
  CHECK(t.s().eip == 0x0003);
  t.real_mode(0x1000, 0xfff0);
  write_eflags(t.s(), fl::ZF, fl::ZF);
  REQUIRE(t.run({0x74, 0x10}) == StopReason::Halted);  // jz: taken, same wrap
  CHECK(t.s().eip == 0x0003);
}

TEST_CASE("far JMP ptr16:16 in real mode loads CS with base selector*16", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(0x20010, {0x8c, 0xc8, 0xf4});  // mov ax,cs; hlt
  REQUIRE(t.run({0xea, 0x10, 0x00, 0x00, 0x20}) == StopReason::Halted);  // jmp 2000:0010
  CHECK((t.s().regs[EAX] & 0xffff) == 0x2000);
  CHECK(t.s().seg[CS].base == 0x20000);
  CHECK(t.s().eip == 0x13);
}

TEST_CASE("far JMP m16:16 in real mode", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kCode + 0x300, {0x10, 0x00, 0x00, 0x20});  // 2000:0010
  t.poke(0x20010, {0xf4});
  REQUIRE(t.run({0xff, 0x2e, 0x00, 0x03}) == StopReason::Halted);  // jmp far [0300h]
  CHECK(t.s().seg[CS].sel == 0x2000);
  CHECK(t.s().eip == 0x11);
}

TEST_CASE("real mode far CALL pushes CS then IP; RETF imm16 returns and releases", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[ESP] = 0xfff0;
  t.poke(0x20010, {0xca, 0x04, 0x00});  // retf 4
  REQUIRE(t.run({0x9a, 0x10, 0x00, 0x00, 0x20}) == StopReason::Halted);  // call 2000:0010
  CHECK(t.s().seg[CS].sel == 0x1000);
  CHECK(t.s().eip == 0x106);  // returned to 105 and halted there
  // CALL: CS at FFEE, IP 0105 at FFEC; RETF 4: SP = FFEC + 4 + 4 = FFF4.
  CHECK(t.peek16(kCode + 0xffee) == 0x1000);
  CHECK(t.peek16(kCode + 0xffec) == 0x0105);
  CHECK(sp(t) == 0xfff4);
}

TEST_CASE("far CALL with a 32-bit operand size in real mode uses 4-byte slots", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(0x20010, {0x66, 0xcb});  // retfd
  // call dword 2000:00000010 (66 9A)
  REQUIRE(t.run({0x66, 0x9a, 0x10, 0x00, 0x00, 0x00, 0x00, 0x20}) == StopReason::Halted);
  CHECK(t.peek32(kCode + 0xfffa) == 0x1000);  // CS, zero-extended to 32 bits
  CHECK(t.peek32(kCode + 0xfff6) == 0x0108);
  CHECK(sp(t) == 0xfffe);
  CHECK(t.s().eip == 0x109);
}

TEST_CASE("LOOP counts CX by the address size and keeps the upper half of ECX", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[ECX] = 0x00020003;
  // add bx,1; loop -5: three passes with CX = 3, 2, 1 -> 0.
  REQUIRE(t.run({0x83, 0xc3, 0x01, 0xe2, 0xfb}) == StopReason::Halted);
  CHECK((t.s().regs[EBX] & 0xffff) == 3);
  CHECK(t.s().regs[ECX] == 0x00020000);
}

TEST_CASE("LOOP with a 67h prefix in real mode counts ECX", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[ECX] = 0x00010001;  // CX alone would stop after one pass
  REQUIRE(t.run({0x83, 0xc3, 0x01, 0x67, 0xe2, 0xfa}, 1000000) == StopReason::Halted);
  CHECK((t.s().regs[EBX] & 0xffff) == 0x0001);  // 10001h passes, BX wraps to 1
  CHECK(t.s().regs[ECX] == 0);
}

TEST_CASE("LOOP with a 67h prefix in 32-bit code counts CX", "[cpu][control]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[ECX] = 0x00010002;
  REQUIRE(t.run({0x83, 0xc3, 0x01, 0x67, 0xe2, 0xfa}) == StopReason::Halted);
  CHECK(t.s().regs[EBX] == 2);
  CHECK(t.s().regs[ECX] == 0x00010000);
}

TEST_CASE("LOOPNE stops when ZF becomes set, LOOPE when it becomes clear", "[cpu][control]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[ECX] = 10;
  // add ebx,1; cmp ebx,3; loopne -8: exits at EBX = 3 (ZF = 1) after 3 decrements.
  REQUIRE(t.run({0x83, 0xc3, 0x01, 0x83, 0xfb, 0x03, 0xe0, 0xf8}) == StopReason::Halted);
  CHECK(t.s().regs[EBX] == 3);
  CHECK(t.s().regs[ECX] == 7);
  t.flat32();
  t.s().regs[ECX] = 10;
  t.s().regs[EBX] = 0;
  // add ebx,0; cmp ebx,0; loope -8: ZF stays 1, so only ECX ends it, after 10 passes.
  REQUIRE(t.run({0x83, 0xc3, 0x00, 0x83, 0xfb, 0x00, 0xe1, 0xf8}) == StopReason::Halted);
  CHECK(t.s().regs[ECX] == 0);
  t.flat32();
  t.s().regs[ECX] = 10;
  t.s().regs[EBX] = 0;
  // add ebx,1; cmp ebx,1; loope -8: first pass ZF = 1 continues, second ZF = 0 stops.
  REQUIRE(t.run({0x83, 0xc3, 0x01, 0x83, 0xfb, 0x01, 0xe1, 0xf8}) == StopReason::Halted);
  CHECK(t.s().regs[EBX] == 2);
  CHECK(t.s().regs[ECX] == 8);
}

TEST_CASE("JCXZ tests CX, JECXZ tests ECX", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[ECX] = 0x00010000;
  // jcxz +1 over a HLT: CX = 0, so taken; then mov bx,1 runs.
  REQUIRE(t.run({0xe3, 0x01, 0xf4, 0xbb, 0x01, 0x00}) == StopReason::Halted);
  CHECK((t.s().regs[EBX] & 0xffff) == 1);
  t.real_mode();
  t.s().regs[ECX] = 0x00010000;
  t.s().regs[EBX] = 0;
  // 67 E3 is JECXZ: ECX != 0, not taken, halts at once.
  REQUIRE(t.run({0x67, 0xe3, 0x01, 0xf4, 0xbb, 0x01, 0x00}) == StopReason::Halted);
  CHECK((t.s().regs[EBX] & 0xffff) == 0);
  CHECK(t.s().eip == 0x104);
}

TEST_CASE("real mode INT n pushes FLAGS, CS, next IP; IRET restores them", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(0x21 * 4, {0x00, 0x02, 0x00, 0x10});  // IVT[21h] = 1000:0200
  t.poke(kCode + 0x200, {0xf4, 0xcf});        // hlt; iret
  write_eflags(t.s(), fl::IF | fl::CF, fl::IF | fl::CF);
  REQUIRE(t.run({0xcd, 0x21}) == StopReason::Halted);
  CHECK(t.s().eip == 0x201);
  CHECK(stack16(t, 0) == 0x102);  // INT n is a trap: the next instruction
  CHECK(stack16(t, 2) == 0x1000);
  CHECK(stack16(t, 4) == (fl::kFixed1 | fl::IF | fl::CF));
  CHECK(!(t.flags() & fl::IF));  // cleared by delivery
  CHECK(t.flags() & fl::CF);     // arithmetic flags untouched
  // Resume: IRET returns to 102 (the HLT after INT) with IF restored.
  t.s().halted = 0;
  REQUIRE(t.engine.run(t.s().icount + 100) == StopReason::Halted);
  CHECK(t.s().eip == 0x103);
  CHECK(sp(t) == 0xfffe);
  CHECK(t.flags() & fl::IF);
}

TEST_CASE("real mode 16-bit IRET loads IOPL and NT; IRETD keeps VM", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[ESP] = 0xfff0;
  // Frame: IP 0200, CS 1000, FLAGS = NT | IOPL 3 | DF | CF.
  t.poke(kCode + 0xfff0, {0x00, 0x02, 0x00, 0x10, 0x01, 0x74});
  t.poke(kCode + 0x200, {0xf4});
  REQUIRE(t.run({0xcf}) == StopReason::Halted);
  CHECK(t.s().eip == 0x201);
  CHECK((t.flags() & 0xffff) == (0x7401 | fl::kFixed1));
  CHECK(sp(t) == 0xfff6);

  t.real_mode();
  t.s().regs[ESP] = 0xfff0;
  // IRETD frame: EIP 200h, CS 1000h, EFLAGS with VM, RF, AC and ZF set: 257FD5h keeps RF, AC
  // and ZF and drops VM (SDM Vol.2 IRET, real-address mode).
  t.poke(kCode + 0xfff0, {0x00, 0x02, 0, 0, 0x00, 0x10, 0, 0, 0x40, 0x00, 0x07, 0x00});
  REQUIRE(t.run({0x66, 0xcf}) == StopReason::Halted);
  // RF then lasts until the next instruction (HLT) starts (SDM Vol.3 §17.3.1.1).
  CHECK(t.flags() == (fl::kFixed1 | fl::ZF | fl::AC));
  CHECK(sp(t) == 0xfffc);
}

TEST_CASE("INT3, INT1 and INTO push the next IP; INTO only traps with OF", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  hlt_handler(t, kBP);
  REQUIRE(t.run({0xcc}) == StopReason::Halted);
  CHECK(t.s().eip == 0xf01);
  CHECK(stack16(t, 0) == 0x101);

  t.real_mode();
  hlt_handler(t, kDB);
  REQUIRE(t.run({0xf1}) == StopReason::Halted);
  CHECK(t.s().eip == 0xf01);
  CHECK(stack16(t, 0) == 0x101);

  t.real_mode();
  hlt_handler(t, kOF);
  REQUIRE(t.run({0xce}) == StopReason::Halted);  // OF = 0: falls through to the HLT at 101
  CHECK(t.s().eip == 0x102);
  t.real_mode();
  write_eflags(t.s(), fl::OF, fl::OF);
  REQUIRE(t.run({0xce}) == StopReason::Halted);
  CHECK(t.s().eip == 0xf01);
  CHECK(stack16(t, 0) == 0x101);
}

TEST_CASE("BOUND raises #BR as a fault naming the BOUND itself", "[cpu][control]") {
  test::TestCpu t;
  t.real_mode();
  hlt_handler(t, kBR);
  t.poke(kCode + 0x300, {0xfb, 0xff, 0x05, 0x00});  // bounds -5 .. 5 (signed words)
  t.s().regs[EAX] = 0xffff;                         // -1: inside
  REQUIRE(t.run({0x62, 0x06, 0x00, 0x03}) == StopReason::Halted);  // bound ax,[0300h]
  CHECK(t.s().eip == 0x105);
  t.real_mode();
  hlt_handler(t, kBR);
  t.s().regs[EAX] = 6;  // above the upper bound
  REQUIRE(t.run({0x62, 0x06, 0x00, 0x03}) == StopReason::Halted);
  CHECK(t.s().eip == 0xf01);
  CHECK(stack16(t, 0) == 0x100);
  t.real_mode();
  hlt_handler(t, kBR);
  t.s().regs[EAX] = 0xfffa;  // -6: below the lower bound
  REQUIRE(t.run({0x62, 0x06, 0x00, 0x03}) == StopReason::Halted);
  CHECK(stack16(t, 0) == 0x100);
}

TEST_CASE("BOUND r32 in flat 32-bit code compares signed dwords", "[cpu][control]") {
  test::TestCpu t;
  t.flat32();
  t.poke(0x20000, {0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f});  // INT32_MIN .. INT32_MAX
  t.s().regs[EAX] = 0x80000000;
  REQUIRE(t.run({0x62, 0x05, 0x00, 0x00, 0x02, 0x00}) == StopReason::Halted);
  CHECK(t.s().eip == 0x10007);
  // Out of range here would be #BR in protected mode; checked through the helper.
  CHECK_THROWS_AS(helper_bound(t.cpu, 5, 6, 10, 0), CpuException);
  CHECK(helper_bound(t.cpu, 10, 6, 10, 0) == 0);
}
