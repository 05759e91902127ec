// Cpu: one processor — its architectural state plus the narrow interfaces it reaches the rest
// of the machine through (memory via the MMU, port I/O, the interrupt controller).
#pragma once

#include <cstdint>
#include <functional>

#include "cpu/cpu_model.h"
#include "cpu/exception.h"
#include "cpu/state.h"
#include "mmu/mmu.h"

namespace cpu {

// Port I/O as the CPU sees it. The machine's bus implements this.
class IoBus {
 public:
  virtual ~IoBus() = default;
  virtual uint32_t io_read(uint16_t port, unsigned size) = 0;
  virtual void io_write(uint16_t port, unsigned size, uint32_t value) = 0;
};

// The interrupt controller as the CPU sees it (INTR line and acknowledge cycle).
class InterruptSource {
 public:
  virtual ~InterruptSource() = default;
  virtual bool intr_pending() = 0;
  virtual uint8_t intr_acknowledge() = 0;
};

enum class IntKind : uint8_t {
  Exception,  // fault or trap raised by the processor
  Software,   // INT n, INT3, INTO
  External,   // INTR from the interrupt controller, NMI
};

class Cpu {
 public:
  explicit Cpu(mmu::Mmu& mmu) : mmu_(mmu) {
    mmu.attach(&s);
    reset();
  }

  CpuState s;

  mmu::Mmu& mmu() { return mmu_; }
  IoBus* io = nullptr;
  InterruptSource* intr = nullptr;
  uint32_t ns_per_insn = 1;
  // What CPUID reports (and EDX holds after RESET): set before reset() to take effect there.
  CpuModel model = default_cpu_model();
  // FERR#: called when a waiting x87 instruction finds an unmasked exception pending with
  // CR0.NE = 0 (the PC routes it to IRQ 13; the board owns that wiring).
  std::function<void()> fpu_error;
  // A WRMSR to IA32_APIC_BASE (the board's local APIC moves or is disabled with it).
  std::function<void(uint64_t)> apic_base_written;

  // Power-on/RESET state (SDM Vol.3 §9.1.1).
  void reset();

  // Virtual time of the instruction `insn_index` instructions into the running block.
  uint64_t icount_at(uint32_t insn_index) const { return s.icount + insn_index; }

  // Data access through segmentation and paging. Offsets are already wrapped to the address
  // size by the caller. Throws CpuException on a limit, rights or paging fault.
  template <unsigned N>
  uint32_t load(unsigned seg, uint32_t off) {
    return mmu_.read<N>(check_seg(seg, off, N, kSegRead));
  }
  template <unsigned N>
  void store(unsigned seg, uint32_t off, uint32_t v) {
    mmu_.write<N>(check_seg(seg, off, N, kSegWrite), v);
  }
  uint32_t load(unsigned seg, uint32_t off, unsigned size);
  void store(unsigned seg, uint32_t off, unsigned size, uint32_t v);
  // The same without a throw, for the engines: false with the fault pending (fault()).
  template <unsigned N>
  bool try_load(unsigned seg, uint32_t off, uint32_t& v) {
    const Segment& sg = s.seg[seg];
    if (!seg_ok(sg, off, N, kSegRead)) [[unlikely]]
      return seg_fault_pending(seg);
    if (mmu_.try_read<N>(sg.base + off, v)) [[likely]]
      return true;
    fault(mmu_.last_fault());
    return false;
  }
  template <unsigned N>
  bool try_store(unsigned seg, uint32_t off, uint32_t v) {
    const Segment& sg = s.seg[seg];
    if (!seg_ok(sg, off, N, kSegWrite)) [[unlikely]]
      return seg_fault_pending(seg);
    if (mmu_.try_write<N>(sg.base + off, v)) [[likely]]
      return true;
    fault(mmu_.last_fault());
    return false;
  }
  bool try_load(unsigned seg, uint32_t off, unsigned size, uint32_t& v);
  bool try_store(unsigned seg, uint32_t off, unsigned size, uint32_t v);

  uint32_t check_seg(unsigned seg, uint32_t off, unsigned size, uint32_t access) {
    const Segment& sg = s.seg[seg];
    if (!seg_ok(sg, off, size, access)) [[unlikely]]
      seg_fault(seg);
    return sg.base + off;
  }
  static bool seg_ok(const Segment& sg, uint32_t off, unsigned size, uint32_t access) {
    return off >= sg.lo && uint64_t(off) + (size - 1) <= sg.hi && (sg.access & access);
  }
  [[noreturn]] void seg_fault(unsigned seg);
  bool seg_fault_pending(unsigned seg) {
    fault(seg == SS ? kSS : kGP, 0);
    return false;
  }

  // Register access by x86 encoding.
  uint32_t reg(unsigned r, unsigned size) const;
  void set_reg(unsigned r, unsigned size, uint32_t v);

  // Changes the privilege level; user mode (CPL 3) uses its own TLB set.
  void set_cpl(uint8_t cpl) {
    s.cpl = cpl;
    mmu_.set_user(cpl == 3);
    update_align_check();
  }
  // Follows CPL, CR0.AM and EFLAGS.AC: alignment checking is on when all three allow it.
  void update_align_check() {
    mmu_.set_align_check(s.cpl == 3 && (s.cr0 & cr0::AM) && (s.eflags & fl::AC));
    s.tlb = mmu_.tlb();
  }

  bool protected_mode() const { return s.cr0 & cr0::PE; }
  bool v86() const { return s.eflags & fl::VM; }
  bool stack32() const { return s.seg[SS].flags & kSegFlagDB; }
  bool code32() const { return s.seg[CS].flags & kSegFlagDB; }

  // Loads a segment register the way real mode (and V86 mode) does: only selector and base
  // change, so cached limits survive ("big real mode").
  void load_seg_real(unsigned seg, uint16_t sel);
  // Loads a segment register for the current mode (protected-mode checks come with the system
  // architecture work); throws on a bad selector.
  void load_seg(unsigned seg, uint16_t sel);

  // Delivers an interrupt or exception. `return_eip` is pushed as the return address (the
  // faulting instruction for faults, the next one for traps and INT n).
  void interrupt(uint8_t vector, IntKind kind, uint32_t return_eip, bool has_error = false,
                 uint32_t error = 0);

  // A guest exception reported by a helper's return instead of a C++ throw, for the faults
  // guests take in storms (#UD, #GP from an IOPL-sensitive instruction in V86 mode): unwinding
  // costs about a microsecond each. The interpreter or thunk that called the helper takes it
  // right after the call and handles it as it handles a thrown one. Only a helper called from
  // IR may use it, and only in its return statement; what the helper changed before stays
  // changed, as it would with a throw.
  uint32_t fault(uint8_t vector) { return fault(CpuException{vector, false, 0}); }
  uint32_t fault(uint8_t vector, uint32_t error) {
    return fault(CpuException{vector, true, error});
  }
  uint32_t fault(const CpuException& e) {
    pending_fault_ = e;
    fault_pending_ = true;
    return 0;
  }
  bool fault_pending() const { return fault_pending_; }
  CpuException take_fault() {
    fault_pending_ = false;
    return pending_fault_;
  }

 private:
  mmu::Mmu& mmu_;
  CpuException pending_fault_{};
  bool fault_pending_ = false;
};

}  // namespace cpu
