// Engine behaviour: self-modifying code, exact instruction limits, exception delivery, shutdown.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

TEST_CASE("a store into the running block takes effect for the next instruction", "[jit][engine]") {
  // P6-family processors detect writes to instructions already fetched and execute the new
  // bytes (SDM Vol.3 §8.1.3). Block layout at 10000h:
  //   mov byte [1000Eh], 5   ; patches the imm8 of the ADD below
  //   mov eax, 0
  //   add eax, 1             ; 83 C0 01 -> 83 C0 05
  //   hlt
  test::TestCpu t;
  t.flat32(0x10000);
  REQUIRE(t.run({0xc6, 0x05, 0x0e, 0x00, 0x01, 0x00, 0x05, 0xb8, 0, 0, 0, 0, 0x83, 0xc0, 0x01}) ==
          jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 5);
  CHECK(t.s().icount == 4);
}

TEST_CASE("translations of rewritten code are dropped", "[jit][engine]") {
  test::TestCpu t;
  t.flat32(0x10000);
  REQUIRE(t.run({0xb8, 0x11, 0, 0, 0}) == jit::StopReason::Halted);  // mov eax, 11h
  CHECK(t.s().regs[EAX] == 0x11);
  t.s().eip = 0x10000;
  t.s().halted = 0;
  REQUIRE(t.run({0xb8, 0x22, 0, 0, 0}) == jit::StopReason::Halted);  // same address, new code
  CHECK(t.s().regs[EAX] == 0x22);
}

TEST_CASE("the run loop stops exactly at the instruction limit", "[jit][engine]") {
  test::TestCpu t;
  t.flat32(0x10000);
  t.poke(0x10000, {0x90, 0x90, 0x90, 0x90, 0x90, 0xf4});
  CHECK(t.engine.run(3) == jit::StopReason::Limit);
  CHECK(t.s().icount == 3);
  CHECK(t.s().eip == 0x10003);
  CHECK(t.engine.run(100) == jit::StopReason::Halted);
  CHECK(t.s().icount == 6);
  CHECK(t.s().eip == 0x10006);
}

TEST_CASE("real-mode #UD is delivered through the IVT with the faulting IP", "[jit][engine]") {
  test::TestCpu t;
  t.real_mode(0x1000, 0x100);
  // IVT entry 6 -> 2000:0000, where a HLT waits.
  t.poke(6 * 4, {0x00, 0x00, 0x00, 0x20});
  t.poke(0x20000, {0xf4});
  // nop; nop; FF /7 (no such instruction: #UD); nop
  t.poke(0x10100, {0x90, 0x90, 0xff, 0xf8, 0x90});
  t.s().regs[ESP] = 0x1000;
  REQUIRE(t.engine.run(100) == jit::StopReason::Halted);
  CHECK(t.s().seg[CS].sel == 0x2000);
  // Pushed: FLAGS at 1000:0FFE, CS at 0FFC, IP at 0FFA; the IP is the faulting instruction's.
  CHECK(t.s().regs[ESP] == 0x0ffa);
  CHECK(t.peek16(0x10ffa) == 0x0102);
  CHECK(t.peek16(0x10ffc) == 0x1000);
  // Two NOPs retired, the faulting instruction did not, the delivery took one tick of virtual
  // time, then the handler's HLT.
  CHECK(t.s().icount == 4);
}

TEST_CASE("a fault with an unusable IVT ends in a triple fault", "[jit][engine]") {
  test::TestCpu t;
  t.real_mode(0x1000, 0x100);
  t.s().idtr.limit = 0;  // every vector is outside the table: #GP, then #DF, then shutdown
  t.poke(0x10100, {0xff, 0xf8});
  CHECK(t.engine.run(100) == jit::StopReason::Shutdown);
}

namespace {

// Paging on, with the first 2 MiB identity-mapped and linear page 400000h mapped to `code_page`
// (page directory at 80000h, page tables at 81000h and 82000h).
void paged_flat32(test::TestCpu& t, uint32_t code_page) {
  t.flat32(0x10000);
  t.put32(0x80000, 0x81000 | 7);
  t.put32(0x80004, 0x82000 | 7);
  for (uint32_t i = 0; i < 512; i++) t.put32(0x81000 + 4 * i, i << 12 | 7);
  t.put32(0x82000, code_page | 7);
  t.s().cr3 = 0x80000;
  t.s().cr0 |= cpu::cr0::PG;
  t.mmu.flush_tlb();
}

}  // namespace

TEST_CASE("INVLPG of a code page makes the next jump there run the page's new code", "[jit][engine]") {
  // SDM Vol.3 §4.10.4.1: INVLPG invalidates the translations of the page, instruction fetches
  // included. Linear 400000h first maps the code at 100000h (mov eax, 1; ret), then the one at
  // 101000h (mov eax, 2; ret).
  test::TestCpu t;
  paged_flat32(t, 0x100000);
  t.poke(0x100000, {0xb8, 1, 0, 0, 0, 0xc3});
  t.poke(0x101000, {0xb8, 2, 0, 0, 0, 0xc3});
  //   call 400000h ; mov ebx, eax
  //   mov dword [82000h], 101007h ; invlpg [400000h]
  //   call 400000h ; hlt
  REQUIRE(t.run({0xe8, 0xfb, 0xff, 0x3e, 0x00, 0x89, 0xc3,              // call, mov ebx, eax
                 0xc7, 0x05, 0x00, 0x20, 0x08, 0x00, 0x07, 0x10, 0x10, 0x00,  // mov [82000h], 101007h
                 0x0f, 0x01, 0x3d, 0x00, 0x00, 0x40, 0x00,              // invlpg [400000h]
                 0xe8, 0xe3, 0xff, 0x3e, 0x00}) == jit::StopReason::Halted);  // call 400000h
  CHECK(t.s().regs[EBX] == 1);
  CHECK(t.s().regs[EAX] == 2);
}

TEST_CASE("INVLPG of a data page keeps the jump cache", "[jit][engine]") {
  // A loop whose INVLPG ends each block (it returns to the run loop): the next lookup finds its
  // block in the jump cache as it stands, with no new look at the page tables.
  test::TestCpu t;
  paged_flat32(t, 0x100000);
  //   mov ecx, 50
  // l: invlpg [300000h] ; dec ecx ; jnz l ; hlt
  REQUIRE(t.run({0xb9, 50, 0, 0, 0, 0x0f, 0x01, 0x3d, 0x00, 0x00, 0x30, 0x00, 0x49, 0x75, 0xf6}) ==
          jit::StopReason::Halted);
  CHECK(t.s().regs[ECX] == 0);
  CHECK(t.engine.jit_stats().jc_revalidated == 0);
  CHECK(t.engine.jit_stats().jc_hits >= 49);
}

TEST_CASE("loops keep CF across iterations as the lazy flags define it", "[jit][engine]") {
  // INC keeps CF (SDM Vol.2 INC); ADC adds it. Each loop starts with CF = 0 (XOR) and counts in
  // EAX the iterations that begin with CF set: those after a CMP/ADD that carried.
  SECTION("the last flags of an iteration from an 8-bit CMP") {
    //   xor eax, eax ; xor ecx, ecx
    // l: inc ecx ; adc eax, 0 ; cmp cl, 4 ; jb l ; hlt
    test::TestCpu t;
    t.flat32(0x10000);
    REQUIRE(t.run({0x31, 0xc0, 0x31, 0xc9, 0x41, 0x83, 0xd0, 0x00, 0x80, 0xf9, 0x04, 0x72, 0xf7}) ==
            jit::StopReason::Halted);
    CHECK(t.s().regs[ECX] == 4);
    CHECK(t.s().regs[EAX] == 3);  // iterations 2-4 start after 1 < 4, 2 < 4, 3 < 4
    CHECK((t.flags() & fl::CF) == 0);
  }
  SECTION("the last flags of an iteration from an 8-bit ADD") {
    //   xor eax, eax ; xor ecx, ecx ; mov dl, 30h
    // l: inc ecx ; adc eax, 0 ; add dl, 0F0h ; jnz l ; hlt
    test::TestCpu t;
    t.flat32(0x10000);
    REQUIRE(t.run({0x31, 0xc0, 0x31, 0xc9, 0xb2, 0x30, 0x41, 0x83, 0xd0, 0x00, 0x80, 0xc2, 0xf0, 0x75, 0xf7}) ==
            jit::StopReason::Halted);
    CHECK(t.s().regs[ECX] == 3);  // DL: 30h -> 20h -> 10h -> 00h, each with a carry out
    CHECK(t.s().regs[EAX] == 2);
    CHECK((t.flags() & fl::CF) != 0);
  }
  SECTION("a 32-bit CMP") {
    //   xor eax, eax ; xor ecx, ecx ; mov edi, 6
    // l: inc ecx ; adc eax, 0 ; cmp ecx, edi ; jb l ; hlt
    test::TestCpu t;
    t.flat32(0x10000);
    REQUIRE(t.run({0x31, 0xc0, 0x31, 0xc9, 0xbf, 6, 0, 0, 0, 0x41, 0x83, 0xd0, 0x00, 0x39, 0xf9, 0x72, 0xf8}) ==
            jit::StopReason::Halted);
    CHECK(t.s().regs[ECX] == 6);
    CHECK(t.s().regs[EAX] == 5);
    CHECK((t.flags() & fl::CF) == 0);
  }
}

TEST_CASE("a fault in a later iteration of an INC loop sees the CF from before the loop", "[jit][engine]") {
  // STC, then a loop of INC (which keeps CF) and a load that faults on the first unmapped page
  // (#PF, SDM Vol.3 §6.15): the EFLAGS the handler finds on its stack have CF set, EBX counts
  // the five INCs, and the saved EIP is the load's.
  test::TestCpu t;
  t.flat32_with_tables(0x90000, 0x91000);
  t.put32(0x80000, 0x81000 | 7);
  for (uint32_t i = 0; i < 512; i++) t.put32(0x81000 + 4 * i, i << 12 | 7);  // 0-2 MiB; 2 MiB up unmapped
  t.s().cr3 = 0x80000;
  t.s().cr0 |= cpu::cr0::PG;
  t.mmu.flush_tlb();
  t.gate(14, 0x20000);
  t.poke(0x20000, {0xf4});
  //   stc ; xor ebx, ebx (clears CF: so STC comes after) -> use mov
  //   mov ebx, 0 ; mov esi, 1FFFF0h ; stc
  // l: inc ebx ; mov eax, [esi] ; lea esi, [esi+4] ; jmp l
  REQUIRE(t.run({0xbb, 0, 0, 0, 0, 0xbe, 0xf0, 0xff, 0x1f, 0x00, 0xf9,  // mov ebx, 0; mov esi; stc
                 0x43, 0x8b, 0x06, 0x8d, 0x76, 0x04, 0xeb, 0xf8}) == jit::StopReason::Halted);
  CHECK(t.s().eip == 0x20001);
  CHECK(t.s().cr2 == 0x200000);
  CHECK(t.s().regs[EBX] == 5);
  const uint32_t esp = t.s().regs[ESP];
  CHECK(t.peek32(esp + 4) == 0x1000c);     // EIP of the load (after the error code)
  CHECK((t.peek32(esp + 12) & fl::CF) != 0);  // EFLAGS
}

TEST_CASE("a segment with a base and a 4 GiB limit adds its base to constant and register offsets", "[jit][engine]") {
  // SDM Vol.3 §3.4: linear = segment base + offset. FS as Linux uses it for per-CPU data: base
  // 30000h, limit 4 GiB, read/write.
  test::TestCpu t;
  t.flat32(0x10000);
  cpu::Segment& fs = t.s().seg[cpu::FS];
  fs.base = 0x30000;
  t.put32(0x30000, 0x11111111);
  t.put32(0x30040, 0x22222222);
  //   mov eax, fs:[0] ; mov ebx, fs:[40h] ; mov esi, 40h ; mov ecx, fs:[esi]
  //   mov dword fs:[80h], 33333333h ; inc dword fs:[40h] ; hlt
  REQUIRE(t.run({0x64, 0xa1, 0, 0, 0, 0,                                      // mov eax, fs:[0]
                 0x64, 0x8b, 0x1d, 0x40, 0, 0, 0,                             // mov ebx, fs:[40h]
                 0xbe, 0x40, 0, 0, 0, 0x64, 0x8b, 0x0e,                       // mov esi, 40h; mov ecx, fs:[esi]
                 0x64, 0xc7, 0x05, 0x80, 0, 0, 0, 0x33, 0x33, 0x33, 0x33,     // mov dword fs:[80h], ...
                 0x64, 0xff, 0x05, 0x40, 0, 0, 0}) == jit::StopReason::Halted);  // inc dword fs:[40h]
  CHECK(t.s().regs[EAX] == 0x11111111);
  CHECK(t.s().regs[EBX] == 0x22222222);
  CHECK(t.s().regs[ECX] == 0x22222222);
  CHECK(t.peek32(0x30080) == 0x33333333);
  CHECK(t.peek32(0x30040) == 0x22222223);
}

TEST_CASE("faults a helper reports by return are delivered without a C++ throw", "[jit][engine]") {
  // A guest taking #UD in a loop, a thousand times: each UD2 traps to a handler that counts it
  // in EBX and returns past it (the pushed EIP names the UD2, SDM Vol.3 §6.5: a fault).
  //   10000: mov ecx, 1000
  //   10005: ud2
  //   10007: dec ecx
  //   10008: jnz 10005
  //   1000a: hlt
  //   10100: inc ebx; add dword [esp], 2; iret
  test::TestCpu t;
  t.flat32_with_tables(0x1000, 0x2000);
  t.gate(6, 0x10100);
  t.s().regs[ESP] = 0x9000;
  t.poke(0x10100, {0x43, 0x83, 0x04, 0x24, 0x02, 0xcf});
  REQUIRE(t.run({0xb9, 0xe8, 0x03, 0, 0, 0x0f, 0x0b, 0x49, 0x75, 0xfb}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EBX] == 1000);
  CHECK(t.s().regs[ECX] == 0);
  CHECK(t.engine.jit_stats().exceptions == 1000);
  CHECK(t.engine.jit_stats().unwound == 0);
}

TEST_CASE("page faults of loads and stores are delivered without a C++ throw", "[jit][engine]") {
  // Demand paging: a loop stores to 100 pages of 400000h-463FFFh, not present at first; the #PF
  // handler maps the page CR2 names (every one onto physical 100000h), counts the fault in
  // EBX, drops the error code and returns to the store, which then completes (SDM Vol.3 §6.15,
  // interrupt 14: a fault, restarted).
  test::TestCpu t;
  t.flat32_with_tables(0x90000, 0x91000);
  t.put32(0x80000, 0x81000 | 7);
  for (uint32_t i = 0; i < 512; i++) t.put32(0x81000 + 4 * i, i << 12 | 7);  // 0-2 MiB identity
  t.put32(0x80004, 0x82000 | 7);  // 4-8 MiB: a page table with nothing present
  t.s().cr3 = 0x80000;
  t.s().cr0 |= cpu::cr0::PG;
  t.mmu.flush_tlb();
  t.s().regs[ESP] = 0x9000;
  t.gate(14, 0x20000);
  //   mov eax, cr2 ; shr eax, 12 ; and eax, 3FFh ; mov dword [82000h + eax*4], 100007h
  //   inc ebx ; add esp, 4 ; iret
  t.poke(0x20000,
         {0x0f, 0x20, 0xd0, 0xc1, 0xe8, 0x0c, 0x25, 0xff, 0x03, 0,    0,    0xc7, 0x04, 0x85,
          0x00, 0x20, 0x08, 0x00, 0x07, 0x00, 0x10, 0x00, 0x43, 0x83, 0xc4, 0x04, 0xcf});
  //   mov esi, 400000h ; mov ecx, 100
  // l: mov [esi], ecx ; add esi, 1000h ; dec ecx ; jnz l
  REQUIRE(t.run({0xbe, 0x00, 0x00, 0x40, 0x00, 0xb9, 100,  0,    0,    0,   0x89,
                 0x0e, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0x49, 0x75, 0xf5}) ==
          jit::StopReason::Halted);
  CHECK(t.s().regs[EBX] == 100);
  CHECK(t.s().regs[ECX] == 0);
  CHECK(t.peek32(0x100000) == 1);  // the last store, through the last page mapped
  CHECK(t.s().cr2 == 0x463000);
  CHECK(t.engine.jit_stats().exceptions == 100);
  CHECK(t.engine.jit_stats().unwound == 0);
}
