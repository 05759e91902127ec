// Lazy-flag evaluation (DESIGN.md §5 "Flags"): the one place that turns the recorded last
// operation into EFLAGS bits. Used by the interpreter, helpers, and JIT slow paths alike.
#pragma once

#include "cpu/state.h"

namespace cpu {

// The six arithmetic flags (CF PF AF ZF SF OF) for the recorded operation.
uint32_t lazy_arith_flags(uint32_t cc_op, uint32_t src1, uint32_t src2, uint32_t res);

inline uint32_t arith_flags(const CpuState& s) {
  if (s.cc_op == 0) return s.eflags & fl::kArith;
  return lazy_arith_flags(s.cc_op, s.cc_src1, s.cc_src2, s.cc_res);
}

// Full EFLAGS as the guest would read it.
inline uint32_t read_eflags(const CpuState& s) {
  return (s.eflags & ~fl::kArith) | arith_flags(s) | fl::kFixed1;
}

// Replaces the bits in `mask` with `value`; arithmetic flags become materialised.
inline void write_eflags(CpuState& s, uint32_t value, uint32_t mask) {
  uint32_t cur = read_eflags(s);
  s.eflags = ((cur & ~mask) | (value & mask) | fl::kFixed1) & ~(1u << 3 | 1u << 5 | 1u << 15);
  s.cc_op = 0;
  // TF and RF decide whether instructions run one at a time (cpu/debug_regs.h), AC whether
  // data accesses are alignment-checked: end the block so the engine takes note.
  if ((cur ^ s.eflags) & (fl::TF | fl::RF | fl::AC)) request_exit(s);
}

// CF alone (cheaper than all six for the common kinds).
bool carry_flag(const CpuState& s);

// Evaluates condition `cc` (0..15) against the lazy flags, with fast paths for the common
// compare-and-branch pairs.
bool eval_cond(const CpuState& s, unsigned cc);

inline bool parity8(uint32_t v) { return !__builtin_parity(v & 0xff); }

}  // namespace cpu
