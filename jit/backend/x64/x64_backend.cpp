#include "jit/backend/x64/x64_backend.h"

#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "jit/cache/block_cache.h"

namespace jit::x64 {

using asmjit::CodeHolder;
using asmjit::Environment;
using asmjit::Imm;

namespace {

// Ops that call C++ on the fast path, clobbering the caller-saved registers. (GetCF calls a stub
// that keeps them.)
bool calls_out(const ir::Inst& in) {
  switch (in.op) {
    case ir::Op::Call:
    case ir::Op::Cond:
    case ir::Op::GetFlags:
    case ir::Op::SetFlags: return true;
    default: return false;
  }
}

// Assembly straight into the code buffer: asmjit's text section is pointed at the buffer's
// free space as fixed external memory, so the code is neither copied nor allocated. An emit that
// would not fit fails; the error handler remembers that.
class InPlace : public asmjit::ErrorHandler {
 public:
  InPlace(CodeHolder& holder, uint8_t* at, size_t room) : holder_(holder), at_(at) {
    holder.init(Environment::host(), uint64_t(at));
    asmjit::CodeBuffer& b = holder.textSection()->_buffer;
    b._data = at;
    b._size = 0;
    b._capacity = room;
    b._flags = asmjit::CodeBufferFlags::kIsExternal | asmjit::CodeBufferFlags::kIsFixed;
    holder.setErrorHandler(this);
  }
  void handleError(asmjit::Error, const char*, asmjit::BaseEmitter*) override { failed_ = true; }
  // The size of the finished code, or 0 when it did not fit.
  size_t finish() {
    if (failed_ || holder_.flatten() || holder_.resolveUnresolvedLinks() || holder_.relocateToBase(uint64_t(at_)))
      return 0;
    return failed_ ? 0 : holder_.codeSize();
  }

 private:
  CodeHolder& holder_;
  uint8_t* at_;
  bool failed_ = false;
};

}  // namespace

RegisterFile register_file() {
  RegisterFile rf;
  rf.caller_saved = {6 /* rsi */, 7 /* rdi */, 8, 9, 10};
  rf.callee_saved = {3 /* rbx */, 12, 13, 14};  // r15 holds the TLB pointer
  rf.calls_out = &calls_out;
  return rf;
}

namespace {

// The jump-cache probe every leaving block shares (DESIGN.md §5: indirect jumps, calls and
// returns probe the jump cache, and so do direct jumps to other pages, which cannot be patched
// since the page may map elsewhere next time). Entered with CpuState::eip stored, icount counted
// and rdx = mode << 32 | CS base of the leaving block: an entry for this EIP made under that CS
// base and mode, since the last TLB flush, with translated code, is entered directly (its own
// entry check still applies); anything else returns to the engine.
void emit_jump_cache_probe(x86::Assembler& a, asmjit::Label epilogue) {
  static_assert(offsetof(JumpCacheEntry, mode) == offsetof(JumpCacheEntry, cs_base) + 4);
  static_assert(sizeof(JumpCacheEntry) == 32);
  asmjit::Label miss = a.newLabel();
  auto state = [](size_t off, uint32_t size = 4) { return x86::Mem(x86::rbp, int32_t(off), size); };
  // jump_cache_index() of the linear EIP.
  a.mov(x86::eax, state(offsetof(cpu::CpuState, eip)));
  a.add(x86::eax, x86::edx);
  a.mov(x86::ecx, x86::eax);
  a.shr(x86::ecx, kJumpCacheBits);
  a.xor_(x86::eax, x86::ecx);
  a.and_(x86::eax, Imm((1u << kJumpCacheBits) - 1));
  a.shl(x86::eax, 5);
  a.add(x86::rax, state(offsetof(cpu::CpuState, jump_cache), 8));
  a.mov(x86::ecx, state(offsetof(cpu::CpuState, eip)));
  a.cmp(x86::dword_ptr(x86::rax, offsetof(JumpCacheEntry, eip)), x86::ecx);
  a.jne(miss);
  a.cmp(x86::qword_ptr(x86::rax, offsetof(JumpCacheEntry, cs_base)), x86::rdx);
  a.jne(miss);
  a.mov(x86::ecx, state(offsetof(cpu::CpuState, jc_gen)));
  a.cmp(x86::dword_ptr(x86::rax, offsetof(JumpCacheEntry, gen)), x86::ecx);
  a.jne(miss);
  a.mov(x86::rax, x86::qword_ptr(x86::rax, offsetof(JumpCacheEntry, host)));
  a.test(x86::rax, x86::rax);
  a.jz(miss);
  a.jmp(x86::rax);
  a.bind(miss);
  a.xor_(x86::eax, x86::eax);  // JitExit::Normal, EIP stored
  a.jmp(epilogue);
}

// Calls `fn` from a stub that translated code called, keeping the caller-saved registers the
// allocator uses (five pushes after the return address also align the stack for the call).
// `args` puts the arguments in place once those registers are saved.
template <class Args>
void call_keeping_temps(x86::Assembler& a, const void* fn, Args args) {
  for (x86::Gpq r : {x86::rsi, x86::rdi, x86::r8, x86::r9, x86::r10}) a.push(r);
  args();
  a.mov(x86::rax, Imm(reinterpret_cast<uint64_t>(fn)));
  a.call(x86::rax);
  for (x86::Gpq r : {x86::r10, x86::r9, x86::r8, x86::rdi, x86::rsi}) a.pop(r);
}

// CF of the flag record in CpuState (cpu::carry_flag is the reference), for a block that reads
// the carry an earlier block left: INC/DEC keep the old CF in cc_src2, logic operations clear it,
// ADD/ADC carry and SUB/SBB/CMP borrow out of the operand's top bit, found from the operands and
// the result (the carry into bit n+1 of a + b = r is (a & b | (a | b) & ~r) at bit n; the borrow
// of a - b = r is (~a & b | (~a | b) & r) at bit n). Other kinds call cpu::carry_flag. Shared by
// all blocks (one call per read) and clobbering only rax, rcx, rdx, r11, so call sites need no
// saves.
void emit_carry_stub(x86::Assembler& a, const void* slow_fn) {
  using cpu::CcKind;
  auto field = [](size_t off) { return x86::dword_ptr(x86::rbp, int32_t(off)); };
  asmjit::Label sub = a.newLabel(), add = a.newLabel(), zero = a.newLabel(), keep = a.newLabel(),
                bit = a.newLabel();
  a.mov(x86::eax, field(offsetof(cpu::CpuState, cc_op)));
  a.mov(x86::ecx, x86::eax);
  a.shr(x86::ecx, 2);
  const std::pair<CcKind, asmjit::Label> kinds[] = {{CcKind::Sub, sub},   {CcKind::Sbb, sub},  {CcKind::Add, add},
                                                     {CcKind::Logic, zero}, {CcKind::Inc, keep}, {CcKind::Dec, keep}};
  for (const auto& [kind, label] : kinds) {
    a.cmp(x86::ecx, Imm(uint32_t(kind)));
    a.je(label);
  }
  call_keeping_temps(a, slow_fn, [&a] { a.mov(x86::rdi, x86::rbp); });
  a.ret();
  a.bind(zero);
  a.xor_(x86::eax, x86::eax);
  a.ret();
  a.bind(keep);
  a.xor_(x86::eax, x86::eax);
  a.cmp(field(offsetof(cpu::CpuState, cc_src2)), Imm(0));
  a.setne(x86::al);
  a.ret();
  a.bind(sub);  // edx = ~a & b | (~a | b) & r
  a.mov(x86::ecx, field(offsetof(cpu::CpuState, cc_src1)));
  a.not_(x86::ecx);
  a.mov(x86::edx, x86::ecx);
  a.and_(x86::edx, field(offsetof(cpu::CpuState, cc_src2)));
  a.or_(x86::ecx, field(offsetof(cpu::CpuState, cc_src2)));
  a.and_(x86::ecx, field(offsetof(cpu::CpuState, cc_res)));
  a.or_(x86::edx, x86::ecx);
  a.jmp(bit);
  a.bind(add);  // edx = a & b | (a | b) & ~r
  a.mov(x86::ecx, field(offsetof(cpu::CpuState, cc_src1)));
  a.mov(x86::edx, x86::ecx);
  a.and_(x86::edx, field(offsetof(cpu::CpuState, cc_src2)));
  a.or_(x86::ecx, field(offsetof(cpu::CpuState, cc_src2)));
  a.mov(x86::r11d, field(offsetof(cpu::CpuState, cc_res)));
  a.not_(x86::r11d);
  a.and_(x86::ecx, x86::r11d);
  a.or_(x86::edx, x86::ecx);
  a.bind(bit);  // the operand's top bit: 7, 15 or 31 for log2(size) = 0, 1, 2 in cc_op's low bits
  a.and_(x86::eax, Imm(3));
  a.mov(x86::ecx, x86::eax);
  a.mov(x86::eax, Imm(8));
  a.shl(x86::eax, x86::cl);
  a.lea(x86::ecx, x86::ptr(x86::rax, -1));
  a.shr(x86::edx, x86::cl);
  a.mov(x86::eax, x86::edx);
  a.and_(x86::eax, Imm(1));
  a.ret();
}

}  // namespace

X64Backend::X64Backend(JitContext& ctx, size_t code_bytes) : buf_(code_bytes) {
  env_.ctx = &ctx;
  // uint32_t entry(CpuState* s, const uint8_t* code): saves the callee-saved registers, sets up
  // the frame every block shares, and jumps into the code; the epilogue returns eax.
  CodeHolder holder;
  InPlace in_place(holder, buf_.cursor(), buf_.available());
  x86::Assembler a(&holder);
  for (x86::Gpq r : {x86::rbp, x86::rbx, x86::r12, x86::r13, x86::r14, x86::r15}) a.push(r);
  a.sub(x86::rsp, Imm(kFrameSize));
  a.mov(x86::rbp, x86::rdi);
  a.mov(x86::r15, x86::qword_ptr(x86::rbp, offsetof(cpu::CpuState, tlb)));
  a.jmp(x86::rsi);
  a.align(asmjit::AlignMode::kCode, 16);
  // Leaving for the engine at the EIP in eax (Compiler::leave_at), on into the epilogue.
  const size_t leave_at = a.offset();
  a.mov(x86::dword_ptr(x86::rbp, offsetof(cpu::CpuState, eip)), x86::eax);
  a.xor_(x86::eax, x86::eax);  // JitExit::Normal
  const size_t epilogue = a.offset();
  asmjit::Label epilogue_label = a.newLabel();
  a.bind(epilogue_label);
  a.add(x86::rsp, Imm(kFrameSize));
  for (x86::Gpq r : {x86::r15, x86::r14, x86::r13, x86::r12, x86::rbx, x86::rbp}) a.pop(r);
  a.ret();
  a.align(asmjit::AlignMode::kCode, 16);
  const size_t probe = a.offset();
  emit_jump_cache_probe(a, epilogue_label);
  size_t stubs[3];
  // A thunk reported a guest exception (the thunk has counted the instructions that retired
  // before it): the call from translated code does not return, and the block leaves with a
  // Fault status. Translated code pushes nothing, so the frame is where the entry put it.
  asmjit::Label fault = a.newLabel();
  a.bind(fault);
  a.add(x86::rsp, Imm(8));
  a.mov(x86::eax, Imm(uint32_t(JitExit::Fault)));
  a.jmp(epilogue_label);
  // The memory slow paths' stubs keep every allocatable caller-saved register (translated code
  // then needs no saves around each access's slow path, only the arguments): ecx = segment |
  // size << 8 | instruction position << 16, edx = offset, r11d = the value of a store. They
  // return eax as the thunk does, and ZF clear when an exit was requested
  // (Compiler::exit_after_slow_path).
  const void* memory_thunks[2] = {reinterpret_cast<const void*>(&thunk_load),
                                  reinterpret_cast<const void*>(&thunk_store)};
  for (int i = 0; i < 2; i++) {
    a.align(asmjit::AlignMode::kCode, 16);
    stubs[i] = a.offset();
    call_keeping_temps(a, memory_thunks[i], [&a, &ctx, i] {
      a.movzx(x86::esi, x86::cl);
      a.shr(x86::ecx, 8);
      if (i == 1) a.mov(x86::r8d, x86::r11d);
      a.mov(x86::rdi, Imm(reinterpret_cast<uint64_t>(&ctx)));
    });
    a.test(x86::rax, x86::rax);
    a.js(fault);
    a.cmp(x86::dword_ptr(x86::rbp, offsetof(cpu::CpuState, exit_request)), Imm(0));
    a.ret();
  }
  a.align(asmjit::AlignMode::kCode, 16);
  const size_t carry = a.offset();
  emit_carry_stub(a, reinterpret_cast<const void*>(&thunk_get_cf));
  a.align(asmjit::AlignMode::kCode, 16);
  const size_t chain = a.offset();
  a.pop(x86::rax);  // the address of the displacement: the call does not return
  a.movsxd(x86::rcx, x86::dword_ptr(x86::rax));
  a.add(x86::rax, x86::rcx);
  a.mov(x86::qword_ptr(x86::rbp, offsetof(cpu::CpuState, chain_site)), x86::rax);
  a.mov(x86::eax, Imm(uint32_t(JitExit::Chain)));
  a.jmp(epilogue_label);
  a.align(asmjit::AlignMode::kCode, 16);
  stubs[2] = a.offset();
  // Helper calls: the arguments are in place, r9 = the helper (the caller saved what it needs).
  a.mov(x86::rdi, Imm(reinterpret_cast<uint64_t>(&ctx)));
  a.sub(x86::rsp, Imm(8));  // 16-byte alignment at the call
  a.mov(x86::rax, Imm(reinterpret_cast<uint64_t>(&thunk_helper)));
  a.call(x86::rax);
  a.add(x86::rsp, Imm(8));
  a.test(x86::rax, x86::rax);
  a.js(fault);
  a.ret();
  const size_t size = in_place.finish();
  if (!size) throw std::runtime_error("the JIT code buffer cannot hold its entry code");
  entry_ = reinterpret_cast<EntryFn>(buf_.cursor());
  env_.epilogue = uintptr_t(buf_.cursor() + epilogue);
  env_.leave_at = uintptr_t(buf_.cursor() + leave_at);
  env_.probe = uintptr_t(buf_.cursor() + probe);
  env_.load_stub = uintptr_t(buf_.cursor() + stubs[0]);
  env_.store_stub = uintptr_t(buf_.cursor() + stubs[1]);
  env_.helper_stub = uintptr_t(buf_.cursor() + stubs[2]);
  env_.chain_stub = uintptr_t(buf_.cursor() + chain);
  env_.carry_stub = uintptr_t(buf_.cursor() + carry);
  buf_.commit(size);
  permanent_ = buf_.used();
}

CompiledBlock X64Backend::compile(const ir::Block& block, const BlockFacts& facts, std::string* listing) {
  const Allocation al = allocate_registers(block, register_file());
  if (al.spill_slots > kMaxSpills) return {};
  uint8_t* at = buf_.cursor();
  CodeHolder holder(asmjit::Support::Temporary(scratch_.get(), kScratchBytes));
  InPlace in_place(holder, at, buf_.available());
  asmjit::StringLogger logger;
  if (listing) holder.setLogger(&logger);
  x86::Assembler a(&holder);
  Compiler c(a, block, facts, al, env_, uintptr_t(at), compile_scratch_);
  c.compile();
  const size_t size = in_place.finish();
  if (!size) return {};
  for (const Fixup& f : c.fixups()) {
    const uintptr_t target = f.label ? uintptr_t(at) + holder.labelOffset(uint32_t(f.target)) : f.target;
    const int64_t rel = int64_t(target) - int64_t(uintptr_t(at) + f.offset + 4);
    const int32_t rel32 = int32_t(rel);
    std::memcpy(at + f.offset, &rel32, 4);
  }
  buf_.commit(size);
  CompiledBlock out;
  out.entry = at;
  out.size = uint32_t(size);
  out.helper_calls = c.helper_calls();
  if (listing) {
    *listing = logger.data();
    for (char ch : *listing) out.host_insns += ch == '\n';
  }
  return out;
}

JitExit X64Backend::run(cpu::CpuState& s, const uint8_t* entry) { return JitExit(entry_(&s, entry)); }

const uint8_t* X64Backend::link(uintptr_t site, const uint8_t* target) {
  int32_t old;
  std::memcpy(&old, reinterpret_cast<void*>(site), 4);
  const int32_t rel = int32_t(int64_t(uintptr_t(target)) - int64_t(site + 4));
  std::memcpy(reinterpret_cast<void*>(site), &rel, 4);
  return reinterpret_cast<const uint8_t*>(site + 4 + int64_t(old));
}

}  // namespace jit::x64
