// System instructions: HLT, flag control, CPUID, RDTSC, descriptor tables, control registers.
#include "cpu/opcode_table.h"

namespace cpu {

void lower_hlt(LowerCtx& c) {
  c.call(Helper::Hlt, c.imm(c.next_eip()));
  c.end_block = true;
  c.b.jmp(c.next_eip());
}

void lower_mov_system(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  if (dst.kind == OpKind::Seg) {
    if (dst.reg == CS) return c.raise(kUD);  // MOV CS is invalid (SDM Vol.2 MOV)
    c.call(Helper::LoadSeg, c.zext(c.read(src), 2), ir::kNoTemp, ir::kNoTemp, dst.reg);
    // A new SS inhibits interrupts for one instruction; CS/SS loads change the translation mode.
    if (dst.reg == SS) c.jump(c.next_eip());
    return;
  }
  if (src.kind == OpKind::Seg) {
    // To a register, the selector is zero-extended (upper bits are 0 on P6 for 32-bit moves).
    Temp sel = c.read(src);
    if (dst.kind == OpKind::Mem)
      c.write(Operand{dst.kind, 2, dst.reg, dst.seg, dst.base, dst.index, dst.scale, 0, dst.disp, 0, 0}, sel);
    else
      c.set_reg(dst.reg, dst.size, sel);
    return;
  }
  c.raise(kUD);  // control and debug registers come with the system-architecture work
}

}  // namespace cpu
