// Stack instructions. Expected values follow the SDM Vol.2 entries (PUSH, POP, PUSHA, POPA,
// PUSHF, POPF, ENTER, LEAVE); the reasoning is in the comments.
#include <catch2/catch.hpp>

#include "tests/cpu/run_util.h"

using namespace cpu;
using jit::StopReason;

namespace {

constexpr uint32_t kRealBase = 0x10000;  // real_mode(): every segment is 1000h

// Virtual-8086 mode: protected mode with EFLAGS.VM and real-mode style segments at 1000h. The
// code runs at CPL 3, where HLT faults, so these tests run a fixed number of instructions.
void v86(test::TestCpu& t, uint32_t iopl) {
  t.real_mode();
  t.s().cr0 |= cr0::PE;
  t.cpu.set_cpl(3);
  t.s().eflags = fl::kFixed1 | fl::VM | (iopl << 12);
}

}  // namespace

TEST_CASE("PUSH and POP registers", "[cpu][stack]") {
  SECTION("real mode") {
    test::TestCpu t;
    t.real_mode();
    t.s().regs[EAX] = 0x1234;
    t.s().regs[EBX] = 0x89abcdef;
    // push ax; 66 push ebx; pop cx; 66 pop edx
    REQUIRE(test::run(t, {0x50, 0x66, 0x53, 0x59, 0x66, 0x5a}) == StopReason::Halted);
    // SP FFFEh: AX goes to FFFCh, EBX to FFF8h. POP CX reads FFF8h (CDEFh); POP EDX reads
    // FFFAh..FFFDh, the high word of EBX then AX: 123489ABh.
    CHECK(t.peek16(kRealBase + 0xfffc) == 0x1234);
    CHECK(t.peek32(kRealBase + 0xfff8) == 0x89abcdef);
    CHECK((t.s().regs[ECX] & 0xffff) == 0xcdef);
    CHECK(t.s().regs[EDX] == 0x123489ab);
    CHECK(t.s().regs[ESP] == 0xfffe);
  }
  SECTION("flat 32-bit") {
    test::TestCpu t;
    t.flat32();
    t.s().regs[EAX] = 0xcafebabe;
    // push eax; 66 push ax; 66 pop cx; pop edx
    REQUIRE(test::run(t, {0x50, 0x66, 0x50, 0x66, 0x59, 0x5a}) == StopReason::Halted);
    CHECK(t.peek32(0x7fffc) == 0xcafebabe);
    CHECK(t.peek16(0x7fffa) == 0xbabe);
    CHECK((t.s().regs[ECX] & 0xffff) == 0xbabe);
    CHECK(t.s().regs[EDX] == 0xcafebabe);
    CHECK(t.s().regs[ESP] == 0x80000);
  }
}

TEST_CASE("PUSH imm8 is sign-extended to the operand size", "[cpu][stack]") {
  SECTION("flat 32-bit") {
    test::TestCpu t;
    t.flat32();
    REQUIRE(test::run(t, {0x6a, 0x80, 0x68, 0x78, 0x56, 0x34, 0x12}) == StopReason::Halted);  // push -80h; push 12345678h
    CHECK(t.peek32(0x7fffc) == 0xffffff80);
    CHECK(t.peek32(0x7fff8) == 0x12345678);
    CHECK(t.s().regs[ESP] == 0x7fff8);
  }
  SECTION("real mode, both operand sizes") {
    test::TestCpu t;
    t.real_mode();
    REQUIRE(test::run(t, {0x6a, 0x80, 0x66, 0x6a, 0x7f}) == StopReason::Halted);  // push -80h; 66 push 7fh
    CHECK(t.peek16(kRealBase + 0xfffc) == 0xff80);
    CHECK(t.peek32(kRealBase + 0xfff8) == 0x0000007f);
    CHECK(t.s().regs[ESP] == 0xfff8);
  }
}

TEST_CASE("PUSH and POP segment registers", "[cpu][stack]") {
  SECTION("real mode: POP DS reloads the base") {
    test::TestCpu t;
    t.real_mode();
    // push 2345h; pop ds; push es
    REQUIRE(test::run(t, {0x68, 0x45, 0x23, 0x1f, 0x06}) == StopReason::Halted);
    CHECK(t.s().seg[DS].sel == 0x2345);
    CHECK(t.s().seg[DS].base == 0x23450);
    CHECK(t.peek16(kRealBase + 0xfffc) == 0x1000);
    CHECK(t.s().regs[ESP] == 0xfffc);
  }
  SECTION("real mode: POP SS inhibits interrupts for one instruction") {
    test::TestCpu t;
    t.real_mode();
    REQUIRE(test::run(t, {0x16, 0x17}) == StopReason::Halted);  // push ss; pop ss
    CHECK(t.s().seg[SS].sel == 0x1000);
    CHECK(t.s().regs[ESP] == 0xfffe);
  }
  SECTION("flat 32-bit: a 32-bit push writes the selector zero-extended") {
    test::TestCpu t;
    t.flat32();
    t.poke(0x7fffc, {0xff, 0xff, 0xff, 0xff});
    REQUIRE(test::run(t, {0x1e, 0x0f, 0xa8}) == StopReason::Halted);  // push ds; push gs
    CHECK(t.peek32(0x7fffc) == 0x00000010);  // our documented P6 choice: four bytes
    CHECK(t.peek32(0x7fff8) == 0x00000010);
    CHECK(t.s().regs[ESP] == 0x7fff8);
  }
}

TEST_CASE("PUSH ESP pushes the value before the decrement; POP ESP loads ESP", "[cpu][stack]") {
  SECTION("flat 32-bit") {
    test::TestCpu t;
    t.flat32();
    REQUIRE(test::run(t, {0x54}) == StopReason::Halted);  // push esp
    CHECK(t.peek32(0x7fffc) == 0x80000);
    t.poke(0x7fffc, {0x45, 0x23, 0x01, 0x00});
    REQUIRE(test::run(t, {0x5c}) == StopReason::Halted);  // pop esp: the popped value wins
    CHECK(t.s().regs[ESP] == 0x12345);
  }
  SECTION("real mode") {
    test::TestCpu t;
    t.real_mode();
    REQUIRE(test::run(t, {0x54}) == StopReason::Halted);  // push sp
    CHECK(t.peek16(kRealBase + 0xfffc) == 0xfffe);
    CHECK(t.s().regs[ESP] == 0xfffc);
  }
}

TEST_CASE("POP to memory addressed through ESP uses the incremented ESP", "[cpu][stack]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[ESP] = 0x7fff0;
  t.poke(0x7fff0, {0xbe, 0xba, 0xfe, 0xca});
  REQUIRE(test::run(t, {0x8f, 0x44, 0x24, 0x04}) == StopReason::Halted);  // pop dword [esp+4]
  // ESP becomes 7FFF4h first, so the destination is 7FFF4h + 4.
  CHECK(t.peek32(0x7fff8) == 0xcafebabe);
  CHECK(t.s().regs[ESP] == 0x7fff4);
}

TEST_CASE("POP to memory in real mode", "[cpu][stack]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kRealBase + 0xfffe, {0x34, 0x12});
  t.s().regs[EBX] = 0x2000;
  REQUIRE(test::run(t, {0x8f, 0x47, 0x02}) == StopReason::Halted);  // pop word [bx+2]
  CHECK(t.peek16(kRealBase + 0x2002) == 0x1234);
  CHECK(t.s().regs[ESP] == 0x0000);  // FFFEh + 2 wraps in the 16-bit SP
}

TEST_CASE("A faulting POP leaves SP and the destination unchanged", "[cpu][stack]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kSS);
  t.s().regs[ESP] = 0xffff;  // a word at FFFFh crosses the stack segment limit
  t.s().regs[EAX] = 0x1111;
  REQUIRE(test::run(t, {0x58}) == StopReason::Halted);  // pop ax
  CHECK(test::in_handler(t));
  // The delivery pushed FLAGS, CS, IP below the unchanged SP: FFFFh - 6.
  CHECK(t.s().regs[ESP] == 0xfff9);
  CHECK(test::pushed_ip(t) == 0x100);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x1111);
}

TEST_CASE("PUSHA and POPA", "[cpu][stack]") {
  SECTION("real mode") {
    test::TestCpu t;
    t.real_mode();
    for (unsigned r = 0; r < 8; r++)
      if (r != ESP) t.s().regs[r] = 0x1000 * (r + 1) + r;
    REQUIRE(test::run(t, {0x60}) == StopReason::Halted);  // pusha
    // Order AX CX DX BX SP BP SI DI, starting below SP = FFFEh; SP pushed as FFFEh.
    const uint16_t want[8] = {0x1000, 0x2001, 0x3002, 0x4003, 0xfffe, 0x6005, 0x7006, 0x8007};
    for (unsigned r = 0; r < 8; r++) CHECK(t.peek16(kRealBase + 0xfffe - 2 * (r + 1)) == want[r]);
    CHECK(t.s().regs[ESP] == 0xffee);
    // Scramble the registers and the saved SP, then popa: SP comes from the increment only.
    for (unsigned r = 0; r < 8; r++)
      if (r != ESP) t.s().regs[r] = 0xdead0000;
    t.poke(kRealBase + 0xfff4, {0x11, 0x11});  // the saved SP
    REQUIRE(test::run(t, {0x61}) == StopReason::Halted);
    for (unsigned r = 0; r < 8; r++)
      if (r != ESP) CHECK(t.s().regs[r] == (0xdead0000 | want[r]));
    CHECK(t.s().regs[ESP] == 0xfffe);
  }
  SECTION("flat 32-bit") {
    test::TestCpu t;
    t.flat32();
    for (unsigned r = 0; r < 8; r++)
      if (r != ESP) t.s().regs[r] = 0x11111111 * (r + 1);
    REQUIRE(test::run(t, {0x60, 0x31, 0xc0, 0x31, 0xed, 0x61}) == StopReason::Halted);  // pushad; xor eax,eax; xor ebp,ebp; popad
    CHECK(t.peek32(0x80000 - 4) == 0x11111111);
    CHECK(t.peek32(0x80000 - 20) == 0x80000);  // original ESP
    CHECK(t.peek32(0x80000 - 32) == 0x88888888);
    CHECK(t.s().regs[EAX] == 0x11111111);
    CHECK(t.s().regs[EBP] == 0x66666666);
    CHECK(t.s().regs[ESP] == 0x80000);
  }
}

TEST_CASE("ENTER builds frames with nesting levels", "[cpu][stack]") {
  SECTION("real mode, level 2") {
    test::TestCpu t;
    t.real_mode();
    t.s().regs[ESP] = 0xf000;
    t.s().regs[EBP] = 0xf100;
    t.poke(kRealBase + 0xf0fe, {0x11, 0x11});
    REQUIRE(test::run(t, {0xc8, 0x08, 0x00, 0x02}) == StopReason::Halted);  // enter 8,2
    // push BP -> [EFFEh] = F100h, FrameTemp = EFFEh; one copy: BP = F0FEh, push [F0FEh] ->
    // [EFFCh] = 1111h; push FrameTemp -> [EFFAh] = EFFEh; BP = EFFEh; SP = EFFAh - 8.
    CHECK(t.peek16(kRealBase + 0xeffe) == 0xf100);
    CHECK(t.peek16(kRealBase + 0xeffc) == 0x1111);
    CHECK(t.peek16(kRealBase + 0xeffa) == 0xeffe);
    CHECK(t.s().regs[EBP] == 0xeffe);
    CHECK(t.s().regs[ESP] == 0xeff2);
  }
  SECTION("real mode, level 32 is level 0") {
    test::TestCpu t;
    t.real_mode();
    t.s().regs[EBP] = 0x1234;
    REQUIRE(test::run(t, {0xc8, 0x04, 0x00, 0x20}) == StopReason::Halted);  // enter 4,32
    CHECK(t.peek16(kRealBase + 0xfffc) == 0x1234);
    CHECK(t.s().regs[EBP] == 0xfffc);
    CHECK(t.s().regs[ESP] == 0xfff8);
  }
  SECTION("32-bit operand size on a 16-bit stack: BP is the frame pointer") {
    // SDM ENTER: the stack-size attribute selects BP or EBP; the operand size selects the push
    // width. So EBP is pushed as 4 bytes at SS:FFFCh, and BP (not EBP) becomes FFFCh.
    test::TestCpu t;
    t.real_mode();
    t.s().regs[ESP] = 0xabcd0000;  // SP = 0: the push wraps to FFFCh
    t.s().regs[EBP] = 0x89ab1234;
    REQUIRE(test::run(t, {0x66, 0xc8, 0x04, 0x00, 0x00}) == StopReason::Halted);  // enter 4,0
    CHECK(t.peek32(kRealBase + 0xfffc) == 0x89ab1234);
    CHECK(t.s().regs[EBP] == 0x89abfffc);
    CHECK(t.s().regs[ESP] == 0xabcdfff8);
  }
  SECTION("32-bit operand size on a 16-bit stack, level 4: FrameTemp is all of ESP") {
    // SDM ENTER, OperandSize = 32: Push(EBP); FrameTemp := ESP; three doublewords copied from
    // [BP - 4], [BP - 8], [BP - 12]; Push(FrameTemp). SP wraps from 0 to FFFCh, so ESP is
    // 0001FFFCh when FrameTemp is taken and [SS:FFECh] receives all 32 bits of it.
    test::TestCpu t;
    t.real_mode();
    t.s().regs[ESP] = 0x00010000;
    t.s().regs[EBP] = 0x5555f000;
    t.poke(kRealBase + 0xeff4, {0x33, 0x33, 0x33, 0x33, 0x22, 0x22, 0x22, 0x22, 0x11, 0x11, 0x11, 0x11});
    REQUIRE(test::run(t, {0x66, 0xc8, 0x08, 0x00, 0x24}) == StopReason::Halted);  // enter 8,24h
    CHECK(t.peek32(kRealBase + 0xfffc) == 0x5555f000);
    CHECK(t.peek32(kRealBase + 0xfff8) == 0x11111111);  // [BP - 4]
    CHECK(t.peek32(kRealBase + 0xfff4) == 0x22222222);  // [BP - 8]
    CHECK(t.peek32(kRealBase + 0xfff0) == 0x33333333);  // [BP - 12]
    CHECK(t.peek32(kRealBase + 0xffec) == 0x0001fffc);
    CHECK(t.s().regs[EBP] == 0x5555fffc);  // BP, the 16-bit stack's frame pointer
    CHECK(t.s().regs[ESP] == 0x0001ffe4);
  }
  SECTION("flat 32-bit, level 1, then LEAVE") {
    test::TestCpu t;
    t.flat32();
    t.s().regs[EBP] = 0x12345678;
    REQUIRE(test::run(t, {0xc8, 0x10, 0x00, 0x01}) == StopReason::Halted);  // enter 10h,1
    // push EBP -> [7FFFCh]; FrameTemp = 7FFFCh; level 1 pushes only FrameTemp -> [7FFF8h].
    CHECK(t.peek32(0x7fffc) == 0x12345678);
    CHECK(t.peek32(0x7fff8) == 0x7fffc);
    CHECK(t.s().regs[EBP] == 0x7fffc);
    CHECK(t.s().regs[ESP] == 0x7fff8 - 0x10);
    REQUIRE(test::run(t, {0xc9}) == StopReason::Halted);  // leave: ESP = EBP + 4, EBP = old EBP
    CHECK(t.s().regs[EBP] == 0x12345678);
    CHECK(t.s().regs[ESP] == 0x80000);
  }
}

TEST_CASE("LEAVE in real mode and its fault", "[cpu][stack]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EBP] = 0xf000;
  t.poke(kRealBase + 0xf000, {0x34, 0x12});
  REQUIRE(test::run(t, {0xc9}) == StopReason::Halted);
  CHECK(t.s().regs[ESP] == 0xf002);
  CHECK(t.s().regs[EBP] == 0x1234);
  // BP = FFFFh: the word crosses the stack limit; SP and BP stay as they were.
  test::catch_vector(t, kSS);
  t.s().regs[EBP] = 0xffff;
  t.s().regs[ESP] = 0x8000;
  const uint32_t ip = t.s().eip;
  REQUIRE(test::run(t, {0xc9}) == StopReason::Halted);
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == ip);
  CHECK(t.s().regs[ESP] == 0x8000 - 6);
  CHECK(t.s().regs[EBP] == 0xffff);
}

TEST_CASE("PUSHF and POPF in real mode", "[cpu][stack]") {
  test::TestCpu t;
  t.real_mode();
  // push 0FEFFh; popf; pushf. All bits but TF: bit 15 and bits 3, 5 read as 0, bit 1 as 1;
  // IOPL and NT are writable on a 386-class processor in real mode.
  REQUIRE(test::run(t, {0x68, 0xff, 0xfe, 0x9d, 0x9c}) == StopReason::Halted);
  CHECK((t.flags() & 0xffff) == 0x7ed7);
  CHECK(t.peek16(kRealBase + 0xfffc) == 0x7ed7);
  CHECK(t.s().regs[ESP] == 0xfffc);
  // 66 push 0FFFFFEFFh; 66 popf: the 32-bit form in real mode, CPL 0: AC and ID too, no VM/RF.
  REQUIRE(test::run(t, {0x66, 0x68, 0xff, 0xfe, 0xff, 0xff, 0x66, 0x9d}) == StopReason::Halted);
  CHECK(t.flags() == 0x00247ed7);
}

TEST_CASE("POPFD privilege rules in protected mode", "[cpu][stack]") {
  auto popfd = [](uint8_t cpl, uint32_t iopl) {
    test::TestCpu t;
    t.flat32();
    t.cpu.set_cpl(uint8_t(cpl));
    t.s().eflags = fl::kFixed1 | fl::RF | (iopl << 12);
    t.poke(0x7fffc, {0xff, 0xfe, 0xfc, 0xff});  // FFFCFEFFh: everything except TF, VM, RF
    t.s().regs[ESP] = 0x7fffc;
    // Outside CPL 0 the trailing HLT would fault: run just the one instruction.
    REQUIRE(test::run(t, {0x9d}, 1) == StopReason::Limit);
    CHECK(t.s().regs[ESP] == 0x80000);
    return t.flags();
  };
  // CPL 0: all of CF PF AF ZF SF IF DF OF IOPL NT AC ID (= 247ED7h with bit 1); RF cleared,
  // VIF and VIP untouched (they were 0).
  CHECK(popfd(0, 0) == 0x00247ed7);
  // CPL 3 > IOPL 0: IOPL and IF keep their old values (0).
  CHECK(popfd(3, 0) == 0x00244cd7);
  // CPL 1 <= IOPL 1: IF changes, IOPL stays 1.
  CHECK(popfd(1, 1) == 0x00245ed7);
}

TEST_CASE("PUSHFD clears VM and RF in the image; 16-bit PUSHF stores a word", "[cpu][stack]") {
  test::TestCpu t;
  t.flat32();
  t.s().eflags = fl::kFixed1 | fl::RF | fl::IF | fl::DF;
  t.poke(0x7fff8, {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa});
  REQUIRE(test::run(t, {0x9c, 0x66, 0x9c}) == StopReason::Halted);  // pushfd; 66 pushf
  CHECK(t.peek32(0x7fffc) == (fl::kFixed1 | fl::IF | fl::DF));
  CHECK(t.peek16(0x7fffa) == (fl::kFixed1 | fl::IF | fl::DF));
  CHECK(t.peek16(0x7fff8) == 0xaaaa);
  CHECK(t.s().regs[ESP] == 0x7fffa);
}

TEST_CASE("PUSHF and POPF in virtual-8086 mode", "[cpu][stack]") {
  SECTION("IOPL 3: POPF works but cannot change IOPL, and VM stays") {
    test::TestCpu t;
    v86(t, 3);
    REQUIRE(test::run(t, {0x68, 0xff, 0xce, 0x9d, 0x9c}, 3) == StopReason::Limit);  // push 0CEFFh; popf; pushf
    // Written: CF PF AF ZF SF IF DF OF NT from CEFFh (TF and bit 13 clear, IOPL field 0);
    // IOPL keeps 3.
    CHECK(t.flags() == (0x4ed7 | fl::IOPL | fl::VM));
    CHECK(t.peek16(kRealBase + 0xfffc) == (0x4ed7 | fl::IOPL));
  }
  SECTION("IOPL < 3 without VME: #GP(0), nothing changes") {
    test::TestCpu t;
    v86(t, 0);
    t.poke(kRealBase + 0xfffe, {0xff, 0x0e});
    // There is no protected-mode delivery yet, so the #GP escalates to a shutdown; the state
    // must still be the one before POPF.
    CHECK(test::run(t, {0x9d}, 1) == StopReason::Shutdown);
    CHECK(t.s().regs[ESP] == 0xfffe);
    CHECK(t.flags() == (fl::kFixed1 | fl::VM));
    test::TestCpu u;
    v86(u, 0);
    CHECK(test::run(u, {0x9c}, 1) == StopReason::Shutdown);  // pushf
    CHECK(u.s().regs[ESP] == 0xfffe);
  }
  SECTION("IOPL < 3 with CR4.VME: IF goes to VIF, PUSHF shows VIF and IOPL 3") {
    test::TestCpu t;
    v86(t, 0);
    t.s().cr4 = 1;  // VME
    REQUIRE(test::run(t, {0x68, 0x01, 0x02, 0x9d, 0x9c}, 3) == StopReason::Limit);  // push 0201h; popf; pushf
    CHECK((t.flags() & (fl::IF | fl::VIF | fl::CF)) == (fl::VIF | fl::CF));
    CHECK(t.peek16(kRealBase + 0xfffc) == (fl::kFixed1 | fl::CF | fl::IF | fl::IOPL));
  }
}
