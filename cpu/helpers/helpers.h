// The helper table (DESIGN.md §4): C++ functions that IR calls for complex instructions. Each
// helper is declared once here and implemented once, in the file named by its section; the
// interpreter and every backend call it through this table.
//
// Signature: result = fn(cpu, a, b, c, k) where a, b, c are IR values and k is the 8-bit
// immediate of the Call op. A helper may read and write any guest state and may throw
// CpuException; the state it sees is precise (DESIGN.md §2.4).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace cpu {

class Cpu;

enum class Helper : uint32_t {
  // --- core: cpu/helpers/core.cpp
  RaiseException,  // k = vector; always throws
  // --- arithmetic: cpu/helpers/arith.cpp
  // --- shifts and rotates: cpu/helpers/shift.cpp
  // --- strings and I/O: cpu/helpers/string_io.cpp
  In,   // a = port, b = insn index, k = size -> value
  Out,  // a = port, b = value, c = insn index, k = size
  // String instructions, one helper per operation. a = EIP of the next instruction, b = insn
  // index, k = string_key() of cpu/helpers/string_io.h. Each runs one iteration, or with a REP
  // prefix a bounded chunk of iterations, and returns the EIP to continue at: the next
  // instruction, or this one again while the count is not exhausted.
  Movs, Cmps, Stos, Lods, Scas, Ins, Outs,
  // --- data movement and stack: cpu/helpers/datamov.cpp, cpu/helpers/stack.cpp
  Cmpxchg8b,  // a = offset, k = segment
  Popf,       // k = operand size: POPF/POPFD with the privilege rules
  V86Pushf,   // a = FLAGS image, k = operand size -> the image PUSHF stores in V86 mode
  Enter,      // a = frame size, b = nesting level, k = operand size
  // --- control transfer, interrupts, system: cpu/helpers/control.cpp, cpu/helpers/system.cpp
  Hlt,      // a = EIP of the next instruction
  LoadSeg,  // a = selector, k = segment register: loads it for the current mode; SS also
            // starts an interrupt shadow
  kCount
};

using HelperFn = uint32_t (*)(Cpu&, uint32_t a, uint32_t b, uint32_t c, uint32_t k);

struct HelperInfo {
  Helper id;
  std::string_view name;
  HelperFn fn;
};

const HelperInfo& helper_info(Helper h);
inline const HelperInfo& helper_info(uint32_t id) { return helper_info(Helper(id)); }

// Helper implementations, by section (same order as the enum).
uint32_t helper_raise_exception(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t k);
uint32_t helper_in(Cpu&, uint32_t port, uint32_t index, uint32_t, uint32_t size);
uint32_t helper_out(Cpu&, uint32_t port, uint32_t value, uint32_t index, uint32_t size);
uint32_t helper_movs(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_cmps(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_stos(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_lods(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_scas(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_ins(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_outs(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_cmpxchg8b(Cpu&, uint32_t off, uint32_t, uint32_t, uint32_t seg);
uint32_t helper_popf(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t size);
uint32_t helper_v86_pushf(Cpu&, uint32_t image, uint32_t, uint32_t, uint32_t size);
uint32_t helper_enter(Cpu&, uint32_t alloc, uint32_t level, uint32_t, uint32_t size);
uint32_t helper_hlt(Cpu&, uint32_t next_eip, uint32_t, uint32_t, uint32_t);
uint32_t helper_load_seg(Cpu&, uint32_t sel, uint32_t, uint32_t, uint32_t seg);

}  // namespace cpu
