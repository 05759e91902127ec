// Constant folding and a few identities. Lowerings build general code (e.g. an address as
// base + index * scale + disp with absent parts as zero); this removes what the operands make
// trivial, and puts constants of commutative ops second so backends can use immediate forms.
#include "jit/ir/eval.h"
#include "jit/passes/passes.h"
#include "jit/passes/rewriter.h"

namespace jit::passes {

using ir::Op;
using ir::Temp;

namespace {

bool commutative(Op op) {
  switch (op) {
    case Op::Add: case Op::And: case Op::Or: case Op::Xor: case Op::Mul: case Op::MulHiU:
    case Op::MulHiS: case Op::Eq: case Op::Ne: return true;
    default: return false;
  }
}

}  // namespace

void fold_constants(ir::Block& b) {
  Rewriter rw(b);
  std::vector<Op> def(b.values.size(), Op::Nop);  // the op defining each temp
  std::vector<uint8_t> def_sz(b.values.size(), 0);
  auto defined_by = [&](Temp t) { return t < def.size() ? def[t] : Op::Nop; };
  // A value already zero-extended from `bytes` bytes: an extension, or a narrow load.
  auto zero_extended = [&](Temp t, unsigned bytes) {
    const Op op = defined_by(t);
    if (op == Op::Zext8) return true;
    if (op == Op::Zext16) return bytes >= 2;
    return op == Op::Load && def_sz[t] <= bytes;
  };
  for (size_t i = 0; i < rw.input().size(); i++) {
    ir::Inst in = rw.read(i);
    const uint16_t f = ir::info(in.op).flags;
    if ((f & ir::kHasDst) && !(f & (ir::kSideEffect | ir::kMayFault | ir::kReadsFlags))) {
      const bool ka = rw.is_const(in.a), kb = rw.is_const(in.b), kc = rw.is_const(in.c);
      if (ka && kb && kc) {
        if (auto v = ir::eval_pure(in.op, rw.value(in.a), rw.value(in.b), rw.value(in.c), in.sz)) {
          rw.rename(in.dst, rw.imm(*v));
          continue;
        }
      }
      if (commutative(in.op) && ka && !kb) std::swap(in.a, in.b);
      // x - x and x ^ x (XOR r, r clears a register); x & x and x | x (TEST r, r, OR r, r).
      if ((in.op == Op::Sub || in.op == Op::Xor) && in.a == in.b) {
        rw.rename(in.dst, rw.imm(0));
        continue;
      }
      if ((in.op == Op::And || in.op == Op::Or) && in.a == in.b && (f & ir::kUsesB)) {
        rw.rename(in.dst, in.a);
        continue;
      }
      const bool cb = rw.is_const(in.b);
      const uint32_t vb = cb ? rw.value(in.b) : 1;
      Temp same = ir::kNoTemp;  // the op is the identity on this operand
      bool is_same = false;
      switch (in.op) {
        case Op::Add: case Op::Sub: case Op::Or: case Op::Xor: case Op::Shl: case Op::Shr: case Op::Sar:
          if (cb && (in.op >= Op::Shl && in.op <= Op::Sar ? (vb & 31) == 0 : vb == 0)) same = in.a, is_same = true;
          break;
        case Op::And:
          if (cb && vb == 0xffffffffu) same = in.a, is_same = true;
          if (cb && vb == 0) same = rw.imm(0), is_same = true;
          break;
        case Op::Mul:
          if (cb && vb == 1) same = in.a, is_same = true;
          break;
        case Op::Zext16:
          if (zero_extended(in.a, 2)) same = in.a, is_same = true;
          break;
        case Op::Zext8:
          if (zero_extended(in.a, 1)) same = in.a, is_same = true;
          break;
        case Op::Select:
          if (ka) same = rw.value(in.a) ? in.b : in.c, is_same = true;
          break;
        default: break;
      }
      if (is_same) {
        rw.rename(in.dst, same);
        continue;
      }
    }
    if (in.dst && in.dst < def.size()) def[in.dst] = in.op, def_sz[in.dst] = in.sz;
    rw.keep(in);
  }
}

void remove_dead_code(ir::Block& b) {
  std::vector<bool> used(b.values.size());
  for (size_t i = b.insts.size(); i-- > 0;) {
    ir::Inst& in = b.insts[i];
    const uint16_t f = ir::info(in.op).flags;
    if (in.op == Op::Nop ||
        ((f & ir::kHasDst) && !used[in.dst] && !(f & (ir::kSideEffect | ir::kMayFault | ir::kExits)))) {
      in = ir::Inst{Op::Nop};
      continue;
    }
    if (f & ir::kUsesA) used[in.a] = true;
    if (f & ir::kUsesB) used[in.b] = true;
    if (f & ir::kUsesC) used[in.c] = true;
  }
  std::erase_if(b.insts, [](const ir::Inst& in) { return in.op == Op::Nop; });
}

void optimize(ir::Block& b) {
  forward_registers(b);
  fuse_conditions(b);
  fold_constants(b);
  mark_exit_checks(b);
  remove_dead_flags(b);
  defer_state_writes(b);
  sink_sync_results(b);
  remove_dead_code(b);
}

}  // namespace jit::passes
