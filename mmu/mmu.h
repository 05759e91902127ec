// Linear-address translation and the software TLB. Paging structures are walked here (32-bit
// two-level with 4 KB and 4 MB pages, and PAE); the CPU layer adds segmentation on top and the
// JIT inlines the TLB hit path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "cpu/exception.h"
#include "cpu/state.h"
#include "mmu/phys_memory.h"
#include "mmu/tlb.h"

namespace mmu {

enum class Access : uint8_t { Read, Write, Exec };

// Page-fault error code bits (SDM Vol.3 §4.7).
namespace pf {
constexpr uint32_t P = 1, W = 2, U = 4, RSVD = 8, ID = 16;
}

class Mmu {
 public:
  explicit Mmu(PhysMemory& phys);
  Mmu(const Mmu&) = delete;  // tlb() points into the object
  Mmu& operator=(const Mmu&) = delete;
  // The processor whose control registers govern translation.
  void attach(cpu::CpuState* state) { s_ = state; }

  PhysMemory& phys() { return phys_; }
  // The TLB set for the current privilege: user (CPL 3) and supervisor accesses have separate
  // sets, so a hit never needs a privilege check.
  TlbEntry* tlb() { return current_; }
  void set_user(bool user) {
    user_ = user;
    select();
  }
  // Alignment checking (CPL 3 with CR0.AM and EFLAGS.AC, SDM Vol.3 §6.15 interrupt 17): data
  // accesses then see a TLB that never hits, so each one reaches the slow path, which raises
  // #AC(0) for a misaligned operand. Nothing changes for code that does not enable it.
  void set_align_check(bool on) {
    align_check_ = on;
    select();
  }
  bool user() const { return user_; }

  // Drops every TLB entry; with keep_global, entries of global pages survive (a CR3 load with
  // CR4.PGE set, SDM Vol.3 §4.10.4.1).
  void flush_tlb(bool keep_global = false);
  void flush_page(uint32_t lin);
  // The engine found translated code for the linear bytes [first, last] through the jump cache
  // (CpuState::jc_gen). Flushes make the jump cache look its entries up again; an INVLPG of a
  // page that no entry made since the last flush lies on (most of them: a kernel invalidates
  // data pages) leaves it alone.
  void note_code_lookup(uint32_t first, uint32_t last) {
    mark_code_page(first >> kPageBits);
    mark_code_page(last >> kPageBits);
  }

  // Linear -> physical for one access with the current privilege (or the given one). Throws
  // cpu::CpuException(#PF) with the error code and the address for CR2.
  uint32_t translate(uint32_t lin, Access access) { return translate(lin, access, user_); }
  uint32_t translate(uint32_t lin, Access access, bool user);
  // The same without a throw: false on a fault, which last_fault() then describes.
  bool try_translate(uint32_t lin, Access access, bool user, uint32_t& phys);
  const cpu::CpuException& last_fault() const { return fault_; }

  // Slow paths behind the inline TLB hit test: fill the TLB, split page-crossing accesses, and
  // dispatch MMIO. A page-crossing store translates both pages before writing a byte, so a
  // fault on the second page leaves nothing written.
  uint32_t read_slow(uint32_t lin, unsigned size, Access access = Access::Read);
  void write_slow(uint32_t lin, unsigned size, uint32_t value);
  // The same without a throw, for the engines' memory accesses: a guest taking page faults by
  // the thousand (demand paging) would spend more time unwinding than in its handler. False
  // on a fault (#PF, #AC), which last_fault() then describes.
  bool try_read_slow(uint32_t lin, unsigned size, uint32_t& v, Access access = Access::Read);
  bool try_write_slow(uint32_t lin, unsigned size, uint32_t value);

  // Accessors with the current privilege, for C++ code (helpers, the interpreter).
  template <unsigned N>
  uint32_t read(uint32_t lin) {
    if (uint8_t* p = tlb_hit<N>(tlb(), lin, &TlbEntry::tag_read)) return load_host<N>(p);
    return read_slow(lin, N);
  }
  template <unsigned N>
  void write(uint32_t lin, uint32_t v) {
    if (uint8_t* p = tlb_hit<N>(tlb(), lin, &TlbEntry::tag_write)) return store_host<N>(p, v);
    write_slow(lin, N, v);
  }

  template <unsigned N>
  bool try_read(uint32_t lin, uint32_t& v) {
    if (uint8_t* p = tlb_hit<N>(tlb(), lin, &TlbEntry::tag_read)) {
      v = load_host<N>(p);
      return true;
    }
    return try_read_slow(lin, N, v);
  }
  template <unsigned N>
  bool try_write(uint32_t lin, uint32_t v) {
    if (uint8_t* p = tlb_hit<N>(tlb(), lin, &TlbEntry::tag_write)) {
      store_host<N>(p, v);
      return true;
    }
    return try_write_slow(lin, N, v);
  }

  // Supervisor-privilege accesses whatever the CPL: descriptor tables, the TSS, the IDT
  // ("implicit supervisor-mode accesses", SDM Vol.3 §4.6).
  uint32_t read_sys(uint32_t lin, unsigned size);
  void write_sys(uint32_t lin, unsigned size, uint32_t value);

  // Physical address of an instruction fetch at `lin` through the TLB. Throws on a fault.
  uint32_t translate_exec(uint32_t lin);

  // Reads up to `len` code bytes at `lin` into `dst` without faulting; returns how many bytes
  // could be fetched (stops at the first page that cannot be translated).
  unsigned fetch_code(uint32_t lin, uint8_t* dst, unsigned len);

  // Pages that hold translated code are write-protected in the TLB so stores reach the
  // invalidation slow path; there, only stores that overlap the code bytes themselves
  // (PhysMemory's byte bitmaps) reach the code listener. protect_code takes a range within a page.
  void protect_code(uint32_t phys, uint32_t len);
  void unprotect_code_page(uint32_t phys_page);

  // Watchpoints of an attached debugger (the gdb stub's Z2-Z4): the guest cannot see them (no
  // DR6 bits, no #DB). They flag pages in the TLB as the guest's data breakpoints do, and a hit
  // ends the block after the accessing instruction, which is where x86 reports data
  // breakpoints (SDM Vol.3 §17.3.1.2).
  struct HostWatch {
    uint32_t lin = 0, len = 1;
    bool read = false, write = true;
  };
  struct HostWatchHit {
    HostWatch watch;
    bool write = false;  // the access that hit was a write
  };
  void set_host_watches(std::vector<HostWatch> watches) {
    host_watches_ = std::move(watches);
    flush_tlb();
  }
  bool host_watching() const { return !host_watches_.empty(); }
  // The first watchpoint hit since the last call, if any.
  bool host_watch_hit() const { return host_hit_.has_value(); }
  std::optional<HostWatchHit> take_host_watch_hit() { return std::exchange(host_hit_, std::nullopt); }

 private:
  struct Walk {
    uint32_t phys_page = 0;
    bool writable = false, user = false, exec = false, dirty = false, global = false;
    bool fault = false;  // a page fault, which fault_ describes
  };
  Walk walk(uint32_t lin, Access access, bool user);
  Walk walk_legacy(uint32_t lin, Access access, bool user);
  Walk walk_pae(uint32_t lin, Access access, bool user);
  Walk page_fault(uint32_t lin, uint32_t code, Access access, bool user);
  bool alignment_fault();
  // Null on a fault.
  TlbEntry* fill(uint32_t lin, Access access);
  void watch(TlbEntry& e, uint32_t lpage);
  void watch_access(uint32_t lin, unsigned size, bool write);
  TlbEntry* fill(uint32_t lin, Access access, bool user);

  // Jump-cache entries made under the current jc_gen, by linear page number (hashed: a
  // collision costs a needless flush of the jump cache, never a stale entry).
  static constexpr uint32_t kCodePageBits = 1u << 14;
  uint64_t& code_page_word(uint32_t page) { return code_pages_[page / 64 % (kCodePageBits / 64)]; }
  void mark_code_page(uint32_t page) { code_page_word(page) |= uint64_t(1) << (page % 64); }
  bool code_page_marked(uint32_t page) { return code_page_word(page) >> (page % 64) & 1; }
  void new_jump_cache_generation();
  std::array<uint64_t, kCodePageBits / 64> code_pages_{};
  bool host_page_watched(uint32_t lpage, bool write) const;
  bool watching() const { return (s_ && (s_->dbg_data & 0xf)) || !host_watches_.empty(); }

  PhysMemory& phys_;
  cpu::CpuState* s_ = nullptr;
  cpu::CpuException fault_{};  // the last fault found
  std::vector<HostWatch> host_watches_;
  std::optional<HostWatchHit> host_hit_;
  void select() { current_ = align_check_ ? no_hits_.data() : tlb_[user_].data(); }

  bool user_ = false;
  bool align_check_ = false;
  std::array<TlbEntry, kTlbSize> tlb_[2]{};
  std::array<TlbEntry, kTlbSize> no_hits_{};  // stays invalid
  TlbEntry* current_ = tlb_[0].data();  // what tlb() returns
};

}  // namespace mmu
