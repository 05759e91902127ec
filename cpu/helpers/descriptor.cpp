// Protected-mode descriptor loads: segment registers from the GDT/LDT with the checks of SDM
// Vol.2 MOV/POP (segment register forms) and Vol.3 §5.5-5.7, and V86-mode loads.
#include "cpu/helpers/descriptor.h"

namespace cpu {

Descriptor fetch_descriptor(Cpu& cpu, uint16_t sel) {
  // TI selects the LDT; a null or never-loaded LDTR has limit 0 or the reset limit.
  const bool ldt = sel & 4;
  const uint32_t base = ldt ? cpu.s.ldtr.base : cpu.s.gdtr.base;
  const uint32_t limit = ldt ? cpu.s.ldtr.limit : cpu.s.gdtr.limit;
  const uint32_t index = sel & 0xfff8u;
  if ((ldt && cpu.s.ldtr.access == 0) || index + 7 > limit) raise(kGP, sel_error(sel));
  // Descriptor tables are read with supervisor privilege whatever the CPL (SDM Vol.3 §4.6).
  return Descriptor{cpu.mmu().read_sys(base + index, 4), cpu.mmu().read_sys(base + index + 4, 4)};
}

void mark_accessed(Cpu& cpu, uint16_t sel, Descriptor& d) {
  if (d.system() || (d.type() & 1)) return;
  d.hi |= 1u << 8;
  const uint32_t base = (sel & 4) ? cpu.s.ldtr.base : cpu.s.gdtr.base;
  cpu.mmu().write_sys(base + (sel & 0xfff8u) + 5, 1, (d.hi >> 8) & 0xff);
}

Segment segment_cache(uint16_t sel, const Descriptor& d) {
  Segment sg;
  sg.sel = sel;
  sg.base = d.base();
  sg.limit = d.limit();
  sg.flags = d.flags();
  if (d.data() && (d.type() & 4)) {
    // Expand-down: valid offsets run from limit + 1 to 64 KiB - 1 or 4 GiB - 1 by the B bit
    // (SDM Vol.3 §3.4.5.1). A limit at the top leaves no valid offset.
    sg.hi = (sg.flags & kSegFlagDB) ? 0xffffffffu : 0xffffu;
    if (sg.limit >= sg.hi) {
      sg.lo = 1;
      sg.hi = 0;
    } else {
      sg.lo = sg.limit + 1;
    }
  } else {
    sg.lo = 0;
    sg.hi = sg.limit;
  }
  sg.access = (d.readable() ? kSegRead : 0) | (d.writable() ? kSegWrite : 0);
  return sg;
}

Descriptor check_stack_segment(Cpu& cpu, uint16_t sel, unsigned pl) {
  if (sel_null(sel)) raise(kGP, 0);
  Descriptor d = fetch_descriptor(cpu, sel);
  if (sel_rpl(sel) != pl || !d.writable() || d.dpl() != pl) raise(kGP, sel_error(sel));
  if (!d.present()) raise(kSS, sel_error(sel));
  return d;
}

void load_code_segment(Cpu& cpu, uint16_t sel, Descriptor d, unsigned cpl) {
  mark_accessed(cpu, sel, d);
  cpu.s.seg[CS] = segment_cache(uint16_t((sel & ~3u) | cpl), d);
  cpu.set_cpl(uint8_t(cpl));
}

void load_seg_v86(Cpu& cpu, unsigned seg, uint16_t sel) {
  // Virtual-8086 mode (SDM Vol.3 §20.1.1): base = selector * 16, 64 KiB limit, read/write,
  // privilege level 3.
  Segment& sg = cpu.s.seg[seg];
  sg = Segment{};
  sg.sel = sel;
  sg.base = uint32_t(sel) << 4;
  sg.flags = seg == CS ? 0xfb : 0xf3;
}

void load_null_segment(Cpu& cpu, unsigned seg, uint16_t sel) {
  Segment& sg = cpu.s.seg[seg];
  sg.sel = sel;
  sg.flags = 0;
  sg.access = 0;
}

void load_seg_protected(Cpu& cpu, unsigned seg, uint16_t sel) {
  const unsigned cpl = cpu.s.cpl;
  const uint16_t err = sel_error(sel);
  Descriptor d;
  if (seg == SS) {
    d = check_stack_segment(cpu, sel, cpl);
  } else if (seg == CS) {
    raise(kUD);  // CS changes only through far transfers
  } else {
    if (sel_null(sel)) return load_null_segment(cpu, seg, sel);
    d = fetch_descriptor(cpu, sel);
    // Data or readable code; for data and non-conforming code both RPL and CPL must be
    // numerically <= DPL.
    if (!d.readable()) raise(kGP, err);
    if (!d.conforming() && (sel_rpl(sel) > d.dpl() || cpl > d.dpl())) raise(kGP, err);
    if (!d.present()) raise(kNP, err);
  }
  mark_accessed(cpu, sel, d);
  cpu.s.seg[seg] = segment_cache(sel, d);
}

void null_inaccessible_segments(Cpu& cpu) {
  for (unsigned seg : {ES, DS, FS, GS}) {
    Segment& sg = cpu.s.seg[seg];
    if (sg.access == 0 && sel_null(sg.sel)) continue;
    const bool conforming_code = (sg.flags & 0x1c) == 0x1c;  // S=1, code, conforming
    const unsigned dpl = (sg.flags >> 5) & 3;
    if (!conforming_code && cpu.s.cpl > dpl) load_null_segment(cpu, seg, 0);
  }
}

}  // namespace cpu
