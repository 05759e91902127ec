// Helper calls and block exits. A helper is called through thunk_helper, which turns a guest
// exception into a status (translated code has no unwind tables) that the shared stub acts on;
// EIP is stored first so the helper and any exception see the instruction that called it.
#include "cpu/helpers/helpers.h"
#include "jit/backend/x64/compiler.h"

namespace jit::x64 {

using asmjit::Imm;
using asmjit::Label;
using cpu::CpuState;
using ir::Inst;
using ir::Op;

template <>
void emit<Op::Call>(Compiler& c, const Inst& in) {
  c.save_live();
  c.pass_args({{in.a, std::nullopt},
               {in.b, std::nullopt},
               {in.c, std::nullopt},
               {0, uint32_t(in.sz) | c.insn_position() << kThunkInsnShift}});
  c.a.mov(Compiler::state(offsetof(CpuState, eip)), Imm(c.insn_eip));
  c.a.mov(x86::r9, Imm(reinterpret_cast<uint64_t>(cpu::helper_info(in.imm).fn)));
  c.call_stub(c.env.helper_stub);  // a fault leaves the block from the stub
  c.count_call();
  // A helper that is not plain may have changed the TLB set in use (a privilege change,
  // CpuState::tlb); a plain one changes nothing of the kind (HelperInfo::plain).
  if (!cpu::helper_info(in.imm).plain) c.a.mov(x86::r15, Compiler::state(offsetof(CpuState, tlb), 8));
  c.restore_live();
  if (in.dst) {
    const x86::Gpd d = c.def(in.dst, x86::eax);
    if (d != x86::eax) c.a.mov(d, x86::eax);
    c.finish(in.dst, d);
  }
}

template <>
void emit<Op::BranchIf>(Compiler& c, const Inst& in) {
  // With the block's final jump right after (a conditional branch), both exits are inline and
  // share the instruction count; otherwise the taken exit is out of line.
  const bool pair = c.is_final_jump_next();
  if (pair) c.a.add(Compiler::state(offsetof(CpuState, icount), 8), Imm(c.retired()));
  x86::CondCode cc = x86::CondCode::kNE;
  if (c.fused && c.fused->dst == in.a) {
    cc = x86::CondCode(c.emit_compare(*c.fused));
    c.fused.reset();
  } else if (c.is_const(in.a)) {
    c.a.cmp(x86::esp, x86::esp);  // sets ZF: never taken when 0, always when not
    cc = c.value(in.a) ? x86::CondCode::kE : x86::CondCode::kNE;
  } else {
    const x86::Gpd t = c.use(in.a, x86::eax);
    c.a.test(t, t);
  }
  Label taken = c.a.newLabel();
  c.a.j(cc, taken);
  if (pair) {
    // The fall-through exit, with the writes only it needs, then the taken one: a loop block's
    // jump back, or an exit that first performs the sync ops before the branch.
    const size_t branch = c.op_index;
    const size_t last = c.blk.insts.size() - 1;
    for (c.op_index = branch + 1; c.op_index < last; c.op_index++) {
      const ir::Inst& w = c.blk.insts[c.op_index];
      if (w.op == Op::SetReg32)
        c.write_reg(w);
      else
        c.write_cc(w);
    }
    c.exit_to(c.blk.insts[last].imm, c.retired(), true);
    c.op_index = branch;
    c.a.bind(taken);
    if (c.loop_back(in.imm)) {
      c.jump_back(c.retired(), true);
    } else {
      c.emit_syncs();
      c.exit_to(in.imm, c.retired(), true);
    }
    c.op_index = last;  // the final jump is emitted
    return;
  }
  c.cold([&c, taken, target = in.imm] {
    c.a.bind(taken);
    c.emit_syncs();
    c.exit_to(target, c.retired());
  });
}

template <>
void emit<Op::Jmp>(Compiler& c, const Inst& in) {
  // Sync ops before the final jump are a loop block's back-edge writes: the jump back performs
  // them only when it leaves; any other exit performs them here.
  if (!c.loop_back(in.imm)) c.emit_syncs();
  c.exit_to(in.imm, c.retired());
}

template <>
void emit<Op::JmpInd>(Compiler& c, const Inst& in) {
  const x86::Gpd target = c.use(in.a, x86::eax);
  c.a.mov(Compiler::state(offsetof(CpuState, eip)), target);
  c.a.add(Compiler::state(offsetof(CpuState, icount), 8), Imm(c.retired()));
  if (c.facts.chainable) return c.leave_through_cache();
  c.a.xor_(x86::eax, x86::eax);
  c.jump_to_engine();
}

}  // namespace jit::x64
