// The x86-64 backend (DESIGN.md §3): IR blocks to host code with asmjit's assembler, in one
// code buffer that starts with the entry trampoline and the exit epilogue.
#pragma once

#include <memory>

#include "jit/backend/backend.h"
#include "jit/backend/code_buffer.h"
#include "jit/backend/thunks.h"
#include "jit/backend/x64/compiler.h"

namespace jit::x64 {

class X64Backend : public Backend {
 public:
  X64Backend(JitContext& ctx, size_t code_bytes);

  CompiledBlock compile(const ir::Block& block, const BlockFacts& facts, std::string* listing) override;
  JitExit run(cpu::CpuState& s, const uint8_t* entry) override;
  const uint8_t* link(uintptr_t site, const uint8_t* target) override;
  void flush() override { buf_.reset(permanent_); }
  size_t code_bytes_used() const override { return buf_.used() - permanent_; }

 private:
  using EntryFn = uint32_t (*)(cpu::CpuState*, const uint8_t*);
  CodeBuffer buf_;
  // The first block of asmjit's per-translation allocator (labels, fixups), reused by every
  // translation instead of being taken from and given back to malloc each time.
  static constexpr size_t kScratchBytes = 64 * 1024;
  std::unique_ptr<uint8_t[]> scratch_ = std::make_unique<uint8_t[]>(kScratchBytes);
  CompileScratch compile_scratch_;
  Env env_;
  EntryFn entry_ = nullptr;
  size_t permanent_ = 0;
};

// The host registers the allocator may give temps.
RegisterFile register_file();

}  // namespace jit::x64
