// Far JMP and CALL through call gates (SDM Vol.3 §5.8.3-5.8.6; Vol.2 CALL and JMP, protected
// mode "CALL-GATE", "MORE-PRIVILEGE", "SAME-PRIVILEGE"). Every check and every read that can
// fault comes before the first register changes, so a fault restarts the instruction cleanly.
#include "cpu/helpers/stack_cursor.h"
#include "cpu/helpers/task.h"

namespace cpu {

uint32_t far_through_call_gate(Cpu& cpu, uint16_t sel, const Descriptor& gate, bool call, uint32_t ret_eip) {
  CpuState& s = cpu.s;
  const unsigned cpl = s.cpl;
  // The gate must be reachable from CPL and the selector's RPL.
  if (gate.dpl() < cpl || gate.dpl() < sel_rpl(sel)) raise(kGP, sel_error(sel));
  if (!gate.present()) raise(kNP, sel_error(sel));
  const bool gate32 = gate.type() == kCallGate32;
  const unsigned size = gate32 ? 4 : 2;
  const uint16_t cs = uint16_t(gate.lo >> 16);
  const uint32_t eip = gate32 ? (gate.lo & 0xffff) | (gate.hi & 0xffff0000u) : gate.lo & 0xffff;
  if (sel_null(cs)) raise(kGP, 0);
  Descriptor code = fetch_descriptor(cpu, cs);  // #GP(cs) outside the table
  const uint16_t cs_err = sel_error(cs);
  // CALL may go to any code segment with DPL <= CPL (a non-conforming one at an inner level
  // changes privilege); JMP never changes privilege.
  if (!code.code()) raise(kGP, cs_err);
  if (call || code.conforming() ? code.dpl() > cpl : code.dpl() != cpl) raise(kGP, cs_err);
  if (!code.present()) raise(kNP, cs_err);

  if (!call || code.conforming() || code.dpl() == cpl) {
    // Same privilege: the return address goes on the current stack in the gate's size.
    StackCursor st(cpu);
    if (call) {
      st.push(s.seg[CS].sel, size);
      st.push(ret_eip, size);
    }
    if (eip > code.limit()) raise(kGP, 0);
    st.commit();
    load_code_segment(cpu, cs, code, cpl);
    return eip;
  }

  // More privilege: the stack for the new level comes from the TSS; the caller's SS:ESP, the
  // gate's count of parameters (words or dwords by gate size) copied from the caller's stack,
  // and the return address go onto it.
  const unsigned dpl = code.dpl();
  uint16_t ss;
  uint32_t esp;
  tss_stack(cpu, dpl, ss, esp);
  Descriptor ssd = check_inner_stack(cpu, ss, dpl, 0);
  const Segment new_ss = segment_cache(ss, ssd);
  const unsigned count = gate.hi & 0x1f;
  uint32_t params[32];
  {
    StackCursor old(cpu);  // reads only: the caller's ESP stays as it is
    for (unsigned i = 0; i < count; i++) params[i] = old.pop(size);
  }
  if (eip > code.limit()) raise(kGP, 0);
  NewStack st(cpu, new_ss, esp, sel_error(ss));
  st.push(s.seg[SS].sel, size);
  st.push(s.regs[ESP], size);
  for (unsigned i = count; i-- > 0;) st.push(params[i], size);
  st.push(s.seg[CS].sel, size);
  st.push(ret_eip, size);
  // Everything is checked and written: switch stack and code segment.
  mark_accessed(cpu, ss, ssd);
  s.seg[SS] = new_ss;
  s.regs[ESP] = st.esp(esp);
  load_code_segment(cpu, cs, code, dpl);
  return eip;
}

}  // namespace cpu
