// Debug registers (SDM Vol.3 §17.2): decoding DR7 and matching DR0-DR3 against instruction
// fetches and data accesses. Pure functions on CpuState, shared by the MOV DR helpers, the MMU's
// watchpoint slow path and the engine.
#pragma once

#include <cstdint>

#include "cpu/state.h"

namespace cpu::dbg {

// DR6 status bits (§17.2.3) and DR7 control bits (§17.2.4).
constexpr uint32_t kB0 = 1u << 0, kBAny = 0xf, kBD = 1u << 13, kBS = 1u << 14, kBT = 1u << 15;
constexpr uint32_t kGD = 1u << 13;

// R/W field of breakpoint i: 0 execute, 1 write, 2 I/O (with CR4.DE), 3 read or write.
constexpr unsigned rw(uint32_t dr7, unsigned i) { return (dr7 >> (16 + 4 * i)) & 3; }
// LEN field in bytes: 00 one, 01 two, 11 four (10 is undefined on this processor: eight, as
// later processors define it).
constexpr unsigned len(uint32_t dr7, unsigned i) {
  constexpr unsigned k[4] = {1, 2, 8, 4};
  return k[(dr7 >> (18 + 4 * i)) & 3];
}
constexpr bool enabled(uint32_t dr7, unsigned i) { return (dr7 >> (2 * i)) & 3; }

// Recomputes the armed masks after DR7 (or CR4.DE) changes. dbg_data: bits 0-3 data
// breakpoints, bits 4-7 I/O breakpoints.
inline void update_armed(CpuState& s) {
  s.dbg_exec = s.dbg_data = 0;
  for (unsigned i = 0; i < 4; i++) {
    if (!enabled(s.dr[7], i)) continue;
    const unsigned r = rw(s.dr[7], i);
    if (r == 0) s.dbg_exec |= uint8_t(1u << i);
    if (r == 1 || r == 3) s.dbg_data |= uint8_t(1u << i);
    if (r == 2 && (s.cr4 & cr4::DE)) s.dbg_data |= uint8_t(0x10u << i);  // I/O, high nibble
  }
}

// I/O breakpoints (R/W = 10 with CR4.DE) hit by a port access: DRn holds the port (§17.2.4).
inline uint32_t io_hits(const CpuState& s, uint16_t port, unsigned size) {
  uint32_t hits = 0;
  for (unsigned i = 0; i < 4; i++) {
    if (!(s.dbg_data >> (4 + i) & 1)) continue;
    const unsigned n = len(s.dr[7], i);
    const uint32_t first = s.dr[i] & 0xffff & ~(n - 1);
    if (uint32_t(port) - first < n || first - port < size) hits |= kB0 << i;
  }
  return hits;
}

// Instruction breakpoints matching the linear address of an instruction's first byte.
inline uint32_t exec_hits(const CpuState& s, uint32_t lin) {
  uint32_t hits = 0;
  for (unsigned i = 0; i < 4; i++)
    if ((s.dbg_exec >> i & 1) && s.dr[i] == lin) hits |= kB0 << i;
  return hits;
}

// The linear range [first, first + n) of breakpoint i: the low address bits below its length
// are ignored (§17.2.5, breakpoint field recognition).
inline bool overlaps(const CpuState& s, unsigned i, uint32_t lin, unsigned size) {
  const unsigned n = len(s.dr[7], i);
  const uint32_t first = s.dr[i] & ~(n - 1);
  return lin - first < n || first - lin < size;
}

// Data breakpoints hit by an access; reads match only R/W = 11.
inline uint32_t data_hits(const CpuState& s, uint32_t lin, unsigned size, bool write) {
  uint32_t hits = 0;
  for (unsigned i = 0; i < 4; i++) {
    if (!(s.dbg_data >> i & 1)) continue;
    if (!write && rw(s.dr[7], i) != 3) continue;
    if (overlaps(s, i, lin, size)) hits |= kB0 << i;
  }
  return hits;
}

// Whether a linear page holds any byte watched by an armed data breakpoint.
inline bool page_watched(const CpuState& s, uint32_t page, uint32_t page_size, bool write) {
  for (unsigned i = 0; i < 4; i++) {
    if (!(s.dbg_data >> i & 1)) continue;
    if (!write && rw(s.dr[7], i) != 3) continue;
    if (overlaps(s, i, page, page_size)) return true;
  }
  return false;
}

// Whether instructions must run one at a time through the engine's debug path.
inline bool stepping(const CpuState& s) {
  return (s.eflags & (fl::TF | fl::RF)) || s.dbg_exec || s.db_carry;
}

}  // namespace cpu::dbg
