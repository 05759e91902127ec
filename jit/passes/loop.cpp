// Loop blocks. A block whose final exit jumps back to its own first instruction is a loop
// (the inner loops of most programs). Chained, each iteration would enter the block again and
// read the guest registers from CpuState that the last iteration has just written there; a
// loop block instead keeps the registers it reads in host registers across iterations. This
// pass moves the reads that see the iteration's starting values (a GetReg32 before any helper
// call and before any write of its register) to the front of the block and records, for each,
// which temp holds the value the next iteration starts with. A backend that takes the loop
// jumps back to just after those reads; the exits still write every register, so CpuState is
// exact wherever the block is left.
#include <array>

#include "jit/passes/passes.h"

namespace jit::passes {

using ir::Op;

namespace {

unsigned written_reg(const ir::Inst& in) {
  switch (in.op) {
    case Op::SetReg32:
    case Op::SetReg16: return in.sz;
    case Op::SetReg8: return in.sz < 4 ? in.sz : in.sz - 4u;
    default: return 8;  // none
  }
}

bool jumps_back(const ir::Block& b, uint32_t eip) {
  const size_t n = b.insts.size();
  if (n == 0 || b.insts[n - 1].op != Op::Jmp) return false;
  if (b.insts[n - 1].imm == eip) return true;
  return n >= 2 && b.insts[n - 2].op == Op::BranchIf && b.insts[n - 2].imm == eip;
}

}  // namespace

void prepare_loop(ir::Block& b, uint32_t eip) {
  b.loop.clear();
  b.loop_head_ops = 0;
  if (!jumps_back(b, eip)) return;
  std::array<bool, 8> written{};
  bool called = false;
  std::vector<size_t> heads;
  for (size_t i = 0; i < b.insts.size(); i++) {
    const ir::Inst& in = b.insts[i];
    if (in.op == Op::GetReg32 && !called && !written[in.sz]) heads.push_back(i);
    if (in.op == Op::Call) called = true;
    if (const unsigned r = written_reg(in); r < 8) written[r] = true;
  }
  if (heads.empty()) return;
  for (size_t i : heads) {
    const ir::Inst& h = b.insts[i];
    ir::LoopReg lr{h.sz, h.dst};
    // The last change of the register decides what the next iteration starts with.
    for (size_t j = b.insts.size(); j-- > 0;) {
      const ir::Inst& in = b.insts[j];
      if (in.op == Op::SetReg32 && in.sz == h.sz) {
        lr.how = ir::LoopReg::Next::Temp;
        lr.next = in.a;
        break;
      }
      if (in.op == Op::Call || written_reg(in) == h.sz) {
        lr.how = ir::LoopReg::Next::Reload;
        break;
      }
    }
    b.loop.push_back(lr);
  }
  // The reads go first, in their order; everything else keeps its order.
  std::vector<ir::Inst> out;
  out.reserve(b.insts.size());
  for (size_t i : heads) out.push_back(b.insts[i]);
  size_t k = 0;
  for (size_t i = 0; i < b.insts.size(); i++) {
    if (k < heads.size() && heads[k] == i) {
      k++;
      continue;
    }
    out.push_back(b.insts[i]);
  }
  b.insts.swap(out);
  b.loop_head_ops = uint32_t(heads.size());
}

}  // namespace jit::passes
