// Guest-register forwarding. Register writes stay in place (state is precise at every fault
// and helper call), but a block reads each register from CpuState at most once: later reads use
// the temp that holds the value, so the backend keeps it in a host register.
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
        if (known[in.sz]) {
          rw.emit(Op::Zext16, known[in.sz], 0, 0, 0, 0, in.dst);
          continue;
        }
        break;
      case Op::GetReg8: {
        // Registers 4..7 of the byte set are AH, CH, DH, BH: bits 8..15 of EAX..EBX.
        const unsigned r = in.sz < 4 ? in.sz : in.sz - 4u;
        if (known[r]) {
          Temp v = known[r];
          if (in.sz >= 4) v = rw.emit(Op::Shr, v, rw.imm(8));
          rw.emit(Op::Zext8, v, 0, 0, 0, 0, in.dst);
          continue;
        }
        break;
      }
      case Op::SetReg32: known[in.sz] = in.a; break;
      case Op::SetReg16: known[in.sz] = ir::kNoTemp; break;
      case Op::SetReg8: known[in.sz < 4 ? in.sz : in.sz - 4u] = ir::kNoTemp; break;
      case Op::Call: forget(); break;  // a helper may read or write any register
      default: break;
    }
    rw.keep(in);
  }
}

}  // namespace jit::passes
