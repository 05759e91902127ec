// Register allocation for one block, shared by the compiling backends: a linear scan over the
// straight-line IR. The backend names its host registers by small numbers and says which ops
// call out on the fast path (and so clobber the caller-saved set); temps live across such an
// op go to callee-saved registers first. When registers run out a temp lives in a spill slot.
#pragma once

#include <cstdint>
#include <vector>

#include "jit/ir/block.h"

namespace jit {

struct Location {
  enum Kind : uint8_t { None, Reg, Spill, Const };
  Kind kind = None;
  uint8_t reg = 0;      // Reg: the backend's register number
  uint16_t slot = 0;    // Spill: slot index
};

struct RegisterFile {
  std::vector<uint8_t> caller_saved;  // in order of preference
  std::vector<uint8_t> callee_saved;
  bool (*calls_out)(const ir::Inst&) = nullptr;
};

struct Allocation {
  std::vector<Location> loc;         // per temp
  std::vector<uint32_t> def, last;   // per temp: index of the defining op and of its last use
  uint32_t spill_slots = 0;
  // Temps whose value is needed after op `i` and that were defined before it: what must survive
  // a call made by op `i`.
  template <typename F>
  void for_each_live_across(uint32_t i, F&& f) const {
    for (size_t t = 1; t < loc.size(); t++)
      if (loc[t].kind == Location::Reg && def[t] < i && last[t] > i) f(ir::Temp(t), loc[t]);
  }
};

Allocation allocate_registers(const ir::Block& block, const RegisterFile& regs);

}  // namespace jit
