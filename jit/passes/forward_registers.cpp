// Guest-register forwarding. Register writes stay in place (state is precise at every fault
// and helper call), but a block reads each register from CpuState at most once: later reads use
// the temp that holds the value, so the backend keeps it in a host register. Reads and writes
// of 8- and 16-bit parts work on the whole register in a temp.
#include <array>

#include "jit/passes/passes.h"
#include "jit/passes/rewriter.h"

namespace jit::passes {

using ir::Op;
using ir::Temp;

void forward_registers(ir::Block& b) {
  Rewriter rw(b);
  std::array<Temp, 8> known{};  // temp holding the whole 32-bit register, or 0 when unknown
  auto forget = [&] { known.fill(ir::kNoTemp); };
  // The whole register, read from CpuState the first time it is needed.
  auto whole = [&](unsigned r) {
    if (!known[r]) known[r] = rw.emit(Op::GetReg32, 0, 0, 0, uint8_t(r));
    return known[r];
  };
  for (size_t i = 0; i < rw.input().size(); i++) {
    ir::Inst in = rw.read(i);
    switch (in.op) {
      case Op::GetReg32:
        if (known[in.sz]) {
          rw.rename(in.dst, known[in.sz]);
          continue;
        }
        known[in.sz] = in.dst;
        break;
      case Op::GetReg16:
        rw.emit(Op::Zext16, whole(in.sz), 0, 0, 0, 0, in.dst);
        continue;
      case Op::GetReg8: {
        // Registers 4..7 of the byte set are AH, CH, DH, BH: bits 8..15 of EAX..EBX.
        Temp v = whole(in.sz < 4 ? in.sz : in.sz - 4u);
        if (in.sz >= 4) v = rw.emit(Op::Shr, v, rw.imm(8));
        rw.emit(Op::Zext8, v, 0, 0, 0, 0, in.dst);
        continue;
      }
      case Op::SetReg32: known[in.sz] = in.a; break;
      case Op::SetReg16:
      case Op::SetReg8: {
        // A partial write becomes a whole-register write of the merged value, which later reads
        // and the deferred writes (defer_state_writes) treat like any other.
        const bool word = in.op == Op::SetReg16, high = !word && in.sz >= 4;
        const unsigned r = word || !high ? in.sz : in.sz - 4u;
        const Temp part = rw.emit(word ? Op::Zext16 : Op::Zext8, in.a);
        const uint32_t keep = word ? 0xffff0000u : high ? 0xffff00ffu : 0xffffff00u;
        const Temp merged =
            rw.emit(Op::Or, rw.emit(Op::And, whole(r), rw.imm(keep)), high ? rw.emit(Op::Shl, part, rw.imm(8)) : part);
        rw.emit(Op::SetReg32, merged, 0, 0, uint8_t(r));
        known[r] = merged;
        continue;
      }
      case Op::Call: forget(); break;  // a helper may read or write any register
      default: break;
    }
    rw.keep(in);
  }
}

}  // namespace jit::passes
