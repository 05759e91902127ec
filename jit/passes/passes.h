// IR-to-IR passes (DESIGN.md §3 "passes"): run on a lowered block before a compiling backend
// sees it; they are shared by every backend and know nothing of the host. The interpreter runs
// the lowering's output unchanged, so the two engines check each other.
#pragma once

#include "jit/ir/block.h"

namespace jit::passes {

// Reads of a guest register whose value the block already holds in a temp (it read or wrote
// the whole register before, with no helper call in between) use that temp.
void forward_registers(ir::Block& b);
// Conditions and CF read from a flag record of the same block become plain compares of its
// operands (compare-and-branch fusion in the backends starts here).
void fuse_conditions(ir::Block& b);
// Marks the instruction starts where the block must check CpuState::exit_request: those after
// an instruction that may have set it (a helper, a memory slow path, a flag write).
void mark_exit_checks(ir::Block& b);
// Drops flag records, and writes of some arithmetic flags, that a later record overwrites
// before anything can observe them.
void remove_dead_flags(ir::Block& b);
// Keeps register writes and flag records pending until something can observe them; what a
// memory access or exit check could expose becomes a SyncReg/SyncCc group before it.
void defer_state_writes(ir::Block& b);
// Computes ops on constants and simplifies identities.
void fold_constants(ir::Block& b);
// Drops ops without side effects whose results nobody reads, and the Nops passes leave.
void remove_dead_code(ir::Block& b);

// All of the above, in order.
void optimize(ir::Block& b);

// The ops before which defer_state_writes places sync groups: their slow paths perform them.
inline bool takes_syncs(const ir::Inst& in) {
  return in.op == ir::Op::Load || in.op == ir::Op::Store || (in.op == ir::Op::InsnStart && in.sz == 1);
}

// An InsnStart marked by mark_exit_checks.
inline bool checks_exit(const ir::Inst& in) { return in.op == ir::Op::InsnStart && in.sz == 1; }

}  // namespace jit::passes
