// Port I/O: IN, OUT (INS/OUTS live with the string instructions). Port I/O ends a block so
// devices observe exact virtual time (DESIGN.md §5 "Virtual clock").
#include "cpu/opcode_table.h"

namespace cpu {

void lower_in(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Temp port = c.op(1).kind == OpKind::Imm ? c.imm(c.op(1).imm) : c.get_reg(EDX, 2);
  const Temp v = c.call(Helper::In, port, c.imm(c.insn_index), ir::kNoTemp, dst.size);
  c.set_reg(EAX, dst.size, v);
}

void lower_out(LowerCtx& c) {
  const Operand& src = c.op(1);
  const Temp port = c.op(0).kind == OpKind::Imm ? c.imm(c.op(0).imm) : c.get_reg(EDX, 2);
  c.call(Helper::Out, port, c.get_reg(EAX, src.size), c.imm(c.insn_index), src.size);
}

}  // namespace cpu
