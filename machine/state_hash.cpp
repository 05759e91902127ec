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
  h.add(sg.sel), h.add(sg.base), h.add(sg.limit), h.add(sg.lo), h.add(sg.hi), h.add(sg.flags), h.add(sg.access);
}

void add_fpu(StateHasher& h, const cpu::FpuState& f) {
  for (const sf::F80& r : f.r) h.add(r.sig), h.add(r.se);
  h.add(f.fcw), h.add(f.fsw), h.add(f.ftw), h.add(f.fop), h.add(f.fip), h.add(f.fdp), h.add(f.fcs), h.add(f.fds);
  h.add(f.mxcsr), h.add(f.ferr);
}

void add_msrs(StateHasher& h, const cpu::MsrState& m) {
  h.add(m.sysenter_cs), h.add(m.sysenter_esp), h.add(m.sysenter_eip), h.add(m.apic_base), h.add(m.pat);
  h.add(m.misc_enable), h.add(m.bios_sign_id), h.add(m.mtrr_def_type);
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
  add(s.gdtr.base), add(s.gdtr.limit), add(s.idtr.base), add(s.idtr.limit);
  add_segment(*this, s.ldtr);
  add_segment(*this, s.tr);
  add(s.cr0), add(s.cr2), add(s.cr3), add(s.cr4), add(s.efer);
  for (uint32_t d : s.dr) add(d);
  add(s.cpl), add(s.halted), add(s.irq_shadow);
  add(s.icount), add(s.tsc_offset);
  add_msrs(*this, s.msr);
  add(s.db_trap), add(s.db_carry), add(s.dbg_exec), add(s.dbg_data), add(s.nmi_pending), add(s.nmi_blocked);
  add_fpu(*this, s.fpu);
}

}  // namespace machine
