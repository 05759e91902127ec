// Control transfer: JMP, Jcc, CALL, RET, LOOP family, JCXZ, INT/IRET, BOUND.
// Near transfers are IR; far transfers, interrupts and IRET call helpers that return the new EIP.
#include "cpu/cpu.h"  // IntKind
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

// The effective operand size (CS.D and 66h). Zydis reports a fixed width for some branches
// (LOOP, JCXZ), so control transfers take it from the prefix decode.
unsigned osize(const LowerCtx& c) { return c.insn.stack_size; }

// Relative branch target: Zydis gives the displacement; EIP wraps to 16 bits when the operand
// size is 16 (SDM Vol.2 JMP: "IF OperandSize = 16 THEN EIP <- EIP AND 0000FFFFH").
uint32_t rel_target(const LowerCtx& c, const Operand& o) {
  uint32_t t = c.insn.eip + c.insn.len + o.imm;
  return osize(c) == 2 ? t & 0xffff : t;
}

// FF /3 (CALL) and FF /5 (JMP) take a far pointer m16:16 or m16:32 from memory.
bool is_far_indirect(const LowerCtx& c) {
  return c.insn.opcode == 0xff && (c.insn.modrm_reg == 3 || c.insn.modrm_reg == 5);
}

// Reads offset and selector of a far pointer in memory (offset first, as the SDM lays it out).
void read_far_pointer(LowerCtx& c, const Operand& o, Temp& sel, Temp& off) {
  const unsigned size = osize(c);
  const Temp addr = c.ea(o);
  off = c.load(o.seg, addr, size);
  sel = c.load(o.seg, c.trunc(c.b.add(addr, c.imm(size)), c.insn.addrsize), 2);
}

void far_transfer(LowerCtx& c, Helper h) {
  const Operand& o = c.op(0);
  Temp sel, off;
  if (o.kind == OpKind::Far) {
    sel = c.imm(o.far_sel);
    off = c.imm(o.imm);
  } else if (o.kind == OpKind::Mem) {
    read_far_pointer(c, o, sel, off);
  } else {
    return c.raise(kUD);  // a far pointer cannot come from a register
  }
  const Temp eip = c.call(h, sel, off, c.imm(c.next_eip()), uint8_t(osize(c)));
  c.jump_ind(eip);
}

void software_interrupt(LowerCtx& c, uint8_t vector, uint32_t kind) {
  c.jump_ind(c.call(Helper::Interrupt, c.imm(vector), c.imm(c.next_eip()), ir::kNoTemp,
                    uint8_t(kind)));
}

}  // namespace

void lower_jmp(LowerCtx& c) {
  const Operand& o = c.op(0);
  if (o.kind == OpKind::Imm) return c.jump(rel_target(c, o));
  if (o.kind == OpKind::Far || is_far_indirect(c)) return far_transfer(c, Helper::FarJmp);
  c.jump_ind(c.zext(c.read(o), osize(c)));
}

void lower_call(LowerCtx& c) {
  const Operand& o = c.op(0);
  if (o.kind == OpKind::Far || is_far_indirect(c)) return far_transfer(c, Helper::FarCall);
  const unsigned size = osize(c);
  if (o.kind == OpKind::Imm) {
    c.push(c.imm(c.next_eip()), size);
    return c.jump(rel_target(c, o));
  }
  // The target is read before the push, so CALL [ESP] uses the old ESP and a faulting read
  // leaves the stack alone.
  const Temp target = c.zext(c.read(o), size);
  c.push(c.imm(c.next_eip()), size);
  c.jump_ind(target);
}

void lower_ret(LowerCtx& c) {
  const unsigned size = osize(c);
  const uint32_t release = c.insn.nops ? c.op(0).imm & 0xffff : 0;
  if (c.insn.opcode == 0xca || c.insn.opcode == 0xcb) {
    return c.jump_ind(c.call(Helper::FarRet, c.imm(release), ir::kNoTemp, ir::kNoTemp,
                             uint8_t(size)));
  }
  const Temp target = c.zext(c.stack_read(size), size);
  c.adjust_sp(int32_t(size + release));
  c.jump_ind(target);
}

void lower_jcc(LowerCtx& c) {
  const unsigned cc = c.insn.opcode & 0xf;
  const uint32_t target = rel_target(c, c.op(0));
  c.b.branch_if(c.b.cond(cc), target);
  // A forward branch is taken less often than not (loops branch backwards): its fall-through
  // stays in the block, and the branch becomes a side exit.
  if (c.may_continue && target > c.insn.eip) {
    c.side_exit = true;
    return;
  }
  c.jump(c.next_eip());
}

// LOOP/LOOPE/LOOPNE decrement CX or ECX by the ADDRESS size (SDM Vol.2 LOOP/LOOPcc); the
// count register changes no flags.
void lower_loop(LowerCtx& c) {
  const unsigned as = c.insn.addrsize;
  const Temp count = c.trunc(c.b.sub(c.get_reg(ECX, as), c.imm(1)), as);
  c.set_reg(ECX, as, count);
  Temp take = c.b.ne(count, c.imm(0));
  if (c.insn.mnemonic == ZYDIS_MNEMONIC_LOOPE) take = c.b.and_(take, c.b.cond(E));
  if (c.insn.mnemonic == ZYDIS_MNEMONIC_LOOPNE) take = c.b.and_(take, c.b.cond(NE));
  c.b.branch_if(take, rel_target(c, c.op(0)));
  c.jump(c.next_eip());
}

// JCXZ/JECXZ test CX or ECX by the address size.
void lower_jcxz(LowerCtx& c) {
  c.b.branch_if(c.b.eq(c.get_reg(ECX, c.insn.addrsize), c.imm(0)), rel_target(c, c.op(0)));
  c.jump(c.next_eip());
}

// INT n, INT3, INTO and INT1 push the address of the NEXT instruction (traps).
void lower_int(LowerCtx& c) {
  switch (c.insn.mnemonic) {
    case ZYDIS_MNEMONIC_INT3: return software_interrupt(c, kBP, uint32_t(IntKind::Software));
    // INT1 (ICEBP) behaves like a debug trap raised by hardware.
    case ZYDIS_MNEMONIC_INT1: return software_interrupt(c, kDB, uint32_t(IntKind::Exception));
    case ZYDIS_MNEMONIC_INTO:
      // Only with OF set; otherwise execution falls through.
      c.b.branch_if(c.b.cond(NO), c.next_eip());
      return software_interrupt(c, kOF, uint32_t(IntKind::Software));
    default:
      return software_interrupt(c, uint8_t(c.op(0).imm), uint32_t(IntKind::Software) | kIntN);
  }
}

void lower_iret(LowerCtx& c) {
  c.jump_ind(c.call(Helper::Iret, c.imm(c.next_eip()), ir::kNoTemp, ir::kNoTemp, uint8_t(osize(c))));
}

// BOUND r, m: signed index against the pair of bounds in memory; #BR is a fault, so the
// exception names the BOUND itself (SDM Vol.2 BOUND). A register operand is #UD.
void lower_bound(LowerCtx& c) {
  const Operand& idx = c.op(0);
  const Operand& m = c.op(1);
  if (m.kind != OpKind::Mem) return c.raise(kUD);
  const unsigned size = idx.size;
  const Temp addr = c.ea(m);
  const Temp lower = c.load(m.seg, addr, size);
  const Temp upper = c.load(m.seg, c.trunc(c.b.add(addr, c.imm(size)), c.insn.addrsize), size);
  c.call(Helper::Bound, c.sext(c.get_reg(idx.reg, size), size), c.sext(lower, size),
         c.sext(upper, size));
}

}  // namespace cpu
