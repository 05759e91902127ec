// Task switches (SDM Vol.3 ch.7, §7.3; Vol.2 JMP/CALL "TASK-GATE"/"TASK-STATE-SEGMENT", IRET
// "TASK-RETURN", INT n "TASK-GATE"). The new TSS is read and every check that the SDM makes
// before the switch is done first; then the old task's state is saved, busy bits, back link
// and NT are updated and TR changes; the segment registers of the new task are loaded last, so
// their faults are raised in the new task's context.
#include "cpu/helpers/task.h"

#include "cpu/debug_regs.h"
#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"
#include "cpu/helpers/stack_cursor.h"

namespace cpu {
namespace {

constexpr uint32_t kEflagsDefined = 0x003f7fd5u;

bool tss32(unsigned type) { return type == kTss32 || type == kTss32Busy; }

// Minimum TSS limits (SDM Vol.3 §7.2.2/§7.6): 67h for a 32-bit TSS, 2Bh for a 16-bit one. The
// old TSS must hold the dynamic fields it saves (up to GS, or DS for 16 bits).
uint32_t min_limit(bool big) { return big ? 0x67 : 0x2b; }
uint32_t save_limit(bool big) { return big ? 0x5f : 0x29; }

// The state a TSS holds for a task switch.
struct TssImage {
  uint32_t cr3 = 0, eip = 0, eflags = 0;
  uint32_t regs[8] = {};
  uint16_t seg[kNumSegs] = {};  // ES CS SS DS FS GS, the TSS order
  uint16_t ldt = 0;
  bool trap = false;  // T flag: debug trap on entry to the task
};

TssImage read_tss(Cpu& cpu, uint32_t base, bool big) {
  mmu::Mmu& m = cpu.mmu();
  TssImage t;
  if (big) {
    t.cr3 = m.read_sys(base + 0x1c, 4);
    t.eip = m.read_sys(base + 0x20, 4);
    t.eflags = m.read_sys(base + 0x24, 4);
    for (unsigned r = 0; r < 8; r++) t.regs[r] = m.read_sys(base + 0x28 + 4 * r, 4);
    for (unsigned sg = 0; sg < kNumSegs; sg++)
      t.seg[sg] = uint16_t(m.read_sys(base + 0x48 + 4 * sg, 2));
    t.ldt = uint16_t(m.read_sys(base + 0x60, 2));
    t.trap = m.read_sys(base + 0x64, 1) & 1;
  } else {
    // A 16-bit task has no FS, GS or CR3 and only the low halves of the registers; the upper
    // halves read as FFFFh (the behaviour Bochs models), EFLAGS and EIP are zero-extended.
    t.eip = m.read_sys(base + 0x0e, 2);
    t.eflags = m.read_sys(base + 0x10, 2);
    for (unsigned r = 0; r < 8; r++) t.regs[r] = 0xffff0000u | m.read_sys(base + 0x12 + 2 * r, 2);
    for (unsigned sg = 0; sg < 4; sg++) t.seg[sg] = uint16_t(m.read_sys(base + 0x22 + 2 * sg, 2));
    t.ldt = uint16_t(m.read_sys(base + 0x2a, 2));
  }
  return t;
}

// Saves the dynamic fields of the current task (SDM Vol.3 §7.2.1).
void save_tss(Cpu& cpu, uint32_t base, bool big, uint32_t eip, uint32_t eflags) {
  mmu::Mmu& m = cpu.mmu();
  const CpuState& s = cpu.s;
  if (big) {
    m.write_sys(base + 0x20, 4, eip);
    m.write_sys(base + 0x24, 4, eflags);
    for (unsigned r = 0; r < 8; r++) m.write_sys(base + 0x28 + 4 * r, 4, s.regs[r]);
    for (unsigned sg = 0; sg < kNumSegs; sg++) m.write_sys(base + 0x48 + 4 * sg, 2, s.seg[sg].sel);
  } else {
    m.write_sys(base + 0x0e, 2, eip);
    m.write_sys(base + 0x10, 2, eflags);
    for (unsigned r = 0; r < 8; r++) m.write_sys(base + 0x12 + 2 * r, 2, s.regs[r]);
    for (unsigned sg = 0; sg < 4; sg++) m.write_sys(base + 0x22 + 2 * sg, 2, s.seg[sg].sel);
  }
}

// Sets or clears the busy bit (type bit 1) of the TSS descriptor `sel` in the GDT.
void set_busy(Cpu& cpu, uint16_t sel, bool busy) {
  const uint32_t at = cpu.s.gdtr.base + (sel & 0xfff8u) + 5;
  const uint32_t v = cpu.mmu().read_sys(at, 1);
  cpu.mmu().write_sys(at, 1, busy ? v | 2 : v & ~2u);
}

// A descriptor of the new task: #TS(sel | ext) outside its table (the fetch would say #GP).
Descriptor fetch_for_task(Cpu& cpu, uint16_t sel, uint32_t ext) {
  const bool ldt = sel & 4;
  const uint32_t limit = ldt ? cpu.s.ldtr.limit : cpu.s.gdtr.limit;
  if ((ldt && cpu.s.ldtr.access == 0) || (sel & 0xfff8u) + 7 > limit)
    raise(kTS, sel_error(sel) | ext);
  return fetch_descriptor(cpu, sel);
}

// Loads LDTR and the segment registers of the new task (SDM Vol.3 §7.3 steps 12-13, table
// 7-1). Selectors are in place already, so a fault names the new task's state.
void load_task_segments(Cpu& cpu, const TssImage& t, uint32_t ext) {
  CpuState& s = cpu.s;
  if (sel_null(t.ldt)) {
    s.ldtr = Segment{t.ldt, 0, 0, 0, 1, 0, 0, 0};
  } else {
    if (t.ldt & 4) raise(kTS, sel_error(t.ldt) | ext);
    const Descriptor d = fetch_for_task(cpu, t.ldt, ext);
    if (!d.system() || d.type() != kLdtType || !d.present()) raise(kTS, sel_error(t.ldt) | ext);
    s.ldtr = segment_cache(t.ldt, d);
    s.ldtr.access = kSegRead;
  }
  if (s.eflags & fl::VM) {
    cpu.set_cpl(3);
    for (unsigned sg = 0; sg < kNumSegs; sg++) load_seg_v86(cpu, sg, t.seg[sg]);
    return;
  }
  const uint16_t cs = t.seg[CS], ss = t.seg[SS];
  const unsigned cpl = sel_rpl(cs);
  cpu.set_cpl(uint8_t(cpl));
  // SS: a writable data segment with RPL = DPL = CPL.
  if (sel_null(ss)) raise(kTS, ext);
  Descriptor ssd = fetch_for_task(cpu, ss, ext);
  if (!ssd.writable() || sel_rpl(ss) != cpl || ssd.dpl() != cpl) raise(kTS, sel_error(ss) | ext);
  if (!ssd.present()) raise(kSS, sel_error(ss) | ext);
  mark_accessed(cpu, ss, ssd);
  s.seg[SS] = segment_cache(ss, ssd);
  // CS: code; non-conforming with DPL = RPL, conforming with DPL <= RPL.
  if (sel_null(cs)) raise(kTS, ext);
  Descriptor csd = fetch_for_task(cpu, cs, ext);
  if (!csd.code() || (csd.conforming() ? csd.dpl() > cpl : csd.dpl() != cpl))
    raise(kTS, sel_error(cs) | ext);
  if (!csd.present()) raise(kNP, sel_error(cs) | ext);
  load_code_segment(cpu, cs, csd, cpl);
  // Data segments: null, or readable with (unless conforming code) DPL >= CPL and RPL.
  for (unsigned sg : {ES, DS, FS, GS}) {
    const uint16_t sel = t.seg[sg];
    if (sel_null(sel)) {
      load_null_segment(cpu, sg, sel);
      continue;
    }
    Descriptor d = fetch_for_task(cpu, sel, ext);
    if (!d.readable() || (!d.conforming() && (d.dpl() < cpl || d.dpl() < sel_rpl(sel))))
      raise(kTS, sel_error(sel) | ext);
    if (!d.present()) raise(kNP, sel_error(sel) | ext);
    mark_accessed(cpu, sel, d);
    s.seg[sg] = segment_cache(sel, d);
  }
}

}  // namespace

void switch_task(Cpu& cpu, uint16_t sel, Descriptor tss, TaskSwitch kind, uint32_t eip,
                 uint32_t ext) {
  CpuState& s = cpu.s;
  const bool new32 = tss32(tss.type());
  if (tss.limit() < min_limit(new32)) raise(kTS, sel_error(sel) | ext);
  const Segment old_tr = s.tr;
  const bool old32 = tss32(old_tr.flags & 0xf);
  if (old_tr.limit < save_limit(old32)) raise(kTS, sel_error(old_tr.sel) | ext);
  // Everything that can fault before the switch: reading the new TSS.
  const TssImage t = read_tss(cpu, tss.base(), new32);

  // The TSS writes come before the busy bits change, so a page fault on them leaves the
  // descriptors as they were.
  uint32_t eflags = read_eflags(s);
  if (kind == TaskSwitch::Iret) eflags &= ~fl::NT;  // the old task is not nested any more
  save_tss(cpu, old_tr.base, old32, eip, eflags);
  const bool nest = kind == TaskSwitch::Call || kind == TaskSwitch::Interrupt;
  if (nest) cpu.mmu().write_sys(tss.base(), 2, old_tr.sel);  // previous-task link
  if (kind == TaskSwitch::Jmp || kind == TaskSwitch::Iret) set_busy(cpu, old_tr.sel, false);
  if (kind != TaskSwitch::Iret) set_busy(cpu, sel, true);
  tss.hi |= 2u << 8;
  s.tr = segment_cache(sel, tss);
  s.cr0 |= cr0::TS;

  // The new task's state. From here on, faults belong to the new task.
  if (new32 && (s.cr0 & cr0::PG)) helper_write_cr(cpu, t.cr3, 0, 0, 3);
  for (unsigned r = 0; r < 8; r++) s.regs[r] = t.regs[r];
  write_eflags(s, t.eflags | (nest ? fl::NT : 0), kEflagsDefined);
  s.eip = t.eip;
  for (unsigned sg = 0; sg < kNumSegs; sg++) s.seg[sg].sel = t.seg[sg];
  s.ldtr.sel = t.ldt;
  // Local breakpoints belong to the old task: L0-L3 and LE clear (SDM Vol.3 §17.2.4).
  constexpr uint32_t kDr7Local = 0x155;
  if (s.dr[7] & kDr7Local) helper_write_dr(cpu, s.dr[7] & ~kDr7Local, 0, 0, 7);
  load_task_segments(cpu, t, ext);
  if (s.eip > s.seg[CS].hi) raise(kGP, ext);
  // The T flag raises a debug trap (DR6.BT) before the new task's first instruction
  // (SDM Vol.3 §17.3.1.5); the engine delivers pending traps after the switching instruction.
  if (t.trap) s.db_trap |= dbg::kBT;
}

uint32_t far_to_task(Cpu& cpu, uint16_t sel, const Descriptor& d, bool call, uint32_t ret_eip) {
  const unsigned cpl = cpu.s.cpl;
  const TaskSwitch kind = call ? TaskSwitch::Call : TaskSwitch::Jmp;
  // A task gate or an available TSS whose DPL admits CPL and RPL.
  if (d.dpl() < cpl || d.dpl() < sel_rpl(sel)) raise(kGP, sel_error(sel));
  if (!d.present()) raise(kNP, sel_error(sel));
  if (d.type() != kTaskGate) {
    switch_task(cpu, sel, d, kind, ret_eip, 0);
    return cpu.s.eip;
  }
  const uint16_t tss_sel = uint16_t(d.lo >> 16);
  const Descriptor tss = fetch_task_tss(cpu, tss_sel, 0);
  switch_task(cpu, tss_sel, tss, kind, ret_eip, 0);
  return cpu.s.eip;
}

Descriptor fetch_task_tss(Cpu& cpu, uint16_t sel, uint32_t ext) {
  // The TSS a task gate names: in the GDT, an available TSS, present (SDM Vol.2 JMP/CALL
  // "TASK-GATE", INT n "TASK-GATE").
  if ((sel & 4) || (sel & 0xfff8u) + 7 > cpu.s.gdtr.limit) raise(kGP, sel_error(sel) | ext);
  const Descriptor d = fetch_descriptor(cpu, sel);
  if (!d.system() || (d.type() != kTss16 && d.type() != kTss32)) raise(kGP, sel_error(sel) | ext);
  if (!d.present()) raise(kNP, sel_error(sel) | ext);
  return d;
}

uint32_t task_return(Cpu& cpu, uint32_t next_eip) {
  // IRET with NT: back to the task in the current TSS's link field, which must be a busy TSS
  // in the GDT (SDM Vol.2 IRET "TASK-RETURN"); its faults are #TS(link).
  const uint16_t link = uint16_t(cpu.mmu().read_sys(cpu.s.tr.base, 2));
  if ((link & 4) || (link & 0xfff8u) + 7 > cpu.s.gdtr.limit) raise(kTS, sel_error(link));
  const Descriptor d = fetch_descriptor(cpu, link);
  if (!d.system() || (d.type() != kTss16Busy && d.type() != kTss32Busy))
    raise(kTS, sel_error(link));
  if (!d.present()) raise(kNP, sel_error(link));
  switch_task(cpu, link, d, TaskSwitch::Iret, next_eip, 0);
  return cpu.s.eip;
}

void interrupt_task_gate(Cpu& cpu, const Descriptor& gate, uint32_t ext, uint32_t ret_eip,
                         bool has_error, uint32_t error) {
  const uint16_t tss_sel = uint16_t(gate.lo >> 16);
  const Descriptor tss = fetch_task_tss(cpu, tss_sel, ext);
  switch_task(cpu, tss_sel, tss, TaskSwitch::Interrupt, ret_eip, ext);
  if (has_error) {
    // The error code goes onto the new task's stack, in the size of its TSS.
    StackCursor st(cpu);
    st.push(error, tss32(tss.type()) ? 4 : 2);
    st.commit();
  }
}

}  // namespace cpu
