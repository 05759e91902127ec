// LLDT, LTR and the descriptor-inspecting instructions LAR, LSL, VERR, VERW (SDM Vol.2).
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers/descriptor.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

// A system-segment descriptor of the GDT: LDT (type 2) or TSS (types 1/9 available, 3/11 busy).
Descriptor fetch_gdt_system(Cpu& cpu, uint16_t sel) {
  if (sel & 4) raise(kGP, sel_error(sel));  // must come from the GDT
  return fetch_descriptor(cpu, sel);
}

// ZF reports whether a check passed; the other flags are left alone.
void set_zf(Cpu& cpu, bool on) { write_eflags(cpu.s, on ? fl::ZF : 0, fl::ZF); }

// Whether `sel` names a descriptor visible at the current CPL and RPL for LAR/LSL/VERR/VERW:
// fetches it without faulting (out-of-table selectors just fail the check).
bool visible(Cpu& cpu, uint16_t sel, Descriptor& d) {
  if (sel_null(sel)) return false;
  const bool ldt = sel & 4;
  const uint32_t limit = ldt ? cpu.s.ldtr.limit : cpu.s.gdtr.limit;
  if ((ldt && cpu.s.ldtr.access == 0) || (sel & 0xfff8u) + 7 > limit) return false;
  d = fetch_descriptor(cpu, sel);
  // Conforming code segments are visible at any privilege; everything else needs
  // DPL >= max(CPL, RPL).
  if (d.conforming()) return true;
  return d.dpl() >= cpu.s.cpl && d.dpl() >= sel_rpl(sel);
}

}  // namespace

uint32_t helper_lldt(Cpu& cpu, uint32_t sel32, uint32_t, uint32_t, uint32_t) {
  const uint16_t sel = uint16_t(sel32);
  if (sel_null(sel)) {
    // A null LDTR: any later LDT reference raises #GP.
    cpu.s.ldtr = Segment{sel, 0, 0, 0, 1, 0, 0, 0};
    return 0;
  }
  Descriptor d = fetch_gdt_system(cpu, sel);
  if (!d.system() || d.type() != 2) raise(kGP, sel_error(sel));
  if (!d.present()) raise(kNP, sel_error(sel));
  cpu.s.ldtr = segment_cache(sel, d);
  cpu.s.ldtr.access = kSegRead;  // marks the LDTR valid for descriptor fetches
  return 0;
}

uint32_t helper_ltr(Cpu& cpu, uint32_t sel32, uint32_t, uint32_t, uint32_t) {
  const uint16_t sel = uint16_t(sel32);
  if (sel_null(sel)) raise(kGP, 0);
  Descriptor d = fetch_gdt_system(cpu, sel);
  if (!d.system() || (d.type() != 1 && d.type() != 9)) raise(kGP, sel_error(sel));
  if (!d.present()) raise(kNP, sel_error(sel));
  // The TSS becomes busy (type bit 1), in the GDT as well as in TR.
  d.hi |= 2u << 8;
  cpu.mmu().write_sys(cpu.s.gdtr.base + (sel & 0xfff8u) + 5, 1, (d.hi >> 8) & 0xff);
  cpu.s.tr = segment_cache(sel, d);
  return 0;
}

// LAR: the access rights (descriptor dword 1 masked to bits 8-23) if the descriptor is a
// type LAR accepts (all but interrupt/trap gates and reserved system types).
uint32_t helper_lar(Cpu& cpu, uint32_t sel32, uint32_t old, uint32_t, uint32_t) {
  Descriptor d;
  if (!visible(cpu, uint16_t(sel32), d)) return set_zf(cpu, false), old;
  if (d.system()) {
    constexpr uint16_t kValid = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 9 | 1u << 11 | 1u << 12;
    if (!(kValid >> d.type() & 1)) return set_zf(cpu, false), old;
  }
  set_zf(cpu, true);
  return d.hi & 0x00ffff00u;
}

// LSL: the byte-granular limit for segments and TSS/LDT descriptors (no gates).
uint32_t helper_lsl(Cpu& cpu, uint32_t sel32, uint32_t old, uint32_t, uint32_t) {
  Descriptor d;
  if (!visible(cpu, uint16_t(sel32), d)) return set_zf(cpu, false), old;
  if (d.system()) {
    constexpr uint16_t kValid = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 9 | 1u << 11;
    if (!(kValid >> d.type() & 1)) return set_zf(cpu, false), old;
  }
  set_zf(cpu, true);
  return d.limit();
}

// VERR (k = 0) / VERW (k = 1): whether the segment is readable / writable from here.
uint32_t helper_verify(Cpu& cpu, uint32_t sel32, uint32_t, uint32_t, uint32_t write) {
  Descriptor d;
  const bool ok = visible(cpu, uint16_t(sel32), d) && !d.system() && (write ? d.writable() : d.readable());
  set_zf(cpu, ok);
  return 0;
}

uint32_t helper_read_system_selector(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t tr) {
  return tr ? cpu.s.tr.sel : cpu.s.ldtr.sel;
}

}  // namespace cpu
