// System-instruction helpers: HLT, segment loads, IF control, TSC, control/debug registers,
// descriptor-table registers and TLB maintenance.
#include "cpu/cpu.h"
#include "cpu/debug_regs.h"
#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

// CR4 bits (SDM Vol.3 §2.5). Only what the processor implements may be set; the rest raise
// #GP(0) like reserved bits, so software probing features sees them as absent.
constexpr uint32_t kCr4Tsd = 1u << 2;
constexpr uint32_t kCr4De = 1u << 3;
constexpr uint32_t kCr4Pse = 1u << 4, kCr4Pae = 1u << 5, kCr4Pge = 1u << 7;
constexpr uint32_t kCr4Supported = kCr4Tsd | kCr4De | kCr4Pse | kCr4Pae | kCr4Pge | cr4::OSFXSR;
constexpr uint32_t kCr4Paging = kCr4Pse | kCr4Pae | kCr4Pge;

// CR0 bits that exist on a P6; writes to the others are ignored and ET reads as 1.
constexpr uint32_t kCr0Bits = cr0::PE | cr0::MP | cr0::EM | cr0::TS | cr0::NE | cr0::WP |
                              cr0::AM | cr0::NW | cr0::CD | cr0::PG;

unsigned iopl(const CpuState& s) { return (s.eflags & fl::IOPL) >> 12; }

// CLI/STI are IOPL-sensitive in protected mode (CPL > IOPL) and V86 mode (IOPL < 3, and V86
// runs at CPL 3); SDM Vol.2 CLI/STI without VME/PVI.
bool if_privileged(const Cpu& cpu) { return !cpu.protected_mode() || cpu.s.cpl <= iopl(cpu.s); }

// DR4/DR5 alias DR6/DR7 unless CR4.DE is set, when they are #UD (SDM Vol.3 §17.2.2).
unsigned debug_reg(const Cpu& cpu, unsigned n) {
  if (n == 4 || n == 5) {
    if (cpu.s.cr4 & kCr4De) raise(kUD);
    return n + 2;
  }
  return n;
}

// DR7.GD: any MOV to or from a debug register is a #DB fault with DR6.BD set; GD is cleared
// so the handler can use the registers (SDM Vol.3 §17.2.4).
void check_general_detect(Cpu& cpu) {
  if (!(cpu.s.dr[7] & dbg::kGD)) return;
  cpu.s.dr[6] |= dbg::kBD;
  cpu.s.dr[7] &= ~dbg::kGD;
  raise(kDB);
}

}  // namespace

uint32_t helper_hlt(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t) {
  if (cpu.protected_mode() && cpu.s.cpl != 0) raise(kGP, 0);
  cpu.s.halted = 1;
  cpu.s.eip = next_eip;
  return 0;
}

uint32_t helper_load_seg(Cpu& cpu, uint32_t sel, uint32_t, uint32_t, uint32_t k) {
  const unsigned seg = k & ~kLoadSegNoShadow;
  cpu.load_seg(seg, uint16_t(sel));
  if (seg == SS && !(k & kLoadSegNoShadow)) cpu.s.irq_shadow = kShadowIrq | kShadowDebug;
  return 0;
}

uint32_t helper_cli(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  if (!if_privileged(cpu)) return cpu.fault(kGP, 0);
  cpu.s.eflags &= ~fl::IF;
  return 0;
}

uint32_t helper_sti(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  if (!if_privileged(cpu)) return cpu.fault(kGP, 0);
  // Interrupts stay blocked until after the next instruction, but only when STI actually
  // enables them (SDM Vol.2 STI).
  if (!(cpu.s.eflags & fl::IF)) cpu.s.irq_shadow = kShadowIrq;
  cpu.s.eflags |= fl::IF;
  return 0;
}

uint32_t helper_rdtsc(Cpu& cpu, uint32_t index, uint32_t, uint32_t, uint32_t) {
  if ((cpu.s.cr4 & kCr4Tsd) && cpu.protected_mode() && cpu.s.cpl != 0) raise(kGP, 0);
  // The TSC counts virtual time, which derives from retired instructions (DESIGN.md §2.1).
  const uint64_t tsc = cpu.icount_at(index) * cpu.ns_per_insn + cpu.s.tsc_offset;
  cpu.s.regs[EAX] = uint32_t(tsc);
  cpu.s.regs[EDX] = uint32_t(tsc >> 32);
  return 0;
}

uint32_t helper_read_cr(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t n) {
  switch (n) {
    case 0: return cpu.s.cr0;
    case 2: return cpu.s.cr2;
    case 3: return cpu.s.cr3;
    case 4: return cpu.s.cr4;
    default: raise(kUD);
  }
}

uint32_t helper_write_cr(Cpu& cpu, uint32_t v, uint32_t, uint32_t, uint32_t n) {
  CpuState& s = cpu.s;
  switch (n) {
    case 0: {
      // SDM Vol.2 MOV CR: PG without PE, or NW without CD, is #GP(0).
      if ((v & cr0::PG) && !(v & cr0::PE)) raise(kGP, 0);
      if ((v & cr0::NW) && !(v & cr0::CD)) raise(kGP, 0);
      const uint32_t old = s.cr0;
      s.cr0 = (v & kCr0Bits) | cr0::ET;
      if ((old ^ s.cr0) & (cr0::PG | cr0::PE | cr0::WP)) cpu.mmu().flush_tlb();
      if (!(s.cr0 & cr0::PE)) cpu.set_cpl(0);  // real mode runs at privilege level 0
      if ((old ^ s.cr0) & cr0::AM) cpu.update_align_check();
      return 0;
    }
    case 2: s.cr2 = v; return 0;
    case 3:
      // Bits 31:12 (or 31:5 with PAE) locate the paging structures; PCD and PWT are kept.
      s.cr3 = v & 0xfffffff8u;
      cpu.mmu().flush_tlb(/*keep_global=*/true);
      return 0;
    case 4: {
      if (v & ~kCr4Supported) raise(kGP, 0);
      const uint32_t old = s.cr4;
      s.cr4 = v;
      if ((old ^ v) & kCr4Paging) cpu.mmu().flush_tlb();
      if ((old ^ v) & kCr4De) dbg::update_armed(s);  // R/W = 10 means I/O only with DE
      return 0;
    }
    default: raise(kUD);
  }
}

uint32_t helper_read_dr(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t n) {
  check_general_detect(cpu);
  return cpu.s.dr[debug_reg(cpu, n)];
}

uint32_t helper_write_dr(Cpu& cpu, uint32_t v, uint32_t, uint32_t, uint32_t n) {
  check_general_detect(cpu);
  // Reserved bits keep their fixed values (SDM Vol.3 §17.2.3-17.2.4): DR6 bits 4-11 and 16-31
  // read 1, bit 12 reads 0; DR7 bit 10 reads 1, bits 11, 12, 14, 15 read 0.
  const unsigned r = debug_reg(cpu, n);
  if (r == 6) v = (v & 0x0000e00fu) | 0xffff0ff0u;
  if (r == 7) v = (v & ~0x0000d800u) | 0x400u;
  cpu.s.dr[r] = v;
  if (r < 4 || r == 7) {
    // Breakpoints armed or moved: data watchpoints live in the TLB tags, and instruction
    // breakpoints change how the engine runs the following instructions.
    dbg::update_armed(cpu.s);
    cpu.mmu().flush_tlb();
    cpu::request_exit(cpu.s);
  }
  return 0;
}

uint32_t helper_load_dtr(Cpu& cpu, uint32_t limit, uint32_t base, uint32_t, uint32_t which) {
  DescTable& t = which ? cpu.s.idtr : cpu.s.gdtr;
  t.limit = limit & 0xffff;
  t.base = base;
  return 0;
}

uint32_t helper_read_dtr(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t which) {
  const DescTable& t = (which & 1) ? cpu.s.idtr : cpu.s.gdtr;
  return (which & 2) ? t.base : t.limit;
}

uint32_t helper_invlpg(Cpu& cpu, uint32_t lin, uint32_t, uint32_t, uint32_t) {
  cpu.mmu().flush_page(lin);
  return 0;
}

}  // namespace cpu
