// The x86-64 backend's per-block compiler: walks the optimized IR once, emitting each op with
// the emitter the op table names (emit_*.cpp, one file per op class), fast paths inline and
// everything rare (TLB misses, faults, exits to the engine) out of line after the block.
//
// Host register use while translated code runs:
//   rbp        CpuState*                     rsp   the engine frame (save area, spill slots)
//   r15        CpuState::tlb (the TLB set in use; reloaded after helper calls)
//   rax rcx rdx r11                          scratch within one op
//   rsi rdi r8 r9 r10, rbx r12-r14           temps, by the shared allocator (jit/backend/regalloc)
#pragma once

#include <asmjit/x86.h>

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <optional>
#include <vector>

#include "cpu/state.h"
#include "jit/backend/backend.h"
#include "jit/backend/regalloc.h"
#include "jit/backend/thunks.h"
#include "jit/ir/block.h"

namespace jit::x64 {

namespace x86 = asmjit::x86;

// The frame the entry trampoline sets up, shared by all chained blocks.
constexpr int32_t kFrameRegSave = 0;    // 16 x 8 bytes: caller-saved registers around calls
constexpr int32_t kFrameArgs = 128;     // 4 x 8 bytes: call arguments being assembled
constexpr int32_t kFrameSpill = 160;    // spill slots, 8 bytes each
constexpr uint32_t kMaxSpills = 512;
constexpr int32_t kFrameSize = kFrameSpill + int32_t(kMaxSpills) * 8 + 8;  // keeps rsp 16-aligned at calls

// Addresses fixed for the life of the backend.
struct Env {
  uintptr_t epilogue = 0;  // returns eax (a JitExit) to the engine
  uintptr_t leave_at = 0;  // stores eax as EIP, then returns JitExit::Normal
  uintptr_t probe = 0;     // the shared jump-cache probe (x64_backend.cpp), then the epilogue
  // Stubs that load rdi with the context and call thunk_load, thunk_store, thunk_helper, and
  // leave the block on a fault: a call site is then one CALL rel32 (the code of a slow path is
  // mostly its call).
  uintptr_t load_stub = 0, store_stub = 0, helper_stub = 0;
  // Asks the engine to link a direct jump: called with the jump's rel32 field as a 32-bit
  // displacement from the return address stored right after the call.
  uintptr_t chain_stub = 0;
  // CF of the flag record in CpuState, in eax; keeps every allocatable register.
  uintptr_t carry_stub = 0;
  JitContext* ctx = nullptr;
};

// A 32-bit displacement in the emitted code that must reach an absolute address once the code
// sits at its final place.
struct Fixup {
  size_t offset;       // of the rel32 field within the block
  uintptr_t target;    // absolute, or a label's offset when `label` is set
  bool label = false;
};

// An out-of-line emitter, stored in place: they capture a few words, for which std::function
// would allocate, once per slow path and exit of every block.
class ColdFn {
 public:
  template <class F>
  explicit ColdFn(F f) {
    static_assert(sizeof(F) <= sizeof(buf_) && alignof(F) <= alignof(std::max_align_t));
    new (buf_) F(std::move(f));
    ops_ = &kOps<F>;
  }
  ColdFn(const ColdFn& o) : ops_(o.ops_) { ops_->copy(buf_, o.buf_); }
  ColdFn& operator=(const ColdFn& o) {
    if (this != &o) {
      ops_->destroy(buf_);
      ops_ = o.ops_;
      ops_->copy(buf_, o.buf_);
    }
    return *this;
  }
  ~ColdFn() { ops_->destroy(buf_); }
  void operator()() { ops_->call(buf_); }

 private:
  struct Ops {
    void (*call)(void*);
    void (*copy)(void*, const void*);
    void (*destroy)(void*);
  };
  template <class F>
  static constexpr Ops kOps = {[](void* p) { (*static_cast<F*>(p))(); },
                               [](void* d, const void* s) { new (d) F(*static_cast<const F*>(s)); },
                               [](void* p) { static_cast<F*>(p)->~F(); }};
  alignas(std::max_align_t) unsigned char buf_[64];
  const Ops* ops_;
};

// An out-of-line path and the op, guest instruction and EIP it belongs to.
struct ColdPath {
  uint32_t op_index;
  int32_t insn_index;
  uint32_t insn_eip;
  ColdFn emit;
};

// The compiler's lists, kept by the backend from one block to the next: allocated afresh for
// every block they kept landing on new heap pages.
struct CompileScratch {
  std::vector<ColdPath> cold;
  std::vector<Fixup> fixups;
};

class Compiler {
 public:
  Compiler(x86::Assembler& a, const ir::Block& blk, const BlockFacts& facts, const Allocation& al, const Env& env,
           uintptr_t base, CompileScratch& scratch);

  // Emits the whole block; the result's chain sites and fixups refer to offsets in it.
  void compile();

  const std::vector<Fixup>& fixups() const { return fixups_; }
  uint32_t helper_calls() const { return helper_calls_; }

  // --- for the emitters
  x86::Assembler& a;
  const ir::Block& blk;
  const BlockFacts& facts;
  const Allocation& al;
  const Env& env;

  uint32_t op_index = 0;    // IR op being emitted
  int32_t insn_index = -1;  // guest instruction it belongs to (position in the block)
  uint32_t insn_eip = 0;

  bool is_const(ir::Temp t) const { return blk.is_const[t]; }
  uint32_t value(ir::Temp t) const { return blk.values[t]; }
  const Location& loc(ir::Temp t) const { return al.loc[t]; }
  bool in_reg(ir::Temp t) const { return loc(t).kind == Location::Reg; }
  x86::Gpd reg(ir::Temp t) const { return x86::gpd(loc(t).reg); }
  x86::Mem spill_mem(ir::Temp t) const { return x86::dword_ptr(x86::rsp, kFrameSpill + 8 * loc(t).slot); }
  // The temp as an instruction operand: immediate, register or spill slot.
  asmjit::Operand operand(ir::Temp t) const;
  // A register holding the temp: its own, or `scratch` loaded with it.
  x86::Gpd use(ir::Temp t, x86::Gpd scratch);
  // Where to compute the temp: its register, or `scratch` when it lives in a spill slot
  // (finish() then stores it).
  x86::Gpd def(ir::Temp t, x86::Gpd scratch) const { return in_reg(t) ? reg(t) : scratch; }
  void finish(ir::Temp t, x86::Gpd r);
  // Moves a temp's value into a register / a 32-bit memory field.
  void load_into(x86::Gpd r, ir::Temp t);
  void store_to(const x86::Mem& m, ir::Temp t);
  // CpuState fields.
  static x86::Mem state(size_t offset, uint32_t size = 4) { return x86::Mem(x86::rbp, int32_t(offset), size); }

  // Calls out: saves the caller-saved registers holding temps still needed after this op,
  // and restores them.
  void save_live();
  void restore_live();
  void call(const void* fn);
  void call_stub(uintptr_t stub);  // CALL rel32 to one of Env's stubs
  // Passes temps (or constants) as 32-bit arguments in esi, edx, ecx, r8d (after rdi).
  void pass_args(std::initializer_list<std::pair<ir::Temp, std::optional<uint32_t>>> args);

  // Out-of-line code, emitted after the block in the order registered, with op_index,
  // insn_index and insn_eip as they are now.
  template <class F>
  void cold(F f) {
    cold_.push_back(ColdPath{op_index, insn_index, insn_eip, ColdFn(f)});
  }
  // The current instruction's position in the block, as the thunks take it (kThunkInsnShift).
  uint32_t insn_position() const { return uint32_t(insn_index); }
  // Leaves the block: retires `count` instructions (unless already counted) and continues at
  // `eip`: through a patchable jump when the target may chain, else back to the engine.
  void exit_to(uint32_t eip, uint32_t count, bool counted = false, bool may_chain = true);
  void jump_to_engine();  // jmp epilogue (eax holds the exit status)
  void leave_at(uint32_t eip);  // back to the engine to go on at `eip` (counted already)
  // Leaves through the shared jump-cache probe (EIP stored, icount counted): into the block the
  // cache holds for EIP when it is valid here, else back to the engine.
  void leave_through_cache();
  // Instructions retired when leaving at the current op.
  uint32_t retired() const { return uint32_t(insn_index + 1); }
  void count_call() { helper_calls_++; }

  // Compare fusion: a compare whose only reader is the next op (a branch or select) leaves its
  // operands here instead of producing 0/1.
  struct Fused {
    ir::Temp dst, a, b;
    uint8_t cc;  // x86 condition code
  };
  std::optional<Fused> fused;
  bool next_op_can_fuse(ir::Temp dst) const;
  // Emits "cmp a, b" for a fused compare; returns its condition code.
  uint8_t emit_compare(const Fused& f);

  bool is_final_jump_next() const;
  // Loop blocks (ir::Block::loop): whether a jump to `eip` is the jump back to the block's start,
  // and the jump back: a budget check, then a jump to just after the carried registers' reads,
  // with their next values moved in.
  bool loop_back(uint32_t eip) const { return loop_ && eip == facts.eip; }
  void jump_back(uint32_t count, bool counted);

  // Sync groups (jit/passes: defer_state_writes): whether the Sync op being emitted belongs to
  // a group that the next op's slow path performs, and emitting that group there.
  bool sync_deferred() const;
  void emit_syncs();
  // On a memory slow path (after its call): when the next instruction start is checked on slow
  // paths (passes::kExitCheckOnSlowPaths) and an exit was requested, the rest of the current
  // instruction runs out of line, emitted again, and the block leaves at its end.
  void exit_after_slow_path();
  // The state writes themselves, shared by SetReg32/SetCc and their Sync forms.
  void write_reg(const ir::Inst& in);
  void write_cc(const ir::Inst& in);

 private:
  void emit_rel32_jump(uintptr_t target, bool to_label_offset = false);
  void check_budget();
  void move_loop_registers();
  bool loop_ = false;
  asmjit::Label loop_head_;

  uintptr_t base_;
  std::vector<ColdPath>& cold_;
  std::vector<Fixup>& fixups_;
  uint32_t helper_calls_ = 0;
};

using EmitFn = void (*)(Compiler&, const ir::Inst&);

template <ir::Op op>
inline constexpr bool kNoEmitter = false;

// Every IR op has one emitter, declared below and defined in the emit_*.cpp file of its class.
// An op added to ir::kOpTable without one instantiates this and fails the build.
template <ir::Op op>
void emit(Compiler&, const ir::Inst&) {
  static_assert(kNoEmitter<op>, "IR op without an x86-64 emitter");
}

// emit_state.cpp: instruction starts, guest registers, segments, flags
template <>
void emit<ir::Op::InsnStart>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Nop>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetReg32>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetReg16>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetReg8>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::SetReg32>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::SetReg16>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::SetReg8>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::SyncReg>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::SyncCc>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetSegSel>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetSegBase>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetTsc>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::SetCc>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetCF>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Cond>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::GetFlags>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::SetFlags>(Compiler&, const ir::Inst&);
// emit_alu.cpp: integer arithmetic, compares, extensions
template <>
void emit<ir::Op::Add>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Sub>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::And>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Or>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Xor>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Shl>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Shr>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Sar>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Mul>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::MulHiU>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::MulHiS>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Not>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Neg>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Sext8>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Sext16>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Zext8>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Zext16>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Eq>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Ne>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::LtU>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Cmp>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Select>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Bswap>(Compiler&, const ir::Inst&);
// emit_memory.cpp: guest memory through the inline TLB
template <>
void emit<ir::Op::Load>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Store>(Compiler&, const ir::Inst&);
// emit_control.cpp: helper calls and block exits
template <>
void emit<ir::Op::Call>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::BranchIf>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::Jmp>(Compiler&, const ir::Inst&);
template <>
void emit<ir::Op::JmpInd>(Compiler&, const ir::Inst&);

}  // namespace jit::x64
