// System instructions: CPUID, RDTSC, CLI/STI and the interrupt shadow, control and debug
// registers, LGDT/SGDT, LMSW/SMSW/CLTS, WAIT, UD2. Expected values follow SDM Vol.2/Vol.3.
#include <catch2/catch.hpp>
#include <functional>
#include <utility>

#include "cpu/helpers/helpers.h"
#include "tests/cpu/harness.h"

using namespace cpu;
using jit::StopReason;

namespace {

constexpr uint32_t kCode = 0x10000;  // real_mode(): CS = DS = SS = 0x1000

void hlt_handler(test::TestCpu& t, uint8_t vector, uint16_t ip = 0x0f00) {
  t.poke(vector * 4u, {uint8_t(ip), uint8_t(ip >> 8), 0x00, 0x10});
  t.poke(kCode + ip, {0xf4});
}

// Runs `code` in real mode and returns (IP pushed by the exception `vector`, 1 if it was taken).
std::pair<uint32_t, bool> real_mode_fault(test::TestCpu& t, uint8_t vector,
                                          std::initializer_list<uint8_t> code) {
  hlt_handler(t, vector);
  REQUIRE(t.run(code) == StopReason::Halted);
  const bool taken = t.s().eip == 0xf01 && t.s().seg[CS].sel == 0x1000;
  return {t.peek16(kCode + (t.s().regs[ESP] & 0xffff)), taken};
}

using test::fault_of;
constexpr std::pair<int, int> kNone{-1, -1};

// An interrupt controller that raises INTR (once) while `when()` holds.
struct TestIntr : InterruptSource {
  std::function<bool()> when;
  uint8_t vector = 0x20;
  int acks = 0;
  bool intr_pending() override { return acks == 0 && when(); }
  uint8_t intr_acknowledge() override {
    acks++;
    return vector;
  }
};

}  // namespace

constexpr uint32_t kBaseFeatures = (1u << 3) | (1u << 4) | (1u << 6) | (1u << 8) | (1u << 13) | (1u << 15);
constexpr uint32_t kMsrFeatures = (1u << 5) | (1u << 11) | (1u << 12) | (1u << 16);

TEST_CASE("CPUID reports a GenuineIntel family 6 model 3 with its implemented features", "[cpu][system]") {
  test::TestCpu t;
  t.flat32();
  REQUIRE(t.run({0x31, 0xc0, 0x0f, 0xa2}) == StopReason::Halted);  // xor eax,eax; cpuid
  CHECK(t.s().regs[EAX] == 1);  // highest basic leaf
  // "Genu" "ineI" "ntel" in EBX, EDX, ECX as little-endian ASCII.
  CHECK(t.s().regs[EBX] == 0x756e6547);
  CHECK(t.s().regs[EDX] == 0x49656e69);
  CHECK(t.s().regs[ECX] == 0x6c65746e);
  for (uint32_t leaf : {1u, 2u, 0x80000000u}) {
    // Leaves above the maximum return leaf 1 (SDM Vol.2 CPUID).
    t.flat32();
    t.s().regs[EAX] = leaf;
    REQUIRE(t.run({0x0f, 0xa2}) == StopReason::Halted);
    CHECK(t.s().regs[EAX] == 0x0633);  // stepping 3, model 3, family 6
    CHECK(t.s().regs[EBX] == 0);
    CHECK(t.s().regs[ECX] == 0);
    // Exactly the implemented features: FPU (0), DE (2), PSE (3), TSC (4), MSR (5), PAE (6), CX8 (8),
    // APIC (9), SEP (11), MTRR (12), PGE (13), CMOV (15), PAT (16), MMX (23), FXSR (24); no MCE (7)
    // or MCA (14).
    CHECK(t.s().regs[EDX] ==
          (kBaseFeatures | kMsrFeatures | (1u << 0) | (1u << 2) | (1u << 9) | (1u << 23) | (1u << 24)));
  }
}

TEST_CASE("RDTSC derives from the retired-instruction count", "[cpu][system]") {
  test::TestCpu t;
  t.flat32();
  t.cpu.ns_per_insn = 10;
  t.s().tsc_offset = 0x123400000000ull + 1000;
  // nop; nop; rdtsc; mov esi,eax; nop; rdtsc: the RDTSCs follow 2 and 5 instructions.
  REQUIRE(t.run({0x90, 0x90, 0x0f, 0x31, 0x89, 0xc6, 0x90, 0x0f, 0x31}) == StopReason::Halted);
  CHECK(t.s().regs[ESI] == 2 * 10 + 1000);
  CHECK(t.s().regs[EAX] == 5 * 10 + 1000);
  CHECK(t.s().regs[EDX] == 0x1234);
  // The same value when the instructions run in separate blocks: a JMP splits them here.
  t.flat32();
  t.cpu.ns_per_insn = 10;
  REQUIRE(t.run({0xeb, 0x00, 0x0f, 0x31}) == StopReason::Halted);  // jmp $+2; rdtsc
  CHECK(t.s().regs[EAX] == 10);
}

TEST_CASE("RDTSC with CR4.TSD faults only outside CPL 0", "[cpu][system]") {
  test::TestCpu t;
  t.flat32();
  t.s().cr4 = 1u << 2;
  CHECK(fault_of(t.cpu, [&] { helper_rdtsc(t.cpu, 0, 0, 0, 0); }) == kNone);
  t.cpu.set_cpl(3);
  CHECK(fault_of(t.cpu, [&] { helper_rdtsc(t.cpu, 0, 0, 0, 0); }) == std::pair{int(kGP), 0});
}

TEST_CASE("STI delays interrupts until after the next instruction", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  TestIntr intr;
  intr.when = [] { return true; };
  t.cpu.intr = &intr;
  hlt_handler(t, 0x20);
  // sti; mov bx,1; mov cx,2; hlt -- with IF clear before STI.
  REQUIRE(t.run({0xfb, 0xbb, 0x01, 0x00, 0xb9, 0x02, 0x00}) == StopReason::Halted);
  CHECK(t.s().eip == 0xf01);
  CHECK((t.s().regs[EBX] & 0xffff) == 1);  // the instruction after STI ran
  CHECK((t.s().regs[ECX] & 0xffff) == 0);  // the one after it did not
  CHECK(t.peek16(kCode + 0xfff8) == 0x104);
}

TEST_CASE("STI starts a shadow only when IF was clear", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  REQUIRE(fault_of(t.cpu, [&] { helper_sti(t.cpu, 0, 0, 0, 0); }) == kNone);
  CHECK(t.s().irq_shadow == 1);
  CHECK(t.flags() & fl::IF);
  t.s().irq_shadow = 0;
  helper_sti(t.cpu, 0, 0, 0, 0);
  CHECK(t.s().irq_shadow == 0);
}

TEST_CASE("MOV SS delays interrupts for one instruction, LSS does not", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  TestIntr intr;
  intr.when = [&] { return t.s().seg[SS].sel == 0x2000; };
  t.cpu.intr = &intr;
  write_eflags(t.s(), fl::IF, fl::IF);
  hlt_handler(t, 0x20);
  // mov ax,2000h; mov ss,ax; mov bx,1; mov cx,2; hlt
  REQUIRE(t.run({0xb8, 0x00, 0x20, 0x8e, 0xd0, 0xbb, 0x01, 0x00, 0xb9, 0x02, 0x00}) ==
          StopReason::Halted);
  CHECK(t.s().eip == 0xf01);
  CHECK((t.s().regs[EBX] & 0xffff) == 1);
  CHECK((t.s().regs[ECX] & 0xffff) == 0);
  CHECK(t.peek16(0x20000 + 0xfff8) == 0x108);  // return IP on the new stack

  t.real_mode();
  intr.acks = 0;
  write_eflags(t.s(), fl::IF, fl::IF);
  t.poke(kCode + 0x300, {0xfe, 0xff, 0x00, 0x20});  // 2000:FFFE
  // lss sp,[300h]; mov bx,1; hlt: the interrupt comes right after LSS.
  REQUIRE(t.run({0x0f, 0xb2, 0x26, 0x00, 0x03, 0xbb, 0x01, 0x00}) == StopReason::Halted);
  CHECK(t.s().eip == 0xf01);
  CHECK((t.s().regs[EBX] & 0xffff) == 0);
  CHECK(t.peek16(0x20000 + 0xfff8) == 0x105);
}

TEST_CASE("CLI and STI are IOPL-sensitive outside real mode", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  write_eflags(t.s(), fl::IF, fl::IF);
  REQUIRE(t.run({0xfa}) == StopReason::Halted);  // cli
  CHECK(!(t.flags() & fl::IF));
  t.flat32();  // CPL 0, IOPL 0: CPL <= IOPL
  write_eflags(t.s(), fl::IF, fl::IF);
  REQUIRE(t.run({0xfa}) == StopReason::Halted);
  CHECK(!(t.flags() & fl::IF));
  t.cpu.set_cpl(3);  // CPL 3 > IOPL 0
  CHECK(fault_of(t.cpu, [&] { helper_cli(t.cpu, 0, 0, 0, 0); }) == std::pair{int(kGP), 0});
  CHECK(fault_of(t.cpu, [&] { helper_sti(t.cpu, 0, 0, 0, 0); }) == std::pair{int(kGP), 0});
  write_eflags(t.s(), fl::IOPL, fl::IOPL);  // IOPL 3 lets CPL 3 change IF
  CHECK(fault_of(t.cpu, [&] { helper_sti(t.cpu, 0, 0, 0, 0); }) == kNone);
  CHECK(t.flags() & fl::IF);
}

TEST_CASE("MOV to and from CR0, CR3, CR4 with their checks", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  REQUIRE(t.run({0x0f, 0x20, 0xc0}) == StopReason::Halted);  // mov eax,cr0
  CHECK(t.s().regs[EAX] == cr0::ET);
  // PG without PE: #GP(0), a fault at the MOV (offset 106h after the 6-byte MOV EAX).
  t.real_mode();
  auto f = real_mode_fault(t, kGP, {0x66, 0xb8, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0});
  CHECK(f == std::pair{0x106u, true});
  CHECK(t.s().cr0 == cr0::ET);
  // NW without CD: #GP(0).
  t.real_mode();
  f = real_mode_fault(t, kGP, {0x66, 0xb8, 0x00, 0x00, 0x00, 0x20, 0x0f, 0x22, 0xc0});
  CHECK(f == std::pair{0x106u, true});
  // CR4.VME is not implemented: #GP(0); CR4.TSD is.
  t.real_mode();
  f = real_mode_fault(t, kGP, {0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x22, 0xe0});
  CHECK(f == std::pair{0x106u, true});
  t.real_mode();
  REQUIRE(t.run({0x66, 0xb8, 0x04, 0x00, 0x00, 0x00, 0x0f, 0x22, 0xe0, 0x0f, 0x20, 0xe3}) ==
          StopReason::Halted);  // mov eax,4; mov cr4,eax; mov ebx,cr4
  CHECK(t.s().regs[EBX] == 4);
  // CR3 keeps bits 31:3: the paging-structure base (31:5 with PAE), PCD and PWT.
  t.real_mode();
  REQUIRE(t.run({0x66, 0xb8, 0xff, 0xff, 0x34, 0x12, 0x0f, 0x22, 0xd8, 0x0f, 0x20, 0xd9}) ==
          StopReason::Halted);  // mov eax,1234FFFFh; mov cr3,eax; mov ecx,cr3
  CHECK(t.s().regs[ECX] == 0x1234fff8);
  // CR2 is plain storage.
  t.real_mode();
  REQUIRE(t.run({0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x0f, 0x22, 0xd0, 0x0f, 0x20, 0xd2}) ==
          StopReason::Halted);
  CHECK(t.s().regs[EDX] == 0x12345678);
}

TEST_CASE("MOV CR at CPL 3 is #GP(0) at the MOV", "[cpu][system]") {
  test::TestCpu t;
  t.flat32();
  t.cpu.set_cpl(3);
  // Protected-mode delivery is not there yet: the machine stops at the faulting instruction.
  CHECK(t.run({0x90, 0x0f, 0x20, 0xc0}) == StopReason::Shutdown);
  CHECK(t.s().eip == 0x10001);
}

TEST_CASE("MOV DR: fixed bits of DR6/DR7 and the DR4/DR5 aliases", "[cpu][system]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0xffffffff;
  t.s().regs[EBX] = 0;
  // mov dr6,eax; mov dr7,ebx; mov ecx,dr4; mov edx,dr5; mov dr0,eax; mov esi,dr0
  REQUIRE(t.run({0x0f, 0x23, 0xf0, 0x0f, 0x23, 0xfb, 0x0f, 0x21, 0xe1, 0x0f, 0x21, 0xea,
                 0x0f, 0x23, 0xc0, 0x0f, 0x21, 0xc6}) == StopReason::Halted);
  CHECK(t.s().regs[ECX] == 0xffffefff);  // DR6 bit 12 reads 0
  CHECK(t.s().regs[EDX] == 0x00000400);  // DR7 bit 10 reads 1
  CHECK(t.s().regs[ESI] == 0xffffffff);
}

TEST_CASE("LGDT/LIDT and SGDT/SIDT with 16- and 32-bit operand size", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kCode + 0x300, {0x34, 0x12, 0xdd, 0xcc, 0xbb, 0xaa});
  // lgdt [300h] (16-bit: base 24 bits); 66 lidt [300h] (32-bit base)
  REQUIRE(t.run({0x0f, 0x01, 0x16, 0x00, 0x03, 0x66, 0x0f, 0x01, 0x1e, 0x00, 0x03}) ==
          StopReason::Halted);
  CHECK(t.s().gdtr.limit == 0x1234);
  CHECK(t.s().gdtr.base == 0x00bbccdd);
  CHECK(t.s().idtr.limit == 0x1234);
  CHECK(t.s().idtr.base == 0xaabbccdd);
  // sgdt [310h] stores 0 as the base's top byte; 66 sidt [320h] stores all of it.
  t.s().halted = 0;
  t.s().gdtr.base = 0xaabbccdd;
  t.s().idtr.limit = 0x3ff;
  REQUIRE(t.run({0x0f, 0x01, 0x06, 0x10, 0x03, 0x66, 0x0f, 0x01, 0x0e, 0x20, 0x03}) ==
          StopReason::Halted);
  CHECK(t.peek16(kCode + 0x310) == 0x1234);
  CHECK(t.peek32(kCode + 0x312) == 0x00bbccdd);
  CHECK(t.peek16(kCode + 0x320) == 0x3ff);
  CHECK(t.peek32(kCode + 0x322) == 0xaabbccdd);
}

TEST_CASE("LMSW cannot clear PE; SMSW; CLTS", "[cpu][system]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0xfff0 | cr0::TS | cr0::EM;  // PE clear, bits above 3 ignored
  // lmsw ax; smsw ebx; smsw [20000h]
  REQUIRE(t.run({0x0f, 0x01, 0xf0, 0x0f, 0x01, 0xe3, 0x0f, 0x01, 0x25, 0x00, 0x00, 0x02, 0x00}) ==
          StopReason::Halted);
  const uint32_t expect = cr0::ET | cr0::PE | cr0::EM | cr0::TS;
  CHECK(t.s().cr0 == expect);
  CHECK(t.s().regs[EBX] == expect);
  CHECK(t.peek16(0x20000) == expect);
  t.s().halted = 0;
  REQUIRE(t.run({0x0f, 0x06}) == StopReason::Halted);  // clts
  CHECK(t.s().cr0 == (cr0::ET | cr0::PE | cr0::EM));
}

TEST_CASE("WAIT faults with #NM only when CR0.MP and CR0.TS are set", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  REQUIRE(t.run({0x9b}) == StopReason::Halted);
  CHECK(t.s().eip == 0x102);
  t.real_mode();
  t.s().cr0 |= cr0::TS;  // TS alone: WAIT still runs
  REQUIRE(t.run({0x9b}) == StopReason::Halted);
  CHECK(t.s().eip == 0x102);
  t.real_mode();
  t.s().cr0 |= cr0::TS | cr0::MP;
  CHECK(real_mode_fault(t, kNM, {0x9b}) == std::pair{0x100u, true});
}

TEST_CASE("UD2 raises #UD at itself; INVD, WBINVD, INVLPG run at CPL 0", "[cpu][system]") {
  test::TestCpu t;
  t.real_mode();
  CHECK(real_mode_fault(t, kUD, {0x90, 0x0f, 0x0b}) == std::pair{0x101u, true});
  t.flat32();
  REQUIRE(t.run({0x0f, 0x08, 0x0f, 0x09, 0x0f, 0x01, 0x38}) == StopReason::Halted);
  CHECK(t.s().eip == 0x10008);
}
