// Far control transfers (SDM Vol.2 JMP, CALL, RET, IRET), software interrupts and BOUND.
// Every helper checks and reads everything that can fault before it changes a register, and
// returns the new EIP for the lowering's jump_ind.
#include "cpu/flags.h"
#include "cpu/helpers/descriptor.h"
#include "cpu/helpers/helpers.h"
#include "cpu/helpers/stack_cursor.h"
#include "cpu/helpers/task.h"

namespace cpu {
namespace {

bool protected_non_v86(const Cpu& cpu) { return cpu.protected_mode() && !cpu.v86(); }

// CS for a far transfer in real or virtual-8086 mode: base = selector * 16.
void load_cs_real(Cpu& cpu, uint16_t sel) {
  if (cpu.v86())
    load_seg_v86(cpu, CS, sel);
  else
    cpu.load_seg_real(CS, sel);
}

// A far JMP/CALL target in protected mode (SDM Vol.2 JMP/CALL): the descriptor the selector
// names, #GP(0) for a null selector.
Descriptor fetch_far_target(Cpu& cpu, uint16_t sel) {
  if (sel_null(sel)) raise(kGP, 0);
  return fetch_descriptor(cpu, sel);
}

// Checks of a code-segment target at the same privilege level (CONFORMING- and
// NONCONFORMING-CODE-SEGMENT).
void check_code_target(Cpu& cpu, uint16_t sel, const Descriptor& d) {
  const uint16_t err = sel_error(sel);
  const unsigned cpl = cpu.s.cpl;
  if (!d.code()) raise(kGP, err);
  if (d.conforming() ? d.dpl() > cpl : (sel_rpl(sel) > cpl || d.dpl() != cpl)) raise(kGP, err);
  if (!d.present()) raise(kNP, err);
}

// A system-descriptor target: call gate, task gate or TSS. Returns the new EIP.
uint32_t far_system_target(Cpu& cpu, uint16_t sel, const Descriptor& d, bool call, uint32_t ret) {
  switch (d.type()) {
    case kCallGate16:
    case kCallGate32: return far_through_call_gate(cpu, sel, d, call, ret);
    case kTaskGate:
    case kTss16:
    case kTss32: return far_to_task(cpu, sel, d, call, ret);
    default: raise(kGP, sel_error(sel));  // LDT, busy TSS, interrupt/trap gate, reserved
  }
}

// Return-target checks shared by RETF and IRET (SDM Vol.2 RET "PROTECTED-MODE-RETURN").
Descriptor check_return_target(Cpu& cpu, uint16_t sel) {
  if (sel_null(sel)) raise(kGP, 0);
  const Descriptor d = fetch_descriptor(cpu, sel);
  const uint16_t err = sel_error(sel);
  const unsigned rpl = sel_rpl(sel);
  if (!d.code() || rpl < cpu.s.cpl) raise(kGP, err);
  if (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl) raise(kGP, err);
  if (!d.present()) raise(kNP, err);
  return d;
}

// (E)SP after the stack segment changed: its B bit decides how much of ESP is written.
void set_stack_pointer(Cpu& cpu, uint32_t v) {
  uint32_t& esp = cpu.s.regs[ESP];
  esp = cpu.stack32() ? v : (esp & 0xffff0000u) | (v & 0xffff);
}

// The EFLAGS bits an IRET may change (SDM Vol.2 IRET, RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL).
// `cpl` is the privilege level before the return.
uint32_t iret_flag_mask(const Cpu& cpu, unsigned size, unsigned cpl) {
  uint32_t m = fl::kArith | fl::TF | fl::DF | fl::NT;
  if (size == 4) m |= fl::RF | fl::AC | fl::ID;
  if (cpl <= ((cpu.s.eflags & fl::IOPL) >> 12)) m |= fl::IF;
  if (cpl == 0) {
    m |= fl::IOPL;
    if (size == 4) m |= fl::VIF | fl::VIP;
  }
  return m;
}

// IRET from protected mode (CPL 0) to virtual-8086 mode: the rest of the V86 frame follows
// EFLAGS on the stack (SDM Vol.2 IRET, RETURN-TO-VIRTUAL-8086-MODE).
uint32_t iret_to_v86(Cpu& cpu, StackCursor& st, uint32_t eip, uint16_t cs, uint32_t flags) {
  const uint32_t esp = st.pop(4);
  const uint16_t ss = uint16_t(st.pop(4));
  uint16_t sel[4];  // ES, DS, FS, GS
  for (uint16_t& s : sel) s = uint16_t(st.pop(4));
  if (eip > 0xffff) raise(kGP, 0);
  write_eflags(cpu.s, flags, 0x003f7fd5u);
  cpu.set_cpl(3);
  load_seg_v86(cpu, CS, cs);
  load_seg_v86(cpu, SS, ss);
  load_seg_v86(cpu, ES, sel[0]);
  load_seg_v86(cpu, DS, sel[1]);
  load_seg_v86(cpu, FS, sel[2]);
  load_seg_v86(cpu, GS, sel[3]);
  cpu.s.regs[ESP] = esp;
  return eip;
}

}  // namespace

uint32_t helper_raise_error(Cpu& cpu, uint32_t error, uint32_t, uint32_t, uint32_t vector) {
  return cpu.fault(uint8_t(vector), error);
}

uint32_t helper_far_jmp(Cpu& cpu, uint32_t sel, uint32_t off, uint32_t next_eip, uint32_t size) {
  if (size == 2) off &= 0xffff;
  if (!protected_non_v86(cpu)) {
    // The real-mode CS load keeps the cached limit, so the check may precede it.
    if (off > cpu.s.seg[CS].hi) raise(kGP, 0);
    load_cs_real(cpu, uint16_t(sel));
    return off;
  }
  const Descriptor d = fetch_far_target(cpu, uint16_t(sel));
  if (d.system()) return far_system_target(cpu, uint16_t(sel), d, false, next_eip);
  check_code_target(cpu, uint16_t(sel), d);
  if (off > d.limit()) raise(kGP, 0);
  load_code_segment(cpu, uint16_t(sel), d, cpu.s.cpl);
  return off;
}

uint32_t helper_far_call(Cpu& cpu, uint32_t sel, uint32_t off, uint32_t ret, uint32_t size) {
  if (size == 2) off &= 0xffff;
  StackCursor st(cpu);
  if (!protected_non_v86(cpu)) {
    // CS is pushed in an operand-size slot (zero-extended for 32 bits), then the return EIP.
    st.push(cpu.s.seg[CS].sel, size);
    st.push(ret, size);
    if (off > cpu.s.seg[CS].hi) raise(kGP, 0);
    st.commit();
    load_cs_real(cpu, uint16_t(sel));
    return off;
  }
  const Descriptor d = fetch_far_target(cpu, uint16_t(sel));
  if (d.system()) return far_system_target(cpu, uint16_t(sel), d, true, ret);
  check_code_target(cpu, uint16_t(sel), d);
  st.push(cpu.s.seg[CS].sel, size);  // #SS(0) if the stack cannot hold the return address
  st.push(ret, size);
  if (off > d.limit()) raise(kGP, 0);
  st.commit();
  load_code_segment(cpu, uint16_t(sel), d, cpu.s.cpl);
  return off;
}

uint32_t helper_far_ret(Cpu& cpu, uint32_t release, uint32_t, uint32_t, uint32_t size) {
  StackCursor st(cpu);
  const uint32_t off = st.pop(size);
  const uint16_t sel = uint16_t(st.pop(size));  // a 32-bit slot's high half is discarded
  if (!protected_non_v86(cpu)) {
    if (off > cpu.s.seg[CS].hi) raise(kGP, 0);
    st.skip(release);
    st.commit();
    load_cs_real(cpu, sel);
    return off;
  }
  const Descriptor d = check_return_target(cpu, sel);
  const unsigned rpl = sel_rpl(sel);
  st.skip(release);  // parameters on the called procedure's stack
  if (rpl == cpu.s.cpl) {
    if (off > d.limit()) raise(kGP, 0);
    st.commit();
    load_code_segment(cpu, sel, d, rpl);
    return off;
  }
  // Return to an outer privilege level: the caller's SS:ESP follows on the stack.
  const uint32_t esp = st.pop(size);
  const uint16_t ss = uint16_t(st.pop(size));
  Descriptor sd = check_stack_segment(cpu, ss, rpl);
  if (off > d.limit()) raise(kGP, 0);
  load_code_segment(cpu, sel, d, rpl);
  mark_accessed(cpu, ss, sd);
  cpu.s.seg[SS] = segment_cache(ss, sd);
  set_stack_pointer(cpu, esp + release);  // and parameters on the caller's stack
  null_inaccessible_segments(cpu);
  return off;
}

uint32_t helper_iret(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t size) {
  CpuState& s = cpu.s;
  // IRET unblocks NMIs, even when it faults (SDM Vol.3 §6.7.1).
  s.nmi_blocked = 0;
  StackCursor st(cpu);
  const unsigned iopl = (s.eflags & fl::IOPL) >> 12;
  if (cpu.v86() && iopl < 3) return cpu.fault(kGP, 0);  // IOPL-sensitive in V86 mode (no VME)
  if (protected_non_v86(cpu) && (s.eflags & fl::NT)) return task_return(cpu, next_eip);
  const uint32_t eip = st.pop(size);
  const uint16_t cs = uint16_t(st.pop(size));
  const uint32_t flags = st.pop(size);
  if (!cpu.protected_mode()) {
    // Real mode: a 32-bit IRET keeps VM, VIF and VIP (SDM Vol.2 IRET: tempEFLAGS AND 257FD5H
    // OR EFLAGS AND 1A0000H); a 16-bit one replaces FLAGS[15:0], IOPL and NT included.
    if (eip > s.seg[CS].hi) raise(kGP, 0);
    st.commit();
    write_eflags(s, flags, size == 4 ? 0x257fd5u : 0xffffu);
    cpu.load_seg_real(CS, cs);
    return eip;
  }
  if (cpu.v86()) {
    if (eip > s.seg[CS].hi) raise(kGP, 0);
    st.commit();
    // VM, IOPL, VIP and VIF are not changed by the pop.
    write_eflags(s, flags, (size == 4 ? 0x257fd5u : 0xffffu) & ~fl::IOPL);
    load_seg_v86(cpu, CS, cs);
    return eip;
  }
  const unsigned cpl = s.cpl;
  if (size == 4 && (flags & fl::VM) && cpl == 0) return iret_to_v86(cpu, st, eip, cs, flags);
  const Descriptor d = check_return_target(cpu, cs);
  const unsigned rpl = sel_rpl(cs);
  const uint32_t mask = iret_flag_mask(cpu, size, cpl);
  if (rpl == cpl) {
    if (eip > d.limit()) raise(kGP, 0);
    st.commit();
    write_eflags(s, flags, mask);
    load_code_segment(cpu, cs, d, rpl);
    return eip;
  }
  const uint32_t esp = st.pop(size);
  const uint16_t ss = uint16_t(st.pop(size));
  Descriptor sd = check_stack_segment(cpu, ss, rpl);
  if (eip > d.limit()) raise(kGP, 0);
  write_eflags(s, flags, mask);
  load_code_segment(cpu, cs, d, rpl);
  mark_accessed(cpu, ss, sd);
  s.seg[SS] = segment_cache(ss, sd);
  set_stack_pointer(cpu, esp);
  null_inaccessible_segments(cpu);
  return eip;
}

uint32_t helper_interrupt(Cpu& cpu, uint32_t vector, uint32_t ret, uint32_t, uint32_t k) {
  // INT n (not INT3, INTO or INT1) is IOPL-sensitive in V86 mode (SDM Vol.3 §20.3.3).
  if ((k & kIntN) && cpu.v86() && (cpu.s.eflags & fl::IOPL) != fl::IOPL) return cpu.fault(kGP, 0);
  cpu.interrupt(uint8_t(vector), IntKind(k & ~kIntN), ret);
  return cpu.s.eip;
}

uint32_t helper_bound(Cpu&, uint32_t index, uint32_t lower, uint32_t upper, uint32_t) {
  // Operands arrive sign-extended; the bounds are inclusive (SDM Vol.2 BOUND).
  if (int32_t(index) < int32_t(lower) || int32_t(index) > int32_t(upper)) raise(kBR);
  return 0;
}

}  // namespace cpu
