// Stack instructions: PUSH, POP, PUSHA/PUSHAD, POPA/POPAD, PUSHF/PUSHFD, POPF/POPFD, ENTER,
// LEAVE (SDM Vol.2, one entry each).
//
// The operand size (insn.opsize) says how many bytes move; the stack-address size (SS.B, fixed
// per translation) says whether SP or ESP moves. Every store and load comes before ESP and the
// destination are written, so a faulting PUSH or POP leaves ESP unchanged.
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

unsigned stack_size(const LowerCtx& c) { return c.mode.stack32 ? 4 : 2; }

// Sign-extends an immediate narrower than the operand size (PUSH imm8).
uint32_t imm_value(const Operand& o, unsigned opsize) {
  uint32_t v = o.imm;
  if (o.size == 1) v = uint32_t(int32_t(int8_t(v)));
  else if (o.size == 2) v = uint32_t(int32_t(int16_t(v)));
  return opsize == 4 ? v : v & 0xffff;
}

}  // namespace

void lower_push(LowerCtx& c) {
  const Operand& o = c.op(0);
  const unsigned size = c.opsize();
  Temp v;
  if (o.kind == OpKind::Imm) {
    v = c.imm(imm_value(o, size));
  } else {
    // PUSH ESP/SP pushes the value before the decrement (read here, before c.push moves it).
    // A segment register with a 32-bit operand size is pushed zero-extended: the SDM allows
    // either that or a 16-bit write; we model the P6-class part, which writes the full
    // doubleword (recent Core parts do the 16-bit write instead).
    v = c.read(o);
  }
  c.push(v, size);
}

void lower_pop(LowerCtx& c) {
  const Operand& o = c.op(0);
  const unsigned size = c.opsize();
  const unsigned ss = stack_size(c);
  const Temp v = c.stack_read(size);
  if (o.kind == OpKind::Seg) {
    if (o.reg == CS) return c.raise(kUD);
    c.call(Helper::LoadSeg, c.zext(v, 2), ir::kNoTemp, ir::kNoTemp, o.reg);
    c.adjust_sp(int32_t(size));
    // POP SS inhibits interrupts for one instruction (the helper starts the shadow); any
    // segment load changes the translation mode (SS.B, and which segments are flat).
    c.jump(c.next_eip());
    return;
  }
  if (o.kind == OpKind::Reg) {
    // POP ESP: the increment happens first and is overwritten by the popped value.
    c.adjust_sp(int32_t(size));
    c.set_reg(o.reg, size, v);
    return;
  }
  // Memory destination. With ESP as the base register the address is computed after the
  // increment (SDM Vol.2 POP); the store still precedes the ESP update.
  const Temp new_sp = c.trunc(c.b.add(c.get_sp(), c.imm(size)), ss);
  Temp addr;
  if (o.base == ESP) {
    Operand rest = o;
    rest.base = -1;
    const Temp esp = ss == 4 ? new_sp
                             : c.b.or_(c.b.and_(c.get_reg(ESP, 4), c.imm(0xffff0000u)), new_sp);
    addr = c.b.add(c.ea(rest), esp);  // ESP as a base implies 32-bit addressing: no wrap
  } else {
    addr = c.ea(o);
  }
  c.store(o.seg, addr, v, size);
  c.set_reg(ESP, ss, new_sp);
}

// PUSHA/PUSHAD: AX CX DX BX (original SP) BP SI DI. All eight stores precede the SP update.
void lower_pusha(LowerCtx& c) {
  const unsigned size = c.opsize();
  const unsigned ss = stack_size(c);
  const Temp sp = c.get_sp();
  for (unsigned r = 0; r < 8; r++) {
    const Temp v = c.get_reg(r, size);
    c.store(SS, c.trunc(c.b.sub(sp, c.imm((r + 1) * size)), ss), v, size);
  }
  c.set_reg(ESP, ss, c.trunc(c.b.sub(sp, c.imm(8 * size)), ss));
}

// POPA/POPAD: DI SI BP (skip SP) BX DX CX AX; all loads precede the register writes.
void lower_popa(LowerCtx& c) {
  const unsigned size = c.opsize();
  Temp v[8];
  for (unsigned r = 0; r < 8; r++)
    if (r != ESP) v[r] = c.stack_read(size, (7 - r) * size);
  for (unsigned r = 0; r < 8; r++)
    if (r != ESP) c.set_reg(r, size, v[r]);
  c.adjust_sp(int32_t(8 * size));
}

// PUSHF/PUSHFD: the 32-bit image has VM and RF cleared (SDM Vol.2 PUSHF: EFLAGS AND 00FCFFFFH).
// In V86 mode the helper applies the IOPL/VME rules (#GP(0) or the VIF-substituted image).
void lower_pushf(LowerCtx& c) {
  const unsigned size = c.opsize();
  Temp v = c.b.and_(c.b.emit(ir::Op::GetFlags), c.imm(size == 4 ? 0x00fcffffu : 0xffffu));
  if (c.mode.vm) v = c.call(Helper::V86Pushf, v, ir::kNoTemp, ir::kNoTemp, uint8_t(size));
  c.push(v, size);
}

// POPF/POPFD: the privilege rules live in the helper. The opcode table ends the block after it,
// since IF and TF may change.
void lower_popf(LowerCtx& c) {
  c.call(Helper::Popf, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, uint8_t(c.opsize()));
}

void lower_enter(LowerCtx& c) {
  c.call(Helper::Enter, c.imm(c.op(0).imm & 0xffff), c.imm(c.op(1).imm & 0xff), ir::kNoTemp,
         uint8_t(c.opsize()));
}

// LEAVE: (E)SP = (E)BP with the stack-address size, then (E)BP = pop. The load comes first.
void lower_leave(LowerCtx& c) {
  const unsigned size = c.opsize();
  const unsigned ss = stack_size(c);
  const Temp bp = c.get_reg(EBP, ss);
  const Temp v = c.load(SS, bp, size);
  c.set_reg(ESP, ss, c.trunc(c.b.add(bp, c.imm(size)), ss));
  c.set_reg(EBP, size, v);
}

}  // namespace cpu
