// String instructions and their repeat prefixes. Expected values follow SDM Vol.2 (MOVS, CMPS,
// STOS, LODS, SCAS, and REP/REPE/REPNE); the reasoning is in the comments.
#include <catch2/catch.hpp>

#include "tests/cpu/run_util.h"

using namespace cpu;
using jit::StopReason;

namespace {

constexpr uint32_t kRealBase = 0x10000;  // real_mode(): every segment is 1000h

uint16_t reg16(test::TestCpu& t, unsigned r) { return uint16_t(t.s().regs[r]); }

}  // namespace

TEST_CASE("MOVSB and MOVSW step by the element size in the DF direction", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kRealBase + 0x2000, {0x11, 0x22, 0x33, 0x44});
  t.s().regs[ESI] = 0x2000;
  t.s().regs[EDI] = 0x3000;
  REQUIRE(test::run(t, {0xa4, 0xa5}) == StopReason::Halted);  // movsb; movsw
  CHECK(t.peek8(kRealBase + 0x3000) == 0x11);
  CHECK(t.peek16(kRealBase + 0x3001) == 0x3322);
  CHECK(reg16(t, ESI) == 0x2003);
  CHECK(reg16(t, EDI) == 0x3003);
  // std; movsw from 2002h to 3002h; both move back by 2.
  t.s().regs[ESI] = 0x2002;
  t.s().regs[EDI] = 0x3102;
  REQUIRE(test::run(t, {0xfd, 0xa5}) == StopReason::Halted);
  CHECK(t.peek16(kRealBase + 0x3102) == 0x4433);
  CHECK(reg16(t, ESI) == 0x2000);
  CHECK(reg16(t, EDI) == 0x3100);
}

TEST_CASE("REP MOVSW copies CX words; with CX = 0 nothing happens", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kRealBase + 0x2000, {1, 2, 3, 4, 5, 6, 7, 8});
  t.s().regs[ESI] = 0x2000;
  t.s().regs[EDI] = 0x3000;
  t.s().regs[ECX] = 3;
  REQUIRE(test::run(t, {0xf3, 0xa5}) == StopReason::Halted);
  CHECK(t.peek32(kRealBase + 0x3000) == 0x04030201);
  CHECK(t.peek16(kRealBase + 0x3004) == 0x0605);
  CHECK(t.peek16(kRealBase + 0x3006) == 0);  // the fourth word was not copied
  CHECK(reg16(t, ECX) == 0);
  CHECK(reg16(t, ESI) == 0x2006);
  CHECK(reg16(t, EDI) == 0x3006);
  // CX = 0: no iteration; F2 means REP as well for MOVS.
  t.s().regs[ESI] = 0x2000;
  t.s().regs[EDI] = 0x3100;
  REQUIRE(test::run(t, {0xf2, 0xa4}) == StopReason::Halted);
  CHECK(reg16(t, ESI) == 0x2000);
  CHECK(reg16(t, EDI) == 0x3100);
  CHECK(t.peek8(kRealBase + 0x3100) == 0);
}

TEST_CASE("16-bit SI and DI wrap at FFFFh and keep bits 31:16", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  t.s().seg[ES].base = 0x20000;
  t.poke(kRealBase + 0xffff, {0x5a});
  t.s().regs[ESI] = 0x1234ffff;
  t.s().regs[EDI] = 0x5678ffff;
  REQUIRE(test::run(t, {0xa4}) == StopReason::Halted);
  CHECK(t.peek8(0x20000 + 0xffff) == 0x5a);
  CHECK(t.s().regs[ESI] == 0x12340000);
  CHECK(t.s().regs[EDI] == 0x56780000);
}

TEST_CASE("The address size selects CX or ECX as the count", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kGP);
  t.s().regs[ESI] = 0xfffe;
  t.s().regs[EDI] = 0x1000;
  t.s().regs[ECX] = 0x10000;
  // rep movsb with 16-bit addressing: CX = 0, nothing moves.
  REQUIRE(test::run(t, {0xf3, 0xa4}) == StopReason::Halted);
  CHECK(t.s().regs[ESI] == 0xfffe);
  const uint32_t ip = t.s().eip;
  // 67 rep movsb: ECX = 10000h. ESI FFFEh and FFFFh are copied; ESI = 10000h is past the
  // 64 KB limit (no wrap with 32-bit addressing) -> #GP with two iterations done.
  REQUIRE(test::run(t, {0x67, 0xf3, 0xa4}) == StopReason::Halted);
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == ip);
  CHECK(t.s().regs[ESI] == 0x10000);
  CHECK(t.s().regs[EDI] == 0x1002);
  CHECK(t.s().regs[ECX] == 0xfffe);
}

TEST_CASE("A segment override changes the source; the destination is always ES", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  t.s().seg[ES].base = 0x20000;
  t.s().seg[FS].base = 0x30000;
  t.poke(0x20000 + 0x500, {0xe5});
  t.poke(0x30000 + 0x500, {0xf5});
  t.poke(kRealBase + 0x500, {0xd5});  // DS:0500h, the default source, is never read
  t.s().regs[ESI] = 0x500;
  t.s().regs[EDI] = 0x400;
  REQUIRE(test::run(t, {0x26, 0xa4, 0x64, 0xa4}) == StopReason::Halted);  // es movsb; fs movsb
  CHECK(t.peek8(0x20000 + 0x400) == 0xe5);
  CHECK(t.peek8(0x20000 + 0x401) == 0x00);  // FS:0501h holds 0
  t.s().regs[ESI] = 0x500;
  REQUIRE(test::run(t, {0x64, 0xa4}) == StopReason::Halted);
  CHECK(t.peek8(0x20000 + 0x402) == 0xf5);
}

TEST_CASE("REPE and REPNE CMPSB stop on the ZF condition", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kRealBase + 0x2000, {'A', 'B', 'C', 'D'});
  t.poke(kRealBase + 0x3000, {'A', 'B', 'X', 'D'});
  t.s().regs[ESI] = 0x2000;
  t.s().regs[EDI] = 0x3000;
  t.s().regs[ECX] = 4;
  REQUIRE(test::run(t, {0xf3, 0xa6}) == StopReason::Halted);  // repe cmpsb
  // Third compare 'C' - 'X' = 43h - 58h = EBh: stop with CX = 1. Flags: borrow (CF), SF,
  // AF (3 - 8 borrows from bit 4), PF (EBh has six bits set), no OF.
  CHECK(reg16(t, ECX) == 1);
  CHECK(reg16(t, ESI) == 0x2003);
  CHECK(reg16(t, EDI) == 0x3003);
  CHECK((t.flags() & fl::kArith) == (fl::CF | fl::SF | fl::AF | fl::PF));
  // repne cmpsb from the start: 'A' = 'A' stops at once with ZF.
  t.s().regs[ESI] = 0x2000;
  t.s().regs[EDI] = 0x3000;
  t.s().regs[ECX] = 4;
  REQUIRE(test::run(t, {0xf2, 0xa6}) == StopReason::Halted);
  CHECK(reg16(t, ECX) == 3);
  CHECK((t.flags() & fl::ZF) != 0);
  // repe cmpsb over "AB" vs "AB": runs out with ZF set.
  t.s().regs[ESI] = 0x2000;
  t.s().regs[EDI] = 0x3000;
  t.s().regs[ECX] = 2;
  REQUIRE(test::run(t, {0xf3, 0xa6}) == StopReason::Halted);
  CHECK(reg16(t, ECX) == 0);
  CHECK(reg16(t, ESI) == 0x2002);
  CHECK((t.flags() & fl::ZF) != 0);
}

TEST_CASE("REPNE SCASB finds a byte; SCASW with DF = 1", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kRealBase + 0x3000, {'A', 'B', 'C', 'D', 'E'});
  t.s().regs[EAX] = 'D';
  t.s().regs[EDI] = 0x3000;
  t.s().regs[ECX] = 10;
  REQUIRE(test::run(t, {0xf2, 0xae}) == StopReason::Halted);
  CHECK(reg16(t, ECX) == 6);  // four compares, the last one equal
  CHECK(reg16(t, EDI) == 0x3004);
  CHECK((t.flags() & fl::ZF) != 0);
  // std; scasw at 3002h ('DC' = 4443h) with AX = 4444h: 4444h - 4443h = 1, DI goes down.
  t.s().regs[EAX] = 0x4444;
  t.s().regs[EDI] = 0x3002;
  REQUIRE(test::run(t, {0xfd, 0xaf}) == StopReason::Halted);
  CHECK(reg16(t, EDI) == 0x3000);
  CHECK((t.flags() & fl::kArith) == 0);  // 0001h: odd parity, no carry, not zero
}

TEST_CASE("LODS loads the accumulator", "[cpu][string]") {
  SECTION("real mode") {
    test::TestCpu t;
    t.real_mode();
    t.poke(kRealBase + 0x2000, {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
    t.s().regs[ESI] = 0x2000;
    t.s().regs[EAX] = 0xaaaaaaaa;
    REQUIRE(test::run(t, {0xac}) == StopReason::Halted);  // lodsb
    CHECK(t.s().regs[EAX] == 0xaaaaaa11);
    REQUIRE(test::run(t, {0xad}) == StopReason::Halted);  // lodsw
    CHECK(t.s().regs[EAX] == 0xaaaa3322);
    REQUIRE(test::run(t, {0x66, 0xad}) == StopReason::Halted);  // lodsd
    CHECK(t.s().regs[EAX] == 0x77665544);
    CHECK(reg16(t, ESI) == 0x2007);
  }
  SECTION("flat 32-bit, DF = 1") {
    test::TestCpu t;
    t.flat32();
    t.poke(0x20000, {0x78, 0x56, 0x34, 0x12});
    t.s().regs[ESI] = 0x20000;
    REQUIRE(test::run(t, {0xfd, 0xad}) == StopReason::Halted);  // std; lodsd
    CHECK(t.s().regs[EAX] == 0x12345678);
    CHECK(t.s().regs[ESI] == 0x1fffc);
  }
}

TEST_CASE("REP STOS fills across pages in both directions", "[cpu][string]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x11223344;
  t.s().regs[EDI] = 0x20ff0;
  t.s().regs[ECX] = 0x1000;  // 16 KB: several pages and several chunks
  REQUIRE(test::run(t, {0xf3, 0xab}) == StopReason::Halted);
  CHECK(t.s().regs[ECX] == 0);
  CHECK(t.s().regs[EDI] == 0x24ff0);
  bool all = true;
  for (uint32_t a = 0x20ff0; a < 0x24ff0; a += 4) all = all && t.peek32(a) == 0x11223344;
  CHECK(all);
  CHECK(t.peek32(0x24ff0) == 0);
  CHECK(t.peek32(0x20fec) == 0);
  // std; rep stosw with ECX = 3 from 30000h: 30000h, 2FFFEh, 2FFFCh.
  t.s().regs[EDI] = 0x30000;
  t.s().regs[ECX] = 3;
  REQUIRE(test::run(t, {0xfd, 0x66, 0xf3, 0xab}) == StopReason::Halted);
  CHECK(t.peek16(0x30000) == 0x3344);
  CHECK(t.peek16(0x2fffe) == 0x3344);
  CHECK(t.peek16(0x2fffc) == 0x3344);
  CHECK(t.peek16(0x2fffa) == 0);
  CHECK(t.peek16(0x30002) == 0);
  CHECK(t.s().regs[EDI] == 0x2fffa);
}

TEST_CASE("Overlapping REP MOVSB copies element by element", "[cpu][string]") {
  test::TestCpu t;
  t.flat32();
  // Forward with the destination one byte above the source: each byte copies the one just
  // written, so the first byte spreads over the whole range.
  t.poke(0x40000, {0xab});
  for (uint32_t i = 1; i < 0x2001; i++) t.poke(0x40000 + i, {uint8_t(i)});
  t.s().regs[ESI] = 0x40000;
  t.s().regs[EDI] = 0x40001;
  t.s().regs[ECX] = 0x2000;
  REQUIRE(test::run(t, {0xf3, 0xa4}) == StopReason::Halted);
  bool all = true;
  for (uint32_t a = 0x40000; a <= 0x42000; a++) all = all && t.peek8(a) == 0xab;
  CHECK(all);
  // Backward with the destination one below: the top byte spreads down.
  t.poke(0x50fff, {0xcd});
  t.s().regs[ESI] = 0x50fff;
  t.s().regs[EDI] = 0x50ffe;
  t.s().regs[ECX] = 0x1000;
  REQUIRE(test::run(t, {0xfd, 0xf3, 0xa4}) == StopReason::Halted);
  all = true;
  for (uint32_t a = 0x4ffff; a <= 0x50fff; a++) all = all && t.peek8(a) == 0xcd;
  CHECK(all);
  CHECK(t.s().regs[EDI] == 0x4fffe);
}

TEST_CASE("REP MOVSD with DF = 1 copies a multi-page block", "[cpu][string]") {
  test::TestCpu t;
  t.flat32();
  std::vector<uint8_t> src(0x2000);
  for (size_t i = 0; i < src.size(); i++) src[i] = uint8_t(i * 7 + (i >> 8));
  t.poke(0x60000, src);
  t.s().regs[ESI] = 0x60000 + 0x1ffc;
  t.s().regs[EDI] = 0x70000 + 0x1ffc;
  t.s().regs[ECX] = 0x800;
  REQUIRE(test::run(t, {0xfd, 0xf3, 0xa5}) == StopReason::Halted);
  bool same = true;
  for (size_t i = 0; i < src.size(); i++) same = same && t.peek8(uint32_t(0x70000 + i)) == src[i];
  CHECK(same);
  CHECK(t.s().regs[ESI] == 0x5fffc);
  CHECK(t.s().regs[EDI] == 0x6fffc);
  CHECK(t.s().regs[ECX] == 0);
}

TEST_CASE("A fault in the middle of REP MOVSW leaves a restartable state", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kGP);
  t.poke(kRealBase + 0x1000, {1, 0, 2, 0, 3, 0, 4, 0, 5, 0});
  t.s().seg[ES].hi = 0x2003;  // ES ends after two words
  t.s().regs[ESI] = 0x1000;
  t.s().regs[EDI] = 0x2000;
  t.s().regs[ECX] = 5;
  REQUIRE(test::run(t, {0xf3, 0xa5}) == StopReason::Halted);
  // Words at 2000h and 2002h fit; 2004h does not: #GP after two completed iterations.
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == 0x100);  // the REP prefix byte: the instruction restarts
  CHECK(reg16(t, ECX) == 3);
  CHECK(reg16(t, ESI) == 0x1004);
  CHECK(reg16(t, EDI) == 0x2004);
  CHECK(t.peek32(kRealBase + 0x2000) == 0x00020001);
  CHECK(t.peek16(kRealBase + 0x2004) == 0);
  // What the handler's IRET would do: resume at the instruction, now with room to finish.
  t.s().seg[ES].hi = 0xffff;
  t.s().regs[ESP] += 6;
  t.s().eip = 0x100;
  t.s().halted = 0;
  REQUIRE(t.engine.run(t.s().icount + 100) == StopReason::Halted);
  CHECK(reg16(t, ECX) == 0);
  CHECK(reg16(t, EDI) == 0x200a);
  CHECK(t.peek16(kRealBase + 0x2008) == 5);
}

namespace {

// INTR from a device, as the machine raises it: pending from a point in virtual time (the run
// loop stops the engine there, as it does for every device event) until acknowledged.
class DeviceInterrupt : public InterruptSource {
 public:
  bool pending = false;
  bool intr_pending() override { return pending; }
  uint8_t intr_acknowledge() override {
    pending = false;
    return 0x20;
  }
};

}  // namespace

TEST_CASE("A long REP MOVSB can be interrupted between chunks", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, 0x20);
  DeviceInterrupt intr;
  t.cpu.intr = &intr;
  t.s().eflags |= fl::IF;
  t.s().regs[ESI] = 0x0000;
  t.s().regs[EDI] = 0x8000;
  t.s().regs[ECX] = 10000;
  // The interrupt arrives after the first chunk of iterations has retired.
  REQUIRE(test::run(t, {0xf3, 0xa4}, 1) == StopReason::Limit);
  REQUIRE(reg16(t, ECX) != 10000);
  intr.pending = true;
  REQUIRE(t.engine.run(t.s().icount + 100000) == StopReason::Halted);
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == 0x100);  // the interrupted instruction resumes
  const uint16_t cx = reg16(t, ECX);
  CHECK(cx > 0);
  CHECK(cx < 10000);
  CHECK(reg16(t, ESI) == 10000 - cx);
  CHECK(reg16(t, EDI) == 0x8000 + 10000 - cx);
}

TEST_CASE("REP MOVSB over translated code makes the new code run", "[cpu][string]") {
  test::TestCpu t;
  t.flat32();
  // Translate and run "mov eax,1; hlt" at 10100h.
  t.poke(0x10100, {0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4});
  t.s().eip = 0x10100;
  REQUIRE(t.engine.run(100) == StopReason::Halted);
  REQUIRE(t.s().regs[EAX] == 1);
  // Copy 85h bytes from 20080h to 10080h: the first ones land on the code page but outside any
  // block; the last five replace the block's code with "mov eax,2". Then jump there.
  t.poke(0x20100, {0xb8, 0x02, 0x00, 0x00, 0x00});
  t.s().regs[ESI] = 0x20080;
  t.s().regs[EDI] = 0x10080;
  t.s().regs[ECX] = 0x85;
  t.s().eip = 0x10000;
  // rep movsb; jmp 10100h (e9 rel32: 10100h - 10007h = F9h)
  REQUIRE(test::run(t, {0xf3, 0xa4, 0xe9, 0xf9, 0x00, 0x00, 0x00}) == StopReason::Halted);
  CHECK(t.s().regs[EAX] == 2);
}
