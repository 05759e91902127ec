// Where the translated code must look at CpuState::exit_request, and which flag writes are
// dead. Both follow from one rule: guest state is observable (and the block may be left) at a
// fault, a helper call, a block exit and a marked instruction start; in between it is not.
#include "cpu/state.h"
#include "jit/passes/passes.h"

namespace jit::passes {

using ir::Op;

namespace {

// May set exit_request: helpers, memory slow paths (code writes, watchpoints), and flag writes
// that change TF, RF or AC (cpu/flags.h write_eflags).
bool may_request_exit(const ir::Inst& in) {
  switch (in.op) {
    case Op::Load:
    case Op::Store:
    case Op::Call: return true;
    case Op::SetFlags: return in.imm & (cpu::fl::TF | cpu::fl::RF | cpu::fl::AC);
    default: return false;
  }
}

}  // namespace

void mark_exit_checks(ir::Block& b) {
  bool pending = false;
  for (ir::Inst& in : b.insts) {
    if (in.op == Op::InsnStart) {
      in.sz = pending ? 1 : 0;
      pending = false;
    } else if (may_request_exit(in)) {
      pending = true;
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
