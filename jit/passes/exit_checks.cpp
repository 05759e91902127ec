// Where the translated code must look at CpuState::exit_request, and which flag records are
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
  ir::Inst* pending = nullptr;  // the last flag record nothing has observed yet
  for (ir::Inst& in : b.insts) {
    const uint16_t f = ir::info(in.op).flags;
    if (in.op == Op::SetCc) {
      if (pending) *pending = ir::Inst{Op::Nop};
      pending = &in;
    } else if ((f & (ir::kReadsFlags | ir::kMayFault | ir::kExits)) || checks_exit(in)) {
      pending = nullptr;
    }
  }
}

}  // namespace jit::passes
