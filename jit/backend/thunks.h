// The C++ side of calls from translated code (DESIGN.md §5 "Exceptions"). Translated code has
// no unwind tables, so no C++ exception may pass through it: every entry point here is noexcept
// and turns a guest exception into a status the caller tests (bit 63 of the result). The state
// at the fault is already precise (the caller stored EIP; registers are written through), so
// the engine only has to deliver the exception it finds in the context.
#pragma once

#include <cstdint>
#include <exception>

#include "cpu/cpu.h"
#include "cpu/helpers/helpers.h"

namespace jit {

// Engine-owned; translated code passes its address to the thunks.
struct JitContext {
  cpu::Cpu* cpu = nullptr;
  cpu::CpuException fault{};     // the guest exception of a Fault exit
  std::exception_ptr other;      // any other exception (a host error), rethrown by the engine
  bool unwound = false;          // the fault came as a C++ throw (for the engine's statistics)
};

constexpr uint64_t kThunkFault = uint64_t(1) << 63;

// The argument that carries the helper's k or the access size also carries, from bit 8, the
// position in its block of the calling instruction: the instructions before it retired, and on
// a fault the thunk counts them (CpuState::icount), so the translated code needs no fault path
// of its own per instruction.
constexpr uint32_t kThunkInsnShift = 8;

uint64_t thunk_helper(JitContext* ctx, uint32_t a, uint32_t b, uint32_t c, uint32_t k_insn,
                      cpu::HelperFn fn) noexcept;
uint64_t thunk_load(JitContext* ctx, uint32_t seg, uint32_t off, uint32_t size_insn) noexcept;
uint64_t thunk_store(JitContext* ctx, uint32_t seg, uint32_t off, uint32_t size_insn, uint32_t value) noexcept;

// Lazy-flag reads and writes for the cases the passes could not turn into plain ops. They
// cannot fault.
uint32_t thunk_cond(cpu::CpuState* s, uint32_t cc) noexcept;
uint32_t thunk_get_cf(cpu::CpuState* s) noexcept;
uint32_t thunk_get_flags(cpu::CpuState* s) noexcept;
void thunk_set_flags(cpu::CpuState* s, uint32_t value, uint32_t mask) noexcept;

}  // namespace jit
