#include "jit/backend/thunks.h"

#include "cpu/flags.h"

namespace jit {

namespace {

// The fault status: the instructions before the faulting one (`insn`, its position in the
// block) have retired.
uint64_t fault_exit(JitContext* ctx, uint32_t insn, const cpu::CpuException& e) {
  ctx->fault = e;
  ctx->other = nullptr;
  ctx->unwound = false;
  ctx->cpu->s.icount += insn;
  return kThunkFault;
}

// Runs `f`, turning an exception into the fault status.
template <typename F>
uint64_t guarded(JitContext* ctx, uint32_t insn, F&& f) noexcept {
  try {
    return f();
  } catch (const cpu::CpuException& e) {
    fault_exit(ctx, insn, e);
    ctx->unwound = true;
  } catch (...) {
    ctx->other = std::current_exception();
  }
  return kThunkFault;
}

constexpr uint32_t kLowByte = (1u << kThunkInsnShift) - 1;

}  // namespace

uint64_t thunk_helper(JitContext* ctx, uint32_t a, uint32_t b, uint32_t c, uint32_t k_insn,
                      cpu::HelperFn fn) noexcept {
  const uint32_t insn = k_insn >> kThunkInsnShift;
  return guarded(ctx, insn, [&] {
    const uint32_t r = fn(*ctx->cpu, a, b, c, k_insn & kLowByte);
    // A fault reported by return leaves the same way as a thrown one, without unwinding.
    if (ctx->cpu->fault_pending()) [[unlikely]]
      return fault_exit(ctx, insn, ctx->cpu->take_fault());
    return uint64_t(r);
  });
}

uint64_t thunk_load(JitContext* ctx, uint32_t seg, uint32_t off, uint32_t size_insn) noexcept {
  return guarded(ctx, size_insn >> kThunkInsnShift,
                 [&] { return uint64_t(ctx->cpu->load(seg, off, size_insn & kLowByte)); });
}

uint64_t thunk_store(JitContext* ctx, uint32_t seg, uint32_t off, uint32_t size_insn, uint32_t value) noexcept {
  return guarded(ctx, size_insn >> kThunkInsnShift, [&] {
    ctx->cpu->store(seg, off, size_insn & kLowByte, value);
    return uint64_t(0);
  });
}

uint32_t thunk_cond(cpu::CpuState* s, uint32_t cc) noexcept { return cpu::eval_cond(*s, cc); }
uint32_t thunk_get_cf(cpu::CpuState* s) noexcept { return cpu::carry_flag(*s); }
uint32_t thunk_get_flags(cpu::CpuState* s) noexcept { return cpu::read_eflags(*s); }
void thunk_set_flags(cpu::CpuState* s, uint32_t value, uint32_t mask) noexcept { cpu::write_eflags(*s, value, mask); }

}  // namespace jit
