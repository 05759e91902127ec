#include "jit/backend/x64/compiler.h"

#include <array>
#include <utility>

#include "jit/passes/passes.h"

namespace jit::x64 {

using asmjit::Imm;
using asmjit::Label;
using ir::Op;
using ir::Temp;

namespace {

template <size_t... I>
constexpr std::array<EmitFn, sizeof...(I)> make_table(std::index_sequence<I...>) {
  return {&emit<Op(I)>...};
}
// The backend dispatches on this table, built from ir::kOpTable's order (DESIGN.md "Declare once").
constexpr auto kEmitters = make_table(std::make_index_sequence<size_t(Op::kCount)>());

constexpr bool is_caller_saved(uint8_t r) { return r == 6 || r == 7 || (r >= 8 && r <= 11) || r <= 2; }

}  // namespace

Compiler::Compiler(x86::Assembler& a, const ir::Block& blk, const BlockFacts& facts, const Allocation& al,
                   const Env& env, uintptr_t base, CompileScratch& scratch)
    : a(a),
      blk(blk),
      facts(facts),
      al(al),
      env(env),
      base_(base),
      cold_(scratch.cold),
      fixups_(scratch.fixups) {
  cold_.clear();
  fixups_.clear();
}

asmjit::Operand Compiler::operand(Temp t) const {
  switch (loc(t).kind) {
    case Location::Const: return Imm(int32_t(value(t)));
    case Location::Reg: return reg(t);
    default: return spill_mem(t);
  }
}

x86::Gpd Compiler::use(Temp t, x86::Gpd scratch) {
  if (in_reg(t)) return reg(t);
  load_into(scratch, t);
  return scratch;
}

void Compiler::load_into(x86::Gpd r, Temp t) {
  switch (loc(t).kind) {
    case Location::Const:
      if (value(t) == 0)
        a.xor_(r, r);
      else
        a.mov(r, Imm(value(t)));
      break;
    case Location::Reg:
      if (reg(t) != r) a.mov(r, reg(t));
      break;
    default: a.mov(r, spill_mem(t)); break;
  }
}

void Compiler::store_to(const x86::Mem& m, Temp t) {
  x86::Mem d = m;
  d.setSize(4);
  switch (loc(t).kind) {
    case Location::Const: a.mov(d, Imm(int32_t(value(t)))); break;
    case Location::Reg: a.mov(d, reg(t)); break;
    default:
      a.mov(x86::eax, spill_mem(t));
      a.mov(d, x86::eax);
      break;
  }
}

void Compiler::finish(Temp t, x86::Gpd r) {
  if (!in_reg(t)) a.mov(spill_mem(t), r);
}

void Compiler::save_live() {
  al.for_each_live_across(op_index, [&](Temp, const Location& l) {
    if (is_caller_saved(l.reg)) a.mov(x86::qword_ptr(x86::rsp, kFrameRegSave + 8 * l.reg), x86::gpq(l.reg));
  });
}

void Compiler::restore_live() {
  al.for_each_live_across(op_index, [&](Temp, const Location& l) {
    if (is_caller_saved(l.reg)) a.mov(x86::gpq(l.reg), x86::qword_ptr(x86::rsp, kFrameRegSave + 8 * l.reg));
  });
}

void Compiler::call(const void* fn) {
  a.mov(x86::rax, Imm(reinterpret_cast<uint64_t>(fn)));
  a.call(x86::rax);
}

void Compiler::pass_args(std::initializer_list<std::pair<Temp, std::optional<uint32_t>>> args) {
  static constexpr x86::Gpd kArgRegs[] = {x86::esi, x86::edx, x86::ecx, x86::r8d};
  // Straight into the argument registers, each written only once no other argument still needs
  // the temp it holds; a cycle (rare) stages every value in the frame first.
  std::vector<std::pair<unsigned, std::pair<Temp, std::optional<uint32_t>>>> pending;
  unsigned n = 0;
  for (const auto& arg : args) pending.emplace_back(n++, arg);
  auto reads = [&](const std::pair<Temp, std::optional<uint32_t>>& arg, unsigned j) {
    return !arg.second && in_reg(arg.first) && reg(arg.first).id() == kArgRegs[j].id();
  };
  std::vector<size_t> order;
  std::vector<bool> done(pending.size());
  for (size_t step = 0; step < pending.size(); step++) {
    size_t pick = pending.size();
    for (size_t p = 0; p < pending.size() && pick == pending.size(); p++) {
      if (done[p]) continue;
      bool needed = false;
      for (size_t q = 0; q < pending.size(); q++)
        if (q != p && !done[q] && reads(pending[q].second, pending[p].first)) needed = true;
      if (!needed) pick = p;
    }
    if (pick == pending.size()) break;
    done[pick] = true;
    order.push_back(pick);
  }
  if (order.size() == pending.size()) {
    for (size_t p : order) {
      const auto& [j, arg] = pending[p];
      if (arg.second)
        a.mov(kArgRegs[j], Imm(*arg.second));
      else
        load_into(kArgRegs[j], arg.first);
    }
    return;
  }
  unsigned i = 0;
  for (const auto& [t, k] : args) {
    const x86::Mem slot = x86::dword_ptr(x86::rsp, kFrameArgs + 8 * int32_t(i++));
    if (k)
      a.mov(slot, Imm(*k));
    else
      store_to(slot, t);
  }
  for (unsigned j = 0; j < i; j++) a.mov(kArgRegs[j], x86::dword_ptr(x86::rsp, kFrameArgs + 8 * int32_t(j)));
}

void Compiler::call_stub(uintptr_t stub) {
  a.db(0xe8);
  fixups_.push_back(Fixup{a.offset(), stub, false});
  a.dd(0);
}

void Compiler::emit_rel32_jump(uintptr_t target, bool to_label_offset) {
  a.db(0xe9);
  fixups_.push_back(Fixup{a.offset(), target, to_label_offset});
  a.dd(0);
}

void Compiler::jump_to_engine() { emit_rel32_jump(env.epilogue); }

void Compiler::exit_to(uint32_t eip, uint32_t count, bool counted, bool may_chain) {
  if (loop_ && may_chain && eip == facts.eip && op_index + 1 == blk.insts.size()) return jump_back(count, counted);
  if (count && !counted) a.add(state(offsetof(cpu::CpuState, icount), 8), Imm(count));
  const uint32_t lin = facts.cs_base + eip;
  if (may_chain && facts.chainable && (lin & ~0xfffu) == (facts.lin & ~0xfffu)) {
    // A patchable jump, first to a stub that asks the engine to link it (DESIGN.md §5: direct
    // jumps within the page chain).
    Label stub = a.newLabel();
    a.db(0xe9);
    const size_t site = a.offset();
    fixups_.push_back(Fixup{site, stub.id(), true});
    a.dd(0);
    cold([this, stub, eip, site] {
      a.bind(stub);
      a.mov(state(offsetof(cpu::CpuState, eip)), Imm(eip));
      call_stub(env.chain_stub);
      a.dd(uint32_t(int32_t(site) - int32_t(a.offset())));
    });
    return;
  }
  // A direct jump to another page cannot be patched (the page may be mapped elsewhere next
  // time), but the jump cache knows whether the target is what it was.
  if (may_chain && facts.chainable) {
    a.mov(state(offsetof(cpu::CpuState, eip)), Imm(eip));
    return leave_through_cache();
  }
  leave_at(eip);
}

void Compiler::leave_at(uint32_t eip) {
  a.mov(x86::eax, Imm(eip));
  emit_rel32_jump(env.leave_at);
}

void Compiler::leave_through_cache() {
  a.mov(x86::rdx, Imm(uint64_t(facts.mode_bits) << 32 | facts.cs_base));
  emit_rel32_jump(env.probe);
}

void Compiler::jump_back(uint32_t count, bool counted) {
  // CpuState holds every register and the flag record except what the sync ops before the
  // branch give (passes::defer_back_edge_writes): leaving from here writes those and EIP.
  if (count && !counted) a.add(state(offsetof(cpu::CpuState, icount), 8), Imm(count));
  check_budget();
  move_loop_registers();
  a.jmp(loop_head_);
}

void Compiler::check_budget() {
  // Leave (to run this block from the engine) when the whole block would pass the instruction
  // limit, so the engine runs what remains precisely, or when an exit was requested
  // (cpu::request_exit zeroes the limit).
  Label out = a.newLabel();
  a.mov(x86::rax, state(offsetof(cpu::CpuState, icount), 8));
  a.add(x86::rax, Imm(blk.guest_insns));
  a.cmp(x86::rax, state(offsetof(cpu::CpuState, icount_limit), 8));
  a.ja(out);
  cold([this, out] {
    a.bind(out);
    emit_syncs();  // a jump back's deferred writes (none at the block entry)
    leave_at(facts.eip);
  });
}

void Compiler::move_loop_registers() {
  struct Move {
    uint8_t dst;
    Temp src;
    uint8_t guest;
  };
  std::vector<Move> moves, reloads;
  for (const ir::LoopReg& lr : blk.loop) {
    const uint8_t d = loc(lr.head).reg;
    if (lr.how == ir::LoopReg::Next::Reload)
      reloads.push_back(Move{d, ir::kNoTemp, lr.reg});
    else if (lr.how == ir::LoopReg::Next::Temp && lr.next != lr.head)
      moves.push_back(Move{d, lr.next, lr.reg});
  }
  auto guest_reg = [this](const Move& m) { return state(offsetof(cpu::CpuState, regs) + 4 * m.guest); };
  // In an order that reads each source register before it is overwritten; a cycle (XCHG) is
  // broken by reading one next value back from CpuState, where the exit has just written it.
  while (!moves.empty()) {
    size_t pick = 0;
    for (; pick < moves.size(); pick++) {
      bool read_later = false;
      for (size_t j = 0; j < moves.size(); j++)
        if (j != pick && in_reg(moves[j].src) && loc(moves[j].src).reg == moves[pick].dst) read_later = true;
      if (!read_later) break;
    }
    if (pick == moves.size()) {
      // CF is never in a cycle: its next value is a temp of its own (passes::prepare_loop).
      size_t r = 0;
      while (moves[r].guest == ir::kLoopCarryFlag) r++;
      a.mov(x86::gpd(moves[r].dst), guest_reg(moves[r]));
      moves.erase(moves.begin() + ptrdiff_t(r));
      continue;
    }
    load_into(x86::gpd(moves[pick].dst), moves[pick].src);
    moves.erase(moves.begin() + ptrdiff_t(pick));
  }
  for (const Move& m : reloads) a.mov(x86::gpd(m.dst), guest_reg(m));
}

bool Compiler::next_op_can_fuse(Temp dst) const {
  // State writes may stand between (defer_state_writes puts them before exits): they define
  // no temps, so the compare's operands keep their registers, and their movs keep the flags.
  size_t i = op_index + 1;
  while (i < blk.insts.size() && (blk.insts[i].op == Op::SetReg32 || blk.insts[i].op == Op::SetCc ||
                                  blk.insts[i].op == Op::SyncReg || blk.insts[i].op == Op::SyncCc))
    i++;
  if (i >= blk.insts.size() || al.last[dst] != i) return false;
  const ir::Inst& next = blk.insts[i];
  return (next.op == Op::BranchIf && next.a == dst) ||
         (next.op == Op::Select && next.a == dst && next.b != dst && next.c != dst);
}

uint8_t Compiler::emit_compare(const Fused& f) {
  if (is_const(f.a)) {
    // cmp needs the first operand in a register or memory.
    load_into(x86::eax, f.a);
    a.emit(x86::Inst::kIdCmp, x86::eax, operand(f.b));
  } else if (!in_reg(f.a) && !in_reg(f.b) && !is_const(f.b)) {
    load_into(x86::eax, f.a);
    a.emit(x86::Inst::kIdCmp, x86::eax, operand(f.b));
  } else {
    a.emit(x86::Inst::kIdCmp, operand(f.a), operand(f.b));
  }
  return f.cc;
}

bool Compiler::sync_deferred() const {
  for (size_t i = op_index + 1; i < blk.insts.size(); i++) {
    const ir::Inst& in = blk.insts[i];
    if (in.op != Op::SyncReg && in.op != Op::SyncCc) return passes::takes_syncs(in);
  }
  return false;
}

void Compiler::emit_syncs() {
  size_t first = op_index;
  while (first > 0 && (blk.insts[first - 1].op == Op::SyncReg || blk.insts[first - 1].op == Op::SyncCc)) first--;
  for (size_t i = first; i < op_index; i++) {
    const ir::Inst& in = blk.insts[i];
    if (in.op == Op::SyncReg)
      write_reg(in);
    else
      write_cc(in);
  }
}

void Compiler::exit_after_slow_path() {
  size_t next = op_index + 1;
  while (next < blk.insts.size() && blk.insts[next].op != Op::InsnStart) next++;
  if (next == blk.insts.size() || blk.insts[next].sz != passes::kExitCheckOnSlowPaths) return;
  // The memory stubs return ZF clear when an exit was requested; nothing since changed flags.
  Label rest = a.newLabel();
  a.jne(rest);
  cold([this, rest, next] {
    a.bind(rest);
    // Register allocation is per op, so the ops mean the same here as inline.
    for (op_index++; op_index < next; op_index++) kEmitters[size_t(blk.insts[op_index].op)](*this, blk.insts[op_index]);
    insn_index++;
    insn_eip = blk.insts[next].imm;
    emit_syncs();
    exit_to(insn_eip, uint32_t(insn_index), false, /*may_chain=*/false);
  });
}

void Compiler::write_reg(const ir::Inst& in) {
  store_to(state(offsetof(cpu::CpuState, regs) + 4 * in.sz), in.a);
}

void Compiler::write_cc(const ir::Inst& in) {
  a.mov(state(offsetof(cpu::CpuState, cc_op)), Imm(in.imm));
  store_to(state(offsetof(cpu::CpuState, cc_src1)), in.a);
  store_to(state(offsetof(cpu::CpuState, cc_src2)), in.b);
  if (in.op == Op::SyncCc && in.sz) {
    // The result was left to this slow path (passes::sink_sync_results).
    load_into(x86::eax, in.a);
    a.emit(in.sz == passes::kSyncResAdd ? x86::Inst::kIdAdd : x86::Inst::kIdSub, x86::eax, operand(in.b));
    a.mov(state(offsetof(cpu::CpuState, cc_res)), x86::eax);
    return;
  }
  store_to(state(offsetof(cpu::CpuState, cc_res)), in.c);
}

bool Compiler::is_final_jump_next() const {
  // Writes for the fall-through exit only may stand between (passes::defer_back_edge_writes).
  if (blk.insts.back().op != Op::Jmp) return false;
  for (size_t i = op_index + 1; i + 1 < blk.insts.size(); i++)
    if (blk.insts[i].op != Op::SetReg32 && blk.insts[i].op != Op::SetCc) return false;
  return op_index + 1 < blk.insts.size();
}

void Compiler::compile() {
  check_budget();  // at entry, as at every jump back of a loop block
  loop_ = !blk.loop.empty() && facts.chainable;
  for (const ir::LoopReg& lr : blk.loop) loop_ = loop_ && in_reg(lr.head);
  if (loop_) loop_head_ = a.newLabel();
  for (op_index = 0; op_index < blk.insts.size(); op_index++) {
    if (loop_ && op_index == blk.loop_head_ops) a.bind(loop_head_);
    const ir::Inst& in = blk.insts[op_index];
    kEmitters[size_t(in.op)](*this, in);
  }
  // Slow paths register their fault stubs while being emitted.
  for (size_t i = 0; i < cold_.size(); i++) {
    ColdPath c = cold_[i];  // a copy: emitting may register more
    op_index = c.op_index, insn_index = c.insn_index, insn_eip = c.insn_eip;
    c.emit();
  }
}

}  // namespace jit::x64
