#include "mmu/mmu.h"

#include <algorithm>
#include <cstring>

#include "cpu/exception.h"

namespace mmu {

Mmu::Mmu(PhysMemory& phys) : phys_(phys) { flush_tlb(); }

void Mmu::flush_tlb() { tlb_.fill(TlbEntry{}); }

void Mmu::flush_page(uint32_t lin) { tlb_[tlb_index(lin)] = TlbEntry{}; }

uint32_t Mmu::translate(uint32_t lin, Access) {
  // Paging is added with the system-architecture work; until then linear == physical.
  return lin & phys_.a20_mask();
}

TlbEntry& Mmu::fill(uint32_t lin, Access access) {
  const uint32_t lpage = lin & kPageMask;
  const uint32_t ppage = translate(lpage, access);
  TlbEntry& e = tlb_[tlb_index(lin)];
  PhysMemory::Page pg = phys_.page(ppage);
  e.phys_page = ppage;
  if (!pg.host) {
    e.tag_read = e.tag_exec = e.tag_write = lpage | kTlbMmio;
    e.addend = 0;
    return e;
  }
  e.addend = reinterpret_cast<uintptr_t>(pg.host) - lpage;
  e.tag_read = e.tag_exec = lpage;
  e.tag_write = lpage | (pg.writable ? 0 : kTlbReadOnly) | (pg.code ? kTlbCode : 0);
  return e;
}

uint32_t Mmu::read_slow(uint32_t lin, unsigned size, Access access) {
  if (((lin & (kPageSize - 1)) + size) > kPageSize) {
    // Page-crossing: assemble byte by byte (each byte may take its own path).
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= read_slow(lin + i, 1, access) << (8 * i);
    return v;
  }
  TlbEntry& e = fill(lin, access);
  if (!(e.tag_read & kTlbMmio)) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(e.addend + lin);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= uint32_t(p[i]) << (8 * i);
    return v;
  }
  return phys_.read(e.phys_page | (lin & (kPageSize - 1)), size);
}

void Mmu::write_slow(uint32_t lin, unsigned size, uint32_t value) {
  const uint32_t off = lin & (kPageSize - 1);
  if (off + size > kPageSize) {
    // Translate both pages before writing anything (no partial write on a fault).
    translate((lin + size - 1) & kPageMask, Access::Write);
    translate(lin & kPageMask, Access::Write);
    for (unsigned i = 0; i < size; i++) write_slow(lin + i, 1, value >> (8 * i));
    return;
  }
  TlbEntry& e = fill(lin, Access::Write);
  if (e.tag_write == (lin & kPageMask)) {
    uint8_t* p = reinterpret_cast<uint8_t*>(e.addend + lin);
    for (unsigned i = 0; i < size; i++) p[i] = uint8_t(value >> (8 * i));
    return;
  }
  // ROM, MMIO, or a page with translated code: the physical layer sorts it out.
  phys_.write(e.phys_page | off, size, value);
}

unsigned Mmu::fetch_code(uint32_t lin, uint8_t* dst, unsigned len) {
  unsigned got = 0;
  while (got < len) {
    const uint32_t a = lin + got;
    const unsigned chunk = std::min<unsigned>(len - got, kPageSize - (a & (kPageSize - 1)));
    uint32_t phys;
    try {
      phys = translate(a, Access::Exec);
    } catch (const cpu::CpuException&) {
      break;
    }
    PhysMemory::Page pg = phys_.page(phys & kPageMask);
    if (pg.host)
      std::memcpy(dst + got, pg.host + (phys & (kPageSize - 1)), chunk);
    else
      for (unsigned i = 0; i < chunk; i++) dst[got + i] = uint8_t(phys_.read(phys + i, 1));
    got += chunk;
  }
  return got;
}

void Mmu::protect_code_page(uint32_t phys_page) {
  if (phys_.is_code_page(phys_page)) return;
  phys_.mark_code_page(phys_page, true);
  for (TlbEntry& e : tlb_)
    if (e.phys_page == phys_page && !(e.tag_write & kTlbInvalid)) e.tag_write |= kTlbCode;
}

void Mmu::unprotect_code_page(uint32_t phys_page) {
  phys_.mark_code_page(phys_page, false);
  for (TlbEntry& e : tlb_)
    if (e.phys_page == phys_page && !(e.tag_write & kTlbInvalid)) e.tag_write &= ~kTlbCode;
}

}  // namespace mmu
