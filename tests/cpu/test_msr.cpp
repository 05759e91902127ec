// RDMSR/WRMSR and SYSENTER/SYSEXIT at helper level. Reset values and reserved-bit rules follow
// SDM Vol.3 §11.11 (MTRRs), §11.12 (PAT), §10.4.4 (APIC base), Vol.4 ch.2 (P6 MSRs), and the
// SYSENTER/SYSEXIT pages of Vol.2.
#include <catch2/catch.hpp>
#include <utility>

#include "cpu/helpers/helpers.h"
#include "tests/cpu/harness.h"

using namespace cpu;
using jit::StopReason;

namespace {

using test::fault_of;
constexpr std::pair<int, int> kNone{-1, -1};
constexpr std::pair<int, int> kGp0{kGP, 0};

}  // namespace

TEST_CASE("MSR reset values of a P6", "[cpu][msr]") {
  test::TestCpu t;
  Cpu& c = t.cpu;
  CHECK(read_msr(c, 0x277, 0) == 0x0007040600070406ull);  // PAT: WB WT UC- UC, twice
  CHECK(read_msr(c, 0x1b, 0) == 0xfee00900ull);           // APIC base, enabled, BSP
  CHECK(read_msr(c, 0xfe, 0) == 0x508);                   // 8 variable ranges, fixed, WC
  CHECK(read_msr(c, 0x2ff, 0) == 0);                      // MTRRs disabled
  for (uint32_t m = 0x200; m < 0x210; m++) CHECK(read_msr(c, m, 0) == 0);
  for (uint32_t m : {0x174u, 0x175u, 0x176u}) CHECK(read_msr(c, m, 0) == 0);
  CHECK(read_msr(c, 0x1a0, 0) & 1);  // fast strings enabled
}

TEST_CASE("WRMSR stores values and rejects reserved bits and invalid types", "[cpu][msr]") {
  test::TestCpu t;
  Cpu& c = t.cpu;
  auto wr = [&](uint32_t m, uint64_t v) { return fault_of([&] { write_msr(c, m, v, 0); }); };
  // PAT: each byte a type 0, 1, 4, 5, 6 or 7.
  CHECK(wr(0x277, 0x0001040506070001ull) == kNone);
  CHECK(read_msr(c, 0x277, 0) == 0x0001040506070001ull);
  CHECK(wr(0x277, 0x0007040600070402ull) == kGp0);  // type 2 reserved
  CHECK(wr(0x277, 0x0007040600070416ull) == kGp0);  // bits 7:3 of an entry reserved
  CHECK(read_msr(c, 0x277, 0) == 0x0001040506070001ull);
  // MTRRdefType: type, FE, E.
  CHECK(wr(0x2ff, 0xc06) == kNone);
  CHECK(read_msr(c, 0x2ff, 0) == 0xc06);
  CHECK(wr(0x2ff, 0x1006) == kGp0);
  CHECK(wr(0x2ff, 0xc07) == kGp0);  // UC- is a PAT type only
  // Variable ranges: base 35:12 + type, mask 35:12 + valid.
  CHECK(wr(0x200, 0x0000000f00000006ull) == kNone);
  CHECK(wr(0x201, 0x0000000ff0000800ull) == kNone);
  CHECK(read_msr(c, 0x201, 0) == 0x0000000ff0000800ull);
  CHECK(wr(0x200, 0x0000001000000006ull) == kGp0);  // above 36 address bits
  CHECK(wr(0x200, 0x0000000000000106ull) == kGp0);  // bits 11:8 reserved in PHYSBASE
  CHECK(wr(0x20e, 0x3) == kGp0);                    // type 3 reserved
  CHECK(wr(0x20f, 0x0000000ff0000006ull) == kGp0);  // bits 10:0 reserved in PHYSMASK
  // Fixed ranges: eight type bytes.
  for (uint32_t m : {0x250u, 0x258u, 0x259u, 0x268u, 0x26fu}) {
    CHECK(wr(m, 0x0606060605050404ull) == kNone);
    CHECK(read_msr(c, m, 0) == 0x0606060605050404ull);
    CHECK(wr(m, 0x0606060605050403ull) == kGp0);
  }
  CHECK(wr(0x251, 0) == kGp0);  // between the fixed-range MSRs
  // APIC base: reserved bits 7:0, 10:9, 63:36.
  CHECK(wr(0x1b, 0xfec00800ull) == kNone);
  CHECK(read_msr(c, 0x1b, 0) == 0xfec00800ull);
  CHECK(wr(0x1b, 0xfee00901ull) == kGp0);
  CHECK(wr(0x1b, 0x1000000000ull | 0x900) == kGp0);
  // Read-only MSRs and unknown ones.
  CHECK(wr(0xfe, 0x508) == kGp0);
  CHECK(wr(0x17, 0) == kGp0);
  CHECK(fault_of([&] { read_msr(c, 0xc0000080u, 0); }) == kGp0);  // no EFER: no extended leaf
  CHECK(fault_of([&] { read_msr(c, 0x3a, 0); }) == kGp0);
  CHECK(fault_of([&] { read_msr(c, 0x11, 0); }) == kGp0);
  // MISC_ENABLE: fast strings may be turned off; unknown bits are reserved.
  CHECK(wr(0x1a0, read_msr(c, 0x1a0, 0) & ~1ull) == kNone);
  CHECK((read_msr(c, 0x1a0, 0) & 1) == 0);
  CHECK(wr(0x1a0, 1ull << 40) == kGp0);
}

TEST_CASE("The TSC MSR reads virtual time and a write moves RDTSC", "[cpu][msr]") {
  test::TestCpu t;
  t.flat32();
  t.cpu.ns_per_insn = 10;
  // mov ecx, 10h; mov edx, 1; mov eax, 1000h; wrmsr; nop; rdtsc
  REQUIRE(t.run({0xb9, 0x10, 0,    0, 0, 0xba, 1,    0,    0,    0,
                 0xb8, 0,    0x10, 0, 0, 0x0f, 0x30, 0x90, 0x0f, 0x31}) == StopReason::Halted);
  // WRMSR is the 4th instruction; RDTSC runs two instructions later: 20 ns of virtual time.
  CHECK(t.s().regs[EDX] == 1);
  CHECK(t.s().regs[EAX] == 0x1000 + 20);
  // RDMSR of the TSC agrees with RDTSC one instruction earlier.
  t.s().regs[ECX] = 0x10;
  REQUIRE(t.run({0x0f, 0x31, 0x89, 0xc3, 0x0f, 0x32}) ==
          StopReason::Halted);  // rdtsc; mov ebx,eax; rdmsr
  CHECK(t.s().regs[EAX] - t.s().regs[EBX] == 20);
}

TEST_CASE("SYSENTER and SYSEXIT load flat segments from IA32_SYSENTER_CS", "[cpu][msr]") {
  test::TestCpu t;
  Cpu& c = t.cpu;
  t.flat32();
  // Real mode: #GP(0); SYSENTER_CS null: #GP(0).
  c.s.cr0 &= ~cr0::PE;
  c.s.msr.sysenter_cs = 0x10;
  CHECK(fault_of(c, [&] { helper_sysenter(c, 0, 0, 0, 0); }) == kGp0);
  c.s.cr0 |= cr0::PE;
  c.s.msr.sysenter_cs = 0x3;
  CHECK(fault_of(c, [&] { helper_sysenter(c, 0, 0, 0, 0); }) == kGp0);
  CHECK(fault_of(c, [&] { helper_sysexit(c, 0, 0, 0, 0); }) == kGp0);
  c.s.msr = MsrState{};
  c.s.msr.sysenter_cs = 0x0b;  // RPL bits are ignored
  c.s.msr.sysenter_esp = 0x9000;
  c.s.msr.sysenter_eip = 0x12345;
  c.set_cpl(3);
  c.s.eflags |= fl::IF | fl::RF;
  CHECK(helper_sysenter(c, 0, 0, 0, 0) == 0x12345);
  CHECK(c.s.cpl == 0);
  CHECK(c.s.regs[ESP] == 0x9000);
  CHECK((c.s.eflags & (fl::IF | fl::RF | fl::VM)) == 0);
  CHECK(c.s.seg[CS].sel == 0x08);
  CHECK(c.s.seg[CS].flags == 0xcf9b);  // G, D, limit 19:16, P, DPL 0, code execute/read accessed
  CHECK(c.s.seg[CS].hi == 0xffffffffu);
  CHECK(c.s.seg[CS].base == 0);
  CHECK(c.s.seg[SS].sel == 0x10);
  CHECK(c.s.seg[SS].flags == 0xcf93);  // data read/write accessed, B = 1
  c.s.regs[ECX] = 0x7000;
  c.s.regs[EDX] = 0x4321;
  CHECK(helper_sysexit(c, 0, 0, 0, 0) == 0x4321);
  CHECK(c.s.cpl == 3);
  CHECK(c.s.regs[ESP] == 0x7000);
  CHECK(c.s.seg[CS].sel == 0x1b);
  CHECK(c.s.seg[CS].flags == 0xcffb);
  CHECK(c.s.seg[SS].sel == 0x23);
  CHECK(c.s.seg[SS].flags == 0xcff3);
  // SYSEXIT needs CPL 0.
  CHECK(fault_of(c, [&] { helper_sysexit(c, 0, 0, 0, 0); }) == kGp0);
}
