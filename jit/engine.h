// The execution engine: looks up or translates the block at CS:EIP, runs it on the selected
// backend, delivers exceptions and external interrupts between instructions, and keeps the
// translation cache coherent with guest code writes.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "cpu/cpu.h"
#include "cpu/decoder.h"
#include "jit/backend/backend.h"
#include "jit/backend/thunks.h"
#include "jit/cache/block_cache.h"

namespace jit {

enum class StopReason {
  Limit,     // reached the instruction limit
  Halted,    // HLT with no interrupt to wake it
  Shutdown,  // triple fault
  Request,   // stop() was called (e.g. a device asked the machine to exit)
  Debug,     // a debugger's breakpoint or watchpoint (set_breakpoints, Mmu::set_host_watches)
};

class Engine : public mmu::CodeWriteListener {
 public:
  explicit Engine(cpu::Cpu& cpu);
  ~Engine() override;

  // Runs until cpu.s.icount reaches `icount_limit`, the CPU halts, or something stops it.
  StopReason run(uint64_t icount_limit);

  // Asks run() to return at the next instruction boundary.
  void stop() {
    stop_requested_ = true;
    cpu::request_exit(cpu_.s);
  }

  // Called at every exception delivery, which holds the processor for a while: the machine
  // charges that virtual time (PcMachine: Clock::stall).
  void set_exception_stall(std::function<void()> fn) { exception_stall_ = std::move(fn); }

  // Breakpoints of an attached debugger (gdb's Z0/Z1): linear addresses of instructions' first
  // bytes. run() returns StopReason::Debug at the boundary before such an instruction. Guest
  // memory and debug registers stay as they are, so the code cache needs no invalidation and
  // the guest cannot tell; blocks are then run one at a time (no chaining), and a block with a
  // breakpoint past its first instruction runs on the interpreter up to it.
  void set_breakpoints(std::set<uint32_t> lin) { breakpoints_ = std::move(lin); }
  const std::set<uint32_t>& breakpoints() const { return breakpoints_; }
  // Resuming from a breakpoint: the instruction at the current CS:EIP runs once even if a
  // breakpoint is set on it (as EFLAGS.RF does for the debug registers).
  void skip_breakpoint_once();
  // Forgets that (the machine state was replaced: the same count and address may come again).
  void clear_breakpoint_skip() { skip_armed_ = false; }

  // The NMI input: taken at the next instruction boundary once NMIs are not blocked; wakes HLT.
  void raise_nmi();

  void flush();  // drops every translation (e.g. after restoring a snapshot)
  // Back to power-on: no translations, no pending shutdown. Called when the machine resets.
  void reset() {
    flush();
    shutdown_ = false;
    shutdown_reason_.clear();
  }
  // Checks every new IR block with ir::verify (on in debug builds and in tests); a malformed
  // block is a translator bug and throws std::logic_error naming the guest address.
  void set_verify_ir(bool on) { verify_ir_ = on; }
  const cpu::Decoder& decoder() const { return decoder_; }
  size_t cached_blocks() const { return cache_.size(); }
  std::string last_shutdown_reason() const { return shutdown_reason_; }

  void code_written(uint32_t phys, uint32_t len) override;

  // Runs blocks as compiled host code (true where a backend exists for this host) or on the
  // IR interpreter. `cache_mb` bounds the code buffer, which is emptied whole when full.
  static bool jit_available();
  void set_jit(bool on, size_t cache_mb = 64);
  bool jit() const { return backend_ != nullptr; }

  struct JitStats {
    uint64_t compiled = 0, interpreted_blocks = 0, flushes = 0, links = 0, code_bytes = 0;
    // Block lookups by the run loop: answered by the jump cache, by it after a TLB flush (the
    // page still maps there), by the block map, or by translating.
    uint64_t jc_hits = 0, jc_revalidated = 0, map_hits = 0, translations = 0;
    // Exceptions delivered, and how many of them reached the engine as a C++ throw (the rest
    // were reported by a helper's return: Cpu::fault).
    uint64_t exceptions = 0, unwound = 0;
  };
  const JitStats& jit_stats() const { return stats_; }
  std::string jit_stats_text() const;

  // Diagnostic log (QEMU's -d): interrupts and exceptions, every block run, every translation.
  struct Log {
    bool interrupts = false, exec = false, in_asm = false;
    bool jit = false, out_asm = false;  // translations, flushes and statistics; host code
    std::function<void(const std::string&)> sink;
    // Called with every translation's host code range and guest EIP (-perfmap).
    std::function<void(const void* code, size_t size, uint32_t eip)> translated;
    // Called with every exception the processor raises, before its delivery is attempted (for
    // debuggers and test harnesses; e.g. to learn a #PF's error code when delivery fails).
    std::function<void(const cpu::CpuException&)> exception;
  };
  void set_log(Log log) { log_ = std::move(log); }

 private:
  // The block at CS:EIP: from the jump cache, the block map, or translated now.
  CachedBlock* lookup();
  // Write-protects the code bytes of a new block.
  void protect(const cpu::TranslatedBlock& code);
  // Whether a block that continues on a second page still finds there the page it was
  // translated from (the block key names only the first).
  bool second_page_holds(const CachedBlock& b);
  CachedBlock* translate(const BlockKey& key);
  // The block's IR, for the interpreter: a compiled block keeps only its host code (its IR was
  // most of the heap a Linux boot grew by), so the IR is made again the first time the block
  // must be interpreted (an interrupt shadow, a budget ending inside it) and kept from then on.
  ir::Block& ir_of(CachedBlock& b);
  // `fault`: a fault-class exception (pushes RF = 1).
  void deliver(const cpu::CpuException& e, bool fault = true);
  bool deliver_external();
  bool at_breakpoint() const;
  bool breakpoint_inside(const CachedBlock& b) const;
  void deliver_debug(uint32_t dr6_bits, bool fault);
  void step_debug();
  void finish_traps(uint32_t carried);

  void log_interrupt(uint8_t vector, const char* kind, bool has_error, uint32_t error);
  void compile(CachedBlock& b, const cpu::TranslationMode& mode);
  // Runs a block's translated code (and whatever it chains to) and handles how it returned.
  void run_compiled(CachedBlock& b);

  cpu::Cpu& cpu_;
  Log log_;
  cpu::Decoder decoder_;
  BlockCache cache_;
  bool stop_requested_ = false;
  std::set<uint32_t> breakpoints_;
  bool skip_armed_ = false;
  uint64_t skip_icount_ = 0;
  uint32_t skip_lin_ = 0;
  std::function<void()> exception_stall_;
#ifdef NDEBUG
  bool verify_ir_ = false;
#else
  bool verify_ir_ = true;
#endif
  bool shutdown_ = false;
  std::string shutdown_reason_;
  // The translation mode, recomputed only after something that may have changed it ran.
  bool mode_stale_ = true;
  cpu::TranslationMode mode_;
  uint32_t mode_bits_ = 0;
  JitContext jit_ctx_;
  std::unique_ptr<Backend> backend_;
  JitStats stats_;
};

}  // namespace jit
