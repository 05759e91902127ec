// The IR interpreter: the portable engine, and the reference the JIT backends are tested
// against. It executes exactly the IR the backends compile (DESIGN.md §2.3).
#pragma once

#include <cstdint>

#include "cpu/cpu.h"
#include "jit/ir/block.h"

namespace jit {

// Runs `block`, stopping before instruction number `max_insns` if the block is longer (so the
// run loop can stop exactly at a scheduled event). Adds the retired instructions to
// cpu.s.icount and leaves EIP at the next instruction to run. A guest exception propagates as
// cpu::CpuException with EIP at the faulting instruction and icount counting the ones before it;
// one a helper reported by return (cpu::Cpu::fault) is left pending in `cpu` in the same state.
void interpret(cpu::Cpu& cpu, ir::Block& block, uint32_t max_insns);

}  // namespace jit
