// The software TLB (DESIGN.md §5 "Soft MMU and TLB"). Its layout is part of the contract with the
// JIT, which inlines the hit path: index by linear page, compare one tag, add the host addend.
#pragma once

#include <cstdint>
#include <cstring>

namespace mmu {

constexpr unsigned kPageBits = 12;
constexpr uint32_t kPageSize = 1u << kPageBits;
constexpr uint32_t kPageMask = ~(kPageSize - 1);
constexpr unsigned kTlbBits = 10;
constexpr uint32_t kTlbSize = 1u << kTlbBits;

// Tag flag bits live in the page-offset bits of a tag, so any set bit makes the compare fail and
// sends the access to the slow path.
constexpr uint32_t kTlbInvalid = 1u << 0;
constexpr uint32_t kTlbMmio = 1u << 1;    // not RAM: dispatch through the physical bus
constexpr uint32_t kTlbCode = 1u << 2;    // write tag only: the page holds translated code
constexpr uint32_t kTlbReadOnly = 1u << 3;  // write tag only: ROM
constexpr uint32_t kTlbWatch = 1u << 4;     // read/write tags: a data breakpoint watches the page

struct TlbEntry {
  uint32_t tag_read = kTlbInvalid;
  uint32_t tag_write = kTlbInvalid;
  uint32_t tag_exec = kTlbInvalid;
  uint32_t phys_page = 0;
  uintptr_t addend = 0;  // host pointer of the page minus its linear address
  uint32_t global = 0;   // a global page (survives CR3 loads with CR4.PGE)
  uint32_t pad = 0;
};
static_assert(sizeof(TlbEntry) == 32);

inline uint32_t tlb_index(uint32_t lin) { return (lin >> kPageBits) & (kTlbSize - 1); }

// Returns a host pointer on a hit that does not cross a page, else nullptr.
template <unsigned N>
inline uint8_t* tlb_hit(const TlbEntry* tlb, uint32_t lin, uint32_t TlbEntry::*tag) {
  const TlbEntry& e = tlb[tlb_index(lin)];
  if (e.*tag != (lin & kPageMask) || (lin & (kPageSize - 1)) > kPageSize - N) return nullptr;
  return reinterpret_cast<uint8_t*>(e.addend + lin);
}

template <unsigned N>
inline uint32_t load_host(const uint8_t* p) {
  if constexpr (N == 1) {
    return *p;
  } else if constexpr (N == 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  } else {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
}

template <unsigned N>
inline void store_host(uint8_t* p, uint32_t v) {
  if constexpr (N == 1) {
    *p = uint8_t(v);
  } else if constexpr (N == 2) {
    uint16_t x = uint16_t(v);
    std::memcpy(p, &x, 2);
  } else {
    std::memcpy(p, &v, 4);
  }
}

}  // namespace mmu
