#include "cpu/cpu.h"
#include "cpu/helpers/helpers.h"

namespace cpu {

uint32_t helper_hlt(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t) {
  if (cpu.protected_mode() && cpu.s.cpl != 0) raise(kGP, 0);
  cpu.s.halted = 1;
  cpu.s.eip = next_eip;
  return 0;
}

uint32_t helper_load_seg(Cpu& cpu, uint32_t sel, uint32_t, uint32_t, uint32_t seg) {
  cpu.load_seg(seg, uint16_t(sel));
  if (seg == SS) cpu.s.irq_shadow = 1;
  return 0;
}

}  // namespace cpu
