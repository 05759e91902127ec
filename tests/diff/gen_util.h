// Small helpers shared by the template files (gen_*.cpp).
#pragma once

#include "cpu/state.h"
#include "tests/diff/group.h"
#include "tests/diff/templates.h"

namespace diff::gen {

using namespace cpu::fl;
using cpu::EAX, cpu::ECX, cpu::EDX, cpu::EBX, cpu::ESP, cpu::EBP, cpu::ESI, cpu::EDI;

inline uint8_t bit(unsigned reg32) { return uint8_t(1u << reg32); }
// The register a (written) r/m operand leaves with an unknown value.
inline uint8_t written(const Rm& r, unsigned size) {
  return r.is_mem ? 0 : bit(Group::parent(r.reg, size));
}
inline uint8_t written_reg(unsigned reg, unsigned size) { return bit(Group::parent(reg, size)); }
// Byte operations a third of the time, otherwise word or dword.
inline unsigned size_bwd(Group& g) { return g.rng.chance(1, 3) ? 1 : g.osize(); }
// LOCK on a memory destination now and then (both engines must accept it).
inline void maybe_lock(Group& g, Insn& in, const Rm& r) {
  if (r.is_mem && g.rng.chance(1, 5)) in.u8(0xf0);
}
inline MemOpts mem_opts(unsigned size, bool write) {
  MemOpts o;
  o.size = size;
  o.write = write;
  return o;
}
// Opcode of the byte form plus one for word/dword forms.
inline uint8_t wbit(unsigned size) { return size == 1 ? 0 : 1; }

}  // namespace diff::gen
