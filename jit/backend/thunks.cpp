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

// Guest faults of loads and stores (#PF, #GP, #SS, #AC) come by return, without unwinding; only
// a host error in a device handler is thrown.
uint64_t thunk_load(JitContext* ctx, uint32_t seg, uint32_t off, uint32_t size_insn) noexcept {
  const uint32_t insn = size_insn >> kThunkInsnShift;
  return guarded(ctx, insn, [&] {
    uint32_t v;
    if (!ctx->cpu->try_load(seg, off, size_insn & kLowByte, v)) [[unlikely]]
      return fault_exit(ctx, insn, ctx->cpu->take_fault());
    return uint64_t(v);
  });
}

uint64_t thunk_store(JitContext* ctx, uint32_t seg, uint32_t off, uint32_t size_insn, uint32_t value) noexcept {
  const uint32_t insn = size_insn >> kThunkInsnShift;
  return guarded(ctx, insn, [&] {
    if (!ctx->cpu->try_store(seg, off, size_insn & kLowByte, value)) [[unlikely]]
      return fault_exit(ctx, insn, ctx->cpu->take_fault());
    return uint64_t(0);
  });
}

uint32_t thunk_cond(cpu::CpuState* s, uint32_t cc) noexcept { return cpu::eval_cond(*s, cc); }
uint32_t thunk_get_cf(cpu::CpuState* s) noexcept { return cpu::carry_flag(*s); }
uint32_t thunk_get_flags(cpu::CpuState* s) noexcept { return cpu::read_eflags(*s); }
void thunk_set_flags(cpu::CpuState* s, uint32_t value, uint32_t mask) noexcept { cpu::write_eflags(*s, value, mask); }

}  // namespace jit
