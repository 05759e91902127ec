#include "mmu/mmu.h"

#include <algorithm>
#include <cstring>

#include "cpu/debug_regs.h"
#include "cpu/exception.h"

namespace mmu {

Mmu::Mmu(PhysMemory& phys) : phys_(phys) { flush_tlb(); }

void Mmu::new_jump_cache_generation() {
  // Code looked up through the old translations must be looked up again.
  if (s_) s_->jc_gen++;
  code_pages_.fill(0);
}

void Mmu::flush_tlb(bool keep_global) {
  new_jump_cache_generation();
  for (auto& set : tlb_)
    for (TlbEntry& e : set)
      if (!keep_global || !e.global) e = TlbEntry{};
}

void Mmu::flush_page(uint32_t lin) {
  if (code_page_marked(lin >> kPageBits)) new_jump_cache_generation();
  for (auto& set : tlb_) set[tlb_index(lin)] = TlbEntry{};
}

Mmu::Walk Mmu::page_fault(uint32_t lin, uint32_t code, Access access, bool user) {
  if (access == Access::Write) code |= pf::W;
  if (user) code |= pf::U;
  // The I/D bit is reported only when execute-disable is in use (SDM Vol.3 §4.7).
  if (access == Access::Exec && s_ && (s_->cr4 & cpu::cr4::PAE) && (s_->efer & cpu::kEferNxe))
    code |= pf::ID;
  fault_ = cpu::CpuException{cpu::kPF, true, code, lin};
  Walk w;
  w.fault = true;
  return w;
}

uint32_t Mmu::translate(uint32_t lin, Access access, bool user) {
  uint32_t phys;
  if (!try_translate(lin, access, user, phys)) throw fault_;
  return phys;
}

bool Mmu::try_translate(uint32_t lin, Access access, bool user, uint32_t& phys) {
  if (!s_ || !(s_->cr0 & cpu::cr0::PG)) {
    phys = lin & phys_.a20_mask();
    return true;
  }
  const Walk w = walk(lin, access, user);
  phys = w.phys_page | (lin & (kPageSize - 1));
  return !w.fault;
}

Mmu::Walk Mmu::walk(uint32_t lin, Access access, bool user) {
  return (s_->cr4 & cpu::cr4::PAE) ? walk_pae(lin, access, user) : walk_legacy(lin, access, user);
}

namespace {

constexpr uint32_t kP = 1, kRW = 2, kUS = 4, kA = 0x20, kD = 0x40, kPS = 0x80, kG = 0x100;

}  // namespace

// Two-level 32-bit paging with optional 4 MB pages (SDM Vol.3 §4.3). Accessed and dirty bits
// are set only once the access is known to be allowed.
Mmu::Walk Mmu::walk_legacy(uint32_t lin, Access access, bool user) {
  const uint32_t a20 = phys_.a20_mask();
  const uint32_t pde_addr = ((s_->cr3 & kPageMask) | ((lin >> 20) & 0xffc)) & a20;
  uint32_t pde = phys_.read(pde_addr, 4);
  if (!(pde & kP)) return page_fault(lin, 0, access, user);
  const bool big = (pde & kPS) && (s_->cr4 & cpu::cr4::PSE);
  if (big && (pde & 0x003fe000)) return page_fault(lin, pf::P | pf::RSVD, access, user);
  uint32_t pte_addr = 0, pte = pde;
  if (!big) {
    pte_addr = ((pde & kPageMask) | ((lin >> 10) & 0xffc)) & a20;
    pte = phys_.read(pte_addr, 4);
    if (!(pte & kP)) return page_fault(lin, 0, access, user);
  }
  const bool writable = (pde & kRW) && (pte & kRW);
  const bool user_ok = (pde & kUS) && (pte & kUS);
  if (user && !user_ok) return page_fault(lin, pf::P, access, user);
  if (access == Access::Write && !writable && (user || (s_->cr0 & cpu::cr0::WP)))
    return page_fault(lin, pf::P, access, user);
  // Set A in the directory, and A (plus D for a write) in the leaf.
  if (!(pde & kA) || (big && access == Access::Write && !(pde & kD))) {
    pde |= kA | (big && access == Access::Write ? kD : 0);
    phys_.write(pde_addr, 4, pde);
  }
  if (!big && (!(pte & kA) || (access == Access::Write && !(pte & kD)))) {
    pte |= kA | (access == Access::Write ? kD : 0);
    phys_.write(pte_addr, 4, pte);
  }
  Walk w;
  w.phys_page = big ? (pde & 0xffc00000u) | (lin & 0x003ff000u) : pte & kPageMask;
  w.writable = writable || (!user && !(s_->cr0 & cpu::cr0::WP));
  w.user = user_ok;
  w.exec = true;
  w.dirty = ((big ? pde : pte) & kD) != 0;
  w.global = ((big ? pde : pte) & kG) && (s_->cr4 & cpu::cr4::PGE);
  return w;
}

// PAE paging: a 4-entry page-directory-pointer table, then 64-bit directory and table entries,
// 2 MB large pages and the execute-disable bit (SDM Vol.3 §4.4). Physical addresses above
// 4 GB do not exist on this machine, so their address bits are treated as reserved.
Mmu::Walk Mmu::walk_pae(uint32_t lin, Access access, bool user) {
  const uint32_t a20 = phys_.a20_mask();
  const bool nxe = s_->efer & cpu::kEferNxe;
  const uint64_t nx_bit = 1ull << 63;
  auto read64 = [&](uint32_t addr) { return uint64_t(phys_.read(addr, 4)) | uint64_t(phys_.read(addr + 4, 4)) << 32; };
  auto write_low = [&](uint32_t addr, uint64_t v) { phys_.write(addr, 4, uint32_t(v)); };
  // Reserved: physical bits 63:32 (52:32 plus bit 63 when NX is off).
  const uint64_t rsvd_hi = nxe ? 0x7fffffff00000000ull : 0xffffffff00000000ull;

  const uint32_t pdpte_addr = ((s_->cr3 & 0xffffffe0u) + ((lin >> 30) << 3)) & a20;
  const uint64_t pdpte = read64(pdpte_addr);
  if (!(pdpte & kP)) return page_fault(lin, 0, access, user);
  if (pdpte & (0xffffffff00000000ull | 0x1e6))
    return page_fault(lin, pf::P | pf::RSVD, access, user);

  const uint32_t pde_addr = ((uint32_t(pdpte) & kPageMask) + (((lin >> 21) & 0x1ff) << 3)) & a20;
  uint64_t pde = read64(pde_addr);
  if (!(pde & kP)) return page_fault(lin, 0, access, user);
  if (pde & rsvd_hi) return page_fault(lin, pf::P | pf::RSVD, access, user);
  const bool big = pde & kPS;
  if (big && (pde & 0x1fe000)) return page_fault(lin, pf::P | pf::RSVD, access, user);
  uint32_t pte_addr = 0;
  uint64_t pte = pde;
  if (!big) {
    pte_addr = ((uint32_t(pde) & kPageMask) + (((lin >> 12) & 0x1ff) << 3)) & a20;
    pte = read64(pte_addr);
    if (!(pte & kP)) return page_fault(lin, 0, access, user);
    if (pte & rsvd_hi) return page_fault(lin, pf::P | pf::RSVD, access, user);
  }
  const bool writable = (pde & kRW) && (pte & kRW);
  const bool user_ok = (pde & kUS) && (pte & kUS);
  const bool exec = !nxe || !((pde | pte) & nx_bit);
  if (user && !user_ok) return page_fault(lin, pf::P, access, user);
  if (access == Access::Write && !writable && (user || (s_->cr0 & cpu::cr0::WP)))
    return page_fault(lin, pf::P, access, user);
  if (access == Access::Exec && !exec) return page_fault(lin, pf::P, access, user);
  if (!(pde & kA) || (big && access == Access::Write && !(pde & kD))) {
    pde |= kA | (big && access == Access::Write ? kD : 0);
    write_low(pde_addr, pde);
  }
  if (!big && (!(pte & kA) || (access == Access::Write && !(pte & kD)))) {
    pte |= kA | (access == Access::Write ? kD : 0);
    write_low(pte_addr, pte);
  }
  Walk w;
  w.phys_page = big ? (uint32_t(pde) & 0xffe00000u) | (lin & 0x001ff000u) : uint32_t(pte) & kPageMask;
  w.writable = writable || (!user && !(s_->cr0 & cpu::cr0::WP));
  w.user = user_ok;
  w.exec = exec;
  w.dirty = ((big ? pde : pte) & kD) != 0;
  w.global = ((big ? pde : pte) & kG) && (s_->cr4 & cpu::cr4::PGE);
  return w;
}

TlbEntry* Mmu::fill(uint32_t lin, Access access) { return fill(lin, access, user_); }

TlbEntry* Mmu::fill(uint32_t lin, Access access, bool user) {
  const uint32_t lpage = lin & kPageMask;
  Walk w{lpage & phys_.a20_mask(), true, true, true, true, false, false};
  if (s_ && (s_->cr0 & cpu::cr0::PG)) {
    w = walk(lin, access, user);  // lin: CR2 gets the full address
    if (w.fault) return nullptr;
  }
  TlbEntry& e = tlb_[user][tlb_index(lin)];
  const PhysMemory::Page pg = phys_.page(w.phys_page);
  e.phys_page = w.phys_page;
  e.global = w.global;
  if (!pg.host) {
    e.tag_read = e.tag_exec = e.tag_write = lpage | kTlbMmio;
    e.addend = 0;
    if (!w.exec) e.tag_exec = lpage | kTlbInvalid;
    if (!w.writable || !w.dirty) e.tag_write = lpage | kTlbInvalid;
    watch(e, lpage);
    return &e;
  }
  e.addend = reinterpret_cast<uintptr_t>(pg.host) - lpage;
  e.tag_read = lpage;
  e.tag_exec = w.exec ? lpage : lpage | kTlbInvalid;
  // Writes hit only once the page is known writable and already dirty: the first write walks
  // the tables again to set D (or fault).
  if (!w.writable || !w.dirty)
    e.tag_write = lpage | kTlbInvalid;
  else
    e.tag_write = lpage | (pg.writable ? 0 : kTlbReadOnly) | (pg.code ? kTlbCode : 0);
  watch(e, lpage);
  return &e;
}

// Pages watched by data breakpoints keep a flag in their tags, so every access to them takes
// the slow path, where watch_access() matches it (DESIGN.md §5 "Soft MMU and TLB"). Nothing is
// flagged while no data breakpoint is armed.
void Mmu::watch(TlbEntry& e, uint32_t lpage) {
  if (!watching()) [[likely]]
    return;
  const bool guest = s_ && (s_->dbg_data & 0xf);
  if ((guest && cpu::dbg::page_watched(*s_, lpage, kPageSize, true)) || host_page_watched(lpage, true))
    e.tag_write |= kTlbWatch;
  if ((guest && cpu::dbg::page_watched(*s_, lpage, kPageSize, false)) || host_page_watched(lpage, false))
    e.tag_read |= kTlbWatch;
}

bool Mmu::host_page_watched(uint32_t lpage, bool write) const {
  for (const HostWatch& w : host_watches_)
    if ((write ? w.write : w.read) && (w.lin - lpage < kPageSize || lpage - w.lin < w.len)) return true;
  return false;
}

// A data access to a watched page: record the breakpoints it hits for the trap that follows
// the instruction, and end the block there.
void Mmu::watch_access(uint32_t lin, unsigned size, bool write) {
  if (s_ && (s_->dbg_data & 0xf)) {
    if (const uint32_t hits = cpu::dbg::data_hits(*s_, lin, size, write)) {
      s_->db_trap |= hits;
      cpu::request_exit(*s_);
    }
  }
  for (const HostWatch& w : host_watches_) {
    if (!(write ? w.write : w.read) || host_hit_) continue;
    if (lin - w.lin < w.len || w.lin - lin < size) {
      host_hit_ = HostWatchHit{w, write};
      if (s_) cpu::request_exit(*s_);
    }
  }
}

uint32_t Mmu::read_slow(uint32_t lin, unsigned size, Access access) {
  uint32_t v;
  if (!try_read_slow(lin, size, v, access)) throw fault_;
  return v;
}

void Mmu::write_slow(uint32_t lin, unsigned size, uint32_t value) {
  if (!try_write_slow(lin, size, value)) throw fault_;
}

bool Mmu::alignment_fault() {
  fault_ = cpu::CpuException{cpu::kAC, true, 0};
  return false;
}

bool Mmu::try_read_slow(uint32_t lin, unsigned size, uint32_t& v, Access access) {
  if (align_check_ && (lin & (size - 1))) return alignment_fault();
  if (((lin & (kPageSize - 1)) + size) > kPageSize) {
    // Page-crossing: translate the second page first, so a fault there is raised before any
    // side effect of the first (MMIO reads), then assemble byte by byte.
    uint32_t phys;
    if (!try_translate((lin + size - 1) & kPageMask, access, user_, phys)) return false;
    v = 0;
    for (unsigned i = 0; i < size; i++) {
      uint32_t b;
      if (!try_read_slow(lin + i, 1, b, access)) return false;
      v |= b << (8 * i);
    }
    return true;
  }
  TlbEntry* e = fill(lin, access);
  if (!e) return false;
  if ((e->tag_read & kTlbWatch) && access == Access::Read) watch_access(lin, size, false);
  if (!(e->tag_read & kTlbMmio)) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(e->addend + lin);
    v = 0;
    for (unsigned i = 0; i < size; i++) v |= uint32_t(p[i]) << (8 * i);
    return true;
  }
  v = phys_.read(e->phys_page | (lin & (kPageSize - 1)), size);
  return true;
}

bool Mmu::try_write_slow(uint32_t lin, unsigned size, uint32_t value) {
  if (align_check_ && (lin & (size - 1))) return alignment_fault();
  const uint32_t off = lin & (kPageSize - 1);
  if (off + size > kPageSize) {
    // Translate both pages before writing anything (no partial write on a fault).
    uint32_t phys;
    if (!try_translate((lin + size - 1) & kPageMask, Access::Write, user_, phys) ||
        !try_translate(lin & kPageMask, Access::Write, user_, phys))
      return false;
    for (unsigned i = 0; i < size; i++) try_write_slow(lin + i, 1, value >> (8 * i));
    return true;
  }
  // A RAM page with translated code keeps its TLB entry: write the bytes, then let the
  // physical layer tell the code listener if they overlap code.
  if (TlbEntry& c = current_[tlb_index(lin)]; c.tag_write == ((lin & kPageMask) | kTlbCode)) {
    uint8_t* p = reinterpret_cast<uint8_t*>(c.addend + lin);
    for (unsigned i = 0; i < size; i++) p[i] = uint8_t(value >> (8 * i));
    phys_.note_ram_write(c.phys_page | off, size);
    return true;
  }
  TlbEntry* e = fill(lin, Access::Write);
  if (!e) return false;
  if (e->tag_write & kTlbWatch) watch_access(lin, size, true);
  if (e->tag_write == (lin & kPageMask)) {
    uint8_t* p = reinterpret_cast<uint8_t*>(e->addend + lin);
    for (unsigned i = 0; i < size; i++) p[i] = uint8_t(value >> (8 * i));
    return true;
  }
  // ROM, MMIO, or a page with translated code: the physical layer sorts it out.
  phys_.write(e->phys_page | off, size, value);
  return true;
}

// The processor's implicit accesses match data breakpoints like any other (SDM Vol.3 §17.2.4):
// their traps follow the instruction or the event delivery that made them.
uint32_t Mmu::read_sys(uint32_t lin, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; i++)
    v |= phys_.read(translate(lin + i, Access::Read, false), 1) << (8 * i);
  if (watching()) [[unlikely]]
    watch_access(lin, size, false);
  return v;
}

void Mmu::write_sys(uint32_t lin, unsigned size, uint32_t value) {
  uint32_t phys[4];
  for (unsigned i = 0; i < size; i++) phys[i] = translate(lin + i, Access::Write, false);
  for (unsigned i = 0; i < size; i++) phys_.write(phys[i], 1, (value >> (8 * i)) & 0xff);
  if (watching()) [[unlikely]]
    watch_access(lin, size, true);
}

uint32_t Mmu::translate_exec(uint32_t lin) {
  const TlbEntry& e = tlb()[tlb_index(lin)];
  if ((e.tag_exec & ~kTlbMmio) == (lin & kPageMask)) return e.phys_page | (lin & (kPageSize - 1));
  const TlbEntry* f = fill(lin, Access::Exec);
  if (!f) throw fault_;
  return f->phys_page | (lin & (kPageSize - 1));
}

unsigned Mmu::fetch_code(uint32_t lin, uint8_t* dst, unsigned len) {
  unsigned got = 0;
  while (got < len) {
    const uint32_t a = lin + got;
    const unsigned chunk = std::min<unsigned>(len - got, kPageSize - (a & (kPageSize - 1)));
    uint32_t phys;
    if (!try_translate(a, Access::Exec, user_, phys)) break;
    PhysMemory::Page pg = phys_.page(phys & kPageMask);
    if (pg.host)
      std::memcpy(dst + got, pg.host + (phys & (kPageSize - 1)), chunk);
    else
      for (unsigned i = 0; i < chunk; i++) dst[got + i] = uint8_t(phys_.read(phys + i, 1));
    got += chunk;
  }
  return got;
}

void Mmu::protect_code(uint32_t phys, uint32_t len) {
  if (!phys_.mark_code(phys, len)) return;
  const uint32_t phys_page = phys & kPageMask;
  for (auto& set : tlb_)
    for (TlbEntry& e : set)
      if (e.phys_page == phys_page && !(e.tag_write & kTlbInvalid)) e.tag_write |= kTlbCode;
}

void Mmu::unprotect_code_page(uint32_t phys_page) {
  phys_.clear_code_page(phys_page);
  for (auto& set : tlb_)
    for (TlbEntry& e : set)
      if (e.phys_page == phys_page && !(e.tag_write & kTlbInvalid)) e.tag_write &= ~kTlbCode;
}

}  // namespace mmu
