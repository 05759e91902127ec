// Task switches and call gates at helper level: the cases a guest test reaches awkwardly (page
// faults on the new TSS, EXT in error codes of external events, V86 and 16-bit task images,
// garbage gates). Expected behaviour from SDM Vol.3 ch.7 and §5.8, Vol.2 CALL/INT n.
#include <catch2/catch.hpp>
#include <utility>

#include "cpu/helpers/helpers.h"
#include "cpu/helpers/task.h"
#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

using test::fault_of;
constexpr std::pair<int, int> kNone{-1, -1};

constexpr uint32_t kGdt = 0x1000, kIdt = 0x2000, kMainTss = 0x3000, kNewTss = 0x3100;

// A GDT with flat ring-0 code 08h and data 10h, the running TSS at 18h (busy) and a second
// 32-bit TSS at 20h; flat 32-bit protected mode with TR = 18h.
struct TaskCpu : test::TestCpu {
  TaskCpu() {
    flat32();
    desc(0x08, 0x00cf9b000000ffffull);
    desc(0x10, 0x00cf93000000ffffull);
    tss_desc(0x18, kMainTss, 0x67, 0x8b);
    tss_desc(0x20, kNewTss, 0x67, 0x89);
    s().gdtr = DescTable{kGdt, 0xff};
    s().idtr = DescTable{kIdt, 0x7ff};
    s().tr = segment_cache(0x18, fetch_descriptor(cpu, 0x18));
    // The new task: flat ring-0, EIP 5000h, ESP 9000h, EAX 1234h.
    put32(kNewTss + 0x20, 0x5000);
    put32(kNewTss + 0x24, 0x2);
    put32(kNewTss + 0x28, 0x1234);
    put32(kNewTss + 0x38, 0x9000);
    for (unsigned sg = 0; sg < kNumSegs; sg++)
      put32(kNewTss + 0x48 + 4 * sg, sg == CS ? 0x08 : 0x10);
  }
  void desc(uint16_t sel, uint64_t d) {
    put32(kGdt + sel, uint32_t(d));
    put32(kGdt + sel + 4, uint32_t(d >> 32));
  }
  void tss_desc(uint16_t sel, uint32_t base, uint32_t limit, uint8_t type) {
    desc(sel, (limit & 0xffff) | uint64_t(base & 0xffffff) << 16 | uint64_t(type) << 40 |
                  uint64_t(base >> 24) << 56);
  }
  void put32(uint32_t a, uint32_t v) {
    poke(a, {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)});
  }
  uint8_t type_of(uint16_t sel) { return peek8(kGdt + sel + 5); }
};

}  // namespace

TEST_CASE("A page fault on the new TSS comes before any state changes", "[cpu][task]") {
  TaskCpu t;
  // Paging with one 4 MiB identity page; the new TSS moves to 400000h, which is unmapped.
  t.put32(0x10000, 0x83);
  t.s().cr4 |= cr4::PSE;
  t.s().cr3 = 0x10000;
  t.s().cr0 |= cr0::PG;
  t.mmu.flush_tlb();
  t.tss_desc(0x20, 0x400000, 0x67, 0x89);
  const Descriptor d = fetch_descriptor(t.cpu, 0x20);
  CHECK(fault_of([&] { far_to_task(t.cpu, 0x20, d, false, 0x100); }).first == kPF);
  CHECK(t.s().tr.sel == 0x18);
  CHECK(t.type_of(0x18) == 0x8b);  // still busy
  CHECK(t.type_of(0x20) == 0x89);
  CHECK((t.s().cr0 & cr0::TS) == 0);
}

TEST_CASE("JMP to a TSS switches state and busy bits; saved EIP is the next instruction",
          "[cpu][task]") {
  TaskCpu t;
  t.s().regs[EBX] = 0xb0b0;
  const Descriptor d = fetch_descriptor(t.cpu, 0x20);
  CHECK(far_to_task(t.cpu, 0x20, d, false, 0x4321) == 0x5000);
  CHECK(t.s().tr.sel == 0x20);
  CHECK(t.s().regs[EAX] == 0x1234);
  CHECK(t.s().regs[ESP] == 0x9000);
  CHECK(t.s().cr0 & cr0::TS);
  CHECK((t.s().eflags & fl::NT) == 0);
  CHECK(t.type_of(0x18) == 0x89);
  CHECK(t.type_of(0x20) == 0x8b);
  CHECK(t.peek32(kMainTss + 0x20) == 0x4321);
  CHECK(t.peek32(kMainTss + 0x34) == 0xb0b0);
  CHECK(t.peek16(kNewTss) == 0);  // no back link for JMP
}

TEST_CASE("External interrupts through a task gate set EXT in the error code", "[cpu][task]") {
  TaskCpu t;
  // IDT vector 20h: task gate to TSS 20h, whose limit is now too small.
  t.put32(kIdt + 0x20 * 8, 0x00200000);
  t.put32(kIdt + 0x20 * 8 + 4, 0x00008500);
  t.tss_desc(0x20, kNewTss, 0x66, 0x89);
  CHECK(fault_of([&] { t.cpu.interrupt(0x20, IntKind::External, 0x100); }) ==
        std::pair{int(kTS), 0x21});
  CHECK(fault_of([&] { t.cpu.interrupt(0x20, IntKind::Exception, 0x100); }) ==
        std::pair{int(kTS), 0x20});
  // A busy TSS behind the gate: #GP(TSS | EXT).
  t.tss_desc(0x20, kNewTss, 0x67, 0x8b);
  CHECK(fault_of([&] { t.cpu.interrupt(0x20, IntKind::External, 0x100); }) ==
        std::pair{int(kGP), 0x21});
  // Delivered: the error code lands on the new task's stack, NT and the link are set.
  t.tss_desc(0x20, kNewTss, 0x67, 0x89);
  t.cpu.interrupt(0x20, IntKind::Exception, 0x100, true, 0xabcd);
  CHECK(t.s().eip == 0x5000);
  CHECK(t.s().regs[ESP] == 0x9000 - 4);
  CHECK(t.peek32(0x9000 - 4) == 0xabcd);
  CHECK(t.s().eflags & fl::NT);
  CHECK(t.peek16(kNewTss) == 0x18);
  CHECK(t.type_of(0x18) == 0x8b);  // the interrupted task stays busy
}

TEST_CASE("A 32-bit TSS with VM set enters a virtual-8086 task", "[cpu][task]") {
  TaskCpu t;
  t.put32(kNewTss + 0x24, 0x20002);  // VM
  for (unsigned sg = 0; sg < kNumSegs; sg++) t.put32(kNewTss + 0x48 + 4 * sg, 0x1000 + sg);
  const Descriptor d = fetch_descriptor(t.cpu, 0x20);
  CHECK(fault_of([&] { far_to_task(t.cpu, 0x20, d, true, 0x100); }) == kNone);
  CHECK(t.s().cpl == 3);
  CHECK(t.s().seg[CS].base == 0x10010);
  CHECK(t.s().seg[GS].base == 0x10050);
  CHECK(t.s().eflags & fl::VM);
}

TEST_CASE("A 16-bit TSS loads the low register halves and nulls FS and GS", "[cpu][task]") {
  TaskCpu t;
  t.tss_desc(0x20, kNewTss, 0x2b, 0x81);
  t.poke(kNewTss, std::vector<uint8_t>(0x2c, 0));
  t.poke(kNewTss + 0x0e, {0x00, 0x50, 0x02, 0x00, 0x34, 0x12});  // IP 5000h, FLAGS 2, AX 1234h
  t.poke(kNewTss + 0x22, {0x10, 0, 0x08, 0, 0x10, 0, 0x10, 0});  // ES CS SS DS
  t.s().seg[FS].sel = 0x10;
  const Descriptor d = fetch_descriptor(t.cpu, 0x20);
  CHECK(far_to_task(t.cpu, 0x20, d, false, 0x100) == 0x5000);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x1234);
  CHECK(t.s().seg[FS].sel == 0);
  CHECK(t.s().seg[FS].access == 0);
  CHECK(t.type_of(0x20) == 0x83);
}

TEST_CASE("A call gate copying 31 parameters onto a small inner stack faults cleanly",
          "[cpu][gate]") {
  TaskCpu t;
  // Ring-3 caller; gate 28h (DPL 3, 31 dwords) to ring-0 code 08h; SS0 = 30h with limit FFh.
  t.desc(0x28, 0x0000ec1f00080000ull);
  t.desc(0x30, 0x00409300000000ffull);
  t.put32(kMainTss + 4, 0x40);
  t.put32(kMainTss + 8, 0x30);
  t.desc(0x38, 0x00cffb000000ffffull);
  t.desc(0x40, 0x00cff3000000ffffull);
  t.s().seg[CS] = segment_cache(0x3b, fetch_descriptor(t.cpu, 0x38));
  t.s().seg[SS] = segment_cache(0x43, fetch_descriptor(t.cpu, 0x40));
  t.cpu.set_cpl(3);
  t.s().regs[ESP] = 0x8000;
  const Descriptor g = fetch_descriptor(t.cpu, 0x28);
  CHECK(fault_of([&] { far_through_call_gate(t.cpu, 0x2b, g, true, 0x100); }) ==
        std::pair{int(kSS), 0x30});
  CHECK(t.s().cpl == 3);
  CHECK(t.s().regs[ESP] == 0x8000);
  CHECK(t.s().seg[SS].sel == 0x43);
  // With room for the frame (31 + 4 dwords), the parameters arrive in order.
  for (uint32_t i = 0; i < 31; i++) t.put32(0x8000 + 4 * i, 0x100 + i);
  t.put32(kMainTss + 4, 0x8c);  // 140 bytes = 35 dwords, exactly the frame
  CHECK(far_through_call_gate(t.cpu, 0x2b, g, true, 0x100) == 0);
  CHECK(t.s().regs[ESP] == 0);
  CHECK(t.peek32(0x00) == 0x100);           // return EIP
  CHECK(t.peek32(0x04) == 0x3b);            // caller CS
  CHECK(t.peek32(0x08) == 0x100);           // parameter 0
  CHECK(t.peek32(0x08 + 30 * 4) == 0x11e);  // parameter 30
  CHECK(t.peek32(0x84) == 0x8000);          // caller ESP
  CHECK(t.peek32(0x88) == 0x43);            // caller SS
}

TEST_CASE("A task switch clears the local breakpoint enables and honours the T flag",
          "[cpu][task]") {
  TaskCpu t;
  t.put32(kIdt + 8, 0x00086000);  // #DB: interrupt gate to 08:6000 (HLT)
  t.put32(kIdt + 12, 0x00008e00);
  t.poke(0x6000, {0xf4});
  t.poke(0x5000, {0x90, 0xf4});
  t.put32(kNewTss + 0x64, 1);  // T
  t.s().dr[7] = 0x400 | 0x3;   // L0 and G0 (no address matches)
  t.s().dr[0] = 0xfffff000;
  REQUIRE(t.run({0xea, 0, 0, 0, 0, 0x20, 0}) == jit::StopReason::Halted);  // jmp far 20:0
  CHECK(t.s().tr.sel == 0x20);
  CHECK(t.s().eip == 0x6001);  // the trap came before the task's first instruction
  CHECK(t.peek32(t.s().regs[ESP]) == 0x5000);
  CHECK(t.s().dr[6] & (1u << 15));    // BT
  CHECK((t.s().dr[7] & 0x155) == 0);  // L0 cleared
  CHECK(t.s().dr[7] & 2);             // G0 kept
}

TEST_CASE("The T flag trap comes with the single-step trap and is not lost to an event",
          "[cpu][task][debug]") {
  TaskCpu t;
  t.put32(kIdt + 8, 0x00086000);  // #DB: interrupt gate to 08:6000 (HLT)
  t.put32(kIdt + 12, 0x00008e00);
  t.poke(0x6000, {0xf4});
  t.poke(0x5000, {0x90, 0xf4});
  t.put32(kNewTss + 0x64, 1);  // T
  constexpr uint32_t kBS = 1u << 14, kBT = 1u << 15;
  SECTION("a single-stepped JMP to the task reports BS and BT in one trap") {
    t.s().eflags |= fl::TF;
    REQUIRE(t.run({0xea, 0, 0, 0, 0, 0x20, 0}) == jit::StopReason::Halted);  // jmp far 20:0
    CHECK((t.s().dr[6] & (kBS | kBT)) == (kBS | kBT));
  }
  SECTION("a fault under single-step through a task gate reports BT before the task runs") {
    t.put32(kIdt + 6 * 8, 0x00200000);  // #UD: task gate to TSS 20h
    t.put32(kIdt + 6 * 8 + 4, 0x00008500);
    t.s().eflags |= fl::TF;
    REQUIRE(t.run({0x0f, 0x0b}) == jit::StopReason::Halted);  // ud2
    // The faulting instruction did not complete: no single-step trap.
    CHECK((t.s().dr[6] & (kBS | kBT)) == kBT);
  }
  SECTION("an NMI through a task gate reports BT before the task runs") {
    t.put32(kIdt + 2 * 8, 0x00200000);  // NMI: task gate to TSS 20h
    t.put32(kIdt + 2 * 8 + 4, 0x00008500);
    t.engine.raise_nmi();
    REQUIRE(t.run({0x90}) == jit::StopReason::Halted);
    CHECK((t.s().dr[6] & (kBS | kBT)) == kBT);
  }
  CHECK(t.s().tr.sel == 0x20);
  CHECK(t.s().eip == 0x6001);
  CHECK(t.peek32(t.s().regs[ESP]) == 0x5000);  // before the task's first instruction
}

TEST_CASE("A task switch's TSS and descriptor accesses hit data breakpoints", "[cpu][task][debug]") {
  TaskCpu t;
  t.put32(kIdt + 8, 0x00086000);  // #DB: interrupt gate to 08:6000 (HLT)
  t.put32(kIdt + 12, 0x00008e00);
  t.poke(0x6000, {0xf4});
  t.poke(0x5000, {0x90, 0xf4});
  SECTION("the old task's EIP slot, written") {
    helper_write_dr(t.cpu, kMainTss + 0x20, 0, 0, 0);
    helper_write_dr(t.cpu, 0x2 | (0xD << 16), 0, 0, 7);  // G0, R/W0 = 01, LEN0 = 11
  }
  SECTION("the new task's EIP slot, read") {
    helper_write_dr(t.cpu, kNewTss + 0x20, 0, 0, 0);
    helper_write_dr(t.cpu, 0x2 | (0xF << 16), 0, 0, 7);  // G0, R/W0 = 11, LEN0 = 11
  }
  SECTION("the new TSS descriptor's busy bit, written") {
    helper_write_dr(t.cpu, kGdt + 0x20 + 5, 0, 0, 0);
    helper_write_dr(t.cpu, 0x2 | (0x1 << 16), 0, 0, 7);  // G0, R/W0 = 01, LEN0 = 00
  }
  REQUIRE(t.run({0xea, 0, 0, 0, 0, 0x20, 0}) == jit::StopReason::Halted);  // jmp far 20:0
  CHECK(t.s().tr.sel == 0x20);
  CHECK(t.s().eip == 0x6001);
  CHECK(t.peek32(t.s().regs[ESP]) == 0x5000);  // a trap after the switch
  CHECK((t.s().dr[6] & 0xf) == 1);
}
