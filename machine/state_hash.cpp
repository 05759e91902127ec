#include "machine/state_hash.h"

#include <xxhash.h>

#include <new>

#include "cpu/flags.h"

namespace machine {

StateHasher::StateHasher() : state_(XXH3_createState()) {
  if (!state_) throw std::bad_alloc();
  XXH3_64bits_reset(state_);
}

StateHasher::~StateHasher() { XXH3_freeState(state_); }

void StateHasher::add(const void* data, size_t len) { XXH3_64bits_update(state_, data, len); }

uint64_t StateHasher::digest() const { return XXH3_64bits_digest(state_); }

namespace {

void add_segment(StateHasher& h, const cpu::Segment& sg) {
  h.add_all(sg.sel, sg.base, sg.limit, sg.lo, sg.hi, sg.flags, sg.access);
}

void add_fpu(StateHasher& h, const cpu::FpuState& f) {
  for (const sf::F80& r : f.r) h.add_all(r.sig, r.se);
  h.add_all(f.fcw, f.fsw, f.ftw, f.fop, f.fip, f.fdp, f.fcs, f.fds, f.mxcsr, f.ferr);
}

void add_msrs(StateHasher& h, const cpu::MsrState& m) {
  h.add_all(m.sysenter_cs, m.sysenter_esp, m.sysenter_eip, m.apic_base, m.pat, m.misc_enable,
            m.bios_sign_id, m.mtrr_def_type);
  for (uint64_t v : m.mtrr_fixed) h.add(v);
  for (uint64_t v : m.mtrr_var) h.add(v);
}

}  // namespace

void StateHasher::add_cpu(const cpu::CpuState& s) {
  for (uint32_t r : s.regs) add(r);
  add(s.eip);
  // How the arithmetic flags are held (lazily or materialised) is an engine's choice; their
  // values are not.
  add(cpu::read_eflags(s));
  for (const cpu::Segment& sg : s.seg) add_segment(*this, sg);
  add_all(s.gdtr.base, s.gdtr.limit, s.idtr.base, s.idtr.limit);
  add_segment(*this, s.ldtr);
  add_segment(*this, s.tr);
  add_all(s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
  for (uint32_t d : s.dr) add(d);
  add_all(s.cpl, s.halted, s.irq_shadow, s.icount, s.tsc_offset);
  add_msrs(*this, s.msr);
  add_all(s.db_trap, s.db_carry, s.dbg_exec, s.dbg_data, s.nmi_pending, s.nmi_blocked);
  add_fpu(*this, s.fpu);
}

}  // namespace machine
