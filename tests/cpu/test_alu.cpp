// ALU instructions. Expected values follow the SDM's definitions of each instruction and flag.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

TEST_CASE("ADD r32, r32 sets OF SF AF PF on signed overflow", "[cpu][alu]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x7fffffff;
  t.s().regs[EBX] = 1;
  REQUIRE(t.run({0x01, 0xd8}) == jit::StopReason::Halted);  // add eax, ebx
  CHECK(t.s().regs[EAX] == 0x80000000);
  // 0x7fffffff + 1: OF (positive + positive = negative), SF, AF (carry out of bit 3), PF (low
  // byte 0x00 has even parity), no CF, no ZF.
  CHECK((t.flags() & fl::kArith) == (fl::OF | fl::SF | fl::AF | fl::PF));
}

TEST_CASE("real mode ADD AX, imm16 wraps to zero with CF ZF", "[cpu][alu]") {
  test::TestCpu t;
  t.real_mode();
  REQUIRE(t.run({0xb8, 0x34, 0x12, 0x05, 0xcc, 0xed}) == jit::StopReason::Halted);  // mov ax,1234h; add ax,0edcch
  CHECK((t.s().regs[EAX] & 0xffff) == 0);
  CHECK((t.flags() & fl::kArith) == (fl::CF | fl::PF | fl::AF | fl::ZF));
}

TEST_CASE("CMP then JB takes the branch for unsigned below", "[cpu][alu][control]") {
  test::TestCpu t;
  t.flat32();
  // mov eax,1; cmp eax,2; jb +5; mov ebx,0x11; hlt; mov ebx,0x22
  REQUIRE(t.run({0xb8, 1, 0, 0, 0, 0x83, 0xf8, 0x02, 0x72, 0x06, 0xbb, 0x11, 0, 0, 0, 0xf4,
                 0xbb, 0x22, 0, 0, 0}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EBX] == 0x22);
}

namespace {

constexpr uint32_t kOSZAPC = fl::kArith;

// Real mode with the IVT entry for `vector` pointing at a HLT at 1000:0200, so an exception
// stops the run there. The code runs at 1000:0100 with SS:SP = 1000:FFFE.
void real_mode_with_handler(test::TestCpu& t, uint8_t vector) {
  t.real_mode();
  t.poke(vector * 4u, {0x00, 0x02, 0x00, 0x10});
  t.poke(0x10200, {0xf4});
}

}  // namespace

TEST_CASE("ADC adds the carry in; flags follow the full sum", "[cpu][alu]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0xffffffff;
  t.s().regs[EBX] = 0;
  // CF = 1; adc eax, ebx: FFFFFFFFh + 0 + 1 = 1_00000000h -> 0, CF; the low nibble F + 1
  // carries (AF); ZF; PF (low byte 00h); -1 + 0 + 1 does not overflow.
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0x11, 0xd8}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0);
  CHECK((t.flags() & kOSZAPC) == (fl::CF | fl::AF | fl::ZF | fl::PF));
}

TEST_CASE("SBB with a borrow in: conditions see the borrow", "[cpu][alu]") {
  for (bool real : {false, true}) {
    test::TestCpu t;
    real ? t.real_mode() : t.flat32();
    t.s().regs[EAX] = 5;
    t.s().regs[EBX] = 5;
    // CF = 1; sbb eax, ebx (real mode: sbb ax, bx); setb cl; setz dl; setl dh.
    // 5 - 5 - 1 = -1: CF (5 < 5 + 1), not ZF, SF, no OF -> L (SF != OF).
    write_eflags(t.s(), fl::CF, fl::kArith);
    REQUIRE(t.run({0x19, 0xd8, 0x0f, 0x92, 0xc1, 0x0f, 0x94, 0xc2, 0x0f, 0x9c, 0xc6}) ==
            jit::StopReason::Halted);
    CHECK((t.s().regs[EAX] & (real ? 0xffff : 0xffffffff)) == (real ? 0xffffu : 0xffffffffu));
    CHECK((t.s().regs[ECX] & 0xff) == 1);
    CHECK((t.s().regs[EDX] & 0xffff) == 0x0100);
    // Low byte FFh: even parity; 5 - 5 - 1 borrows out of the low nibble.
    CHECK((t.flags() & kOSZAPC) == (fl::CF | fl::SF | fl::PF | fl::AF));
  }
}

TEST_CASE("83 /r sign-extends its imm8 to the operand size", "[cpu][alu]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EAX] = 1;
  // add ax, -1 (83 C0 FF): 0001h + FFFFh = 1_0000h -> AX = 0, CF ZF; 1 + F carries out of the
  // low nibble (AF); PF for 00h.
  REQUIRE(t.run({0x83, 0xc0, 0xff}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0);
  CHECK((t.flags() & kOSZAPC) == (fl::CF | fl::ZF | fl::AF | fl::PF));

  t.flat32();
  t.s().regs[EAX] = 0x80000000;
  // cmp eax, -2 (83 F8 FE): 80000000h - FFFFFFFEh = 80000002h with a borrow (CF); SF; no OF
  // (operands of the same sign cannot overflow a subtraction); 0 - E borrows from the low
  // nibble (AF); low byte 02h has odd parity.
  REQUIRE(t.run({0x83, 0xf8, 0xfe}) == jit::StopReason::Halted);
  CHECK((t.flags() & kOSZAPC) == (fl::CF | fl::SF | fl::AF));
}

TEST_CASE("INC and DEC preserve CF", "[cpu][alu]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EAX] = 0x7f;
  // CF = 1; inc al: 7Fh + 1 = 80h: OF (positive to negative), SF, AF (F + 1), odd parity; CF
  // keeps its old value 1.
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0xfe, 0xc0}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xff) == 0x80);
  CHECK((t.flags() & kOSZAPC) == (fl::OF | fl::SF | fl::AF | fl::CF));

  t.flat32();
  t.s().regs[ECX] = 0x80000000;
  // CF = 0; dec ecx: 80000000h - 1 = 7FFFFFFFh: OF, AF (0 - 1 borrows from the low nibble), PF
  // (FFh), CF stays 0.
  REQUIRE(t.run({0x49}) == jit::StopReason::Halted);
  CHECK(t.s().regs[ECX] == 0x7fffffff);
  CHECK((t.flags() & kOSZAPC) == (fl::OF | fl::AF | fl::PF));

  // inc word [0x300] with 0FFFFh in memory: wraps to 0 (ZF PF AF), CF preserved as 1.
  t.real_mode();
  t.poke(0x10300, {0xff, 0xff});
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0xff, 0x06, 0x00, 0x03}) == jit::StopReason::Halted);
  CHECK(t.peek16(0x10300) == 0);
  CHECK((t.flags() & kOSZAPC) == (fl::ZF | fl::PF | fl::AF | fl::CF));
}

TEST_CASE("NEG: CF = (source != 0), OF for the most negative value", "[cpu][alu]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0;
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0xf7, 0xd8}) == jit::StopReason::Halted);  // neg eax with CF = 1
  CHECK(t.s().regs[EAX] == 0);
  CHECK((t.flags() & kOSZAPC) == (fl::ZF | fl::PF));  // 0 - 0: no borrow, CF cleared

  t.flat32();
  t.s().regs[EAX] = 0x80000000;
  // 0 - 80000000h = 80000000h: borrow (CF), overflow (OF), SF, PF (00h).
  REQUIRE(t.run({0xf7, 0xd8}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x80000000);
  CHECK((t.flags() & kOSZAPC) == (fl::CF | fl::OF | fl::SF | fl::PF));

  t.real_mode();
  t.s().regs[EBX] = 0x1201;
  // neg bl: 0 - 1 = FFh: CF, SF, AF, PF; BH untouched.
  REQUIRE(t.run({0xf6, 0xdb}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EBX] & 0xffff) == 0x12ff);
  CHECK((t.flags() & kOSZAPC) == (fl::CF | fl::SF | fl::AF | fl::PF));
}

TEST_CASE("NOT changes no flags; TEST writes nothing back", "[cpu][alu]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(0x10300, {0x0f, 0xf0});
  t.s().regs[EAX] = 0x5a;
  // ZF PF CF set; not word [0x300]
  write_eflags(t.s(), fl::ZF | fl::PF | fl::CF, fl::kArith);
  REQUIRE(t.run({0xf7, 0x16, 0x00, 0x03}) == jit::StopReason::Halted);
  CHECK(t.peek16(0x10300) == 0x0ff0);
  CHECK((t.flags() & kOSZAPC) == (fl::ZF | fl::PF | fl::CF));

  // test al, 0A5h: 5Ah AND A5h = 0: ZF PF, CF and OF cleared; AL unchanged.
  REQUIRE(t.run({0xa8, 0xa5}) == jit::StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xff) == 0x5a);
  CHECK((t.flags() & (kOSZAPC & ~fl::AF)) == (fl::ZF | fl::PF));
}

TEST_CASE("SALC sets AL from CF", "[cpu][alu]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x12345678;
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0xd6}) == jit::StopReason::Halted);  // salc with CF = 1
  CHECK(t.s().regs[EAX] == 0x123456ff);
  CHECK(t.flags() & fl::CF);
  write_eflags(t.s(), 0, fl::kArith);
  REQUIRE(t.run({0xd6}) == jit::StopReason::Halted);  // salc with CF = 0
  CHECK(t.s().regs[EAX] == 0x12345600);
}

TEST_CASE("LOCK is accepted with a memory destination and raises #UD otherwise", "[cpu][alu]") {
  test::TestCpu t;
  real_mode_with_handler(t, kUD);
  t.poke(0x10300, {0x01, 0x00});
  t.s().regs[EAX] = 2;
  // lock add [0x300], ax: a read-modify-write of memory, allowed.
  REQUIRE(t.run({0xf0, 0x01, 0x06, 0x00, 0x03}) == jit::StopReason::Halted);
  CHECK(t.peek16(0x10300) == 3);
  CHECK(t.s().eip == 0x106);  // stopped at its own HLT, not in the handler

  // lock add ax, ax: #UD; the pushed IP is the instruction's (0100h) and AX is unchanged.
  real_mode_with_handler(t, kUD);
  t.s().regs[EAX] = 2;
  REQUIRE(t.run({0xf0, 0x01, 0xc0}) == jit::StopReason::Halted);
  CHECK(t.s().eip == 0x201);
  CHECK(t.peek16(0x10000 + 0xfff8) == 0x100);
  CHECK(t.s().regs[EAX] == 2);
}
