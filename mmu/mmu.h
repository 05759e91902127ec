// Linear-address translation and the software TLB. Paging structures are walked here; the CPU
// layer adds segmentation on top and the JIT inlines the TLB hit path.
#pragma once

#include <array>
#include <cstdint>

#include "cpu/state.h"
#include "mmu/phys_memory.h"
#include "mmu/tlb.h"

namespace mmu {

enum class Access : uint8_t { Read, Write, Exec };

class Mmu {
 public:
  explicit Mmu(PhysMemory& phys);
  // The processor whose control registers govern translation.
  void attach(cpu::CpuState* state) { s_ = state; }

  PhysMemory& phys() { return phys_; }
  TlbEntry* tlb() { return tlb_.data(); }

  void flush_tlb();
  void flush_page(uint32_t lin);

  // Linear -> physical for one access. Throws cpu::CpuException on a fault.
  uint32_t translate(uint32_t lin, Access access);

  // Slow paths behind the inline TLB hit test: fill the TLB, split page-crossing accesses, and
  // dispatch MMIO. A page-crossing store translates both pages before writing a byte, so a
  // fault on the second page leaves nothing written.
  uint32_t read_slow(uint32_t lin, unsigned size, Access access = Access::Read);
  void write_slow(uint32_t lin, unsigned size, uint32_t value);

  // Fast accessors for C++ code (helpers, the interpreter).
  template <unsigned N>
  uint32_t read(uint32_t lin) {
    if (uint8_t* p = tlb_hit<N>(tlb_.data(), lin, &TlbEntry::tag_read)) return load_host<N>(p);
    return read_slow(lin, N);
  }
  template <unsigned N>
  void write(uint32_t lin, uint32_t v) {
    if (uint8_t* p = tlb_hit<N>(tlb_.data(), lin, &TlbEntry::tag_write)) return store_host<N>(p, v);
    write_slow(lin, N, v);
  }

  // Reads up to `len` code bytes at `lin` into `dst` without faulting; returns how many bytes
  // could be fetched (stops at the first page that cannot be translated).
  unsigned fetch_code(uint32_t lin, uint8_t* dst, unsigned len);

  // Pages that hold translated code are write-protected in the TLB so stores reach the
  // invalidation slow path.
  void protect_code_page(uint32_t phys_page);
  void unprotect_code_page(uint32_t phys_page);

 private:
  TlbEntry& fill(uint32_t lin, Access access);

  PhysMemory& phys_;
  cpu::CpuState* s_ = nullptr;
  std::array<TlbEntry, kTlbSize> tlb_{};
};

}  // namespace mmu
