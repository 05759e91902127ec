// Compare-and-branch fusion, the IR half: a Cond or GetCF that reads the flag record written by
// a SetCc earlier in the same block is computed from that record's operands with plain ops
// (mostly one Cmp), so a backend can emit "cmp; jcc" instead of evaluating lazy flags. The
// record itself stays: other blocks, helpers and faults still read it from CpuState.
// Conditions with no short form here (parity, overflow of most kinds) keep the generic Cond.
#include "cpu/state.h"
#include "jit/passes/passes.h"
#include "jit/passes/rewriter.h"

namespace jit::passes {

using cpu::CcKind;
using ir::Op;
using ir::Temp;

namespace {

struct Record {
  CcKind kind;
  unsigned bytes;
  Temp src1, src2, res;
};

class Fuser {
 public:
  Fuser(Rewriter& rw, const Record& r) : rw_(rw), r_(r), msb_(8 * r.bytes - 1) {}

  Temp zext(Temp t) {
    return r_.bytes == 4 ? t : rw_.emit(r_.bytes == 2 ? Op::Zext16 : Op::Zext8, t);
  }
  Temp sext(Temp t) {
    return r_.bytes == 4 ? t : rw_.emit(r_.bytes == 2 ? Op::Sext16 : Op::Sext8, t);
  }
  Temp cmp(Temp a, Temp b, unsigned cc) { return rw_.emit(Op::Cmp, a, b, 0, uint8_t(cc)); }
  Temp bit_at_msb(Temp v) { return rw_.emit(Op::And, rw_.emit(Op::Shr, v, rw_.imm(msb_)), rw_.imm(1)); }

  // CF of the record as 0/1, or 0 (no temp) when it has no short form.
  Temp carry() {
    switch (r_.kind) {
      case CcKind::Logic: return rw_.imm(0);
      case CcKind::Inc:
      case CcKind::Dec: return r_.src2;  // the CF from before, carried in the record
      case CcKind::Sub: return cmp(zext(r_.src1), zext(r_.src2), cpu::B);
      case CcKind::Add: {
        // Carry out of the top bit, ADC included: (a & b) | ((a | b) & ~r).
        const Temp ab = rw_.emit(Op::And, r_.src1, r_.src2);
        const Temp aob = rw_.emit(Op::Or, r_.src1, r_.src2);
        return bit_at_msb(rw_.emit(Op::Or, ab, rw_.emit(Op::And, aob, rw_.emit(Op::Not, r_.res))));
      }
      case CcKind::Sbb: {
        // Borrow out of the top bit: (~a & b) | ((~a | b) & r).
        const Temp na = rw_.emit(Op::Not, r_.src1);
        const Temp t = rw_.emit(Op::Or, rw_.emit(Op::And, na, r_.src2),
                                rw_.emit(Op::And, rw_.emit(Op::Or, na, r_.src2), r_.res));
        return bit_at_msb(t);
      }
      default: return ir::kNoTemp;
    }
  }

  // Condition `cc` (cpu::Cond) as 0/1, or 0 (no temp) when it has no short form.
  Temp cond(unsigned cc) {
    const bool negate = cc & 1;
    switch (cc & ~1u) {
      case cpu::E:
        // ZF and SF come from the result for every kind (cpu/flags.cpp).
        if (r_.kind == CcKind::Sub) return cmp(zext(r_.src1), zext(r_.src2), cc);
        return cmp(zext(r_.res), rw_.imm(0), cc);
      case cpu::S:
        return cmp(sext(r_.res), rw_.imm(0), negate ? cpu::GE : cpu::L);
      case cpu::B:
      case cpu::BE:
        if (r_.kind == CcKind::Sub) return cmp(zext(r_.src1), zext(r_.src2), cc);
        if (r_.kind == CcKind::Logic) {
          if ((cc & ~1u) == cpu::B) return rw_.imm(negate);  // CF = 0
          return cmp(zext(r_.res), rw_.imm(0), negate ? cpu::NE : cpu::E);
        }
        if ((cc & ~1u) == cpu::B) {
          if (const Temp cf = carry()) return negate ? rw_.emit(Op::Xor, cf, rw_.imm(1)) : cf;
        }
        return 0;
      case cpu::L:
      case cpu::LE:
        if (r_.kind == CcKind::Sub) return cmp(sext(r_.src1), sext(r_.src2), cc);
        // OF = 0 after a logical operation: L is SF, LE is ZF or SF, as a signed compare of
        // the result with zero.
        if (r_.kind == CcKind::Logic) return cmp(sext(r_.res), rw_.imm(0), cc);
        return 0;
      case cpu::O:
        if (r_.kind == CcKind::Logic) return rw_.imm(negate);
        return 0;
      default: return 0;  // parity
    }
  }

 private:
  Rewriter& rw_;
  const Record& r_;
  const unsigned msb_;
};

}  // namespace

void fuse_conditions(ir::Block& b) {
  Rewriter rw(b);
  bool have = false;
  Record rec{};
  for (size_t i = 0; i < rw.input().size(); i++) {
    const ir::Inst in = rw.read(i);
    switch (in.op) {
      case Op::SetCc:
        rec = Record{cpu::cc_kind(in.imm), cpu::cc_bits(in.imm) / 8, in.a, in.b, in.c};
        have = rec.kind != CcKind::Eflags && rec.kind < CcKind::kCount;
        break;
      case Op::Call:
      case Op::SetFlags: have = false; break;  // they rewrite the flags
      case Op::Cond:
      case Op::GetCF: {
        if (!have) break;
        Fuser f(rw, rec);
        if (const Temp t = in.op == Op::Cond ? f.cond(in.sz) : f.carry()) {
          rw.rename(in.dst, t);
          continue;
        }
        break;
      }
      default: break;
    }
    rw.keep(in);
  }
}

}  // namespace jit::passes
