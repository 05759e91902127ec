// The x87 entry points: Helper::X87 runs one escape instruction (D8-DF) from its FOP, after the
// checks every x87 instruction makes (SDM Vol.1 §8.1.8, §8.7; Vol.3 §2.5 table 2-2), and
// Helper::Fwait runs WAIT/FWAIT.
#include "cpu/helpers/x87.h"

namespace cpu {
namespace x87 {

unsigned Fpu::tag_of(F80 v) {
  switch (sf::classify(v)) {
    case sf::Class::Zero: return kTagZero;
    case sf::Class::Normal: return kTagValid;
    default: return kTagSpecial;  // NaN, infinity, denormal, unsupported
  }
}

void Fpu::update_es() {
  const bool es = f.fsw & ~f.fcw & sf::exc::kAll;
  f.fsw = uint16_t((f.fsw & ~(fsw::ES | fsw::B)) | (es ? fsw::ES | fsw::B : 0));
}

bool Fpu::signal(uint16_t flags) {
  flags &= sf::exc::kAll;
  // A masked denormal operand is only recorded; an unmasked #I, #D or #Z suppresses the result
  // and, by the precedence of §8.5, the lower-priority flags with it.
  const uint16_t unmasked = flags & ~f.fcw;
  if (unmasked & (sf::exc::IE | sf::exc::DE | sf::exc::ZE)) {
    f.fsw |= unmasked & (sf::exc::IE | sf::exc::DE | sf::exc::ZE);
    update_es();
    return true;
  }
  f.fsw |= flags;
  update_es();
  return false;
}

bool Fpu::stack_fault(bool overflow) {
  f.fsw |= fsw::IE | fsw::SF;
  set_c1(overflow);
  update_es();
  return masked(fsw::IE);
}

void Fpu::probe_store(const Mem& m, uint32_t len) {
  const uint32_t first = cpu.check_seg(m.seg, m.off, len, kSegWrite);
  cpu.mmu().translate(first, mmu::Access::Write);
  cpu.mmu().translate(first + len - 1, mmu::Access::Write);
}

void init(FpuState& f) {
  f.fcw = 0x037f;
  f.fsw = 0;
  f.ftw = 0xffff;
  f.fop = 0;
  f.fip = f.fdp = 0;
  f.fcs = f.fds = 0;
}

// Control instructions (SDM Vol.1 §8.1.8 and table 8-?): the environment and status/control
// word instructions. They neither wait for pending exceptions (the FN forms) nor update FIP/FOP.
bool is_control(const Insn& in) {
  if (in.m) {
    return (in.esc == 1 && in.reg >= 4) || (in.esc == 5 && (in.reg == 4 || in.reg >= 6));
  }
  return (in.esc == 3 && in.reg == 4) || (in.esc == 7 && in.reg == 4);
}

bool is_nonwaiting(const Insn& in) {
  if (in.m) return (in.esc == 1 && (in.reg == 6 || in.reg == 7)) || (in.esc == 5 && in.reg >= 6);
  // FNCLEX, FNINIT (DB E2/E3), FNSTSW AX (DF E0), and the 8087/287 no-ops FNENI/FNDISI/FNSETPM.
  return (in.esc == 3 && in.reg == 4) || (in.esc == 7 && in.reg == 4);
}

// A pending unmasked exception at a waiting instruction: #MF with CR0.NE, otherwise the PC's
// FERR# -> IRQ 13 path (the board latches it until a write to port F0h) and the instruction runs.
void check_pending(Cpu& cpu) {
  if (!(cpu.s.fpu.fsw & fsw::ES)) return;
  if (cpu.s.cr0 & cr0::NE) raise(kMF);
  if (cpu.fpu_error) cpu.fpu_error();
}

}  // namespace x87

using namespace x87;

uint32_t helper_x87(Cpu& cpu, uint32_t off, uint32_t b, uint32_t, uint32_t) {
  const uint16_t fop = uint16_t(b & 0x7ff);
  Mem mem{(b >> kX87SegShift) & 7, off, (b & kX87Addr16) != 0};
  const Insn in{unsigned(fop >> 8), unsigned(fop >> 3) & 7, unsigned(fop) & 7,
                (b & kX87HasMem) ? &mem : nullptr, (b & kX87Op16) != 0};
  if (cpu.s.cr0 & (cr0::EM | cr0::TS)) raise(kNM);
  if (!is_nonwaiting(in)) check_pending(cpu);
  Fpu fpu(cpu);
  // The last-instruction pointers are recorded before execution, so an exception handler
  // sees the instruction that raised it even when the instruction faults (SDM Vol.1 §8.1.8).
  if (!is_control(in)) {
    FpuState& f = cpu.s.fpu;
    f.fop = fop;
    f.fip = cpu.s.eip;
    f.fcs = cpu.s.seg[CS].sel;
    if (in.m) {
      f.fdp = mem.off;
      f.fds = cpu.s.seg[mem.seg].sel;
    }
  }
  if (exec_control(fpu, in) || exec_move(fpu, in) || exec_arith(fpu, in)) return 0;
  raise(kUD);
}

uint32_t helper_fwait(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  // WAIT faults only when CR0.MP and CR0.TS are both set (SDM Vol.3 §2.5 table 2-2).
  if ((cpu.s.cr0 & cr0::MP) && (cpu.s.cr0 & cr0::TS)) raise(kNM);
  check_pending(cpu);
  return 0;
}

}  // namespace cpu
