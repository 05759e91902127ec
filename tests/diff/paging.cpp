#include "tests/diff/difftest.h"
#include "tests/diff/rng.h"

namespace diff {

// Page tables for a paged stream, drawn from its seed, appended to its compared memory.
// Page 0 (ghost86's IDT, GDT and exception stubs, which only ghost86 reads) starts accessed and
// dirty so that ghost86's own accesses leave no trace; everything else starts clear.
void add_paging(Stream& s) {
  Rng r(s.seed ^ 0x5a9e5a9e5a9e5a9eull);
  Paging& p = s.paging;
  p.on = true;
  const uint32_t pick = r.below(10);
  p.window = pick < 4 ? 0 : pick < 7 ? 1 : 2;
  p.pse = p.window == 0 && r.below(3) == 0;
  constexpr uint32_t kP = 1, kRW = 2, kA = 0x20, kD = 0x40, kPS = 0x80;
  std::vector<uint8_t> tables(0x2000, 0);
  auto put32 = [&](uint32_t at, uint32_t v) {
    for (unsigned i = 0; i < 4; i++) tables[at + i] = uint8_t(v >> (8 * i));
  };
  if (p.pse) {
    put32(0, kP | kRW | kPS);  // one 4 MB page at 0
  } else {
    put32(0, kPagingPt | kP | kRW);
    for (uint32_t page = 0; page < kFlatMapHi >> 12; page++) {
      uint32_t pte = page << 12 | kP | kRW;
      if (page == 0) pte |= kA | kD;
      if (page == kWinLo >> 12) pte = p.window == 2 ? 0 : p.window == 1 ? pte & ~kRW : pte;
      put32(0x1000 + page * 4, pte);
    }
  }
  s.ranges.push_back({kPagingPd, uint32_t(tables.size())});
  s.mem.insert(s.mem.end(), tables.begin(), tables.end());
}

}  // namespace diff
