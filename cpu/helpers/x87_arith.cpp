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

// The binary operation of ModRM.reg 0,1,4..7: `a` is ST(0), `b` the other operand; the
// reversed forms swap them (SDM Vol.2 FSUBR/FDIVR).
F80 binop(unsigned r, F80 a, F80 b, Env& e) {
  switch (r) {
    case 0: return sf::add(a, b, e);
    case 1: return sf::mul(a, b, e);
    case 4: return sf::sub(a, b, e);
    case 5: return sf::sub(b, a, e);
    case 6: return sf::div(a, b, e);
    default: return sf::div(b, a, e);
  }
}

// Writes C3 C2 C0 from a comparison (SDM Vol.2 FCOM table): >: 000, <: 001, =: 100,
// unordered: 111. C1 = 0.
void set_compare_cc(Fpu& fpu, sf::Cmp c) {
  fpu.set_cc(c == sf::Cmp::Less || c == sf::Cmp::Unordered, false, c == sf::Cmp::Unordered,
             c == sf::Cmp::Equal || c == sf::Cmp::Unordered);
}

// FCOM/FCOMP/FCOMPP/FUCOM*/FICOM*/FTST against `b` (when `b_ok`; otherwise an empty operand).
void compare(Fpu& fpu, F80 b, bool b_ok, bool quiet, unsigned pops, const Env* loaded = nullptr) {
  bool masked = false;
  if (fpu.empty(0) || !b_ok) {
    masked = fpu.stack_fault(false);
    if (!masked) return;
    set_compare_cc(fpu, sf::Cmp::Unordered);
  } else {
    Env e = loaded ? *loaded : fpu.env();
    const sf::Cmp c = sf::compare(fpu.st(0), b, quiet, e);
    if (fpu.signal(e.flags)) return;
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

// Arithmetic with the result in ST(dst): `b` is the second operand, `e` carries the flags of
// its conversion from memory.
void arith(Fpu& fpu, unsigned r, F80 b, bool b_ok, unsigned dst, bool pop, Env e) {
  if (fpu.empty(0) || !b_ok) {
    if (!fpu.stack_fault(false)) return;
    fpu.set_st(dst, sf::kIndefinite);
  } else {
    const F80 v = binop(r, fpu.st(0), b, e);
    if (!fpu.finish(e)) return;
    fpu.set_st(dst, v);
  }
  if (pop) fpu.pop();
}

// The memory operand of D8/DA/DC/DE: m32fp, m32int, m64fp, m16int.
F80 load_operand(Fpu& fpu, const Insn& in, Env& e) {
  const Mem& m = *in.m;
  switch (in.esc) {
    case 0: return sf::from_f32(fpu.ld(m, 0, 4), e);
    case 2: return sf::from_int(int32_t(fpu.ld(m, 0, 4)));
    case 4: return sf::from_f64(fpu.ld64(m, 0), e);
    default: return sf::from_int(int16_t(fpu.ld(m, 0, 2)));
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
  if (r.c2) {
    fpu.set_cc(false, false, true, false);
    return;
  }
  if (!fpu.finish(e)) return;
  fpu.f.fsw &= uint16_t(~fsw::C2);
  fpu.set_st(0, r.value);
  if (pushes) fpu.push(r.value2);
}

void fsincos_order(Fpu& fpu) {
  // FSINCOS: ST(0) = sin, then push cos, so ST(0) = cos and ST(1) = sin.
  trig(fpu, sf::sincos, true);
}

void prem(Fpu& fpu, bool ieee) {
  bool masked;
  if (!present(fpu, {0, 1}, masked)) {
    if (masked) fpu.set_st(0, sf::kIndefinite);
    return;
  }
  Env e = fpu.env();
  const sf::RemResult r = sf::rem(fpu.st(0), fpu.st(1), ieee, e);
  if (fpu.signal(e.flags)) return;
  fpu.set_st(0, r.value);
  // Complete: C0 = Q2, C3 = Q1, C1 = Q0, C2 = 0. Partial: C2 = 1, the others undefined (cleared).
  if (r.c2) fpu.set_cc(false, false, true, false);
  else fpu.set_cc(r.quotient & 4, r.quotient & 1, false, r.quotient & 2);
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
void fcmov(Fpu& fpu, const Insn& in) {
  const CpuState& s = fpu.cpu.s;
  static constexpr Cond kCond[4] = {B, E, BE, P};
  const bool take = eval_cond(s, kCond[in.reg] ^ (in.esc == 3 ? 1 : 0));
  if (fpu.empty(0) || fpu.empty(in.rm)) {
    if (fpu.stack_fault(false)) fpu.set_st(0, sf::kIndefinite);
    return;
  }
  fpu.set_c1(false);
  if (take) fpu.set_st(0, fpu.st(in.rm));
}

bool exec_d9_group(Fpu& fpu, const Insn& in) {
  if (in.reg == 4) {
    switch (in.rm) {
      case 0: unary(fpu, chs_fn); fpu.set_c1(false); return true;
      case 1: unary(fpu, abs_fn); fpu.set_c1(false); return true;
      case 4: {  // FTST: compare with +0.0
        compare(fpu, sf::zero(false), true, false, 0);
        return true;
      }
      case 5: examine(fpu); return true;
      default: return false;
    }
  }
  if (in.reg == 6) {
    switch (in.rm) {
      case 0: unary(fpu, sf::f2xm1); return true;
      case 1: binary_pop(fpu, sf::fyl2x); return true;
      case 2: trig(fpu, sf::tan, true); return true;
      case 3: binary_pop(fpu, atan_fn); return true;
      case 4: xtract(fpu); return true;
      case 5: prem(fpu, true); return true;
      default: return false;  // FDECSTP/FINCSTP: x87_mem.cpp
    }
  }
  if (in.reg == 7) {
    switch (in.rm) {
      case 0: prem(fpu, false); return true;
      case 1: binary_pop(fpu, sf::fyl2xp1); return true;
      case 2: unary(fpu, sf::sqrt); return true;
      case 3: fsincos_order(fpu); return true;
      case 4: unary(fpu, sf::round_to_int); return true;
      case 5: scale(fpu); return true;
      case 6: trig(fpu, sf::sin, false); return true;
      case 7: trig(fpu, sf::cos, false); return true;
    }
  }
  return false;
}

}  // namespace

bool exec_arith(Fpu& fpu, const Insn& in) {
  const unsigned r = in.reg;
  if (in.m) {
    if (in.esc != 0 && in.esc != 2 && in.esc != 4 && in.esc != 6) return false;
    Env e = fpu.env();
    const F80 b = load_operand(fpu, in, e);
    if (r == 2 || r == 3) {
      compare(fpu, b, true, false, r == 3 ? 1 : 0, &e);
    } else {
      arith(fpu, r, b, true, 0, false, e);
    }
    return true;
  }
  const unsigned i = in.rm;
  switch (in.esc) {
    case 0:  // D8: ST(0) = ST(0) op ST(i); FCOM/FCOMP ST(i)
      if (r == 2 || r == 3) compare(fpu, fpu.st(i), !fpu.empty(i), false, r == 3 ? 1 : 0);
      else arith(fpu, r, fpu.st(i), !fpu.empty(i), 0, false, fpu.env());
      return true;
    case 4:  // DC: ST(i) = ST(i) op ST(0), with the SUB/SUBR and DIV/DIVR encodings swapped
    case 6:  // DE: the same, then pop
      if (r == 2 || r == 3) {  // FCOM2, FCOMP3 (DC) and FCOMP5 (DE D0+i): reserved aliases
        if (in.esc == 6 && r == 3) {
          if (i != 1) return false;
          compare(fpu, fpu.st(1), !fpu.empty(1), false, 2);  // FCOMPP
          return true;
        }
        compare(fpu, fpu.st(i), !fpu.empty(i), false, (in.esc == 6 || r == 3) ? 1 : 0);
        return true;
      }
      // DC E0+i is FSUBR ST(i), ST(0): ST(i) = ST(0) - ST(i), the same "ST(0) - other" as reg 4
      // of D8 (and likewise for E8, F0, F8), so only the destination differs.
      arith(fpu, r, fpu.st(i), !fpu.empty(i), i, in.esc == 6, fpu.env());
      return true;
    case 1: return exec_d9_group(fpu, in);
    case 2:
      if (r < 4) {
        fcmov(fpu, in);
        return true;
      }
      if (r == 5 && i == 1) {  // FUCOMPP
        compare(fpu, fpu.st(1), !fpu.empty(1), true, 2);
        return true;
      }
      return false;
    case 3:
      if (r < 4) {
        fcmov(fpu, in);
        return true;
      }
      if (r == 5 || r == 6) {
        compare_eflags(fpu, i, r == 5, false);
        return true;
      }
      return false;
    case 5:
      if (r == 4 || r == 5) {  // FUCOM, FUCOMP
        compare(fpu, fpu.st(i), !fpu.empty(i), true, r == 5 ? 1 : 0);
        return true;
      }
      return false;
    case 7:
      if (r == 5 || r == 6) {
        compare_eflags(fpu, i, r == 5, true);
        return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace cpu::x87
