#include "jit/interp/interp.h"

#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"
#include "jit/ir/eval.h"
#include "jit/passes/passes.h"

namespace jit {

using ir::Op;

namespace {

// Instruction number `n` reported a fault by return (cpu::Cpu::fault), which the caller
// delivers as it would a thrown one: the instructions before it retired.
void fault_pending(cpu::CpuState& s, uint32_t n) { s.icount += n - 1; }

}  // namespace

void interpret(cpu::Cpu& cpu, ir::Block& block, uint32_t max_insns) {
  cpu::CpuState& s = cpu.s;
  uint32_t* v = block.values.data();
  const ir::Inst* in = block.insts.data();
  uint32_t n = 0;  // instructions started
  try {
    for (;; in++) {
      switch (in->op) {
        case Op::InsnStart:
          if (n >= max_insns || s.exit_request) [[unlikely]] {
            s.eip = in->imm;
            s.icount += n;
            return;
          }
          s.eip = in->imm;
          n++;
          break;
        case Op::Nop: break;
        case Op::GetReg32: v[in->dst] = s.regs[in->sz]; break;
        case Op::GetReg16: v[in->dst] = s.regs[in->sz] & 0xffff; break;
        case Op::GetReg8:
          v[in->dst] = in->sz < 4 ? s.regs[in->sz] & 0xff : (s.regs[in->sz - 4] >> 8) & 0xff;
          break;
        case Op::SetReg32:
        case Op::SyncReg: s.regs[in->sz] = v[in->a]; break;
        case Op::SetReg16: s.regs[in->sz] = (s.regs[in->sz] & 0xffff0000u) | (v[in->a] & 0xffff); break;
        case Op::SetReg8:
          if (in->sz < 4)
            s.regs[in->sz] = (s.regs[in->sz] & 0xffffff00u) | (v[in->a] & 0xff);
          else
            s.regs[in->sz - 4] = (s.regs[in->sz - 4] & 0xffff00ffu) | ((v[in->a] & 0xff) << 8);
          break;
        case Op::GetSegSel: v[in->dst] = s.seg[in->sz].sel; break;
        case Op::GetSegBase: v[in->dst] = s.seg[in->sz].base; break;
        case Op::GetTsc:
          v[in->dst] = uint32_t(((s.icount + in->imm) * v[in->a] + s.tsc_offset) >> (in->sz ? 32 : 0));
          break;
        case Op::SetCc:
        case Op::SyncCc:
          s.cc_op = in->imm;
          s.cc_src1 = v[in->a];
          s.cc_src2 = v[in->b];
          // A sync whose result the passes left to be derived (passes::sink_sync_results).
          s.cc_res = in->op != Op::SyncCc || !in->sz       ? v[in->c]
                     : in->sz == jit::passes::kSyncResAdd ? v[in->a] + v[in->b]
                                                          : v[in->a] - v[in->b];
          break;
        case Op::GetCF: v[in->dst] = cpu::carry_flag(s); break;
        case Op::Cond: v[in->dst] = cpu::eval_cond(s, in->sz); break;
        case Op::GetFlags: v[in->dst] = cpu::read_eflags(s); break;
        case Op::SetFlags: cpu::write_eflags(s, v[in->a], in->imm); break;
        case Op::Add: v[in->dst] = ir::eval<Op::Add>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Sub: v[in->dst] = ir::eval<Op::Sub>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::And: v[in->dst] = ir::eval<Op::And>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Or: v[in->dst] = ir::eval<Op::Or>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Xor: v[in->dst] = ir::eval<Op::Xor>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Shl: v[in->dst] = ir::eval<Op::Shl>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Shr: v[in->dst] = ir::eval<Op::Shr>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Sar: v[in->dst] = ir::eval<Op::Sar>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Mul: v[in->dst] = ir::eval<Op::Mul>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::MulHiU: v[in->dst] = ir::eval<Op::MulHiU>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::MulHiS: v[in->dst] = ir::eval<Op::MulHiS>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Not: v[in->dst] = ir::eval<Op::Not>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Neg: v[in->dst] = ir::eval<Op::Neg>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Sext8: v[in->dst] = ir::eval<Op::Sext8>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Sext16: v[in->dst] = ir::eval<Op::Sext16>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Zext8: v[in->dst] = ir::eval<Op::Zext8>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Zext16: v[in->dst] = ir::eval<Op::Zext16>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Eq: v[in->dst] = ir::eval<Op::Eq>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Ne: v[in->dst] = ir::eval<Op::Ne>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::LtU: v[in->dst] = ir::eval<Op::LtU>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Cmp: v[in->dst] = ir::eval<Op::Cmp>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Select: v[in->dst] = ir::eval<Op::Select>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Bswap: v[in->dst] = ir::eval<Op::Bswap>(v[in->a], v[in->b], v[in->c], in->sz); break;
        case Op::Load: {
          bool ok;
          switch (in->sz) {
            case 1: ok = cpu.try_load<1>(in->imm, v[in->a], v[in->dst]); break;
            case 2: ok = cpu.try_load<2>(in->imm, v[in->a], v[in->dst]); break;
            default: ok = cpu.try_load<4>(in->imm, v[in->a], v[in->dst]); break;
          }
          if (!ok) [[unlikely]]
            return fault_pending(s, n);
          break;
        }
        case Op::Store: {
          bool ok;
          switch (in->sz) {
            case 1: ok = cpu.try_store<1>(in->imm, v[in->a], v[in->b]); break;
            case 2: ok = cpu.try_store<2>(in->imm, v[in->a], v[in->b]); break;
            default: ok = cpu.try_store<4>(in->imm, v[in->a], v[in->b]); break;
          }
          if (!ok) [[unlikely]]
            return fault_pending(s, n);
          break;
        }
        case Op::Call:
          v[in->dst] = cpu::helper_info(in->imm).fn(cpu, v[in->a], v[in->b], v[in->c], in->sz);
          if (cpu.fault_pending()) [[unlikely]]
            return fault_pending(s, n);
          break;
        case Op::BranchIf:
          if (v[in->a]) {
            s.eip = in->imm;
            s.icount += n;
            return;
          }
          break;
        case Op::Jmp:
          s.eip = in->imm;
          s.icount += n;
          return;
        case Op::JmpInd:
          s.eip = v[in->a];
          s.icount += n;
          return;
        case Op::kCount: break;
      }
    }
  } catch (const cpu::CpuException&) {
    // The faulting instruction did not retire; EIP already names it.
    s.icount += n ? n - 1 : 0;
    throw;
  }
}

}  // namespace jit
