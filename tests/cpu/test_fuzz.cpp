// Containment (DESIGN.md §2.2): random bytes executed as code, with random registers, must
// never crash, hang or corrupt the host. Every run ends by its instruction limit, a halt or a
// shutdown; the sanitizer build checks the memory side.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"
#include "tests/splitmix64.h"

using namespace cpu;

namespace {

// splitmix64: a fixed generator, so a failing seed reproduces anywhere.
struct Rng {
  uint64_t s;
  uint64_t next() { return test::splitmix64(s); }
};

void randomize(test::TestCpu& t, Rng& rng, uint32_t code_base) {
  std::vector<uint8_t> code(4096);
  for (auto& b : code) b = uint8_t(rng.next());
  t.poke(code_base, code);
  for (unsigned r = 0; r < 8; r++) t.s().regs[r] = uint32_t(rng.next());
  t.s().regs[ESP] = 0x8000 + uint32_t(rng.next() % 0x7000);
  // Random descriptor tables and IDT contents too: garbage gates and selectors must be refused
  // by the checks, not trusted.
  std::vector<uint8_t> tables(0x800);
  for (auto& b : tables) b = uint8_t(rng.next());
  t.poke(0x1000, tables);
  t.s().gdtr = DescTable{0x1000, 0x3ff};
  t.s().idtr = DescTable{0x1400, 0x3ff};
}

void run_one(uint64_t seed, bool real, uint8_t cpl) {
  test::TestCpu t(4u << 20);
  Rng rng{seed};
  if (real) {
    t.real_mode(0x1000, 0x0);
    randomize(t, rng, 0x10000);
    t.s().idtr = DescTable{0, 0x3ff};
  } else {
    t.flat32(0x20000);
    randomize(t, rng, 0x20000);
    if (cpl) {
      t.cpu.set_cpl(cpl);
      t.s().seg[CS].sel |= cpl;
      t.s().seg[SS].sel |= cpl;
    }
  }
  const jit::StopReason r = t.engine.run(20000);
  CHECK((r == jit::StopReason::Limit || r == jit::StopReason::Halted ||
         r == jit::StopReason::Shutdown));
  CHECK(t.s().icount <= 20000);
}

}  // namespace

TEST_CASE("random code at CPL 0, CPL 3 and in real mode never escapes", "[cpu][fuzz]") {
  for (uint64_t seed = 1; seed <= 300; seed++) {
    INFO("seed " << seed);
    run_one(seed, false, 0);
    run_one(seed * 7919, false, 3);
    run_one(seed * 104729, true, 0);
  }
}
