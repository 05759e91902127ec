#include "jit/backend/regalloc.h"

#include <algorithm>

namespace jit {

Allocation allocate_registers(const ir::Block& block, const RegisterFile& regs) {
  const size_t ntemps = block.values.size();
  const auto& insts = block.insts;
  constexpr uint32_t kUnset = UINT32_MAX;
  Allocation al;
  al.loc.assign(ntemps, Location{});
  al.def.assign(ntemps, kUnset);
  al.last.assign(ntemps, 0);
  std::vector<uint32_t> calls_before(insts.size() + 1, 0);  // ops calling out before index i
  // Temps read only by sync groups, i.e. only on slow paths (jit/passes: defer_state_writes).
  std::vector<bool> sync_only(ntemps, true);
  for (uint32_t i = 0; i < insts.size(); i++) {
    const ir::Inst& in = insts[i];
    const uint16_t f = ir::info(in.op).flags;
    const bool sync = in.op == ir::Op::SyncReg || in.op == ir::Op::SyncCc;
    if (f & ir::kUsesA) al.last[in.a] = i, sync_only[in.a] = sync_only[in.a] && sync;
    if (f & ir::kUsesB) al.last[in.b] = i, sync_only[in.b] = sync_only[in.b] && sync;
    if (f & ir::kUsesC) al.last[in.c] = i, sync_only[in.c] = sync_only[in.c] && sync;
    if (f & ir::kHasDst) al.def[in.dst] = al.last[in.dst] = i;
    calls_before[i + 1] = calls_before[i] + (regs.calls_out && regs.calls_out(in) ? 1 : 0);
  }
  for (size_t t = 0; t < ntemps; t++)
    if (block.is_const[t]) al.loc[t].kind = Location::Const;
  // A loop block's carried registers stay where they are for the whole block: the jump back
  // moves each next value into its head's register (jit/passes/loop.cpp).
  for (const ir::LoopReg& lr : block.loop) {
    al.last[lr.head] = uint32_t(insts.size());
    if (lr.how == ir::LoopReg::Next::Temp && !block.is_const[lr.next]) al.last[lr.next] = uint32_t(insts.size());
  }

  std::vector<uint8_t> free_caller(regs.caller_saved.rbegin(), regs.caller_saved.rend());
  std::vector<uint8_t> free_callee(regs.callee_saved.rbegin(), regs.callee_saved.rend());
  std::vector<uint16_t> free_slots;
  auto release = [&](ir::Temp t) {
    Location& l = al.loc[t];
    if (l.kind == Location::Reg) {
      const bool callee = std::find(regs.callee_saved.begin(), regs.callee_saved.end(), l.reg) != regs.callee_saved.end();
      (callee ? free_callee : free_caller).push_back(l.reg);
    } else if (l.kind == Location::Spill) {
      free_slots.push_back(l.slot);
    }
  };
  for (uint32_t i = 0; i < insts.size(); i++) {
    const ir::Inst& in = insts[i];
    const uint16_t f = ir::info(in.op).flags;
    // Operands read for the last time free their registers first, so the result may take one.
    const ir::Temp uses[3] = {ir::Temp(f & ir::kUsesA ? in.a : 0), ir::Temp(f & ir::kUsesB ? in.b : 0),
                              ir::Temp(f & ir::kUsesC ? in.c : 0)};
    for (int k = 0; k < 3; k++) {
      const ir::Temp t = uses[k];
      if (!t || al.loc[t].kind == Location::Const || al.last[t] != i) continue;
      if (std::find(uses, uses + k, t) != uses + k) continue;  // the same temp twice
      release(t);
    }
    if (!(f & ir::kHasDst)) continue;
    const ir::Temp d = in.dst;
    const bool crosses = calls_before[al.last[d]] > calls_before[i + 1];
    std::vector<uint8_t>& first = crosses ? free_callee : free_caller;
    std::vector<uint8_t>& second = crosses ? free_caller : free_callee;
    Location& l = al.loc[d];
    // A temp live across a call may sit in a caller-saved register: the backend saves it there.
    std::vector<uint8_t>* pool = !first.empty() ? &first : !second.empty() ? &second : nullptr;
    // When registers run short, one that only slow paths read waits in a spill slot: a store on
    // the fast path instead of a register held for the rest of the block.
    constexpr size_t kFewRegisters = 6;
    if (sync_only[d] && al.last[d] > i && first.size() + second.size() < kFewRegisters) pool = nullptr;
    if (pool) {
      l = Location{Location::Reg, pool->back(), 0};
      pool->pop_back();
    } else if (!free_slots.empty()) {
      l = Location{Location::Spill, 0, free_slots.back()};
      free_slots.pop_back();
    } else {
      l = Location{Location::Spill, 0, uint16_t(al.spill_slots++)};
    }
    if (al.last[d] == i) release(d);  // never read: the register is free again after this op
  }
  return al;
}

}  // namespace jit
