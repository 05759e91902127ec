// Control transfer: JMP, Jcc, CALL, RET, LOOP family, JCXZ, INT/IRET, BOUND.
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

// Relative branch target: Zydis gives the displacement; EIP wraps to 16 bits when the operand
// size is 16 (SDM Vol.2 JMP: "IF OperandSize = 16 THEN EIP <- EIP AND 0000FFFFH").
uint32_t rel_target(const LowerCtx& c, const Operand& o) {
  uint32_t t = c.insn.eip + c.insn.len + o.imm;
  return c.insn.opsize == 2 ? t & 0xffff : t;
}

}  // namespace

void lower_jmp(LowerCtx& c) {
  const Operand& o = c.op(0);
  if (o.kind == OpKind::Imm) return c.jump(rel_target(c, o));
  if (o.kind == OpKind::Reg || o.kind == OpKind::Mem) return c.jump_ind(c.zext(c.read(o), c.insn.opsize));
  c.raise(kUD);  // far forms: with the far-transfer helpers
}

void lower_jcc(LowerCtx& c) {
  const unsigned cc = c.insn.opcode & 0xf;
  c.b.branch_if(c.b.cond(cc), rel_target(c, c.op(0)));
  c.jump(c.next_eip());
}

}  // namespace cpu
