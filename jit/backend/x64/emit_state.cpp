// Instruction starts, guest registers, segment fields and the lazy flags. Register writes go
// straight to CpuState (the passes already made later reads use the value in a host register),
// so the state is precise wherever translated code can fault or leave.
#include <cstddef>

#include "jit/backend/x64/compiler.h"
#include "jit/passes/passes.h"

namespace jit::x64 {

using asmjit::Imm;
using cpu::CpuState;
using ir::Inst;
using ir::Op;

namespace {

size_t reg_offset(unsigned r) { return offsetof(CpuState, regs) + 4 * r; }
// Byte registers 4..7 are AH, CH, DH, BH: the second byte of EAX..EBX.
size_t reg8_offset(unsigned r) { return r < 4 ? reg_offset(r) : reg_offset(r - 4) + 1; }
size_t seg_offset(unsigned s) { return offsetof(CpuState, seg) + s * sizeof(cpu::Segment); }

// Calls a lazy-flag function of cpu/flags.h through its thunk with rdi = CpuState*.
void call_flags(Compiler& c, const void* fn) {
  c.a.mov(x86::rdi, x86::rbp);
  c.call(fn);
  c.count_call();
}

// A lazy-flag value computed in C++ (the cases the passes left): `arg`, if any, in esi.
void flags_value(Compiler& c, const Inst& in, const void* fn, std::optional<uint32_t> arg = std::nullopt) {
  c.save_live();
  if (arg) c.a.mov(x86::esi, Imm(*arg));
  call_flags(c, fn);
  c.restore_live();
  const x86::Gpd d = c.def(in.dst, x86::eax);
  if (d != x86::eax) c.a.mov(d, x86::eax);
  c.finish(in.dst, d);
}

}  // namespace

template <>
void emit<Op::InsnStart>(Compiler& c, const Inst& in) {
  c.insn_index++;
  c.insn_eip = in.imm;
  // kExitCheckOnSlowPaths: the memory slow paths before this check (Compiler::exit_after_slow_path).
  if (in.sz != passes::kExitCheckInline) return;
  // The previous instruction may have asked to end the block (it wrote code, hit a watchpoint,
  // reached a device); the interpreter checks at the same boundary.
  asmjit::Label out = c.a.newLabel();
  c.a.cmp(Compiler::state(offsetof(CpuState, exit_request)), Imm(0));
  c.a.jne(out);
  c.cold([&c, out, eip = in.imm] {
    c.a.bind(out);
    c.emit_syncs();
    c.exit_to(eip, uint32_t(c.insn_index), false, /*may_chain=*/false);
  });
}

template <>
void emit<Op::Nop>(Compiler&, const Inst&) {}

template <>
void emit<Op::GetReg32>(Compiler& c, const Inst& in) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.a.mov(d, Compiler::state(reg_offset(in.sz)));
  c.finish(in.dst, d);
}

template <>
void emit<Op::GetReg16>(Compiler& c, const Inst& in) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.a.movzx(d, Compiler::state(reg_offset(in.sz), 2));
  c.finish(in.dst, d);
}

template <>
void emit<Op::GetReg8>(Compiler& c, const Inst& in) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.a.movzx(d, Compiler::state(reg8_offset(in.sz), 1));
  c.finish(in.dst, d);
}

template <>
void emit<Op::SetReg32>(Compiler& c, const Inst& in) {
  c.write_reg(in);
}

template <>
void emit<Op::SyncReg>(Compiler& c, const Inst& in) {
  if (!c.sync_deferred()) c.write_reg(in);
}

template <>
void emit<Op::SyncCc>(Compiler& c, const Inst& in) {
  if (!c.sync_deferred()) c.write_cc(in);
}

template <>
void emit<Op::SetReg16>(Compiler& c, const Inst& in) {
  const x86::Mem m = Compiler::state(reg_offset(in.sz), 2);
  if (c.is_const(in.a))
    c.a.mov(m, Imm(uint16_t(c.value(in.a))));
  else
    c.a.mov(m, c.use(in.a, x86::eax).r16());
}

template <>
void emit<Op::SetReg8>(Compiler& c, const Inst& in) {
  const x86::Mem m = Compiler::state(reg8_offset(in.sz), 1);
  if (c.is_const(in.a))
    c.a.mov(m, Imm(uint8_t(c.value(in.a))));
  else
    c.a.mov(m, c.use(in.a, x86::eax).r8());
}

template <>
void emit<Op::GetSegSel>(Compiler& c, const Inst& in) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.a.movzx(d, Compiler::state(seg_offset(in.sz) + offsetof(cpu::Segment, sel), 2));
  c.finish(in.dst, d);
}

template <>
void emit<Op::GetSegBase>(Compiler& c, const Inst& in) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.a.mov(d, Compiler::state(seg_offset(in.sz) + offsetof(cpu::Segment, base)));
  c.finish(in.dst, d);
}

template <>
void emit<Op::GetTsc>(Compiler& c, const Inst& in) {
  c.a.mov(x86::rax, Compiler::state(offsetof(CpuState, icount), 8));
  if (in.imm) c.a.add(x86::rax, Imm(in.imm));
  if (c.is_const(in.a)) {
    if (c.value(in.a) != 1) c.a.imul(x86::rax, x86::rax, Imm(c.value(in.a)));
  } else {
    c.load_into(x86::ecx, in.a);
    c.a.imul(x86::rax, x86::rcx);
  }
  c.a.add(x86::rax, Compiler::state(offsetof(CpuState, tsc_offset), 8));
  if (in.sz) c.a.shr(x86::rax, 32);
  const x86::Gpd d = c.def(in.dst, x86::eax);
  if (d != x86::eax) c.a.mov(d, x86::eax);
  c.finish(in.dst, d);
}

template <>
void emit<Op::SetCc>(Compiler& c, const Inst& in) {
  c.write_cc(in);
}

template <>
void emit<Op::GetCF>(Compiler& c, const Inst& in) {
  // CF of a flag record from an earlier block (INC, DEC, ADC, SBB and rotates through carry at
  // the top of a block): one call to the backend's shared stub, which keeps the allocated
  // registers (X64Backend: emit_carry_stub).
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.call_stub(c.env.carry_stub);
  if (d != x86::eax) c.a.mov(d, x86::eax);
  c.finish(in.dst, d);
}

template <>
void emit<Op::Cond>(Compiler& c, const Inst& in) {
  flags_value(c, in, reinterpret_cast<const void*>(&thunk_cond), in.sz);
}

template <>
void emit<Op::GetFlags>(Compiler& c, const Inst& in) {
  flags_value(c, in, reinterpret_cast<const void*>(&thunk_get_flags));
}

template <>
void emit<Op::SetFlags>(Compiler& c, const Inst& in) {
  c.save_live();
  c.load_into(x86::esi, in.a);
  c.a.mov(x86::edx, Imm(in.imm));
  call_flags(c, reinterpret_cast<const void*>(&thunk_set_flags));
  c.restore_live();
}

}  // namespace jit::x64
