#include "machine/cpu_state_io.h"

#include "cpu/flags.h"

namespace machine {
namespace {

template <class... T>
void fields(devices::Serializer& io, T&... v) {
  (io.io(v), ...);
}

void segment(devices::Serializer& io, cpu::Segment& sg) {
  fields(io, sg.sel, sg.base, sg.limit, sg.lo, sg.hi, sg.flags, sg.access);
}

void fpu(devices::Serializer& io, cpu::FpuState& f) {
  for (sf::F80& r : f.r) fields(io, r.sig, r.se);
  fields(io, f.fcw, f.fsw, f.ftw, f.fop, f.fip, f.fdp, f.fcs, f.fds, f.mxcsr, f.ferr);
}

void msrs(devices::Serializer& io, cpu::MsrState& m) {
  fields(io, m.sysenter_cs, m.sysenter_esp, m.sysenter_eip, m.apic_base, m.pat, m.misc_enable,
         m.bios_sign_id, m.mtrr_def_type);
  for (uint64_t& v : m.mtrr_fixed) io.io(v);
  for (uint64_t& v : m.mtrr_var) io.io(v);
}

}  // namespace

void serialize_cpu(cpu::CpuState& s, devices::Serializer& io) {
  for (uint32_t& r : s.regs) io.io(r);
  io.io(s.eip);
  uint32_t eflags = cpu::read_eflags(s);
  io.io(eflags);
  if (io.loading()) {
    // Reserved bits as the processor keeps them (bit 1 set; 3, 5 and 15 clear), held
    // materialised (CcKind::Eflags).
    s.eflags = (eflags | cpu::fl::kFixed1) & ~(1u << 3 | 1u << 5 | 1u << 15);
    s.cc_op = 0;
  }
  for (cpu::Segment& sg : s.seg) segment(io, sg);
  fields(io, s.gdtr.base, s.gdtr.limit, s.idtr.base, s.idtr.limit);
  segment(io, s.ldtr);
  segment(io, s.tr);
  fields(io, s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
  for (uint32_t& d : s.dr) io.io(d);
  fields(io, s.cpl, s.halted, s.irq_shadow, s.icount, s.tsc_offset);
  msrs(io, s.msr);
  fields(io, s.db_trap, s.db_carry, s.dbg_exec, s.dbg_data, s.nmi_pending, s.nmi_blocked);
  fpu(io, s.fpu);
  if (io.loading()) {
    s.cpl &= 3;
    s.halted &= 1;
    s.irq_shadow &= cpu::kShadowIrq | cpu::kShadowDebug;
    s.nmi_pending &= 1;
    s.nmi_blocked &= 1;
    s.dbg_exec &= 0xf;  // DR0-DR3
    s.dbg_data &= 0xf;
    s.fpu.ferr &= 1;
    cpu::request_exit(s);  // the engine re-reads the mode and pending events
  }
}

}  // namespace machine
