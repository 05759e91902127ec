// Deferred guest-state writes. Within a block, register writes and flag records need to reach
// CpuState only where something can observe them: a helper call, a flag read in C++, a block
// exit — and, rarely, a fault or exit on the out-of-line path of a memory access or an exit
// check, or the taken path of a side exit (a conditional branch the block goes on past). This
// pass keeps each register's and the flag record's latest value pending and writes it at the
// first of those: as SetReg32/SetCc before helper calls and exits (an overwritten pending value
// is never written), and as SyncReg/SyncCc groups before memory accesses, exit checks and side
// exits, which backends perform only on those ops' out-of-line paths. The fast path writes
// nothing.
#include <array>

#include "jit/passes/passes.h"
#include "jit/passes/rewriter.h"

namespace jit::passes {

using ir::Op;
using ir::Temp;

namespace {

bool final_jump_follows(const std::vector<ir::Inst>& insts, size_t i) {
  while (++i < insts.size() && insts[i].op == Op::Nop) {
  }
  return i < insts.size() && insts[i].op == Op::Jmp;
}

}  // namespace

void defer_state_writes(ir::Block& b) {
  Rewriter rw(b);
  std::array<Temp, 8> reg{};
  std::array<bool, 8> pending{};
  ir::Inst cc{};
  bool cc_pending = false;
  // Writes pending state: real writes (which end the pending state) or syncs (which keep it).
  auto write_reg = [&](unsigned r, bool sync) {
    if (!pending[r]) return;
    rw.emit(sync ? Op::SyncReg : Op::SetReg32, reg[r], 0, 0, uint8_t(r));
    if (!sync) pending[r] = false;
  };
  auto write_cc = [&](bool sync) {
    if (!cc_pending) return;
    rw.emit(sync ? Op::SyncCc : Op::SetCc, cc.a, cc.b, cc.c, 0, cc.imm);
    if (!sync) cc_pending = false;
  };
  auto write_all = [&](bool sync) {
    for (unsigned r = 0; r < 8; r++) write_reg(r, sync);
    write_cc(sync);
  };
  for (size_t i = 0; i < rw.input().size(); i++) {
    const ir::Inst in = rw.read(i);
    switch (in.op) {
      case Op::SetReg32:
        reg[in.sz] = in.a;
        pending[in.sz] = true;
        continue;
      case Op::SetCc:
        cc = in;
        cc_pending = true;
        continue;
      case Op::SetReg16:
      case Op::GetReg32:
      case Op::GetReg16: write_reg(in.sz, false); break;
      case Op::SetReg8:
      case Op::GetReg8: write_reg(in.sz < 4 ? in.sz : in.sz - 4u, false); break;
      case Op::GetCF:
      case Op::Cond:
      case Op::GetFlags:
      case Op::SetFlags: write_cc(false); break;
      case Op::Load:
      case Op::Store: write_all(true); break;
      case Op::InsnStart:
        if (checks_exit(in)) write_all(true);
        break;
      case Op::BranchIf:
        // A side exit (the block goes on when it is not taken) syncs on its taken path only;
        // a branch right before the block's final jump writes for both exits.
        write_all(!final_jump_follows(rw.input(), i));
        break;
      case Op::Call:
      case Op::Jmp:
      case Op::JmpInd: write_all(false); break;
      default: break;
    }
    rw.keep(in);
  }
}


void sink_sync_results(ir::Block& b) {
  std::vector<uint32_t> uses(b.values.size(), 0);  // reads other than as a SyncCc result
  std::vector<int32_t> def(b.values.size(), -1);
  for (size_t i = 0; i < b.insts.size(); i++) {
    const ir::Inst& in = b.insts[i];
    const uint16_t f = ir::info(in.op).flags;
    if (f & ir::kHasDst) def[in.dst] = int32_t(i);
    if (f & ir::kUsesA) uses[in.a]++;
    if (f & ir::kUsesB) uses[in.b]++;
    if ((f & ir::kUsesC) && in.op != Op::SyncCc) uses[in.c]++;
  }
  for (ir::Inst& in : b.insts) {
    if (in.op != Op::SyncCc || !in.c || b.is_const[in.c] || uses[in.c] || def[in.c] < 0) continue;
    const ir::Inst& d = b.insts[size_t(def[in.c])];
    if ((d.op != Op::Add && d.op != Op::Sub) || d.a != in.a || d.b != in.b) continue;
    in.sz = d.op == Op::Add ? kSyncResAdd : kSyncResSub;
    in.c = ir::kNoTemp;
  }
}

}  // namespace jit::passes
