// Block shapes and what the compiled code keeps across them: side exits at forward branches,
// loop blocks that carry guest registers in host registers, and flags read in a later block.
// Like every [jit] test these run on both engines (ctest runs them again with the JIT).
#include <catch2/catch.hpp>

#include "cpu/translate.h"
#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

uint32_t block_length(test::TestCpu& t) {
  TranslatedBlock b;
  translate_block(t.cpu, t.engine.decoder(), current_mode(t.cpu), b);
  return b.ir.guest_insns;
}

}  // namespace

TEST_CASE("a forward conditional branch is a side exit, a backward one ends the block",
          "[jit][engine]") {
  test::TestCpu t;
  t.flat32(0x10000);
  // cmp eax, ebx; jb +2; nop; nop; jb -6 (back to the first jb); nop
  t.poke(0x10000, {0x39, 0xd8, 0x72, 0x02, 0x90, 0x90, 0x72, 0xfa, 0x90});
  CHECK(block_length(t) == 5);
  // Four side exits at most: the fifth forward branch ends the block.
  t.poke(0x10000, {0x72, 0x00, 0x72, 0x00, 0x72, 0x00, 0x72, 0x00, 0x72, 0x00, 0x72,
                   0x00});  // jb +0, 6 times
  CHECK(block_length(t) == 5);
}

TEST_CASE("a taken side exit leaves the flags of the compare before it", "[jit][engine]") {
  // cmp eax, ebx; jbe L; mov ecx, 1; L: sete dl; setb dh (the flag reads are another block)
  struct Case {
    uint32_t a, b;
    uint32_t ecx, dl, dh;  // SDM CMP: ZF = (a == b), CF = (a < b) unsigned
  };
  for (const Case& c : {Case{5, 5, 0, 1, 0}, Case{3, 9, 0, 0, 1}, Case{9, 3, 1, 0, 0},
                        Case{0x80000000u, 1, 1, 0, 0}}) {
    test::TestCpu t;
    t.flat32(0x10000);
    t.s().regs[EAX] = c.a;
    t.s().regs[EBX] = c.b;
    REQUIRE(t.run({0x39, 0xd8, 0x76, 0x05, 0xb9, 0x01, 0, 0, 0, 0x0f, 0x94, 0xc2, 0x0f, 0x92,
                   0xc6}) == jit::StopReason::Halted);
    CHECK(t.s().regs[ECX] == c.ecx);
    CHECK((t.s().regs[EDX] & 0xff) == c.dl);
    CHECK((t.s().regs[EDX] >> 8 & 0xff) == c.dh);
  }
}

TEST_CASE("CF is read correctly from the flag record of an earlier block", "[jit][engine]") {
  // FLAGS-SETTER; jmp +0 (a new block); adc ecx, 0 -> ECX = CF (SDM: ADC adds CF; INC and DEC
  // leave CF as it was; SUB/CMP set CF on unsigned borrow; SHL sets it to the last bit out).
  struct Case {
    const char* what;
    std::vector<uint8_t> setter;
    uint32_t eax, ebx;
    uint32_t cf;
  };
  const std::vector<Case> cases = {
      {"sub eax, ebx (borrow)", {0x29, 0xd8}, 1, 2, 1},
      {"sub eax, ebx (none)", {0x29, 0xd8}, 2, 1, 0},
      {"stc; dec eax", {0xf9, 0x48}, 0, 0, 1},
      {"clc; dec eax", {0xf8, 0x48}, 0, 0, 0},
      {"stc; inc eax", {0xf9, 0x40}, 0xffffffffu, 0, 1},
      {"clc; inc eax", {0xf8, 0x40}, 0xffffffffu, 0, 0},
      {"shl eax, 1", {0xd1, 0xe0}, 0x80000000u, 0, 1},
      {"sub al, bl (borrow)", {0x28, 0xd8}, 0x100, 0x01, 1},
      {"add eax, ebx (carry)", {0x01, 0xd8}, 0xffffffffu, 1, 1},
      {"and eax, ebx", {0xf9, 0x21, 0xd8}, 3, 1, 0},
      {"add eax, ebx (none)", {0x01, 0xd8}, 0x7fffffffu, 1, 0},
      {"add ax, bx (carry)", {0x66, 0x01, 0xd8}, 0x1ffff, 1, 1},
      {"add ax, bx (none)", {0x66, 0x01, 0xd8}, 0xfffe, 1, 0},
      {"add al, bl (carry)", {0x00, 0xd8}, 0xff, 0x01, 1},
      {"stc; adc al, bl (carry from CF alone)", {0xf9, 0x10, 0xd8}, 0xff, 0x00, 1},
      {"stc; sbb eax, ebx (borrow from CF alone)", {0xf9, 0x19, 0xd8}, 5, 5, 1},
      {"clc; sbb eax, ebx (none)", {0xf8, 0x19, 0xd8}, 5, 5, 0},
      {"stc; sbb ax, bx (borrow)", {0xf9, 0x66, 0x19, 0xd8}, 0x10000, 0, 1},
      {"sub ax, bx (borrow)", {0x66, 0x29, 0xd8}, 0x10001, 2, 1},
      {"cmp eax, ebx (none)", {0x39, 0xd8}, 0x80000000u, 0x7fffffffu, 0},
      {"stc; or al, bl", {0xf9, 0x08, 0xd8}, 0x80, 0x01, 0},
      {"sar eax, 1", {0xd1, 0xf8}, 0x80000001u, 0, 1},
      {"neg eax (nonzero)", {0xf7, 0xd8}, 7, 0, 1},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    test::TestCpu t;
    t.flat32(0x10000);
    t.s().regs[EAX] = c.eax;
    t.s().regs[EBX] = c.ebx;
    std::vector<uint8_t> code = c.setter;
    code.insert(code.end(), {0xeb, 0x00, 0x83, 0xd1, 0x00, 0xf4});  // jmp +0; adc ecx, 0; hlt
    t.poke(0x10000, code);
    REQUIRE(t.engine.run(100) == jit::StopReason::Halted);
    CHECK(t.s().regs[ECX] == c.cf);
  }
}

TEST_CASE("loop blocks carry registers across iterations, swaps and partial writes included",
          "[jit][engine]") {
  SECTION("xchg in the body") {
    // mov ecx, 1000; xor eax, eax; mov ebx, 1; L: add eax, ebx; xchg eax, ebx; dec ecx; jnz L
    test::TestCpu t;
    t.flat32(0x10000);
    REQUIRE(t.run({0xb9, 0xe8, 0x03, 0, 0, 0x31, 0xc0, 0xbb, 0x01, 0, 0, 0, 0x01, 0xd8, 0x93, 0x49,
                   0x75, 0xfa},
                  10000) == jit::StopReason::Halted);
    uint32_t a = 0, b = 1;
    for (int i = 0; i < 1000; i++) {
      a += b;
      std::swap(a, b);
    }
    CHECK(t.s().regs[EAX] == a);
    CHECK(t.s().regs[EBX] == b);
    CHECK(t.s().regs[ECX] == 0);
  }
  SECTION("a carried register cleared in the body") {
    // mov ecx, 3; mov edi, 7; xor eax, eax; L: add eax, edi; xor edi, edi; dec ecx; jnz L
    // EDI is 7 in the first iteration only: EAX = 7.
    test::TestCpu t;
    t.flat32(0x10000);
    REQUIRE(t.run({0xb9, 0x03, 0, 0, 0, 0xbf, 0x07, 0, 0, 0, 0x31, 0xc0, 0x01, 0xf8, 0x31, 0xff,
                   0x49, 0x75, 0xf9}) == jit::StopReason::Halted);
    CHECK(t.s().regs[EAX] == 7);
    CHECK(t.s().regs[EDI] == 0);
  }
  SECTION("a byte write to a carried register") {
    // mov ecx, 300; xor eax, eax; L: add eax, 101h; mov al, cl; dec ecx; jnz L
    test::TestCpu t;
    t.flat32(0x10000);
    REQUIRE(t.run({0xb9, 0x2c, 0x01, 0, 0, 0x31, 0xc0, 0x05, 0x01, 0x01, 0, 0, 0x88, 0xc8, 0x49,
                   0x75, 0xf6},
                  10000) == jit::StopReason::Halted);
    uint32_t a = 0;
    for (uint32_t c = 300; c > 0; c--) a = ((a + 0x101) & ~0xffu) | (c & 0xff);
    CHECK(t.s().regs[EAX] == a);
  }
  SECTION("a helper in the body") {
    // mov esi, 50; L: mov eax, 1; xor ecx, ecx; cpuid; add edi, eax; dec esi; jnz L
    // CPUID writes EAX..EDX; the loop must see what it wrote, every iteration.
    test::TestCpu t;
    t.flat32(0x10000);
    REQUIRE(t.run({0xb8, 0x01, 0, 0, 0, 0x31, 0xc9, 0x0f, 0xa2}) == jit::StopReason::Halted);
    const uint32_t signature = t.s().regs[EAX];  // CPUID leaf 1's EAX, as this CPU reports it
    t.s().eip = 0x10000;
    t.s().regs[EDI] = 0;
    REQUIRE(t.run({0xbe, 0x32, 0, 0, 0, 0xb8, 0x01, 0, 0, 0, 0x31, 0xc9, 0x0f, 0xa2, 0x01, 0xc7,
                   0x4e, 0x75, 0xf2},
                  10000) == jit::StopReason::Halted);
    CHECK(t.s().regs[EDI] == 50 * signature);
  }
}

TEST_CASE("a loop block stops exactly at the instruction limit", "[jit][engine]") {
  // mov ecx, 1000; xor eax, eax; L: add eax, 3; inc edx; dec ecx; jnz L; hlt
  test::TestCpu t;
  t.flat32(0x10000);
  t.poke(0x10000,
         {0xb9, 0xe8, 0x03, 0, 0, 0x31, 0xc0, 0x83, 0xc0, 0x03, 0x42, 0x49, 0x75, 0xf9, 0xf4});
  t.s().regs[EDX] = 0;  // reset leaves the processor signature there
  // Two set-up instructions, ten iterations of four, then ADD and INC of the eleventh.
  CHECK(t.engine.run(2 + 4 * 10 + 2) == jit::StopReason::Limit);
  CHECK(t.s().icount == 44);
  CHECK(t.s().eip == 0x1000b);  // the DEC
  CHECK(t.s().regs[EAX] == 33);
  CHECK(t.s().regs[EDX] == 11);
  CHECK(t.s().regs[ECX] == 990);
  CHECK(t.engine.run(100000) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 3000);
  CHECK(t.s().regs[EDX] == 1000);
  CHECK(t.s().icount == 2 + 4 * 1000 + 1);
}

TEST_CASE("a segment with a base and a 4 GiB limit adds its base; a smaller limit is still checked",
          "[jit][engine]") {
  // mov eax, fs:[10h]; mov fs:[14h], eax (64 8B 05 10 00 00 00; 64 89 05 14 00 00 00)
  test::TestCpu t;
  t.flat32(0x10000);
  t.s().seg[FS].base = 0x30000;
  t.poke(0x30010, {0x78, 0x56, 0x34, 0x12});
  REQUIRE(t.run({0x64, 0x8b, 0x05, 0x10, 0, 0, 0, 0x64, 0x89, 0x05, 0x14, 0, 0, 0}) ==
          jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x12345678);
  CHECK(t.peek32(0x30014) == 0x12345678);
  // The same code with FS limited to 13h bytes: the read is inside, the write (14h..17h) is
  // not, so it raises #GP(0) (SDM Vol.3 §5.3); with no IDT that ends in a shutdown, and the
  // write never happens.
  test::TestCpu u;
  u.flat32(0x10000);
  u.s().seg[FS].base = 0x30000;
  u.s().seg[FS].limit = u.s().seg[FS].hi = 0x13;
  u.poke(0x30010, {0x78, 0x56, 0x34, 0x12});
  CHECK(u.run({0x64, 0x8b, 0x05, 0x10, 0, 0, 0, 0x64, 0x89, 0x05, 0x14, 0, 0, 0}) ==
        jit::StopReason::Shutdown);
  CHECK(u.s().regs[EAX] == 0x12345678);
  CHECK(u.peek32(0x30014) == 0);
}

TEST_CASE("a block that continues on a page that then maps elsewhere runs the new bytes",
          "[jit][engine]") {
  // The block starts on linear page 10000h and its second instruction, MOV EBX, imm32, takes
  // its upper immediate bytes (and the HLT after it) from linear page 11000h. Remapping that
  // page (and flushing the TLB, as a CR3 write does) must make the same EIP run the bytes of
  // the new physical page (SDM Vol.3 §4.10.4: after the flush, fetches use the new mapping).
  constexpr uint32_t kPd = 0x3000, kPt = 0x4000;
  test::TestCpu t;
  t.flat32(0x10ff8);
  t.put32(kPd, kPt | 3);
  for (uint32_t page = 0; page < 0x400; page++) t.put32(kPt + 4 * page, page << 12 | 3);
  t.put32(kPt + 4 * 0x11, 0x21000 | 3);
  t.s().cr3 = kPd;
  t.s().cr0 |= cr0::PG;
  t.mmu.flush_tlb();
  t.poke(0x10ff8, {0xb8, 0x11, 0x11, 0x11, 0x11, 0xbb, 0x44, 0x44});  // mov eax, ..; mov ebx, ..
  t.poke(0x21000, {0x22, 0x22, 0xf4});                                // .. 2222h; hlt
  t.poke(0x31000, {0x33, 0x33, 0xf4});                                // .. 3333h; hlt
  REQUIRE(t.engine.run(100) == jit::StopReason::Halted);
  CHECK(t.s().regs[EBX] == 0x22224444);
  for (int round = 0; round < 2; round++) {
    t.put32(kPt + 4 * 0x11, (round == 0 ? 0x31000 : 0x21000) | 3);
    t.mmu.flush_tlb();
    t.s().eip = 0x10ff8;
    t.s().halted = 0;
    REQUIRE(t.engine.run(100) == jit::StopReason::Halted);
    CHECK(t.s().regs[EBX] == (round == 0 ? 0x33334444u : 0x22224444u));
  }
}
