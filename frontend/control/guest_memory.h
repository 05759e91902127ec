// Guest memory as a debugger or monitor reads it: without side effects, so nothing the guest
// can see changes (the MMU's own walk would set accessed bits; MMIO reads reach devices).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "cpu/state.h"
#include "mmu/phys_memory.h"

namespace frontend::control {

// Bytes of RAM or ROM as the processor sees them there (shadowing and A20 included); false
// where a page is MMIO or unassigned.
bool read_phys(const mmu::PhysMemory& mem, uint64_t phys, uint8_t* out, size_t len);

// A linear address translated by a read-only walk of the current page tables, with whether
// CPL 3 may access it (`user`) and write it (`writable`).
struct LinearPage {
  uint64_t phys = 0;
  bool user = true, writable = true;
};
std::optional<LinearPage> walk_linear(const mmu::PhysMemory& mem, const cpu::CpuState& s,
                                      uint32_t lin);

}  // namespace frontend::control
