// Stack helpers: POPF/POPFD with their privilege rules, PUSHF in virtual-8086 mode, and ENTER
// (SDM Vol.2 POPF, PUSHF, ENTER; Vol.3 §20.3 for the VME variants).
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

constexpr uint32_t kCr4Vme = 1u << 0;

// EFLAGS bits that exist on this processor and that POPFD may write at CPL 0 outside V86 mode.
// VM, VIF and VIP are never written by POPF; RF is written as 0 by the 32-bit form.
constexpr uint32_t kPopfBits = fl::kArith | fl::TF | fl::IF | fl::DF | fl::IOPL | fl::NT |
                               fl::RF | fl::AC | fl::ID;

unsigned iopl(const CpuState& s) { return (s.eflags & fl::IOPL) >> 12; }

}  // namespace

uint32_t helper_popf(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t size) {
  CpuState& s = cpu.s;
  const bool vme16 = cpu.v86() && iopl(s) < 3;
  // V86 mode with IOPL < 3 faults unless CR4.VME allows the 16-bit form.
  if (vme16 && (size == 4 || !(s.cr4 & kCr4Vme))) return cpu.fault(kGP, 0);
  const bool big = cpu.stack32();
  const uint32_t sp = big ? s.regs[ESP] : s.regs[ESP] & 0xffff;
  uint32_t v = cpu.load(SS, sp, size);
  uint32_t mask = kPopfBits;
  if (cpu.v86() || (cpu.protected_mode() && s.cpl > 0)) mask &= ~fl::IOPL;
  if (!cpu.v86() && cpu.protected_mode() && s.cpl > iopl(s)) mask &= ~fl::IF;
  if (size == 2) mask &= 0xffff;
  if (vme16) {
    // The guest's IF goes to VIF instead; setting TF, or IF while an interrupt is pending
    // (VIP), faults.
    if ((v & fl::TF) || ((v & fl::IF) && (s.eflags & fl::VIP))) raise(kGP, 0);
    mask &= ~fl::IF;
    mask |= fl::VIF;
    v = (v & ~fl::VIF) | ((v & fl::IF) ? fl::VIF : 0);
  }
  write_eflags(s, v & ~fl::RF, mask);
  const uint32_t nsp = sp + size;
  s.regs[ESP] = big ? nsp : (s.regs[ESP] & 0xffff0000u) | (nsp & 0xffff);
  return 0;
}

uint32_t helper_v86_pushf(Cpu& cpu, uint32_t image, uint32_t, uint32_t, uint32_t size) {
  const CpuState& s = cpu.s;
  if (iopl(s) == 3) return image;
  if (size == 4 || !(s.cr4 & kCr4Vme)) return cpu.fault(kGP, 0);
  // VME: the pushed image shows VIF as IF and IOPL as 3.
  return (image & ~(fl::IF | fl::IOPL)) | ((s.eflags & fl::VIF) ? fl::IF : 0) | fl::IOPL;
}

// ENTER (SDM Vol.2 ENTER): with a 16-bit stack only SP and BP move (the nesting loop's BP
// arithmetic wraps at 64 KB). FrameTemp follows the operand size: the operation section sets
// it from ESP after pushing EBP when OperandSize = 32 (the push moving "(E)SP"), from SP when
// it is 16, so a 32-bit ENTER on a 16-bit stack pushes all of ESP, upper half included. All
// stores happen before any register changes, and the final stack pointer is checked for
// writing (#SS when it lies outside the stack segment).
uint32_t helper_enter(Cpu& cpu, uint32_t alloc, uint32_t level, uint32_t, uint32_t size) {
  CpuState& s = cpu.s;
  const bool big = cpu.stack32();
  const uint32_t wrap = big ? 0xffffffffu : 0xffffu;
  auto sub = [&](uint32_t reg, uint32_t n) { return (reg & ~wrap) | ((reg - n) & wrap); };
  uint32_t esp = s.regs[ESP], ebp = s.regs[EBP];
  auto push = [&](uint32_t v) {
    esp = sub(esp, size);
    cpu.store(SS, esp & wrap, size, v);
  };
  level &= 31;
  push(ebp);
  // The stack-size attribute, not the operand size, selects BP or EBP as the frame pointer
  // (SDM Vol.2 ENTER: "The stack-size attribute determines whether the BP (16 bits) or EBP
  // (32 bits) register specifies the current frame pointer").
  const uint32_t frame = esp & wrap;
  const uint32_t frame_temp = size == 4 ? esp : esp & 0xffff;
  if (level > 0) {
    for (uint32_t i = 1; i < level; i++) {
      ebp = sub(ebp, size);
      push(cpu.load(SS, ebp & wrap, size));
    }
    push(frame_temp);
  }
  esp = sub(esp, alloc);
  const uint32_t lin = cpu.check_seg(SS, esp & wrap, size, kSegWrite);
  cpu.mmu().translate(lin, mmu::Access::Write);
  s.regs[EBP] = (s.regs[EBP] & ~wrap) | frame;
  s.regs[ESP] = esp;
  return 0;
}

}  // namespace cpu
