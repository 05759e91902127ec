// Debug traps through the engine (SDM Vol.3 §17.3.1): data breakpoints on the processor's
// implicit accesses, inside REP string instructions, on page-crossing accesses and under a
// MOV SS / POP SS shadow.
#include <catch2/catch.hpp>

#include "cpu/helpers/descriptor.h"
#include "cpu/helpers/helpers.h"
#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

constexpr uint32_t kGdt = 0x1000, kIdt = 0x2000;
constexpr uint32_t kDbHandler = 0x7000, kUdHandler = 0x6000, kNmiHandler = 0x6100;
constexpr uint32_t kB0 = 1, kBS = 1u << 14;

// Flat 32-bit ring-0 protected mode with a GDT (code 08h, data 10h) and an IDT whose #DB
// handler is a HLT at 7000h, #UD a HLT at 6000h and NMI an INC EAX; HLT at 6100h.
struct DebugCpu : test::TestCpu {
  DebugCpu() {
    flat32_with_tables(kGdt, kIdt);
    gate(1, kDbHandler);
    gate(2, kNmiHandler);
    gate(6, kUdHandler);
    poke(kDbHandler, {0xf4});
    poke(kUdHandler, {0xf4});
    poke(kNmiHandler, {0x40, 0xf4});
  }
  // Breakpoint i at `lin`, globally enabled, with R/W and LEN codes as DR7 holds them.
  void arm(unsigned i, uint32_t lin, unsigned rw, unsigned len) {
    helper_write_dr(cpu, lin, 0, 0, i);
    const uint32_t dr7 = s().dr[7] | (2u << (2 * i)) | (rw << (16 + 4 * i)) | (len << (18 + 4 * i));
    helper_write_dr(cpu, dr7, 0, 0, 7);
  }
  // The #DB handler ran (halted after its HLT) with this return EIP on its stack.
  void check_db_at(uint32_t eip) {
    CHECK(s().eip == kDbHandler + 1);
    CHECK(peek32(s().regs[ESP]) == eip);
  }
};

}  // namespace

TEST_CASE("An IDT read by exception delivery hits a read/write breakpoint before the handler",
          "[cpu][debug]") {
  DebugCpu t;
  t.arm(0, kIdt + 6 * 8, 3, 3);  // the #UD gate, 4 bytes, read or write
  REQUIRE(t.run({0x0f, 0x0b}) == jit::StopReason::Halted);  // ud2
  t.check_db_at(kUdHandler);  // after the delivery, before the handler's first instruction
  CHECK((t.s().dr[6] & 0xf) == kB0);
}

TEST_CASE("A descriptor's accessed-bit write hits a write breakpoint", "[cpu][debug]") {
  DebugCpu t;
  t.desc(0x18, 0x00cf92000000ffffull);  // data, accessed bit clear
  t.arm(1, kGdt + 0x18 + 5, 1, 0);      // its access byte, writes
  // mov ax, 18h; mov ds, ax; nop
  REQUIRE(t.run({0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd8, 0x90}) == jit::StopReason::Halted);
  t.check_db_at(0x10006);  // a trap after MOV DS
  CHECK((t.s().dr[6] & 0xf) == 2);
  CHECK(t.peek8(kGdt + 0x18 + 5) == 0x93);
}

TEST_CASE("A frame push by exception delivery under TF traps before the handler",
          "[cpu][debug]") {
  DebugCpu t;
  t.arm(0, 0x80000 - 4, 1, 3);  // where the #UD frame's EFLAGS go
  t.s().eflags |= fl::TF;
  REQUIRE(t.run({0x0f, 0x0b}) == jit::StopReason::Halted);
  t.check_db_at(kUdHandler);
  // The faulting instruction did not complete: no single-step trap, only the breakpoint.
  CHECK((t.s().dr[6] & (0xf | kBS)) == kB0);
}

TEST_CASE("An NMI frame push traps before the NMI handler's first instruction", "[cpu][debug]") {
  DebugCpu t;
  t.arm(0, 0x80000 - 8, 1, 3);  // the NMI frame's CS slot
  t.s().regs[EAX] = 0;
  t.engine.raise_nmi();
  REQUIRE(t.run({0x90}) == jit::StopReason::Halted);
  t.check_db_at(kNmiHandler);
  CHECK(t.s().regs[EAX] == 0);
  CHECK((t.s().dr[6] & 0xf) == kB0);
}

TEST_CASE("A data breakpoint inside REP STOS traps after the iteration that hit",
          "[cpu][debug]") {
  DebugCpu t;
  t.arm(2, 0x3003, 1, 0);  // one byte, writes
  // mov ecx, 8; mov edi, 3000h; mov al, 5Ah; rep stosb
  REQUIRE(t.run({0xb9, 8, 0, 0, 0, 0xbf, 0x00, 0x30, 0, 0, 0xb0, 0x5a, 0xf3, 0xaa}) ==
          jit::StopReason::Halted);
  t.check_db_at(0x1000c);  // still the REP instruction: it resumes after the handler
  CHECK(t.s().regs[ECX] == 4);
  CHECK(t.s().regs[EDI] == 0x3004);
  CHECK(t.peek8(0x3003) == 0x5a);
  CHECK(t.peek8(0x3004) == 0);
  CHECK((t.s().dr[6] & 0xf) == 4);
  CHECK(t.peek32(t.s().regs[ESP] + 8) & fl::RF);  // a trap between iterations pushes RF = 1
}

TEST_CASE("A data breakpoint on the last REP MOVS iteration reports the next instruction",
          "[cpu][debug]") {
  DebugCpu t;
  t.arm(0, 0x3000, 3, 0);  // the last source byte going down, read or write
  t.poke(0x3000, {0x11, 0x22, 0x33, 0x44});
  // std; mov ecx, 4; mov esi, 3003h; mov edi, 4003h; rep movsb
  REQUIRE(t.run({0xfd, 0xb9, 4, 0, 0, 0, 0xbe, 0x03, 0x30, 0, 0, 0xbf, 0x03, 0x40, 0, 0, 0xf3, 0xa4}) ==
          jit::StopReason::Halted);
  t.check_db_at(0x10012);
  CHECK(t.s().regs[ECX] == 0);
  CHECK(t.peek32(0x4000) == 0x44332211);
  CHECK_FALSE(t.peek32(t.s().regs[ESP] + 8) & fl::RF);  // after the last iteration: RF = 0
}

TEST_CASE("A store crossing a page boundary hits breakpoints on both sides", "[cpu][debug]") {
  DebugCpu t;
  t.arm(0, 0x8fff, 1, 0);
  t.arm(1, 0x9000, 1, 0);
  // mov [8FFEh], eax
  REQUIRE(t.run({0xa3, 0xfe, 0x8f, 0, 0}) == jit::StopReason::Halted);
  t.check_db_at(0x10005);
  CHECK((t.s().dr[6] & 0xf) == 3);
}

TEST_CASE("MOV SS and POP SS hold a data breakpoint trap back one instruction", "[cpu][debug]") {
  DebugCpu t;
  SECTION("mov ss") {
    t.put32(0x5000, 0x10);
    t.arm(0, 0x5000, 3, 1);
    // mov ss, [5000h]; nop
    REQUIRE(t.run({0x8e, 0x15, 0x00, 0x50, 0, 0, 0x90}) == jit::StopReason::Halted);
    t.check_db_at(0x10007);  // after the NOP
  }
  SECTION("pop ss") {
    t.s().regs[ESP] = 0x5000;
    t.put32(0x5000, 0x10);
    t.arm(0, 0x5000, 3, 1);
    // pop ss; mov esp, 80000h (the #DB frame must not land on the breakpoint)
    REQUIRE(t.run({0x17, 0xbc, 0x00, 0x00, 0x08, 0x00}) == jit::StopReason::Halted);
    t.check_db_at(0x10006);
  }
  CHECK((t.s().dr[6] & 0xf) == kB0);
}

TEST_CASE("An interrupt between the chunks of a REP instruction pushes RF = 1", "[cpu][debug]") {
  // SDM Vol.3 §17.3.1.1: the EFLAGS image of an interrupt taken between iterations of a REP
  // string instruction has RF set, so an instruction breakpoint on it does not fire again when
  // it resumes.
  DebugCpu t;
  t.s().regs[EAX] = 0;
  // mov ecx, 20000; mov edi, 10000h... (above the code); rep stosb: more than one chunk
  const uint32_t rep_eip = 0x1000a;
  REQUIRE(t.run({0xb9, 0x20, 0x4e, 0, 0, 0xbf, 0x00, 0x00, 0x02, 0, 0xf3, 0xaa}, 3) == jit::StopReason::Limit);
  REQUIRE(t.s().eip == rep_eip);
  REQUIRE(t.s().regs[ECX] != 0);
  REQUIRE(t.s().regs[ECX] != 20000);
  t.engine.raise_nmi();
  REQUIRE(t.engine.run(t.s().icount + 100) == jit::StopReason::Halted);
  CHECK(t.s().eip == kNmiHandler + 2);
  CHECK(t.peek32(t.s().regs[ESP]) == rep_eip);
  CHECK(t.peek32(t.s().regs[ESP] + 8) & fl::RF);
  CHECK_FALSE(t.s().eflags & fl::RF);  // cleared for the handler
}

TEST_CASE("A fault right after MOV SS ends the interrupt shadow while stepping", "[cpu][debug]") {
  DebugCpu t;
  t.arm(3, 0x9999, 0, 0);  // an instruction breakpoint elsewhere: instructions run one by one
  // mov ax, 10h; mov ss, ax; ud2: stop as the #UD handler is about to start. Its first
  // instruction must not inherit the shadow (interrupts would be held off once more).
  REQUIRE(t.run({0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd0, 0x0f, 0x0b}, 3) == jit::StopReason::Limit);
  CHECK(t.s().eip == kUdHandler);
  CHECK(t.s().irq_shadow == 0);
}
