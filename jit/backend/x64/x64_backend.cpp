#include "jit/backend/x64/x64_backend.h"

#include <cstring>
#include <stdexcept>

namespace jit::x64 {

using asmjit::CodeHolder;
using asmjit::Environment;
using asmjit::Imm;

namespace {

// Ops that call C++ on the fast path, clobbering the caller-saved registers.
bool calls_out(const ir::Inst& in) {
  switch (in.op) {
    case ir::Op::Call:
    case ir::Op::GetCF:
    case ir::Op::Cond:
    case ir::Op::GetFlags:
    case ir::Op::SetFlags: return true;
    default: return false;
  }
}

// Assembles into `holder` placed at `at` and copies the result there; returns its size or 0
// when it does not fit in `room` bytes.
size_t place(CodeHolder& holder, uint8_t* at, size_t room) {
  if (holder.flatten() || holder.resolveUnresolvedLinks() || holder.relocateToBase(uint64_t(at))) return 0;
  const size_t size = holder.codeSize();
  if (size > room || holder.copyFlattenedData(at, room)) return 0;
  return size;
}

}  // namespace

RegisterFile register_file() {
  RegisterFile rf;
  rf.caller_saved = {6 /* rsi */, 7 /* rdi */, 8, 9, 10};
  rf.callee_saved = {3 /* rbx */, 12, 13, 14, 15};
  rf.calls_out = &calls_out;
  return rf;
}

X64Backend::X64Backend(JitContext& ctx, size_t code_bytes) : buf_(code_bytes) {
  env_.ctx = &ctx;
  // uint32_t entry(CpuState* s, const uint8_t* code): saves the callee-saved registers, sets up
  // the frame every block shares, and jumps into the code; the epilogue returns eax.
  CodeHolder holder;
  holder.init(Environment::host(), uint64_t(buf_.cursor()));
  x86::Assembler a(&holder);
  for (x86::Gpq r : {x86::rbp, x86::rbx, x86::r12, x86::r13, x86::r14, x86::r15}) a.push(r);
  a.sub(x86::rsp, Imm(kFrameSize));
  a.mov(x86::rbp, x86::rdi);
  a.jmp(x86::rsi);
  a.align(asmjit::AlignMode::kCode, 16);
  const size_t epilogue = a.offset();
  a.add(x86::rsp, Imm(kFrameSize));
  for (x86::Gpq r : {x86::r15, x86::r14, x86::r13, x86::r12, x86::rbx, x86::rbp}) a.pop(r);
  a.ret();
  const size_t size = place(holder, buf_.cursor(), buf_.available());
  if (!size) throw std::runtime_error("the JIT code buffer cannot hold its entry code");
  entry_ = reinterpret_cast<EntryFn>(buf_.cursor());
  env_.epilogue = uintptr_t(buf_.cursor() + epilogue);
  buf_.commit(size);
  permanent_ = buf_.used();
}

CompiledBlock X64Backend::compile(const ir::Block& block, const BlockFacts& facts, std::string* listing) {
  const Allocation al = allocate_registers(block, register_file());
  if (al.spill_slots > kMaxSpills) return {};
  uint8_t* at = buf_.cursor();
  CodeHolder holder;
  holder.init(Environment::host(), uint64_t(at));
  asmjit::StringLogger logger;
  if (listing) holder.setLogger(&logger);
  x86::Assembler a(&holder);
  Compiler c(a, block, facts, al, env_, uintptr_t(at));
  c.compile();
  const size_t size = place(holder, at, buf_.available());
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
