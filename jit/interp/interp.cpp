#include "jit/interp/interp.h"

#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"

namespace jit {

using ir::Op;

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
        case Op::GetReg32: v[in->dst] = s.regs[in->sz]; break;
        case Op::GetReg16: v[in->dst] = s.regs[in->sz] & 0xffff; break;
        case Op::GetReg8:
          v[in->dst] = in->sz < 4 ? s.regs[in->sz] & 0xff : (s.regs[in->sz - 4] >> 8) & 0xff;
          break;
        case Op::SetReg32: s.regs[in->sz] = v[in->a]; break;
        case Op::SetReg16: s.regs[in->sz] = (s.regs[in->sz] & 0xffff0000u) | (v[in->a] & 0xffff); break;
        case Op::SetReg8:
          if (in->sz < 4)
            s.regs[in->sz] = (s.regs[in->sz] & 0xffffff00u) | (v[in->a] & 0xff);
          else
            s.regs[in->sz - 4] = (s.regs[in->sz - 4] & 0xffff00ffu) | ((v[in->a] & 0xff) << 8);
          break;
        case Op::GetSegSel: v[in->dst] = s.seg[in->sz].sel; break;
        case Op::GetSegBase: v[in->dst] = s.seg[in->sz].base; break;
        case Op::SetCc:
          s.cc_op = in->imm;
          s.cc_src1 = v[in->a];
          s.cc_src2 = v[in->b];
          s.cc_res = v[in->c];
          break;
        case Op::GetCF: v[in->dst] = cpu::carry_flag(s); break;
        case Op::Cond: v[in->dst] = cpu::eval_cond(s, in->sz); break;
        case Op::GetFlags: v[in->dst] = cpu::read_eflags(s); break;
        case Op::SetFlags: cpu::write_eflags(s, v[in->a], in->imm); break;
        case Op::Add: v[in->dst] = v[in->a] + v[in->b]; break;
        case Op::Sub: v[in->dst] = v[in->a] - v[in->b]; break;
        case Op::And: v[in->dst] = v[in->a] & v[in->b]; break;
        case Op::Or: v[in->dst] = v[in->a] | v[in->b]; break;
        case Op::Xor: v[in->dst] = v[in->a] ^ v[in->b]; break;
        case Op::Shl: v[in->dst] = v[in->a] << (v[in->b] & 31); break;
        case Op::Shr: v[in->dst] = v[in->a] >> (v[in->b] & 31); break;
        case Op::Sar: v[in->dst] = uint32_t(int32_t(v[in->a]) >> (v[in->b] & 31)); break;
        case Op::Mul: v[in->dst] = v[in->a] * v[in->b]; break;
        case Op::MulHiU: v[in->dst] = uint32_t((uint64_t(v[in->a]) * v[in->b]) >> 32); break;
        case Op::MulHiS:
          v[in->dst] = uint32_t(uint64_t(int64_t(int32_t(v[in->a])) * int32_t(v[in->b])) >> 32);
          break;
        case Op::Not: v[in->dst] = ~v[in->a]; break;
        case Op::Neg: v[in->dst] = 0u - v[in->a]; break;
        case Op::Sext8: v[in->dst] = uint32_t(int32_t(int8_t(v[in->a]))); break;
        case Op::Sext16: v[in->dst] = uint32_t(int32_t(int16_t(v[in->a]))); break;
        case Op::Zext8: v[in->dst] = v[in->a] & 0xff; break;
        case Op::Zext16: v[in->dst] = v[in->a] & 0xffff; break;
        case Op::Eq: v[in->dst] = v[in->a] == v[in->b]; break;
        case Op::Ne: v[in->dst] = v[in->a] != v[in->b]; break;
        case Op::LtU: v[in->dst] = v[in->a] < v[in->b]; break;
        case Op::Select: v[in->dst] = v[in->a] ? v[in->b] : v[in->c]; break;
        case Op::Bswap: v[in->dst] = __builtin_bswap32(v[in->a]); break;
        case Op::Load:
          switch (in->sz) {
            case 1: v[in->dst] = cpu.load<1>(in->imm, v[in->a]); break;
            case 2: v[in->dst] = cpu.load<2>(in->imm, v[in->a]); break;
            default: v[in->dst] = cpu.load<4>(in->imm, v[in->a]); break;
          }
          break;
        case Op::Store:
          switch (in->sz) {
            case 1: cpu.store<1>(in->imm, v[in->a], v[in->b]); break;
            case 2: cpu.store<2>(in->imm, v[in->a], v[in->b]); break;
            default: cpu.store<4>(in->imm, v[in->a], v[in->b]); break;
          }
          break;
        case Op::Call:
          v[in->dst] = cpu::helper_info(in->imm).fn(cpu, v[in->a], v[in->b], v[in->c], in->sz);
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
