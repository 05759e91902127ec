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
// an instruction that may have set it. After a helper or a flag write the check is inline
// (kExitCheckInline); when only memory slow paths could have set it, backends check on those
// slow paths and, when it is set, finish the instruction there and leave at its end
// (kExitCheckOnSlowPaths), so the fast path pays nothing.
void mark_exit_checks(ir::Block& b);
inline constexpr uint8_t kExitCheckInline = 1, kExitCheckOnSlowPaths = 2;
// Drops flag records, and writes of some arithmetic flags, that a later record overwrites
// before anything can observe them.
void remove_dead_flags(ir::Block& b);
// Keeps register writes and flag records pending until something can observe them; what a
// memory access or exit check could expose becomes a SyncReg/SyncCc group before it.
void defer_state_writes(ir::Block& b);
// A flag-record result that only sync groups read and that is the sum or difference of the
// record's operands (a CMP's) is dropped from the SyncCc, which says so in `sz`: backends
// compute it on the slow path, and the fast path no longer does.
void sink_sync_results(ir::Block& b);
inline constexpr uint8_t kSyncResAdd = 1, kSyncResSub = 2;
// Computes ops on constants and simplifies identities.
void fold_constants(ir::Block& b);
// Drops ops without side effects whose results nobody reads, and the Nops passes leave.
void remove_dead_code(ir::Block& b);

// All of the above, in order.
void optimize(ir::Block& b);

// For a block whose final exit jumps back to `eip`, its own start: moves the reads of the
// registers an iteration starts with to the front and fills Block::loop (after optimize; only
// for blocks that may chain, as the loop never returns to the engine between iterations).
void prepare_loop(ir::Block& b, uint32_t eip);

// The ops before which defer_state_writes places sync groups: their slow paths (for a
// conditional branch, its taken path) perform them.
inline bool takes_syncs(const ir::Inst& in) {
  return in.op == ir::Op::Load || in.op == ir::Op::Store || in.op == ir::Op::BranchIf ||
         (in.op == ir::Op::InsnStart && in.sz != 0);
}

// An InsnStart marked by mark_exit_checks (where the block may be left, so state is observable).
inline bool checks_exit(const ir::Inst& in) { return in.op == ir::Op::InsnStart && in.sz != 0; }

}  // namespace jit::passes
