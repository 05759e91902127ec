// What the engine asks of a compiling backend (DESIGN.md §3). The backend turns an optimized IR
// block into host code in its code buffer and runs it; the exit protocol, chaining rules and
// code-buffer policy are the same for every host ISA and live in the engine and the cache.
#pragma once

#include <cstdint>
#include <string>

#include "cpu/state.h"
#include "jit/ir/block.h"

namespace jit {

// Why translated code returned to the engine. In every case CpuState holds the guest state at
// an instruction boundary (EIP included) and icount counts what retired.
enum class JitExit : uint32_t {
  Normal = 0,  // a block exit that does not chain, a bailing block entry, or an exit request
  Fault = 1,   // a guest exception (JitContext::fault) or a host error (JitContext::other)
  Chain = 2,   // a chainable direct jump not yet linked: CpuState::chain_site names the site
};

// Facts about a block the backend needs beyond its IR.
struct BlockFacts {
  uint32_t eip = 0;        // EIP of the first instruction
  uint32_t lin = 0;        // its linear address
  uint32_t cs_base = 0;
  uint8_t flat_segs = 0;   // bit per segment register: base 0, 4 GB limit, read/write
  uint8_t open_segs = 0;   // bit per segment register: 4 GB limit, read/write, any base
  uint32_t mode_bits = 0;  // the translation mode as the block cache keys it
  bool chainable = false;  // its direct exits may jump straight to other blocks
};

struct CompiledBlock {
  const uint8_t* entry = nullptr;
  uint32_t size = 0;           // bytes of host code
  uint32_t host_insns = 0;     // host instructions emitted (golden-code statistics)
  uint32_t helper_calls = 0;   // calls to C++ on the block's fast path
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Compiles an optimized block. Returns an empty result when the code buffer is full (the
  // engine then flushes the cache and tries again) or the block needs more than the backend
  // can give it. `listing`, when given, receives the host code as text.
  virtual CompiledBlock compile(const ir::Block& block, const BlockFacts& facts, std::string* listing) = 0;
  // Runs translated code from `entry` until it returns to the engine.
  virtual JitExit run(cpu::CpuState& s, const uint8_t* entry) = 0;
  // Points the patchable jump at `site` to `target` and returns where it went before (its exit
  // stub, which unlinking restores).
  virtual const uint8_t* link(uintptr_t site, const uint8_t* target) = 0;
  // Drops all translated code.
  virtual void flush() = 0;
  virtual size_t code_bytes_used() const = 0;
};

}  // namespace jit
