// Integer arithmetic, compares and extensions: each IR op is one or two host instructions on
// 32-bit registers (a 32-bit write clears bits 63..32, so temps stay zero-extended).
#include "jit/backend/x64/compiler.h"

namespace jit::x64 {

using asmjit::Imm;
using ir::Inst;
using ir::Op;
using ir::Temp;

namespace {

// d = a OP b for a two-operand host instruction, with the result register possibly shared
// with an operand whose life ends here.
void binary(Compiler& c, const Inst& in, asmjit::InstId id, bool commutative) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  if (c.in_reg(in.b) && c.reg(in.b) == d && !(c.in_reg(in.a) && c.reg(in.a) == d)) {
    if (commutative) {
      c.a.emit(id, d, c.operand(in.a));
    } else {
      c.load_into(x86::eax, in.a);
      c.a.emit(id, x86::eax, c.operand(in.b));
      c.a.mov(d, x86::eax);
    }
  } else {
    c.load_into(d, in.a);
    c.a.emit(id, d, c.operand(in.b));
  }
  c.finish(in.dst, d);
}

// An addition into a register other than its operands' is one LEA instead of MOV and ADD
// (no IR op reads the host flags an ADD would set). Returns false when it does not apply.
bool lea_add(Compiler& c, const Inst& in, bool subtract) {
  if (!c.in_reg(in.dst) || !c.in_reg(in.a) || c.reg(in.a) == c.reg(in.dst)) return false;
  const x86::Gpd d = c.reg(in.dst);
  const x86::Gpq base = c.reg(in.a).r64();
  if (c.is_const(in.b)) {
    const int32_t k = int32_t(c.value(in.b));
    c.a.lea(d, x86::ptr(base, subtract ? int32_t(0u - uint32_t(k)) : k));
    return true;
  }
  if (subtract || !c.in_reg(in.b) || c.reg(in.b) == d) return false;
  c.a.lea(d, x86::ptr(base, c.reg(in.b).r64()));
  return true;
}

void shift(Compiler& c, const Inst& in, asmjit::InstId id) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  if (c.is_const(in.b)) {
    c.load_into(d, in.a);
    if (c.value(in.b) & 31) c.a.emit(id, d, Imm(c.value(in.b) & 31));
  } else {
    // The count goes in CL; the host masks it to 5 bits as the IR defines.
    c.load_into(x86::ecx, in.b);
    c.load_into(x86::eax, in.a);
    c.a.emit(id, x86::eax, x86::cl);
    c.a.mov(d, x86::eax);
  }
  c.finish(in.dst, d);
}

void unary(Compiler& c, const Inst& in, asmjit::InstId id) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.load_into(d, in.a);
  c.a.emit(id, d);
  c.finish(in.dst, d);
}

// movzx / movsx from the low 8 or 16 bits.
void extend(Compiler& c, const Inst& in, asmjit::InstId id, unsigned bits) {
  const x86::Gpd d = c.def(in.dst, x86::eax);
  if (c.in_reg(in.a)) {
    const x86::Gpd s = c.reg(in.a);
    c.a.emit(id, d, bits == 8 ? x86::Gp(s.r8()) : x86::Gp(s.r16()));
  } else if (c.is_const(in.a)) {
    c.load_into(x86::eax, in.a);
    c.a.emit(id, d, bits == 8 ? x86::Gp(x86::al) : x86::Gp(x86::ax));
  } else {
    x86::Mem m = c.spill_mem(in.a);
    m.setSize(bits / 8);
    c.a.emit(id, d, m);
  }
  c.finish(in.dst, d);
}

void mul_high(Compiler& c, const Inst& in, bool is_signed) {
  c.load_into(x86::eax, in.a);
  c.load_into(x86::ecx, in.b);
  if (is_signed) {
    c.a.movsxd(x86::rax, x86::eax);
    c.a.movsxd(x86::rcx, x86::ecx);
  }
  // Zero- or sign-extended 32-bit factors: the low 64 bits of the 64-bit product are exact.
  c.a.imul(x86::rax, x86::rcx);
  c.a.shr(x86::rax, 32);
  const x86::Gpd d = c.def(in.dst, x86::eax);
  if (d != x86::eax) c.a.mov(d, x86::eax);
  c.finish(in.dst, d);
}

// A compare producing 0/1, or (when the next op is its only reader) left for that op to fuse.
void compare(Compiler& c, const Inst& in, uint8_t cc) {
  Compiler::Fused f{in.dst, in.a, in.b, cc};
  if (c.next_op_can_fuse(in.dst)) {
    c.fused = f;
    return;
  }
  c.emit_compare(f);
  c.a.set(x86::CondCode(cc), x86::cl);
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.a.movzx(d, x86::cl);
  c.finish(in.dst, d);
}

}  // namespace

template <> void emit<Op::Add>(Compiler& c, const Inst& in) {
  if (!lea_add(c, in, false)) binary(c, in, x86::Inst::kIdAdd, true);
}
template <> void emit<Op::Sub>(Compiler& c, const Inst& in) {
  if (!lea_add(c, in, true)) binary(c, in, x86::Inst::kIdSub, false);
}
template <> void emit<Op::And>(Compiler& c, const Inst& in) { binary(c, in, x86::Inst::kIdAnd, true); }
template <> void emit<Op::Or>(Compiler& c, const Inst& in) { binary(c, in, x86::Inst::kIdOr, true); }
template <> void emit<Op::Xor>(Compiler& c, const Inst& in) { binary(c, in, x86::Inst::kIdXor, true); }
template <> void emit<Op::Shl>(Compiler& c, const Inst& in) { shift(c, in, x86::Inst::kIdShl); }
template <> void emit<Op::Shr>(Compiler& c, const Inst& in) { shift(c, in, x86::Inst::kIdShr); }
template <> void emit<Op::Sar>(Compiler& c, const Inst& in) { shift(c, in, x86::Inst::kIdSar); }

template <>
void emit<Op::Mul>(Compiler& c, const Inst& in) {
  if (c.is_const(in.b) && !c.is_const(in.a)) {
    const x86::Gpd d = c.def(in.dst, x86::eax);
    c.a.emit(x86::Inst::kIdImul, d, c.operand(in.a), Imm(int32_t(c.value(in.b))));
    c.finish(in.dst, d);
    return;
  }
  binary(c, in, x86::Inst::kIdImul, true);
}

template <> void emit<Op::MulHiU>(Compiler& c, const Inst& in) { mul_high(c, in, false); }
template <> void emit<Op::MulHiS>(Compiler& c, const Inst& in) { mul_high(c, in, true); }
template <> void emit<Op::Not>(Compiler& c, const Inst& in) { unary(c, in, x86::Inst::kIdNot); }
template <> void emit<Op::Neg>(Compiler& c, const Inst& in) { unary(c, in, x86::Inst::kIdNeg); }
template <> void emit<Op::Bswap>(Compiler& c, const Inst& in) { unary(c, in, x86::Inst::kIdBswap); }
template <> void emit<Op::Sext8>(Compiler& c, const Inst& in) { extend(c, in, x86::Inst::kIdMovsx, 8); }
template <> void emit<Op::Sext16>(Compiler& c, const Inst& in) { extend(c, in, x86::Inst::kIdMovsx, 16); }
template <> void emit<Op::Zext8>(Compiler& c, const Inst& in) { extend(c, in, x86::Inst::kIdMovzx, 8); }
template <> void emit<Op::Zext16>(Compiler& c, const Inst& in) { extend(c, in, x86::Inst::kIdMovzx, 16); }
template <> void emit<Op::Eq>(Compiler& c, const Inst& in) { compare(c, in, uint8_t(x86::CondCode::kE)); }
template <> void emit<Op::Ne>(Compiler& c, const Inst& in) { compare(c, in, uint8_t(x86::CondCode::kNE)); }
template <> void emit<Op::LtU>(Compiler& c, const Inst& in) { compare(c, in, uint8_t(x86::CondCode::kB)); }
// ir::Cmp's condition numbers are the x86 encoding (cpu::Cond), as the host's are.
template <> void emit<Op::Cmp>(Compiler& c, const Inst& in) { compare(c, in, in.sz); }

template <>
void emit<Op::Select>(Compiler& c, const Inst& in) {
  // eax = false value; overwritten with the true value when the condition holds.
  x86::CondCode cc = x86::CondCode::kNE;
  if (c.fused && c.fused->dst == in.a) {
    // The compare comes after the loads (load_into may use xor, which writes the flags).
    c.load_into(x86::edx, in.c);
    c.load_into(x86::ecx, in.b);
    cc = x86::CondCode(c.emit_compare(*c.fused));
    c.fused.reset();
  } else {
    c.load_into(x86::edx, in.c);
    c.load_into(x86::ecx, in.b);
    const x86::Gpd t = c.use(in.a, x86::eax);
    c.a.test(t, t);
  }
  c.a.cmov(cc, x86::edx, x86::ecx);
  const x86::Gpd d = c.def(in.dst, x86::eax);
  c.a.mov(d, x86::edx);
  c.finish(in.dst, d);
}

}  // namespace jit::x64
