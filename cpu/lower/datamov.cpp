// Data movement: MOV, MOVZX/MOVSX, LEA, XCHG, XADD, CMPXCHG, BSWAP, XLAT, CBW family, CMOVcc.
#include "cpu/opcode_table.h"

namespace cpu {

void lower_mov(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  if (dst.kind == OpKind::Seg || src.kind == OpKind::Seg || dst.kind == OpKind::Cr ||
      src.kind == OpKind::Cr || dst.kind == OpKind::Dr || src.kind == OpKind::Dr) {
    return lower_mov_system(c);
  }
  c.write(dst, c.read(src));
}

void lower_nop(LowerCtx&) {}

}  // namespace cpu
