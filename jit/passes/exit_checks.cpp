// Where the translated code must look at CpuState::exit_request, and which flag writes are
// dead. Both follow from one rule: guest state is observable (and the block may be left) at a
// fault, a helper call, a block exit and a marked instruction start; in between it is not.
#include <algorithm>

#include "cpu/state.h"
#include "jit/passes/passes.h"

namespace jit::passes {

using ir::Op;

namespace {

// May set exit_request: memory slow paths (code writes, watchpoints, devices), helpers, and
// flag writes that change TF, RF or AC (cpu/flags.h write_eflags). Only the first can be
// checked where it happens, on the slow path itself.
enum Request : uint8_t { kNone, kOnSlowPath, kAnywhere };
Request may_request_exit(const ir::Inst& in) {
  switch (in.op) {
    case Op::Load:
    case Op::Store: return kOnSlowPath;
    case Op::Call: return kAnywhere;
    case Op::SetFlags: return in.imm & (cpu::fl::TF | cpu::fl::RF | cpu::fl::AC) ? kAnywhere : kNone;
    default: return kNone;
  }
}

}  // namespace

void mark_exit_checks(ir::Block& b) {
  Request pending = kNone;
  for (ir::Inst& in : b.insts) {
    if (in.op == Op::InsnStart) {
      in.sz = pending == kAnywhere ? kExitCheckInline : pending == kOnSlowPath ? kExitCheckOnSlowPaths : 0;
      pending = kNone;
    } else {
      pending = std::max(pending, may_request_exit(in));
    }
  }
}

void remove_dead_flags(ir::Block& b) {
  // Backward: are the arithmetic flags read (or observable) before they are next overwritten?
  // They are at the block's end, at every flag reader, fault, exit and exit check.
  bool live = true;
  for (size_t i = b.insts.size(); i-- > 0;) {
    ir::Inst& in = b.insts[i];
    const uint16_t f = ir::info(in.op).flags;
    if (in.op == Op::SetCc) {
      if (!live) in = ir::Inst{Op::Nop};
      live = false;  // every arithmetic flag is written here
    } else if (in.op == Op::SetFlags && !(in.imm & ~cpu::fl::kArith)) {
      // Replaces some arithmetic flags and keeps the others, which it reads.
      if (!live) in = ir::Inst{Op::Nop};
    } else if ((f & (ir::kReadsFlags | ir::kMayFault | ir::kExits)) || checks_exit(in)) {
      live = true;
    }
  }
}

}  // namespace jit::passes
