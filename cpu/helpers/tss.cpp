// The inner stacks a TSS names for privilege changes (SDM Vol.3 §7.2.1, §6.12.1, §5.8.5).
#include "cpu/helpers/task.h"

namespace cpu {

void tss_stack(Cpu& cpu, unsigned dpl, uint16_t& ss, uint32_t& esp) {
  const Segment& tr = cpu.s.tr;
  const unsigned type = tr.flags & 0xf;
  const bool tss32 = type == kTss32 || type == kTss32Busy;
  const uint32_t off = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
  const uint32_t len = tss32 ? 6 : 4;
  if (off + len - 1 > tr.limit) raise(kTS, sel_error(tr.sel));
  if (tss32) {
    esp = cpu.mmu().read_sys(tr.base + off, 4);
    ss = uint16_t(cpu.mmu().read_sys(tr.base + off + 4, 2));
  } else {
    esp = cpu.mmu().read_sys(tr.base + off, 2);
    ss = uint16_t(cpu.mmu().read_sys(tr.base + off + 2, 2));
  }
}

Descriptor check_inner_stack(Cpu& cpu, uint16_t ss, unsigned dpl, uint32_t ext) {
  if (sel_null(ss)) raise(kTS, ext);
  // Outside the table is #TS here, not the #GP of an ordinary descriptor fetch.
  const bool ldt = ss & 4;
  const uint32_t limit = ldt ? cpu.s.ldtr.limit : cpu.s.gdtr.limit;
  if ((ldt && cpu.s.ldtr.access == 0) || (ss & 0xfff8u) + 7 > limit) raise(kTS, sel_error(ss) | ext);
  Descriptor d = fetch_descriptor(cpu, ss);
  if (sel_rpl(ss) != dpl || d.dpl() != dpl || !d.writable()) raise(kTS, sel_error(ss) | ext);
  if (!d.present()) raise(kSS, sel_error(ss) | ext);
  return d;
}

}  // namespace cpu
