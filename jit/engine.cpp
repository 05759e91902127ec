#include "jit/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <stdexcept>

#include "cpu/debug_regs.h"
#include "cpu/flags.h"
#include "jit/interp/interp.h"
#include "jit/passes/passes.h"
#if defined(__x86_64__)
#include "jit/backend/x64/x64_backend.h"
#endif

namespace jit {

Engine::Engine(cpu::Cpu& cpu) : cpu_(cpu) {
  cpu_.mmu().phys().set_code_listener(this);
  jit_ctx_.cpu = &cpu;
}

bool Engine::jit_available() {
#if defined(__x86_64__)
  return true;
#else
  return false;
#endif
}

void Engine::set_jit(bool on, size_t cache_mb) {
  flush();
  cache_.set_backend(nullptr);
  backend_.reset();
  if (!on) return;
#if defined(__x86_64__)
  backend_ = std::make_unique<x64::X64Backend>(jit_ctx_, std::max<size_t>(cache_mb, 1) << 20);
  cache_.set_backend(backend_.get());
#else
  throw std::runtime_error("no JIT backend for this host");
#endif
}

std::string Engine::jit_stats_text() const {
  return fmt::format(
      "jit: {} blocks compiled ({} bytes of host code), {} interpreted, {} links, {} flushes\n"
      "jit: lookups: {} jump cache, {} jump cache after a TLB flush, {} block map, {} translated\n"
      "jit: {} exceptions, {} of them thrown\n",
      stats_.compiled, stats_.code_bytes, stats_.interpreted_blocks, stats_.links, stats_.flushes,
      stats_.jc_hits, stats_.jc_revalidated, stats_.map_hits, stats_.translations,
      stats_.exceptions, stats_.unwound);
}

namespace {

// Whether a block's direct exits may jump straight to the next block: only if nothing it does
// needs the run loop's attention (mode, privilege, interrupt state, devices: every helper
// that is not plain). Anything else that could need it sets exit_request, which translated
// code checks at each block entry.
bool chainable(const ir::Block& b) {
  for (const ir::Inst& in : b.insts)
    if (in.op == ir::Op::Call && !cpu::helper_info(in.imm).plain) return false;
  return true;
}

}  // namespace

void Engine::compile(CachedBlock& b, const cpu::TranslationMode& mode) {
  // The IR moves into the optimizer; only its instruction count stays (ir_of() makes it again).
  ir::Block code = std::move(b.code.ir);
  b.code.ir = ir::Block{};
  b.code.ir.guest_insns = code.guest_insns;
  passes::optimize(code);
  if (b.chainable) passes::prepare_loop(code, b.code.eip);
  if (verify_ir_) {
    if (std::string err = ir::verify(code); !err.empty())
      throw std::logic_error(fmt::format("bad optimized IR for block at {:08x}: {}\n{}", b.code.eip, err,
                                         ir::print(code)));
  }
  BlockFacts facts;
  facts.eip = b.code.eip;
  facts.lin = b.code.lin;
  facts.cs_base = cpu_.s.seg[cpu::CS].base;
  facts.flat_segs = mode.flat_segs;
  facts.open_segs = mode.open_segs;
  facts.chainable = b.chainable;
  facts.mode_bits = mode_bits(mode);
  std::string listing;
  std::string* want = log_.out_asm && log_.sink ? &listing : nullptr;
  CompiledBlock out = backend_->compile(code, facts, want);
  if (!out.entry) {
    // The code buffer is full: empty it whole (DESIGN.md §5) and try once more.
    flush();
    stats_.flushes++;
    if (log_.jit && log_.sink) log_.sink(fmt::format("jit: code buffer full, flushed\n{}", jit_stats_text()));
    out = backend_->compile(code, facts, want);
  }
  if (!out.entry) {
    stats_.interpreted_blocks++;
    ir_of(b);
    return;
  }
  b.host = out.entry;
  stats_.compiled++;
  stats_.code_bytes += out.size;
  if (log_.jit && log_.sink)
    log_.sink(fmt::format("jit: {:08x} {} guest instructions, {} IR ops, {} bytes, {} calls{}\n", b.code.eip,
                          code.guest_insns, code.insts.size(), out.size, out.helper_calls,
                          b.chainable ? "" : ", not chainable"));
  if (log_.translated) log_.translated(out.entry, out.size, b.code.eip);
  if (want) log_.sink(fmt::format("OUT: [size={}]\n{}\n", out.size, listing));
}

void Engine::run_compiled(CachedBlock& b) {
  cpu::CpuState& s = cpu_.s;
  const uint64_t flushes = stats_.flushes;
  switch (backend_->run(s, b.host)) {
    case JitExit::Normal: return;
    case JitExit::Fault:
      if (jit_ctx_.other) std::rethrow_exception(std::exchange(jit_ctx_.other, nullptr));
      if (jit_ctx_.unwound) stats_.unwound++;
      deliver(jit_ctx_.fault);
      return;
    case JitExit::Chain: {
      // A direct jump within the page that has not been linked yet: link it to its target,
      // found (and translated if need be) as the next dispatch would find it.
      const uintptr_t site = uintptr_t(s.chain_site);
      if (s.exit_request) return;
      CachedBlock* t = nullptr;
      try {
        t = lookup();
      } catch (const cpu::CpuException&) {
        return;  // the target faults on fetch: the next dispatch delivers that
      }
      // A flush while translating the target dropped the jump's own block.
      // Blocks that may change the mode are entered from the run loop only, which then looks at
      // the new mode; nothing jumps into them directly.
      if (stats_.flushes != flushes || !t->host || !t->chainable || t->code.npages != 1) return;
      t->incoming.push_back(IncomingLink{site, backend_->link(site, t->host)});
      stats_.links++;
      return;
    }
  }
}

Engine::~Engine() { cpu_.mmu().phys().set_code_listener(nullptr); }

void Engine::flush() {
  mode_stale_ = true;
  cache_.clear();
  if (backend_) backend_->flush();
  cpu::request_exit(cpu_.s);  // the running block may be among those dropped
  for (uint32_t p : cache_.take_empty_pages()) cpu_.mmu().unprotect_code_page(p);
}

void Engine::code_written(uint32_t phys, uint32_t len) {
  const bool dropped = cache_.invalidate(phys, len);
  // The page's bitmap still marks the bytes of blocks dropped before: mark them again from
  // the blocks left, so stores to the bytes of dropped code stop coming here.
  const uint32_t page = phys & mmu::kPageMask;
  mmu::PhysMemory& pm = cpu_.mmu().phys();
  pm.clear_code_page(page);
  for (const auto& [lo, hi] : cache_.code_on_page(page)) pm.mark_code(lo, hi - lo);
  if (!dropped) return;
  // The running block may be among those dropped: end it after the current instruction.
  cpu::request_exit(cpu_.s);
  for (uint32_t p : cache_.take_empty_pages()) cpu_.mmu().unprotect_code_page(p);
}

void Engine::protect(const cpu::TranslatedBlock& code) {
  // The bytes run from `phys` to the end of the first page, then on from the second page's start.
  const uint32_t first =
      std::min<uint32_t>(code.byte_len, mmu::kPageSize - (code.phys & (mmu::kPageSize - 1)));
  cpu_.mmu().protect_code(code.phys, first);
  if (code.npages > 1) cpu_.mmu().protect_code(code.pages[1], code.byte_len - first);
}

bool Engine::second_page_holds(const CachedBlock& b) {
  if (b.code.npages < 2) return true;
  const uint32_t second = b.code.last_lin() & mmu::kPageMask;
  try {
    return (cpu_.mmu().translate_exec(second) & mmu::kPageMask) == b.code.pages[1];
  } catch (const cpu::CpuException&) {
    return false;
  }
}

CachedBlock* Engine::lookup() {
  const cpu::CpuState& s = cpu_.s;
  if (mode_stale_) {
    mode_ = cpu::current_mode(cpu_);
    mode_bits_ = mode_bits(mode_);
    mode_stale_ = false;
  }
  const uint32_t cs_base = s.seg[cpu::CS].base;
  const uint32_t lin = cs_base + s.eip;
  JumpCacheEntry& jc = cache_.jump_cache_slot(lin);
  const bool tagged = jc.block && jc.eip == s.eip && jc.cs_base == cs_base && jc.mode == mode_bits_;
  if (tagged && jc.gen == s.jc_gen) {
    stats_.jc_hits++;
    return jc.block;
  }
  const uint32_t phys = cpu_.mmu().translate_exec(lin);
  // The TLB was flushed since the entry was made (a CR3 write or an INVLPG anywhere): it still
  // holds when the block's code maps where it did. Kernels flush often and their code stays
  // mapped, so this spares most lookups in the block map.
  if (tagged && phys == jc.block->key.phys && second_page_holds(*jc.block)) {
    jc.gen = s.jc_gen;
    cpu_.mmu().note_code_lookup(lin, jc.block->code.last_lin());
    stats_.jc_revalidated++;
    return jc.block;
  }
  const BlockKey key{s.eip, cs_base, phys, mode_bits_};
  CachedBlock* found = cache_.find(key);
  if (found && !second_page_holds(*found)) {
    // The block continues on a page that now maps elsewhere or not at all: translate again,
    // which also raises a fault on that page at the instruction that reaches it.
    cache_.drop(found);
    found = nullptr;
  }
  if (found)
    stats_.map_hits++;
  else
    found = translate(key);
  // Translated code enters only blocks that keep the mode (as chaining does, run_compiled()).
  jc = JumpCacheEntry{s.eip, cs_base, mode_bits_, s.jc_gen, found->chainable ? found->host : nullptr, found};
  cpu_.mmu().note_code_lookup(lin, found->code.last_lin());
  return found;
}

ir::Block& Engine::ir_of(CachedBlock& b) {
  if (!b.code.ir.insts.empty()) return b.code.ir;
  // Called for the block lookup() has just returned, so CS:EIP, the mode and the code bytes
  // are those it was translated from (a write to them would have dropped it).
  cpu::TranslatedBlock again;
  cpu::translate_block(cpu_, decoder_, mode_, again);
  if (again.byte_len != b.code.byte_len || again.ir.guest_insns != b.code.ir.guest_insns)
    throw std::logic_error(fmt::format("block at {:08x} translated differently the second time", b.code.eip));
  b.code.ir = std::move(again.ir);
  return b.code.ir;
}

CachedBlock* Engine::translate(const BlockKey& key) {
  const cpu::CpuState& s = cpu_.s;
  stats_.translations++;
  const cpu::TranslationMode& mode = mode_;
  auto blk = std::make_unique<CachedBlock>();
  cpu::translate_block(cpu_, decoder_, mode, blk->code);
  blk->chainable = chainable(blk->code.ir);
  if (verify_ir_) {
    if (std::string err = ir::verify(blk->code.ir); !err.empty())
      throw std::logic_error(fmt::format("bad IR for block at {:04x}:{:08x}: {}\n{}", s.seg[cpu::CS].sel,
                                         s.eip, err, ir::print(blk->code.ir)));
  }
  if (backend_) compile(*blk, mode);
  protect(blk->code);
  if (log_.in_asm && log_.sink) {
    // Disassemble the block's bytes again for the log (fetching cannot fault: they were just
    // translated).
    std::string text = fmt::format("IN: {:04x}:{:08x} ({} instructions)\n", s.seg[cpu::CS].sel, s.eip,
                                   blk->code.ir.guest_insns);
    uint32_t eip = s.eip;
    for (uint32_t i = 0; i < blk->code.ir.guest_insns; i++) {
      uint8_t bytes[15];
      const unsigned got = cpu_.mmu().fetch_code(s.seg[cpu::CS].base + eip, bytes, 15);
      cpu::DecodedInsn insn;
      if (decoder_.decode(bytes, got, mode.code32, eip, insn) != cpu::DecodeStatus::Ok) break;
      text += fmt::format("  {:08x}  {}\n", eip, decoder_.disassemble(bytes, got, mode.code32, eip));
      eip += insn.len;
    }
    log_.sink(text);
  }
  return cache_.insert(key, std::move(blk));
}

void Engine::log_interrupt(uint8_t vector, const char* kind, bool has_error, uint32_t error) {
  if (!log_.interrupts || !log_.sink) return;
  const cpu::CpuState& s = cpu_.s;
  log_.sink(fmt::format("{} {:#04x}{} at {:04x}:{:08x} icount {} eax={:08x} esp={:08x} cr2={:08x}\n", kind,
                        vector, has_error ? fmt::format(" error {:#x}", error) : "", s.seg[cpu::CS].sel,
                        s.eip, s.icount, s.regs[cpu::EAX], s.regs[cpu::ESP], s.cr2));
}

namespace {

// Exception classes for the double-fault rules (SDM Vol.3 §6.15, table 6-5).
enum class Class { Benign, Contributory, PageFault };
Class classify(uint8_t v) {
  switch (v) {
    case cpu::kDE: case cpu::kTS: case cpu::kNP: case cpu::kSS: case cpu::kGP: return Class::Contributory;
    case cpu::kPF: return Class::PageFault;
    default: return Class::Benign;
  }
}

// Mnemonics of the exception vectors, for messages.
std::string vector_name(uint8_t v) {
  static constexpr const char* kNames[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
                                           "#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM"};
  return v < std::size(kNames) ? kNames[v] : fmt::format("vector {:#x}", v);
}

bool makes_double_fault(uint8_t first, uint8_t second) {
  const Class a = classify(first), b = classify(second);
  if (a == Class::Contributory) return b == Class::Contributory;
  if (a == Class::PageFault) return b != Class::Benign;
  return false;
}

}  // namespace

void Engine::deliver(const cpu::CpuException& first, bool fault) {
  // Deliver the exception; a fault while doing so is handled serially, or becomes a double
  // fault when the pair is contributory/page-fault (SDM Vol.3 §6.15); a fault while delivering
  // #DF shuts the processor down. Benign chains are bounded the same way.
  mode_stale_ = true;  // delivery may change privilege, segments and mode
  cpu::CpuException e = first;
  uint8_t last = first.vector;  // the exception raised by the last delivery attempt
  if (log_.exception) log_.exception(first);
  stats_.exceptions++;
  // Delivery takes virtual time like an instruction does, so a guest stuck taking the same
  // fault forever still reaches the run loop's limits and scheduled events.
  cpu_.s.icount++;
  if (exception_stall_) exception_stall_();
  for (int depth = 0; depth < 8; depth++) {
    if (e.vector == cpu::kPF) cpu_.s.cr2 = e.address;
    // Fault-class exceptions push RF = 1, so the restarted instruction cannot hit its own
    // instruction breakpoint again (SDM Vol.3 §17.3.1.1). The delivery then clears RF.
    const uint32_t rf = cpu_.s.eflags & cpu::fl::RF;
    if (fault && e.vector != cpu::kDF && e.vector != cpu::kMC) cpu_.s.eflags |= cpu::fl::RF;
    log_interrupt(e.vector, "exception", e.has_error, e.error);
    try {
      cpu_.interrupt(e.vector, cpu::IntKind::Exception, cpu_.s.eip, e.has_error, e.error);
      return;
    } catch (const cpu::CpuException& next) {
      cpu_.s.eflags = (cpu_.s.eflags & ~cpu::fl::RF) | rf;
      last = next.vector;
      if (e.vector == cpu::kDF) break;
      e = makes_double_fault(e.vector, next.vector) ? cpu::CpuException{cpu::kDF, true, 0, 0} : next;
    }
  }
  shutdown_ = true;
  shutdown_reason_ = fmt::format("triple fault: {} while delivering {}, which followed {}", vector_name(last),
                                 vector_name(e.vector), vector_name(first.vector));
  log_interrupt(cpu::kDF, "triple fault after", false, 0);
}

void Engine::deliver_debug(uint32_t dr6_bits, bool fault) {
  // B0-B3 describe this exception only; BD, BS and BT accumulate (SDM Vol.3 §17.2.3).
  cpu::CpuState& s = cpu_.s;
  s.dr[6] = (s.dr[6] & ~0xfu) | dr6_bits;
  deliver(cpu::CpuException{cpu::kDB}, fault);
}

void Engine::step_debug() {
  // One instruction with the debug checks around it (SDM Vol.3 §17.3.1). Instruction
  // breakpoints are faults taken before the instruction unless RF is set; RF is then cleared
  // at its start. Traps (single-step, data breakpoints) follow the instruction unless it
  // raised an exception or delivered an interrupt; MOV SS / POP SS hold them back for one
  // more instruction.
  cpu::CpuState& s = cpu_.s;
  if (!(s.eflags & cpu::fl::RF)) {
    if (const uint32_t hits = cpu::dbg::exec_hits(s, s.seg[cpu::CS].base + s.eip)) {
      deliver_debug(hits, /*fault=*/false);
      return;
    }
  }
  s.eflags &= ~cpu::fl::RF;
  const uint32_t carried = s.db_carry;
  s.db_carry = 0;
  s.db_trap = (s.eflags & cpu::fl::TF) ? cpu::dbg::kBS : 0;
  const bool shadow = s.irq_shadow;
  const uint64_t before = s.icount;
  s.exit_request = 0;
  try {
    CachedBlock* b = lookup();
    if (log_.exec && log_.sink)
      log_.sink(fmt::format("Trace {:04x}:{:08x} icount {}\n", s.seg[cpu::CS].sel, s.eip, s.icount));
    interpret(cpu_, ir_of(*b), 1);
    if (cpu_.fault_pending()) throw cpu_.take_fault();  // rare here: single steps
  } catch (const cpu::CpuException& e) {
    stats_.unwound++;
    if (shadow) s.irq_shadow = 0;  // the shadowed instruction is over, faulted or not
    deliver(e);
    return;
  }
  if (shadow) s.irq_shadow = 0;
  if (s.icount == before) return;  // nothing retired
  finish_traps(carried);
}

void Engine::finish_traps(uint32_t carried) {
  cpu::CpuState& s = cpu_.s;
  const uint32_t trap = s.db_trap | carried;
  s.db_trap = 0;
  if (!trap) return;
  if (s.irq_shadow & cpu::kShadowDebug) {
    s.db_carry = trap;
    return;
  }
  deliver_debug(trap, /*fault=*/false);
}

void Engine::raise_nmi() {
  cpu_.s.nmi_pending = 1;
  cpu::request_exit(cpu_.s);
}

bool Engine::deliver_external() {
  cpu::CpuState& s = cpu_.s;
  if (s.nmi_pending && !s.nmi_blocked) {
    // NMI: vector 2, no error code, whatever IF; further NMIs wait for the next IRET
    // (SDM Vol.3 §6.7.1).
    s.nmi_pending = 0;
    s.nmi_blocked = 1;
    s.halted = 0;
    mode_stale_ = true;
    log_interrupt(cpu::kNMI, "nmi", false, 0);
    try {
      cpu_.interrupt(cpu::kNMI, cpu::IntKind::External, s.eip);
    } catch (const cpu::CpuException& e) {
      stats_.unwound++;
      deliver(e);
    }
    return true;
  }
  if (!(s.eflags & cpu::fl::IF) || !cpu_.intr || !cpu_.intr->intr_pending()) return false;
  const uint8_t vector = cpu_.intr->intr_acknowledge();
  s.halted = 0;
  mode_stale_ = true;
  log_interrupt(vector, "interrupt", false, 0);
  try {
    cpu_.interrupt(vector, cpu::IntKind::External, s.eip);
  } catch (const cpu::CpuException& e) {
    stats_.unwound++;
    deliver(e);
  }
  return true;
}

void Engine::skip_breakpoint_once() {
  skip_armed_ = true;
  skip_icount_ = cpu_.s.icount;
  skip_lin_ = cpu_.s.seg[cpu::CS].base + cpu_.s.eip;
}

bool Engine::at_breakpoint() const {
  const cpu::CpuState& s = cpu_.s;
  const uint32_t lin = s.seg[cpu::CS].base + s.eip;
  if (s.halted || !breakpoints_.count(lin)) return false;
  return !(skip_armed_ && skip_icount_ == s.icount && skip_lin_ == lin);
}

bool Engine::breakpoint_inside(const CachedBlock& b) const {
  const auto next = breakpoints_.upper_bound(b.code.lin);
  return next != breakpoints_.end() && *next - b.code.lin < b.code.byte_len;
}

StopReason Engine::run(uint64_t icount_limit) {
  cpu::CpuState& s = cpu_.s;
  stop_requested_ = false;
  s.jump_cache = cache_.jump_cache();
  bool keep_mode = false;
  for (;;) {
    // Whatever ran last may have changed the translation mode, unless it was a block that calls
    // nothing but plain helpers (set below): then the cached mode still holds.
    if (!keep_mode) mode_stale_ = true;
    keep_mode = false;
    if (stop_requested_) return StopReason::Request;
    if (shutdown_) return StopReason::Shutdown;
    if (s.icount >= icount_limit) return StopReason::Limit;
    const bool debugging = !breakpoints_.empty();
    if (cpu_.mmu().host_watch_hit() || (debugging && at_breakpoint())) [[unlikely]]
      return StopReason::Debug;
    if (s.db_trap) [[unlikely]] {
      // Traps raised by the last event delivery itself (its implicit accesses hit a data
      // breakpoint, or it switched to a task with the T flag) come after the delivery, before
      // the handler's first instruction (SDM Vol.3 §17.3.1.2, §17.3.1.5).
      const uint32_t trap = s.db_trap;
      s.db_trap = 0;
      deliver_debug(trap, /*fault=*/false);
      cache_.collect();
      continue;
    }
    uint32_t max = uint32_t(std::min<uint64_t>(icount_limit - s.icount, cpu::kMaxBlockInsns));
    const bool shadow = s.irq_shadow;
    if (shadow) {
      // One instruction runs before interrupts are recognised (SDM Vol.3 §6.8.3).
      max = 1;
    } else {
      const bool delivered = deliver_external();
      if (shutdown_) return StopReason::Shutdown;
      if (s.db_trap) [[unlikely]] continue;  // the delivery's own traps, taken above
      // A debugger's breakpoint may sit on the handler's first instruction: checked above.
      if (delivered && debugging) [[unlikely]] continue;
    }
    if (s.halted) return StopReason::Halted;
    // The last block ended early because something changed (EFLAGS.AC among others).
    if (s.exit_request) cpu_.update_align_check();
    if (cpu::dbg::stepping(s)) [[unlikely]] {
      // RF only holds back instruction breakpoints for one instruction (SDM Vol.3 §17.3.1.1).
      // With none armed it has nothing to hold back, and it is clear once that instruction
      // completes; a fault in it pushes RF = 1 whatever RF was. So it is cleared here, and a
      // guest returning from a fault handler (IRET restores the RF = 1 the fault pushed) or
      // resuming a long REP string runs translated code again instead of single steps.
      // Interrupts were delivered above and pushed the RF they found.
      if ((s.eflags & cpu::fl::TF) || s.dbg_exec || s.db_carry) {
        step_debug();
        cache_.collect();
        continue;
      }
      s.eflags &= ~cpu::fl::RF;
    }
    s.exit_request = 0;
    try {
      CachedBlock* b = lookup();
      if (log_.exec && log_.sink)
        log_.sink(fmt::format("Trace {:04x}:{:08x} icount {}\n", s.seg[cpu::CS].sel, s.eip, s.icount));
      // Translated code runs whole blocks (and chains while the log does not trace each one);
      // a block that does not fit in what is left before the limit runs on the interpreter,
      // which stops exactly there.
      // With breakpoints set, blocks run one at a time, and one holding a breakpoint runs an
      // instruction at a time, so that every breakpoint is checked above.
      if (debugging && breakpoint_inside(*b)) [[unlikely]]
        max = 1;
      if (b->host && max >= b->code.ir.guest_insns) {
        s.icount_limit = log_.exec || debugging ? s.icount + b->code.ir.guest_insns : icount_limit;
        run_compiled(*b);
      } else {
        interpret(cpu_, ir_of(*b), max);
      }
      keep_mode = b->chainable;
    } catch (const cpu::CpuException& e) {
      stats_.unwound++;
      deliver(e);
    }
    if (cpu_.fault_pending()) [[unlikely]] {
      keep_mode = false;
      deliver(cpu_.take_fault());
    }
    if (shadow) s.irq_shadow = 0;
    // A data breakpoint hit by the last instruction (it ended the block).
    if (s.db_trap) [[unlikely]] finish_traps(0);
    cache_.collect();
  }
}

}  // namespace jit
