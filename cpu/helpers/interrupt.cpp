// Interrupt and exception delivery: the one place that transfers control through the IVT (real
// mode) or the IDT (protected mode).
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers/stack_cursor.h"

namespace cpu {

void Cpu::interrupt(uint8_t vector, IntKind kind, uint32_t return_eip, bool has_error, uint32_t error) {
  (void)kind;
  if (!protected_mode()) {
    // Real mode (SDM Vol.3 §20.1.4, Vol.2 INT n REAL-ADDRESS-MODE): the IVT entry must lie
    // within the IDTR limit (#GP); FLAGS, CS, IP are pushed (#SS if the stack cannot hold
    // them, with SP unchanged); IF, TF, AC and RF are cleared. No error code in real mode.
    (void)has_error;
    (void)error;
    const uint32_t entry = uint32_t(vector) * 4;
    if (entry + 3 > s.idtr.limit) raise(kGP, 0);
    StackCursor st(*this);
    st.push(read_eflags(s) & 0xffff, 2);
    st.push(s.seg[CS].sel, 2);
    st.push(return_eip & 0xffff, 2);
    const uint32_t ip = mmu_.read<2>(s.idtr.base + entry);
    const uint32_t cs = mmu_.read<2>(s.idtr.base + entry + 2);
    st.commit();
    write_eflags(s, 0, fl::IF | fl::TF | fl::AC | fl::RF);
    load_seg_real(CS, uint16_t(cs));
    s.eip = ip;
    s.halted = 0;
    return;
  }
  // Protected-mode delivery through the IDT arrives with the system-architecture work. Until
  // then the processor cannot service it; escalate so the machine stops with a clear reason.
  raise(kDF, 0);
}

}  // namespace cpu
