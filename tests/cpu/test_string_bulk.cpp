// REP MOVS / REP STOS over RAM move whole runs at once; these tests pin down that the result,
// the registers at a fault and the instruction count are those of one iteration at a time
// (SDM Vol.2 MOVS, STOS, REP: each iteration loads an element, stores it, steps ESI/EDI by
// the element size in the DF direction and decrements ECX). Expected memory comes from a
// model of exactly that loop, written here over a plain byte array.
#include <catch2/catch.hpp>
#include <vector>

#include "cpu/helpers/helpers.h"
#include "cpu/helpers/string_io.h"
#include "tests/cpu/run_util.h"

using namespace cpu;
using jit::StopReason;

namespace {

// The SDM loop: `count` elements of `size` bytes from src to dst, DF = `down`.
void model_movs(std::vector<uint8_t>& mem, uint32_t src, uint32_t dst, uint32_t count,
                unsigned size, bool down) {
  for (uint32_t i = 0; i < count; i++) {
    uint8_t element[4];
    for (unsigned b = 0; b < size; b++) element[b] = mem[src + b];
    for (unsigned b = 0; b < size; b++) mem[dst + b] = element[b];
    src += down ? -size : size;
    dst += down ? -size : size;
  }
}

std::vector<uint8_t> ram_of(test::TestCpu& t, uint32_t bytes) {
  return std::vector<uint8_t>(t.phys.ram(), t.phys.ram() + bytes);
}

// RAM equals `want` except for the test code test::run placed at `code_at` (16 bytes).
bool ram_matches(test::TestCpu& t, std::vector<uint8_t> want, uint32_t code_at) {
  for (uint32_t i = code_at; i < code_at + 16; i++) want[i] = t.peek8(i);
  return ram_of(t, uint32_t(want.size())) == want;
}

// Fills [at, at + len) with a pattern that never repeats with a short period.
void fill_pattern(test::TestCpu& t, uint32_t at, uint32_t len) {
  std::vector<uint8_t> v(len);
  for (uint32_t i = 0; i < len; i++) v[i] = uint8_t(i * 37 + (i >> 8) * 11 + 1);
  t.poke(at, v);
}

struct Copy {
  unsigned size;
  bool down;
  int32_t distance;  // EDI - ESI
  uint32_t count;
};

}  // namespace

TEST_CASE("Bulk REP MOVS equals the element-by-element copy, overlapping or not", "[cpu][string]") {
  // Distances shorter than the element, equal, a few elements, a non-multiple, beyond a page;
  // in both directions and at every element size; each copy crosses several pages.
  const std::vector<Copy> copies = {
      {1, false, 1, 0x2100}, {1, false, 7, 0x3000},      {2, false, 1, 0x1100},
      {2, false, 2, 0x1100}, {4, false, 6, 0xc01},       {4, false, 3, 0x900},
      {4, false, -5, 0x900}, {1, true, -1, 0x2100},      {1, true, -13, 0x1fff},
      {2, true, -3, 0x1001}, {4, true, -4, 0x800},       {4, true, -10, 0xa00},
      {4, true, 2, 0x600},   {1, false, 0x1801, 0x3000}, {4, false, 0, 0x400},
  };
  for (const Copy& c : copies) {
    INFO("size " << c.size << (c.down ? " down" : " up") << " distance " << c.distance << " count "
                 << c.count);
    test::TestCpu t;
    t.flat32();
    fill_pattern(t, 0x40000, 0x20000);
    const uint32_t esi = c.down ? 0x50000 : 0x44321, edi = esi + uint32_t(c.distance);
    std::vector<uint8_t> want = ram_of(t, 0x80000);
    model_movs(want, esi, edi, c.count, c.size, c.down);
    t.s().regs[ESI] = esi;
    t.s().regs[EDI] = edi;
    t.s().regs[ECX] = c.count;
    const uint8_t op = c.size == 1 ? 0xa4 : 0xa5;
    if (c.size == 2) {
      REQUIRE(test::run(t, {uint8_t(c.down ? 0xfd : 0xfc), 0x66, 0xf3, op}) == StopReason::Halted);
    } else {
      REQUIRE(test::run(t, {uint8_t(c.down ? 0xfd : 0xfc), 0xf3, op}) == StopReason::Halted);
    }
    const uint32_t moved = c.count * c.size;
    CHECK(t.s().regs[ECX] == 0);
    CHECK(t.s().regs[ESI] == (c.down ? esi - moved : esi + moved));
    CHECK(t.s().regs[EDI] == (c.down ? edi - moved : edi + moved));
    CHECK(ram_matches(t, want, 0x10000));
  }
}

TEST_CASE("REP STOSW and STOSD fill runs that start and end mid-page", "[cpu][string]") {
  for (const unsigned size : {2u, 4u}) {
    INFO("size " << size);
    test::TestCpu t;
    t.flat32();
    fill_pattern(t, 0x20000, 0x10000);
    const uint32_t value = 0xa1b2c3d4, start = 0x20ffa, count = 0x1803;
    std::vector<uint8_t> want = ram_of(t, 0x40000);
    for (uint32_t i = 0; i < count * size; i++)
      want[start + i] = uint8_t(value >> (8 * (i % size)));
    t.s().regs[EAX] = value;
    t.s().regs[EDI] = start;
    t.s().regs[ECX] = count;
    if (size == 2) {
      REQUIRE(test::run(t, {0x66, 0xf3, 0xab}) == StopReason::Halted);
    } else {
      REQUIRE(test::run(t, {0xf3, 0xab}) == StopReason::Halted);
    }
    CHECK(t.s().regs[EDI] == start + count * size);
    CHECK(ram_matches(t, want, 0x10000));
  }
}

TEST_CASE("REP MOVSB wraps 16-bit SI and DI inside the segment", "[cpu][string]") {
  test::TestCpu t;
  t.real_mode();  // every segment at 10000h, limit FFFFh
  fill_pattern(t, 0x10000, 0x10000);
  // Forward: the source runs from FFF0h over the top to 000Fh.
  std::vector<uint8_t> want = ram_of(t, 0x30000);
  for (uint32_t i = 0; i < 0x20; i++)
    want[0x10000 + 0x8000 + i] = want[0x10000 + ((0xfff0 + i) & 0xffff)];
  t.s().regs[ESI] = 0xfff0;
  t.s().regs[EDI] = 0x8000;
  t.s().regs[ECX] = 0x20;
  REQUIRE(test::run(t, {0xf3, 0xa4}) == StopReason::Halted);
  CHECK((t.s().regs[ESI] & 0xffff) == 0x0010);
  CHECK((t.s().regs[EDI] & 0xffff) == 0x8020);
  CHECK(ram_matches(t, want, 0x10100));
  // Backward: the destination runs from 0008h down over zero to FFF9h.
  want = ram_of(t, 0x30000);
  for (uint32_t i = 0; i < 0x10; i++)
    want[0x10000 + ((0x0008 - i) & 0xffff)] = want[0x10000 + 0x4000 - i];
  t.s().regs[ESI] = 0x4000;
  t.s().regs[EDI] = 0x0008;
  t.s().regs[ECX] = 0x10;
  REQUIRE(test::run(t, {0xfd, 0xf3, 0xa4}) == StopReason::Halted);
  CHECK((t.s().regs[EDI] & 0xffff) == 0xfff8);
  CHECK((t.s().regs[ESI] & 0xffff) == 0x3ff0);
  CHECK(ram_matches(t, want, 0x10100));
}

TEST_CASE("A page fault in the middle of REP MOVSD stops at the element that faults",
          "[cpu][string]") {
  test::TestCpu t;
  t.flat32();
  // Paging on: the first 2 MiB identity-mapped except page 43000h (not present).
  constexpr uint32_t pd = 0x100000, pt = 0x101000;
  t.poke(pd, {uint8_t(pt | 3), uint8_t(pt >> 8), uint8_t(pt >> 16), uint8_t(pt >> 24)});
  for (uint32_t page = 0; page < 0x200; page++) {
    const uint32_t pte = page == 0x43 ? 0 : (page << 12) | 3;
    t.poke(pt + page * 4,
           {uint8_t(pte), uint8_t(pte >> 8), uint8_t(pte >> 16), uint8_t(pte >> 24)});
  }
  t.s().cr3 = pd;
  t.s().cr0 |= cr0::PG;
  t.mmu.flush_tlb();
  fill_pattern(t, 0x41000, 0x1000);
  std::vector<uint8_t> want = ram_of(t, 0x80000);
  // 400h dwords from 41000h to 42800h: 200h of them fit below 43000h; the next store faults.
  model_movs(want, 0x41000, 0x42800, 0x200, 4, false);
  t.s().regs[ESI] = 0x41000;
  t.s().regs[EDI] = 0x42800;
  t.s().regs[ECX] = 0x400;
  const uint32_t key = string_key(4, true, kRepE, DS);
  const auto [vector, error] =
      test::fault_of(t.cpu, [&] { helper_movs(t.cpu, 0x10002, 0, 0, key); });
  CHECK(vector == kPF);
  CHECK(error == 2);  // a supervisor write to a page that is not present (SDM Vol.3 §4.7)
  CHECK(t.s().regs[ECX] == 0x200);
  CHECK(t.s().regs[ESI] == 0x41800);
  CHECK(t.s().regs[EDI] == 0x43000);
  CHECK(ram_matches(t, want, 0x10000));
}

TEST_CASE("REP MOVS costs the same instruction count on the bulk and the per-element paths",
          "[cpu][string]") {
  // The count a REP instruction retires is per chunk of iterations, whichever path moved the
  // bytes: a copy onto a page holding translated code (every store takes the slow path, which
  // invalidates translations) retires exactly as many as the same copy elsewhere.
  uint64_t icounts[2];
  for (const bool onto_code : {false, true}) {
    test::TestCpu t;
    t.flat32();
    fill_pattern(t, 0x60000, 0x3000);
    // A translated block at 30000h: mov eax,1; hlt.
    t.poke(0x30000, {0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4});
    t.s().eip = 0x30000;
    REQUIRE(t.engine.run(100) == StopReason::Halted);
    t.s().eip = 0x10000;
    t.s().regs[ESI] = 0x60000;
    t.s().regs[EDI] = onto_code ? 0x30100 : 0x50100;
    t.s().regs[ECX] = 0x2345;
    const uint64_t before = t.s().icount;
    REQUIRE(test::run(t, {0xf3, 0xa4}) == StopReason::Halted);
    icounts[onto_code] = t.s().icount - before;
    CHECK(t.s().regs[ECX] == 0);
    CHECK(t.peek8((onto_code ? 0x30100 : 0x50100) + 0x2344) == t.peek8(0x60000 + 0x2344));
  }
  CHECK(icounts[0] == icounts[1]);
}
