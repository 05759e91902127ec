#include <fmt/format.h>

#include "jit/ir/block.h"

namespace ir {

std::string print(const Block& blk) {
  auto val = [&](Temp t) {
    return blk.is_const[t] ? fmt::format("#{:#x}", blk.values[t]) : fmt::format("t{}", t);
  };
  std::string out;
  for (const Inst& in : blk.insts) {
    const OpInfo& oi = info(in.op);
    if (in.op == Op::InsnStart) {
      out += fmt::format("-- {:08x}\n", in.imm);
      continue;
    }
    std::string line = "  ";
    if (oi.flags & kHasDst) line += fmt::format("t{} = ", in.dst);
    line += oi.name;
    if (in.sz) line += fmt::format(".{}", in.sz);
    // Appended piecewise: GCC 12 warns (-Wrestrict, a false positive) about " " + std::string.
    if (oi.flags & kUsesA) line.append(" ").append(val(in.a));
    if (oi.flags & kUsesB) line.append(", ").append(val(in.b));
    if (oi.flags & kUsesC) line.append(", ").append(val(in.c));
    if (in.imm) line += fmt::format(" [{:#x}]", in.imm);
    out += line + "\n";
  }
  return out;
}

}  // namespace ir
