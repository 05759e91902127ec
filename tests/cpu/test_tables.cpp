// LAR, LSL, VERR, VERW, ARPL, LLDT/SLDT (SDM Vol.2): expected values follow each instruction's
// definition applied to the descriptors written below.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

// Flat 32-bit mode with a GDT at 1000h: 08h code (DPL 0), 10h data (DPL 0), 18h read-only data
// with limit 0FFFFh (DPL 3), 20h an LDT of 16 bytes at 3000h, 28h an interrupt gate (not
// inspectable by LAR).
void setup(test::TestCpu& t) {
  t.flat32();
  t.poke(0x1000, {0, 0, 0, 0, 0, 0, 0, 0});
  t.poke(0x1008, {0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0});
  t.poke(0x1010, {0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0});
  t.poke(0x1018, {0xff, 0xff, 0, 0, 0, 0xf1, 0x00, 0});
  t.poke(0x1020, {0x0f, 0x00, 0x00, 0x30, 0, 0x82, 0x00, 0});
  t.poke(0x1028, {0, 0, 0x08, 0, 0, 0x8e, 0, 0});
  t.s().gdtr = DescTable{0x1000, 0x2f};
}

}  // namespace

TEST_CASE("LAR returns access rights and sets ZF for a visible descriptor", "[cpu][tables]") {
  test::TestCpu t;
  setup(t);
  t.s().regs[ECX] = 0x1b;  // 18h with RPL 3
  REQUIRE(t.run({0x0f, 0x02, 0xc1}) == jit::StopReason::Halted);  // lar eax, ecx
  // Dword 1 of the descriptor (00 00 F1 00 in bytes 4-7 -> 0000F100h) masked by 00FFFF00h.
  CHECK(t.s().regs[EAX] == 0x0000f100);
  CHECK((t.flags() & fl::ZF));
  // An interrupt gate is not a type LAR reports: ZF = 0, destination unchanged.
  t.s().regs[ECX] = 0x28;
  t.s().regs[EAX] = 0x12345678;
  REQUIRE(t.run({0x0f, 0x02, 0xc1}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x12345678);
  CHECK_FALSE((t.flags() & fl::ZF));
}

TEST_CASE("LSL gives the byte-granular limit", "[cpu][tables]") {
  test::TestCpu t;
  setup(t);
  t.s().regs[ECX] = 0x10;  // G = 1, limit field FFFFFh -> FFFFFFFFh
  REQUIRE(t.run({0x0f, 0x03, 0xc1}) == jit::StopReason::Halted);  // lsl eax, ecx
  CHECK(t.s().regs[EAX] == 0xffffffffu);
  t.s().regs[ECX] = 0x20;  // the LDT descriptor: limit 0Fh, byte granular
  REQUIRE(t.run({0x0f, 0x03, 0xc1}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x0f);
  CHECK((t.flags() & fl::ZF));
  t.s().regs[ECX] = 0x30;  // beyond the GDT limit: ZF = 0, no fault
  REQUIRE(t.run({0x0f, 0x03, 0xc1}) == jit::StopReason::Halted);
  CHECK_FALSE((t.flags() & fl::ZF));
}

TEST_CASE("VERR and VERW check readability and writability", "[cpu][tables]") {
  test::TestCpu t;
  setup(t);
  t.s().regs[ECX] = 0x18;  // read-only data
  REQUIRE(t.run({0x0f, 0x00, 0xe1}) == jit::StopReason::Halted);  // verr cx
  CHECK((t.flags() & fl::ZF));
  REQUIRE(t.run({0x0f, 0x00, 0xe9}) == jit::StopReason::Halted);  // verw cx
  CHECK_FALSE((t.flags() & fl::ZF));
  t.s().regs[ECX] = 0x10;  // writable data
  REQUIRE(t.run({0x0f, 0x00, 0xe9}) == jit::StopReason::Halted);
  CHECK((t.flags() & fl::ZF));
}

TEST_CASE("ARPL raises the destination RPL to the source's", "[cpu][tables]") {
  test::TestCpu t;
  setup(t);
  t.s().regs[EAX] = 0x0010;  // RPL 0
  t.s().regs[EBX] = 0x0023;  // RPL 3
  REQUIRE(t.run({0x63, 0xd8}) == jit::StopReason::Halted);  // arpl ax, bx
  CHECK((t.s().regs[EAX] & 0xffff) == 0x0013);
  CHECK((t.flags() & fl::ZF));
  REQUIRE(t.run({0x63, 0xd8}) == jit::StopReason::Halted);  // already 3: unchanged, ZF = 0
  CHECK((t.s().regs[EAX] & 0xffff) == 0x0013);
  CHECK_FALSE((t.flags() & fl::ZF));
}

TEST_CASE("ARPL with a memory operand writes it only when the RPL changes", "[cpu][tables]") {
  // SDM Vol.2 ARPL: the destination is written inside the IF branch only. With DS a read-only
  // data segment, an ARPL that changes nothing runs; one that raises the RPL faults (#GP(0),
  // a write to a read-only segment) and leaves the word as it was.
  test::TestCpu t;
  setup(t);
  t.poke(0x4000 + kGP * 8, {0x00, 0x50, 0x08, 0x00, 0x00, 0x8e, 0x00, 0x00});  // #GP: 08h:5000h
  t.poke(0x5000, {0xf4});
  t.s().idtr = DescTable{0x4000, 0xff};
  t.poke(0x2000, {0x23, 0x00});  // a selector with RPL 3
  t.s().regs[EAX] = 0x1b;        // the read-only data segment
  t.s().regs[EBX] = 0x0010;      // RPL 0
  REQUIRE(t.run({0x8e, 0xd8, 0x63, 0x1d, 0x00, 0x20, 0x00, 0x00}) == jit::StopReason::Halted);  // mov ds, ax; arpl [2000h], bx
  CHECK(t.s().eip != 0x5001);  // no #GP
  CHECK(t.s().seg[DS].sel == 0x1b);
  CHECK_FALSE((t.flags() & fl::ZF));
  CHECK(t.peek16(0x2000) == 0x0023);
  t.poke(0x2000, {0x20, 0x00});  // RPL 0 now: ARPL must raise it, a write
  t.s().regs[EBX] = 0x0003;
  t.s().halted = 0;
  REQUIRE(t.run({0x63, 0x1d, 0x00, 0x20, 0x00, 0x00}) == jit::StopReason::Halted);  // arpl [2000h], bx
  CHECK(t.s().eip == 0x5001);  // in the #GP handler
  CHECK(t.peek16(0x2000) == 0x0020);
}

TEST_CASE("LLDT loads the LDTR and SLDT stores its selector", "[cpu][tables]") {
  test::TestCpu t;
  setup(t);
  t.s().regs[EAX] = 0x20;
  REQUIRE(t.run({0x0f, 0x00, 0xd0, 0x0f, 0x00, 0xc3}) == jit::StopReason::Halted);  // lldt ax; sldt ebx
  CHECK(t.s().ldtr.base == 0x3000);
  CHECK(t.s().ldtr.limit == 0x0f);
  CHECK(t.s().regs[EBX] == 0x20);
}

TEST_CASE("descriptor-table instructions are #UD in real mode", "[cpu][tables]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(6 * 4, {0x00, 0x00, 0x00, 0x20});  // #UD handler at 2000:0000
  t.poke(0x20000, {0xf4});
  REQUIRE(t.run({0x0f, 0x00, 0xc0}) == jit::StopReason::Halted);  // sldt ax
  CHECK(t.s().seg[CS].sel == 0x2000);
}
