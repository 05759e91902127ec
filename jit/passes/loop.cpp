// Loop blocks. A block whose final exit jumps back to its own first instruction is a loop
// (the inner loops of most programs). Chained, each iteration would enter the block again and
// read the guest registers from CpuState that the last iteration has just written there; a
// loop block instead keeps the registers it reads in host registers across iterations. This
// pass moves the reads that see the iteration's starting values (a GetReg32 before any helper
// call and before any write of its register) to the front of the block and records, for each,
// which temp holds the value the next iteration starts with. A backend that takes the loop
// jumps back to just after those reads; the exits still write every register, so CpuState is
// exact wherever the block is left.
#include <algorithm>
#include <array>
#include <optional>

#include "cpu/state.h"

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

ir::Inst reg_write(Op op, unsigned r, ir::Temp value) {
  ir::Inst w{};
  w.op = op;
  w.sz = uint8_t(r);
  w.a = value;
  return w;
}

// Whether the flag record an iteration starts with is never observed: the block sets flags of
// its own (a SetCc or SyncCc, which defer_state_writes places where the pending record is first
// needed) before anything could look at them.
bool flags_dead_at_head(const ir::Block& b) {
  for (size_t i = b.loop_head_ops; i < b.insts.size(); i++) {
    const ir::Inst& in = b.insts[i];
    if (in.op == Op::SetCc || in.op == Op::SyncCc) return true;
    if (takes_syncs(in) || in.op == Op::Call || in.op == Op::Jmp || in.op == Op::JmpInd || in.op == Op::GetCF ||
        in.op == Op::Cond || in.op == Op::GetFlags || in.op == Op::SetFlags)
      return false;
  }
  return false;
}

// The jump back of a loop block need not write the registers it carries in host registers, nor
// a flag record the next iteration overwrites before anything reads it: only the exits do. So
// the final writes of those move to the exit path (after the branch back), and sync ops before
// the branch give them to the one way out of the jump back, its budget check. In exchange,
// CpuState holds an older value of such a register until the iteration writes it, so every
// point that may observe it first gets the iteration's starting value (the head temp): a sync
// op in each sync group, a write before helper calls, exits and partial accesses.
void defer_back_edge_writes(ir::Block& b, uint32_t eip) {
  const size_t n = b.insts.size();
  const bool cond = n >= 2 && b.insts[n - 2].op == Op::BranchIf && b.insts[n - 2].imm == eip &&
                    b.insts[n - 1].op == Op::Jmp && b.insts[n - 1].imm != eip;
  const bool uncond = !cond && b.insts[n - 1].op == Op::Jmp && b.insts[n - 1].imm == eip;
  if (!cond && !uncond) return;
  std::array<bool, 8> carried{};
  std::array<ir::Temp, 8> head{}, next{};
  for (const ir::LoopReg& lr : b.loop) {
    if (lr.reg == ir::kLoopCarryFlag || lr.how != ir::LoopReg::Next::Temp || lr.next == lr.head) continue;
    carried[lr.reg] = true;
    head[lr.reg] = lr.head;
    next[lr.reg] = lr.next;
  }
  const bool flags_dead = flags_dead_at_head(b);
  // The final group of writes: what defer_state_writes put before the branch back.
  const size_t branch = cond ? n - 2 : n - 1;
  size_t group = branch;
  while (group > b.loop_head_ops && (b.insts[group - 1].op == Op::SetReg32 || b.insts[group - 1].op == Op::SetCc))
    group--;
  std::vector<ir::Inst> out(b.insts.begin(), b.insts.begin() + b.loop_head_ops);
  out.reserve(n + 16);
  std::array<bool, 8> stale = carried;
  auto write_stale = [&](unsigned r) {
    if (!stale[r]) return;
    out.push_back(reg_write(Op::SetReg32, r, head[r]));
    stale[r] = false;
  };
  for (size_t i = b.loop_head_ops; i < group; i++) {
    const ir::Inst& in = b.insts[i];
    switch (in.op) {
      case Op::SetReg32:
      case Op::SyncReg: stale[in.sz] = false; break;  // a newer value: the head's is gone
      case Op::GetReg32:
      case Op::GetReg16:
      case Op::SetReg16: write_stale(in.sz); break;
      case Op::GetReg8:
      case Op::SetReg8: write_stale(in.sz < 4 ? in.sz : in.sz - 4u); break;
      case Op::Call:
      case Op::Jmp:
      case Op::JmpInd:
        for (unsigned r = 0; r < 8; r++) write_stale(r);
        break;
      default:
        if (takes_syncs(in))
          for (unsigned r = 0; r < 8; r++)
            if (stale[r])
              out.push_back(reg_write(Op::SyncReg, r, head[r]));
        break;
    }
    out.push_back(in);
  }
  std::vector<ir::Inst> exit_writes;
  for (size_t i = group; i < branch; i++) {
    ir::Inst in = b.insts[i];
    if (in.op == Op::SetReg32) stale[in.sz] = false;
    const bool deferred = in.op == Op::SetReg32 ? carried[in.sz] && in.a == next[in.sz] : flags_dead;
    if (!deferred) {
      out.push_back(in);
      continue;
    }
    exit_writes.push_back(in);
    in.op = in.op == Op::SetReg32 ? Op::SyncReg : Op::SyncCc;
    out.push_back(in);
  }
  for (unsigned r = 0; r < 8; r++)
    if (stale[r]) {  // not written by this iteration (cannot happen for a carried register, but cheap)
      out.push_back(reg_write(Op::SyncReg, r, head[r]));
      exit_writes.push_back(reg_write(Op::SetReg32, r, head[r]));
    }
  out.push_back(b.insts[branch]);
  if (cond) {
    out.insert(out.end(), exit_writes.begin(), exit_writes.end());
    out.push_back(b.insts[n - 1]);
  }
  b.insts.swap(out);
}

ir::Temp new_temp(ir::Block& b, bool is_const = false, uint32_t value = 0) {
  b.values.push_back(value);
  b.is_const.push_back(is_const);
  return ir::Temp(b.values.size() - 1);
}

// CF carried from one iteration to the next (ir::kLoopCarryFlag): INC and DEC keep CF, so a
// loop counted with them read CF from CpuState every iteration, and with it every iteration
// had to write its flag record there. Possible when the block reads CF (GetCF) before it writes
// any flags and writes them only with flag records (no SetFlags, no helper calls), the last of
// a kind whose CF follows from its operands (cpu::carry_flag). Returns the GetCF op's index
// and the IR computing the next iteration's CF, to go where its operands are all defined.
struct CarryPlan {
  size_t get_cf = 0;
  ir::Temp next = ir::kNoTemp;
  std::vector<ir::Inst> ops;
  size_t insert_at = 0;
};

std::optional<CarryPlan> plan_carry(ir::Block& b) {
  std::optional<size_t> get_cf;
  bool flags_written = false;
  size_t last_record = 0;
  for (size_t i = 0; i < b.insts.size(); i++) {
    const ir::Inst& in = b.insts[i];
    if (in.op == Op::Call || in.op == Op::SetFlags) return std::nullopt;
    if (in.op == Op::GetCF) {
      if (flags_written || get_cf) return std::nullopt;  // only the iteration's starting CF, once
      get_cf = i;
    }
    if (in.op == Op::SetCc || in.op == Op::SyncCc) flags_written = true;
    if (in.op == Op::SetCc) last_record = i;
  }
  if (!get_cf || !flags_written || b.insts[last_record].op != Op::SetCc) return std::nullopt;
  const ir::Inst rec = b.insts[last_record];
  CarryPlan plan;
  plan.get_cf = *get_cf;
  const unsigned bits = cpu::cc_bits(rec.imm);
  auto op = [&](Op o, ir::Temp x, ir::Temp y = ir::kNoTemp) {
    ir::Inst in{o, 0, new_temp(b), x, y, ir::kNoTemp, 0, 0};
    plan.ops.push_back(in);
    return in.dst;
  };
  // The carry out of a + b = r and the borrow of a - b = r at the operand's top bit.
  auto top_bit = [&](ir::Temp v) { return op(Op::And, op(Op::Shr, v, new_temp(b, true, bits - 1)), new_temp(b, true, 1)); };
  switch (cpu::cc_kind(rec.imm)) {
    case cpu::CcKind::Logic: plan.next = ir::kNoTemp; break;  // the constant 0
    case cpu::CcKind::Inc:
    case cpu::CcKind::Dec: plan.next = rec.b; break;
    case cpu::CcKind::Sub:
      if (bits == 32) {
        plan.next = op(Op::LtU, rec.a, rec.b);
        break;
      }
      [[fallthrough]];
    case cpu::CcKind::Sbb: {  // ~a & b | (~a | b) & r
      const ir::Temp na = op(Op::Not, rec.a);
      plan.next = top_bit(op(Op::Or, op(Op::And, na, rec.b), op(Op::And, op(Op::Or, na, rec.b), rec.c)));
      break;
    }
    case cpu::CcKind::Add: {  // a & b | (a | b) & ~r
      const ir::Temp nr = op(Op::Not, rec.c);
      plan.next = top_bit(op(Op::Or, op(Op::And, rec.a, rec.b), op(Op::And, op(Op::Or, rec.a, rec.b), nr)));
      break;
    }
    default: return std::nullopt;
  }
  // After the ops defining the record's operands.
  for (size_t i = 0; i < last_record; i++) {
    const ir::Inst& in = b.insts[i];
    if ((ir::info(in.op).flags & ir::kHasDst) && (in.dst == rec.a || in.dst == rec.b || in.dst == rec.c))
      plan.insert_at = std::max(plan.insert_at, i + 1);
  }
  plan.insert_at = std::max(plan.insert_at, *get_cf + 1);
  return plan;
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
  std::optional<CarryPlan> carry = plan_carry(b);
  if (heads.empty() && !carry) return;
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
  if (carry) {
    ir::LoopReg lr{ir::kLoopCarryFlag, b.insts[carry->get_cf].dst};
    lr.how = carry->next == lr.head ? ir::LoopReg::Next::Same : ir::LoopReg::Next::Temp;
    lr.next = carry->next;
    b.loop.push_back(lr);
    heads.insert(std::upper_bound(heads.begin(), heads.end(), carry->get_cf), carry->get_cf);
  }
  // The reads go first, in their order; everything else keeps its order (and the next CF is
  // computed once its operands are).
  std::vector<ir::Inst> out;
  out.reserve(b.insts.size() + (carry ? carry->ops.size() : 0));
  for (size_t i : heads) out.push_back(b.insts[i]);
  size_t k = 0;
  for (size_t i = 0; i < b.insts.size(); i++) {
    if (carry && i == carry->insert_at) out.insert(out.end(), carry->ops.begin(), carry->ops.end());
    if (k < heads.size() && heads[k] == i) {
      k++;
      continue;
    }
    out.push_back(b.insts[i]);
  }
  b.insts.swap(out);
  b.loop_head_ops = uint32_t(heads.size());
  defer_back_edge_writes(b, eip);
}

}  // namespace jit::passes
