// Interrupt and exception delivery: the one place that transfers control through the IVT (real
// mode) or the IDT (protected mode).
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers/descriptor.h"
#include "cpu/helpers/stack_cursor.h"
#include "cpu/helpers/task.h"

namespace cpu {
namespace {

// Gate types in an IDT descriptor (SDM Vol.3 §6.11).
constexpr unsigned kIntGate16 = 0x6, kTrapGate16 = 0x7, kIntGate32 = 0xe, kTrapGate32 = 0xf;

}  // namespace

void Cpu::interrupt(uint8_t vector, IntKind kind, uint32_t return_eip, bool has_error, uint32_t error) {
  // Debug traps pending for the interrupted instruction are discarded: INT n and faults report
  // none (SDM Vol.3 §17.3.1.4); the handler starts with TF clear.
  s.db_trap = 0;
  if (!protected_mode()) {
    // Real mode (SDM Vol.3 §20.1.4, Vol.2 INT n REAL-ADDRESS-MODE): the IVT entry must lie
    // within the IDTR limit (#GP); FLAGS, CS, IP are pushed (#SS if the stack cannot hold
    // them, with SP unchanged); IF, TF, AC and RF are cleared. No error code in real mode.
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

  // Protected mode through the IDT (SDM Vol.3 §6.12, Vol.2 INT n pseudocode). Error codes that
  // name the IDT entry set IDT (bit 1); EXT (bit 0) marks events external to the program.
  const uint32_t ext = kind == IntKind::External ? 1 : 0;
  const uint32_t idt_error = uint32_t(vector) * 8 + 2 + ext;
  if (uint32_t(vector) * 8 + 7 > s.idtr.limit) raise(kGP, idt_error);
  const Descriptor gate{mmu_.read_sys(s.idtr.base + vector * 8u, 4), mmu_.read_sys(s.idtr.base + vector * 8u + 4, 4)};
  const unsigned type = gate.type();
  if (!gate.system() || (type != kIntGate16 && type != kTrapGate16 && type != kIntGate32 &&
                         type != kTrapGate32 && type != kTaskGate))
    raise(kGP, idt_error);
  // INT n, INT3 and INTO may use only gates whose DPL admits the caller (not hardware events).
  if (kind == IntKind::Software && gate.dpl() < s.cpl) raise(kGP, idt_error);
  if (!gate.present()) raise(kNP, idt_error);
  if (type == kTaskGate) {
    // Task switches through task gates arrive with the task-switch work.
    raise(kGP, idt_error);
  }
  const bool gate32 = type & 8;
  const unsigned size = gate32 ? 4 : 2;
  const uint16_t cs_sel = uint16_t(gate.lo >> 16);
  const uint32_t offset = gate32 ? (gate.lo & 0xffff) | (gate.hi & 0xffff0000u) : gate.lo & 0xffff;
  if (sel_null(cs_sel)) raise(kGP, ext);
  const Descriptor code = fetch_descriptor(*this, cs_sel);
  if (!code.code() || code.dpl() > s.cpl) raise(kGP, sel_error(cs_sel) | ext);
  if (!code.present()) raise(kNP, sel_error(cs_sel) | ext);

  const uint32_t flags = read_eflags(s);
  const bool vm = flags & fl::VM;
  const bool inner = !code.conforming() && code.dpl() < s.cpl;
  if (vm && (!inner || code.dpl() != 0)) raise(kGP, sel_error(cs_sel) | ext);
  // The target must lie within the new code segment; checked before anything changes.
  if (offset > segment_cache(cs_sel, code).hi) raise(kGP, 0);
  const Segment old_cs = s.seg[CS], old_ss = s.seg[SS];
  const uint32_t old_esp = s.regs[ESP];
  const unsigned new_cpl = inner ? code.dpl() : s.cpl;

  if (inner) {
    // To an inner privilege level: switch to the stack the TSS names for it, then push the
    // old SS:ESP (and, from V86 mode, the data segment registers) before the usual frame.
    uint16_t ss;
    uint32_t esp;
    tss_stack(*this, new_cpl, ss, esp);
    Descriptor ssd = check_inner_stack(*this, ss, new_cpl, ext);
    const Segment new_ss = segment_cache(ss, ssd);
    const bool big = new_ss.flags & kSegFlagDB;
    uint32_t sp = big ? esp : esp & 0xffff;
    // The pushes go to the new stack with the new privilege; a fault here is #SS(SS) in the
    // SDM, reported through the ordinary limit check.
    auto push = [&](uint32_t v) {
      sp = big ? sp - size : (sp - size) & 0xffff;
      if (sp < new_ss.lo || uint64_t(sp) + size - 1 > new_ss.hi) raise(kSS, sel_error(ss) | ext);
      mmu_.write_sys(new_ss.base + sp, size, v);
    };
    if (vm) {
      push(s.seg[GS].sel), push(s.seg[FS].sel), push(s.seg[DS].sel), push(s.seg[ES].sel);
    }
    push(old_ss.sel);
    push(old_esp);
    push(flags);
    push(old_cs.sel);
    push(return_eip);
    if (has_error) push(error);
    // Everything is checked and written: commit the new context.
    mark_accessed(*this, ss, ssd);
    s.seg[SS] = new_ss;
    s.regs[ESP] = big ? sp : (esp & 0xffff0000u) | sp;
    if (vm) {
      for (unsigned r : {ES, DS, FS, GS}) load_null_segment(*this, r, 0);
    }
  } else {
    StackCursor st(*this);
    st.push(flags, size);
    st.push(old_cs.sel, size);
    st.push(return_eip, size);
    if (has_error) st.push(error, size);
    st.commit();
  }
  Descriptor cd = code;
  load_code_segment(*this, cs_sel, cd, new_cpl);
  // TF, NT, RF and VM clear; an interrupt gate also clears IF (SDM Vol.3 §6.12.1.3).
  uint32_t clear = fl::TF | fl::NT | fl::RF | fl::VM;
  if (!(type & 1)) clear |= fl::IF;
  write_eflags(s, 0, clear);
  s.eip = offset;
  s.halted = 0;
}

}  // namespace cpu
