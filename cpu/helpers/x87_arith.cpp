// x87 arithmetic and comparisons: FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in every operand form (with
// the popping and integer variants), FCOM/FUCOM/FCOMI/FUCOMI and their popping forms, FICOM,
// FTST, FXAM, FCMOVcc, FCHS, FABS, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1 and the
// transcendentals (SDM Vol.2, one entry each; condition codes as each entry's "FPU Flags
// Affected").
#include "cpu/flags.h"
#include "cpu/helpers/x87.h"

namespace cpu::x87 {
namespace {

using sf::Env;

// Checks that ST(i) for each i is in use; otherwise signals stack underflow and returns false.
// `masked` then says whether the default (indefinite) response applies.
bool present(Fpu& fpu, std::initializer_list<unsigned> regs, bool& masked) {
  for (unsigned i : regs) {
    if (fpu.empty(i)) {
      masked = fpu.stack_fault(false);
      return false;
    }
  }
  return true;
}

template <BinOp op>
F80 binop(F80 a, F80 b, Env& e) {
  if constexpr (op == BinOp::Add) {
    return sf::add(a, b, e);
  } else if constexpr (op == BinOp::Mul) {
    return sf::mul(a, b, e);
  } else if constexpr (op == BinOp::Sub) {
    return sf::sub(a, b, e);
  } else if constexpr (op == BinOp::SubR) {
    return sf::sub(b, a, e);
  } else if constexpr (op == BinOp::Div) {
    return sf::div(a, b, e);
  } else {
    return sf::div(b, a, e);
  }
}

// Writes C3 C2 C0 from a comparison (SDM Vol.2 FCOM table): >: 000, <: 001, =: 100,
// unordered: 111. C1 = 0.
void set_compare_cc(Fpu& fpu, sf::Cmp c) {
  fpu.set_cc(c == sf::Cmp::Less || c == sf::Cmp::Unordered, false, c == sf::Cmp::Unordered,
             c == sf::Cmp::Equal || c == sf::Cmp::Unordered);
}

// Flags of converting a single or double memory operand, merged with the operation's: #I (a
// signalling NaN) always; #D (a denormal in the memory format, which is no longer one in the
// extended format) only when neither a NaN operand nor #I or #Z, which take priority over it,
// decided the result (SDM Vol.1 §4.9.2; the host agrees).
uint16_t with_loaded(uint16_t op_flags, uint16_t loaded, F80 st0) {
  if ((op_flags & (sf::exc::IE | sf::exc::ZE)) || sf::is_nan(st0)) loaded &= uint16_t(~sf::exc::DE);
  return uint16_t(op_flags | loaded);
}

// FCOM/FCOMP/FCOMPP/FUCOM*/FICOM*/FTST against `b` (when `b_ok`; otherwise an empty operand).
void compare(Fpu& fpu, F80 b, bool b_ok, bool quiet, unsigned pops, uint16_t loaded = 0) {
  bool masked = false;
  if (fpu.empty(0) || !b_ok) {
    masked = fpu.stack_fault(false);
    if (!masked) return;
    set_compare_cc(fpu, sf::Cmp::Unordered);
  } else {
    Env e = fpu.env();
    const sf::Cmp c = sf::compare(fpu.st(0), b, quiet, e);
    if (fpu.signal(with_loaded(e.flags, loaded, fpu.st(0)))) return;
    set_compare_cc(fpu, c);
  }
  for (unsigned n = 0; n < pops; n++) fpu.pop();
}

// FCOMI/FUCOMI/FCOMIP/FUCOMIP: the result goes to ZF PF CF; OF SF AF are cleared.
void compare_eflags(Fpu& fpu, unsigned i, bool quiet, bool pop) {
  sf::Cmp c = sf::Cmp::Unordered;
  if (fpu.empty(0) || fpu.empty(i)) {
    if (!fpu.stack_fault(false)) return;
  } else {
    Env e = fpu.env();
    c = sf::compare(fpu.st(0), fpu.st(i), quiet, e);
    if (fpu.signal(e.flags)) return;
    fpu.set_c1(false);
  }
  const uint32_t v = c == sf::Cmp::Less        ? fl::CF
                     : c == sf::Cmp::Equal     ? fl::ZF
                     : c == sf::Cmp::Unordered ? fl::ZF | fl::PF | fl::CF
                                               : 0;
  write_eflags(fpu.cpu.s, v, fl::ZF | fl::PF | fl::CF | fl::OF | fl::SF | fl::AF);
  if (pop) fpu.pop();
}

// Arithmetic with the result in ST(dst): `b` is the second operand, `loaded` the flags of its
// conversion from memory.
template <BinOp op>
void arith(Fpu& fpu, F80 b, bool b_ok, unsigned dst, bool pop, uint16_t loaded = 0) {
  if (fpu.empty(0) || !b_ok) {
    if (!fpu.stack_fault(false)) return;
    fpu.set_st(dst, sf::kIndefinite);
  } else {
    Env e = fpu.env();
    const F80 v = binop<op>(fpu.st(0), b, e);
    e.flags = with_loaded(e.flags, loaded, fpu.st(0));
    if (!fpu.finish(e)) return;
    fpu.set_st(dst, v);
  }
  if (pop) fpu.pop();
}

// The memory operand of D8/DA/DC/DE: m32fp, m32int, m64fp, m16int.
// A signalling NaN stays signalling (quiet bit clear) so that the operation applies the NaN
// rules of SDM Vol.1 table 4-7 to it: with a QNaN in ST(0), the QNaN is the result.
template <ArithForm form>
F80 load_operand(Fpu& fpu, const Mem& m, Env& e) {
  if constexpr (form == ArithForm::M32int) {
    return sf::from_int(int32_t(fpu.ld(m, 0, 4)));
  } else if constexpr (form == ArithForm::M16int) {
    return sf::from_int(int16_t(fpu.ld(m, 0, 2)));
  } else {
    F80 v = form == ArithForm::M32fp ? sf::from_f32(fpu.ld(m, 0, 4), e)
                                     : sf::from_f64(fpu.ld64(m, 0), e);
    if ((e.flags & sf::exc::IE) && sf::is_nan(v)) v.sig &= ~(1ull << 62);
    return v;
  }
}

// One-operand instructions on ST(0) with a result in ST(0).
void unary(Fpu& fpu, F80 (*fn)(F80, Env&)) {
  bool masked;
  if (!present(fpu, {0}, masked)) {
    if (masked) fpu.set_st(0, sf::kIndefinite);
    return;
  }
  Env e = fpu.env();
  const F80 v = fn(fpu.st(0), e);
  if (fpu.finish(e)) fpu.set_st(0, v);
}

// ST(1) = fn(ST(0), ST(1)), then pop: FPATAN, FYL2X, FYL2XP1.
void binary_pop(Fpu& fpu, F80 (*fn)(F80 st0, F80 st1, Env&)) {
  bool masked;
  if (!present(fpu, {0, 1}, masked)) {
    if (!masked) return;
    fpu.set_st(1, sf::kIndefinite);
  } else {
    Env e = fpu.env();
    const F80 v = fn(fpu.st(0), fpu.st(1), e);
    if (!fpu.finish(e)) return;
    fpu.set_st(1, v);
  }
  fpu.pop();
}

F80 atan_fn(F80 x, F80 y, Env& e) { return sf::atan2(y, x, e); }
F80 abs_fn(F80 a, Env&) { return {a.sig, uint16_t(a.se & 0x7fff)}; }
F80 chs_fn(F80 a, Env&) { return {a.sig, uint16_t(a.se ^ 0x8000)}; }

// FSIN, FCOS, FPTAN, FSINCOS: out of range (|x| >= 2^63) sets C2 and leaves ST(0) alone.
// FPTAN and FSINCOS push a second result, so ST(7) must be free.
void trig(Fpu& fpu, sf::TrigResult (*fn)(F80, Env&), bool pushes) {
  bool masked;
  if (!present(fpu, {0}, masked)) {
    if (!masked) return;
    fpu.set_st(0, sf::kIndefinite);
    if (pushes) fpu.push(sf::kIndefinite);
    return;
  }
  if (pushes && !fpu.empty(7)) {
    if (fpu.stack_fault(true)) {
      fpu.set_st(0, sf::kIndefinite);
      fpu.push(sf::kIndefinite);
    }
    return;
  }
  Env e = fpu.env();
  const sf::TrigResult r = fn(fpu.st(0), e);
  // C0 and C3 are undefined and keep their values, as the host processor does.
  if (r.c2) {
    fpu.f.fsw = uint16_t((fpu.f.fsw & ~fsw::C1) | fsw::C2);
    return;
  }
  if (!fpu.finish(e)) return;
  fpu.f.fsw &= uint16_t(~fsw::C2);
  fpu.set_st(0, r.value);
  if (pushes) fpu.push(r.value2);
}

void prem(Fpu& fpu, bool ieee) {
  bool masked;
  if (!present(fpu, {0, 1}, masked)) {
    // The indefinite is a complete result: C2 = 0 (C0 and C3 keep their values, as on the host).
    if (masked) {
      fpu.set_st(0, sf::kIndefinite);
      fpu.f.fsw &= uint16_t(~fsw::C2);
    }
    return;
  }
  Env e = fpu.env();
  const sf::RemResult r = sf::rem(fpu.st(0), fpu.st(1), ieee, e);
  if (fpu.signal(e.flags)) return;
  fpu.set_st(0, r.value);
  // Complete: C0 = Q2, C3 = Q1, C1 = Q0, C2 = 0. Partial: C2 = 1, the others undefined (cleared,
  // as the host does). A NaN result (invalid operation or NaN operand) has no quotient: C1 and
  // C2 are cleared and C0, C3 keep their values, as on the host.
  if (r.c2) {
    fpu.set_cc(false, false, true, false);
  } else if (sf::is_nan(r.value)) {
    fpu.f.fsw &= uint16_t(~(fsw::C1 | fsw::C2));
  } else {
    fpu.set_cc(r.quotient & 4, r.quotient & 1, false, r.quotient & 2);
  }
}

void scale(Fpu& fpu) {
  bool masked;
  if (!present(fpu, {0, 1}, masked)) {
    if (masked) fpu.set_st(0, sf::kIndefinite);
    return;
  }
  Env e = fpu.env();
  const F80 v = sf::scale(fpu.st(0), fpu.st(1), e);
  if (fpu.finish(e)) fpu.set_st(0, v);
}

void xtract(Fpu& fpu) {
  bool masked;
  if (!present(fpu, {0}, masked)) {
    if (!masked) return;
    fpu.set_st(0, sf::kIndefinite);
    fpu.push(sf::kIndefinite);
    return;
  }
  if (!fpu.empty(7)) {
    if (fpu.stack_fault(true)) {
      fpu.set_st(0, sf::kIndefinite);
      fpu.push(sf::kIndefinite);
    }
    return;
  }
  Env e = fpu.env();
  const sf::Xtract x = sf::xtract(fpu.st(0), e);
  if (!fpu.finish(e)) return;
  fpu.set_st(0, x.exponent);
  fpu.push(x.significand);
}

// FXAM (SDM Vol.2 FXAM table): C1 = sign; C3 C2 C0 give the class. Never raises exceptions.
void examine(Fpu& fpu) {
  const F80 v = fpu.st(0);
  bool c3 = false, c2 = false, c0 = false;
  if (fpu.empty(0)) {
    c3 = c0 = true;
  } else {
    switch (sf::classify(v)) {
      case sf::Class::Unsupported: break;
      case sf::Class::QNaN:
      case sf::Class::SNaN: c0 = true; break;
      case sf::Class::Normal: c2 = true; break;
      case sf::Class::Inf: c2 = c0 = true; break;
      case sf::Class::Zero: c3 = true; break;
      case sf::Class::Denormal:
      case sf::Class::PseudoDenormal: c3 = c2 = true; break;
    }
  }
  fpu.set_cc(c0, v.sign(), c2, c3);
}

// FCMOVcc: DA /0-3 test B, E, BE, U; DB /0-3 their negations.
template <Cond cc>
void fcmov_sti(Fpu& fpu, unsigned i) {
  const bool take = eval_cond(fpu.cpu.s, cc);
  if (fpu.empty(0) || fpu.empty(i)) {
    if (fpu.stack_fault(false)) fpu.set_st(0, sf::kIndefinite);
    return;
  }
  // C1 changes only on a stack underflow (SDM Vol.2 FCMOVcc; the host agrees).
  if (take) fpu.set_st(0, fpu.st(i));
}

// ST(0) op memory, or FCOM/FCOMP with memory.
template <BinOp op, ArithForm form>
void arith_mem(Fpu& fpu, const Operands& o) {
  Env le = fpu.env();
  const F80 b = load_operand<form>(fpu, o.m, le);
  arith<op>(fpu, b, true, 0, false, le.flags);
}
template <unsigned pops, ArithForm form>
void compare_mem(Fpu& fpu, const Operands& o) {
  Env le = fpu.env();
  const F80 b = load_operand<form>(fpu, o.m, le);
  compare(fpu, b, true, false, pops, le.flags);
}

}  // namespace

// DC E0+i is FSUBR ST(i), ST(0): ST(i) = ST(0) - ST(i), the same "ST(0) - other" as D8 E0+i,
// so only the destination differs (and likewise for E8, F0, F8).
template <BinOp op>
void Arith<op>::m32fp(Fpu& fpu, const Operands& o) {
  arith_mem<op, ArithForm::M32fp>(fpu, o);
}
template <BinOp op>
void Arith<op>::m32int(Fpu& fpu, const Operands& o) {
  arith_mem<op, ArithForm::M32int>(fpu, o);
}
template <BinOp op>
void Arith<op>::m64fp(Fpu& fpu, const Operands& o) {
  arith_mem<op, ArithForm::M64fp>(fpu, o);
}
template <BinOp op>
void Arith<op>::m16int(Fpu& fpu, const Operands& o) {
  arith_mem<op, ArithForm::M16int>(fpu, o);
}
template <BinOp op>
void Arith<op>::st0(Fpu& fpu, const Operands& o) {
  arith<op>(fpu, fpu.st(o.i), !fpu.empty(o.i), 0, false);
}
template <BinOp op>
void Arith<op>::sti(Fpu& fpu, const Operands& o) {
  arith<op>(fpu, fpu.st(o.i), !fpu.empty(o.i), o.i, false);
}
template <BinOp op>
void Arith<op>::sti_pop(Fpu& fpu, const Operands& o) {
  arith<op>(fpu, fpu.st(o.i), !fpu.empty(o.i), o.i, true);
}
template struct Arith<BinOp::Add>;
template struct Arith<BinOp::Mul>;
template struct Arith<BinOp::Sub>;
template struct Arith<BinOp::SubR>;
template struct Arith<BinOp::Div>;
template struct Arith<BinOp::DivR>;

template <bool quiet, unsigned pops>
void Compare<quiet, pops>::m32fp(Fpu& fpu, const Operands& o) {
  compare_mem<pops, ArithForm::M32fp>(fpu, o);
}
template <bool quiet, unsigned pops>
void Compare<quiet, pops>::m32int(Fpu& fpu, const Operands& o) {
  compare_mem<pops, ArithForm::M32int>(fpu, o);
}
template <bool quiet, unsigned pops>
void Compare<quiet, pops>::m64fp(Fpu& fpu, const Operands& o) {
  compare_mem<pops, ArithForm::M64fp>(fpu, o);
}
template <bool quiet, unsigned pops>
void Compare<quiet, pops>::m16int(Fpu& fpu, const Operands& o) {
  compare_mem<pops, ArithForm::M16int>(fpu, o);
}
template <bool quiet, unsigned pops>
void Compare<quiet, pops>::sti(Fpu& fpu, const Operands& o) {
  compare(fpu, fpu.st(o.i), !fpu.empty(o.i), quiet, pops);
}
template <bool quiet, unsigned pops>
void Compare<quiet, pops>::sti_eflags(Fpu& fpu, const Operands& o) {
  compare_eflags(fpu, o.i, quiet, pops != 0);
}
template struct Compare<false, 0>;
template struct Compare<false, 1>;
template struct Compare<false, 2>;
template struct Compare<true, 0>;
template struct Compare<true, 1>;
template struct Compare<true, 2>;

template <Cond cc>
void fcmov(Fpu& fpu, const Operands& o) {
  fcmov_sti<cc>(fpu, o.i);
}
template void fcmov<B>(Fpu&, const Operands&);
template void fcmov<E>(Fpu&, const Operands&);
template void fcmov<BE>(Fpu&, const Operands&);
template void fcmov<P>(Fpu&, const Operands&);
template void fcmov<AE>(Fpu&, const Operands&);
template void fcmov<NE>(Fpu&, const Operands&);
template void fcmov<A>(Fpu&, const Operands&);
template void fcmov<NP>(Fpu&, const Operands&);

void fchs(Fpu& fpu, const Operands&) {
  unary(fpu, chs_fn);
  fpu.set_c1(false);
}
void fabs(Fpu& fpu, const Operands&) {
  unary(fpu, abs_fn);
  fpu.set_c1(false);
}
// FTST compares with +0.0.
void ftst(Fpu& fpu, const Operands&) { compare(fpu, sf::zero(false), true, false, 0); }
void fxam(Fpu& fpu, const Operands&) { examine(fpu); }
void f2xm1(Fpu& fpu, const Operands&) { unary(fpu, sf::f2xm1); }
void fyl2x(Fpu& fpu, const Operands&) { binary_pop(fpu, sf::fyl2x); }
void fptan(Fpu& fpu, const Operands&) { trig(fpu, sf::tan, true); }
void fpatan(Fpu& fpu, const Operands&) { binary_pop(fpu, atan_fn); }
void fxtract(Fpu& fpu, const Operands&) { xtract(fpu); }
void fprem1(Fpu& fpu, const Operands&) { prem(fpu, true); }
void fprem(Fpu& fpu, const Operands&) { prem(fpu, false); }
void fyl2xp1(Fpu& fpu, const Operands&) { binary_pop(fpu, sf::fyl2xp1); }
void fsqrt(Fpu& fpu, const Operands&) { unary(fpu, sf::sqrt); }
// FSINCOS leaves ST(0) = cos, ST(1) = sin.
void fsincos(Fpu& fpu, const Operands&) { trig(fpu, sf::sincos, true); }
void frndint(Fpu& fpu, const Operands&) { unary(fpu, sf::round_to_int); }
void fscale(Fpu& fpu, const Operands&) { scale(fpu); }
void fsin(Fpu& fpu, const Operands&) { trig(fpu, sf::sin, false); }
void fcos(Fpu& fpu, const Operands&) { trig(fpu, sf::cos, false); }

}  // namespace cpu::x87
