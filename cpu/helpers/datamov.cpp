// Data-movement helpers: CMPXCHG8B (SDM Vol.2 CMPXCHG8B).
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"

namespace cpu {

// Compares EDX:EAX with m64. Equal: ZF = 1 and m64 = ECX:EBX. Different: ZF = 0 and EDX:EAX =
// m64, which is also written back to itself (the destination is always written). Both halves
// are checked for reading and writing before anything is stored, so a fault on the second page
// cannot leave half a write behind. Only ZF changes.
uint32_t helper_cmpxchg8b(Cpu& cpu, uint32_t off, uint32_t, uint32_t, uint32_t seg) {
  CpuState& s = cpu.s;
  const uint32_t lin = cpu.check_seg(seg, off, 8, kSegRead);
  cpu.check_seg(seg, off, 8, kSegWrite);
  mmu::Mmu& m = cpu.mmu();
  const uint32_t lo = m.read<4>(lin), hi = m.read<4>(lin + 4);
  m.translate(lin, mmu::Access::Write);
  m.translate(lin + 7, mmu::Access::Write);
  const bool equal = lo == s.regs[EAX] && hi == s.regs[EDX];
  if (equal) {
    m.write<4>(lin, s.regs[EBX]);
    m.write<4>(lin + 4, s.regs[ECX]);
  } else {
    m.write<4>(lin, lo);
    m.write<4>(lin + 4, hi);
    s.regs[EAX] = lo;
    s.regs[EDX] = hi;
  }
  write_eflags(s, equal ? fl::ZF : 0, fl::ZF);
  return 0;
}

}  // namespace cpu
