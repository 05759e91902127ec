// A guest that faults inside translated code on every kind of path and resumes: a load whose
// TLB miss raises #PF, #DE from DIV, #PF in the middle of REP MOVSD, and #GP raised by a helper
// (WRMSR). Each handler repairs the cause and returns; the program must end exactly as the
// instructions define it. Like every [jit] test this runs on both engines.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

constexpr uint32_t kGdt = 0x1000, kIdt = 0x2000, kPd = 0x3000, kPt = 0x4000;
constexpr uint32_t kPfHandler = 0x6000, kDeHandler = 0x6100, kGpHandler = 0x6200;

struct FaultCpu : test::TestCpu {
  FaultCpu() {
    flat32_with_tables(kGdt, kIdt);
    gate(0, kDeHandler);
    gate(13, kGpHandler);
    gate(14, kPfHandler);
    // Paging: the first 4 MiB identity-mapped, except pages 50000h and 60000h (not present).
    put32(kPd, kPt | 3);
    for (uint32_t page = 0; page < 0x400; page++)
      put32(kPt + 4 * page, page == 0x50 || page == 0x60 ? 0 : page << 12 | 3);
    s().cr3 = kPd;
    s().cr0 |= cr0::PG;
    mmu.flush_tlb();
    // #PF: map the page in CR2 (its PTE at 4000h + 4 * page), reload CR3, count in EBP, drop
    // the error code and retry the instruction.
    poke(kPfHandler, {0x50,                                      // push eax
                      0x52,                                      // push edx
                      0x0f, 0x20, 0xd0,                          // mov eax, cr2
                      0x25, 0x00, 0xf0, 0xff, 0xff,              // and eax, FFFFF000h
                      0x89, 0xc2,                                // mov edx, eax
                      0xc1, 0xea, 0x0c,                          // shr edx, 12
                      0x83, 0xc8, 0x03,                          // or eax, 3
                      0x89, 0x04, 0x95, 0x00, 0x40, 0x00, 0x00,  // mov [edx*4+4000h], eax
                      0x0f, 0x20, 0xd8,                          // mov eax, cr3
                      0x0f, 0x22, 0xd8,                          // mov cr3, eax
                      0x5a,                                      // pop edx
                      0x58,                                      // pop eax
                      0x45,                                      // inc ebp
                      0x83, 0xc4, 0x04,                          // add esp, 4
                      0xcf});                                    // iretd
    // #DE: make the divisor 5 and retry.
    poke(kDeHandler, {0xb9, 0x05, 0, 0, 0, 0x45, 0xcf});  // mov ecx, 5; inc ebp; iretd
    // #GP: skip the two-byte instruction that raised it.
    poke(kGpHandler, {0x83, 0xc4, 0x04, 0x83, 0x04, 0x24, 0x02, 0x45,
                      0xcf});  // add esp,4; add [esp],2; inc ebp; iretd
  }
};

}  // namespace

TEST_CASE("translated code that faults on every kind of path resumes exactly", "[jit][engine]") {
  FaultCpu t;
  t.put32(0x50010, 0x11223344);
  for (uint32_t i = 0; i < 0x100; i++) t.put32(0x40000 + 4 * i, 0xa5000000u + i);
  t.s().regs[EBP] = 0;
  REQUIRE(
      t.run({0x8b, 0x1d, 0x10, 0x00, 0x05, 0x00,  // mov ebx, [50010h]: the TLB miss faults (#PF)
             0x31, 0xd2,                          // xor edx, edx
             0xb8, 0x64, 0,    0,    0,           // mov eax, 100
             0x31, 0xc9,                          // xor ecx, ecx
             0xf7, 0xf1,                          // div ecx: #DE, then 100 / 5
             0xb9, 0x00, 0x01, 0,    0,           // mov ecx, 100h
             0xbe, 0x00, 0x00, 0x04, 0x00,        // mov esi, 40000h
             0xbf, 0x00, 0xfe, 0x05, 0x00,        // mov edi, 5FE00h
             0xf3, 0xa5,                          // rep movsd: #PF at 60000h, after 80h dwords
             0xb9, 0xff, 0xff, 0,    0,           // mov ecx, FFFFh (no such MSR)
             0x0f, 0x30},                         // wrmsr: #GP(0) from the helper
            10000) == jit::StopReason::Halted);
  CHECK(t.s().regs[EBP] == 4);  // four faults handled
  CHECK(t.s().regs[EBX] == 0x11223344);
  CHECK(t.s().regs[EAX] == 20);
  CHECK(t.s().regs[EDX] == 0);
  CHECK(t.s().regs[ECX] == 0xffff);
  CHECK(t.s().regs[ESI] == 0x40400);
  CHECK(t.s().regs[EDI] == 0x60200);
  for (uint32_t i = 0; i < 0x100; i++) {
    INFO("dword " << i);
    CHECK(t.peek32(0x5fe00 + 4 * i) == 0xa5000000u + i);
  }
  CHECK(t.s().eip == 0x1002a);  // past the HLT that follows WRMSR
}

TEST_CASE("a fault in a later iteration of a loop block sees that iteration's registers",
          "[jit][engine]") {
  // L: add eax, ebx; add ebx, [esi]; add esi, 4; dec ecx; jnz L. A loop block keeps EAX, EBX,
  // ESI and ECX in host registers across iterations; the 17th load touches the page at 50000h,
  // which is not present, so the #PF must find CpuState as that iteration left it. The handler
  // maps the page and the load is retried; the sums follow from the instructions' definitions.
  FaultCpu t;
  for (uint32_t a = 0x4ffc0; a < 0x50040; a += 4) t.put32(a, a * 7 + 1);
  uint32_t eax = 5, ebx = 3, esi = 0x4ffc0;
  for (uint32_t ecx = 32; ecx; ecx--) {
    eax += ebx;
    ebx += esi * 7 + 1;
    esi += 4;
  }
  t.s().regs[EAX] = 5, t.s().regs[EBX] = 3, t.s().regs[ESI] = 0x4ffc0, t.s().regs[ECX] = 32;
  t.s().regs[EBP] = 0;
  REQUIRE(t.run({0x01, 0xd8, 0x03, 0x1e, 0x83, 0xc6, 0x04, 0x49, 0x75, 0xf6}, 10000) ==
          jit::StopReason::Halted);
  CHECK(t.s().regs[EBP] == 1);  // one fault
  CHECK(t.s().regs[EAX] == eax);
  CHECK(t.s().regs[EBX] == ebx);
  CHECK(t.s().regs[ESI] == esi);
  CHECK(t.s().regs[ECX] == 0);
}
