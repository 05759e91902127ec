// System instructions: HLT, flag control, CPUID, RDTSC, descriptor tables, control and debug
// registers, TLB and cache maintenance.
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

void raise_gp0(LowerCtx& c) {
  c.call(Helper::RaiseError, c.imm(0), ir::kNoTemp, ir::kNoTemp, kGP);
  c.jump(c.insn.eip);
}

// Privileged instructions need CPL 0 in protected mode, so they fault in V86 mode (CPL 3) as
// well. CPL is part of the translation key, so the check is made here, once.
bool privileged(LowerCtx& c) {
  if (c.mode.pe && c.mode.cpl != 0) {
    raise_gp0(c);
    return false;
  }
  return true;
}

unsigned osize(const LowerCtx& c) { return c.insn.stack_size; }

Temp offset_plus(LowerCtx& c, Temp addr, uint32_t n) {
  return c.trunc(c.b.add(addr, c.imm(n)), c.insn.addrsize);
}

void lower_mov_cr(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  const unsigned n = dst.kind == OpKind::Cr ? dst.reg : src.reg;
  if (n == 1 || n > 4) return c.raise(kUD);
  if (!privileged(c)) return;
  if (dst.kind == OpKind::Reg) {
    c.set_reg(dst.reg, 4, c.call(Helper::ReadCr, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, uint8_t(n)));
    return;
  }
  c.call(Helper::WriteCr, c.get_reg(src.reg, 4), ir::kNoTemp, ir::kNoTemp, uint8_t(n));
  // PE, PG and paging bits change how the following code is translated and addressed.
  c.jump(c.next_eip());
}

void lower_mov_dr(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  const unsigned n = dst.kind == OpKind::Dr ? dst.reg : src.reg;
  if (n > 7) return c.raise(kUD);
  if (!privileged(c)) return;
  if (dst.kind == OpKind::Reg) {
    c.set_reg(dst.reg, 4, c.call(Helper::ReadDr, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, uint8_t(n)));
    return;
  }
  c.call(Helper::WriteDr, c.get_reg(src.reg, 4), ir::kNoTemp, ir::kNoTemp, uint8_t(n));
  c.jump(c.next_eip());
}

}  // namespace

void lower_hlt(LowerCtx& c) {
  c.call(Helper::Hlt, c.imm(c.next_eip()));
  c.end_block = true;
  c.b.jmp(c.next_eip());
}

void lower_mov_system(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  if (dst.kind == OpKind::Cr || src.kind == OpKind::Cr) return lower_mov_cr(c);
  if (dst.kind == OpKind::Dr || src.kind == OpKind::Dr) return lower_mov_dr(c);
  if (dst.kind == OpKind::Seg) {
    if (dst.reg == CS) return c.raise(kUD);  // MOV CS is invalid (SDM Vol.2 MOV)
    c.call(Helper::LoadSeg, c.zext(c.read(src), 2), ir::kNoTemp, ir::kNoTemp, dst.reg);
    // A new SS inhibits interrupts for one instruction; any segment load changes the
    // translation mode (SS.B, and which segments are flat).
    c.jump(c.next_eip());
    return;
  }
  // To a register, the selector is zero-extended (upper bits are 0 on P6 for 32-bit moves).
  Temp sel = c.read(src);
  if (dst.kind == OpKind::Mem)
    c.write(Operand{dst.kind, 2, dst.reg, dst.seg, dst.base, dst.index, dst.scale, 0, dst.disp, 0, 0}, sel);
  else
    c.set_reg(dst.reg, dst.size, sel);
}

// CLI/STI: in real mode nothing can refuse CLI, so it is a flag write; otherwise the helpers
// check IOPL. STI always calls its helper, which starts the interrupt shadow.
void lower_cli(LowerCtx& c) {
  if (c.mode.pe)
    c.call(Helper::Cli);
  else
    c.b.emit(ir::Op::SetFlags, c.imm(0), ir::kNoTemp, ir::kNoTemp, 0, fl::IF);
}

void lower_sti(LowerCtx& c) { c.call(Helper::Sti); }

void lower_cpuid(LowerCtx& c) { c.call(Helper::Cpuid); }

void lower_rdtsc(LowerCtx& c) {
  // CR4.TSD makes RDTSC privileged (SDM Vol.2 RDTSC): outside CPL 0 in protected mode the
  // helper checks it. Elsewhere the counter is read inline; it counts virtual time, which
  // derives from retired instructions (DESIGN.md §2.1).
  if (c.mode.pe && c.mode.cpl != 0) {
    c.call(Helper::Rdtsc, c.imm(c.insn_index));
    return;
  }
  const Temp ns = c.imm(c.mode.ns_per_insn);
  const Temp lo = c.b.emit(ir::Op::GetTsc, ns, ir::kNoTemp, ir::kNoTemp, 0, c.insn_index);
  const Temp hi = c.b.emit(ir::Op::GetTsc, ns, ir::kNoTemp, ir::kNoTemp, 1, c.insn_index);
  c.set_reg(EAX, 4, lo);
  c.set_reg(EDX, 4, hi);
}

// RDMSR/WRMSR need CPL 0; the helpers check the MSR number and its reserved bits.
void lower_rdmsr(LowerCtx& c) {
  if (privileged(c)) c.call(Helper::Rdmsr, c.imm(c.insn_index));
}

void lower_wrmsr(LowerCtx& c) {
  if (!privileged(c)) return;
  c.call(Helper::Wrmsr, c.imm(c.insn_index));
  c.jump(c.next_eip());
}

// SYSENTER/SYSEXIT switch CS, SS and CPL without reading descriptors (SDM Vol.3 §5.8.7).
void lower_sysenter(LowerCtx& c) {
  c.jump_ind(c.call(c.insn.mnemonic == ZYDIS_MNEMONIC_SYSENTER ? Helper::Sysenter : Helper::Sysexit));
}

void lower_ud(LowerCtx& c) { c.raise(kUD); }

// LGDT/LIDT m16&32: with a 16-bit operand size only 24 bits of the base are loaded
// (SDM Vol.2 LGDT/LIDT).
void lower_lgdt(LowerCtx& c) {
  const Operand& m = c.op(0);
  if (m.kind != OpKind::Mem) return c.raise(kUD);
  if (!privileged(c)) return;
  const Temp addr = c.ea(m);
  const Temp limit = c.load(m.seg, addr, 2);
  Temp base = c.load(m.seg, offset_plus(c, addr, 2), 4);
  if (osize(c) == 2) base = c.b.and_(base, c.imm(0x00ffffff));
  c.call(Helper::LoadDtr, limit, base, ir::kNoTemp, c.insn.mnemonic == ZYDIS_MNEMONIC_LIDT);
}

// SGDT/SIDT m: limit, then base; a 16-bit operand size stores 0 in the base's top byte.
void lower_sgdt(LowerCtx& c) {
  const Operand& m = c.op(0);
  if (m.kind != OpKind::Mem) return c.raise(kUD);
  const uint8_t which = c.insn.mnemonic == ZYDIS_MNEMONIC_SIDT;
  const Temp limit = c.call(Helper::ReadDtr, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, which);
  Temp base = c.call(Helper::ReadDtr, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, uint8_t(which | 2));
  if (osize(c) == 2) base = c.b.and_(base, c.imm(0x00ffffff));
  const Temp addr = c.ea(m);
  c.store(m.seg, addr, limit, 2);
  c.store(m.seg, offset_plus(c, addr, 2), base, 4);
}

// LMSW loads CR0 bits 0-3 (PE MP EM TS); it can set PE but never clear it.
void lower_lmsw(LowerCtx& c) {
  if (!privileged(c)) return;
  const Temp src = c.read(c.op(0));
  const Temp old = c.call(Helper::ReadCr);
  const Temp v = c.b.or_(c.b.and_(old, c.imm(~0xeu)), c.b.and_(src, c.imm(0xf)));
  c.call(Helper::WriteCr, v);
  c.jump(c.next_eip());
}

// SMSW is not privileged. To a 32-bit register it stores all of CR0 (P6 behaviour; the SDM
// leaves the high half undefined), to memory 16 bits.
void lower_smsw(LowerCtx& c) {
  const Operand& d = c.op(0);
  const Temp cr0v = c.call(Helper::ReadCr);
  if (d.kind == OpKind::Mem)
    c.store(d.seg, c.ea(d), cr0v, 2);
  else
    c.set_reg(d.reg, d.size, cr0v);
}

void lower_clts(LowerCtx& c) {
  if (!privileged(c)) return;
  c.call(Helper::WriteCr, c.b.and_(c.call(Helper::ReadCr), c.imm(~cr0::TS)));
}

void lower_invlpg(LowerCtx& c) {
  const Operand& m = c.op(0);
  if (m.kind != OpKind::Mem) return c.raise(kUD);
  if (!privileged(c)) return;
  const Temp base = c.b.emit(ir::Op::GetSegBase, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, m.seg);
  c.call(Helper::Invlpg, c.b.add(base, c.ea(m)));
  c.jump(c.next_eip());
}

// INVD/WBINVD: caches are not modelled, so only the privilege check remains.
void lower_invd(LowerCtx& c) { privileged(c); }


}  // namespace cpu
