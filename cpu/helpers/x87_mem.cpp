// x87 data transfer: FLD/FST/FSTP in every real format, FILD/FIST/FISTP, FBLD/FBSTP, the
// constants, FXCH, FFREE/FFREEP, FINCSTP/FDECSTP and FNOP (SDM Vol.2, one entry each).
#include <algorithm>

#include "cpu/helpers/x87.h"

namespace cpu::x87 {
namespace {

// Pushes `v` (already converted, flags in `e`), with the overflow check of FLD and friends:
// the register below the top must be empty (SDM Vol.1 §8.5.1.1).
void push_checked(Fpu& fpu, F80 v, const sf::Env& e) {
  if (!fpu.empty(7)) {
    if (fpu.stack_fault(true)) fpu.push(sf::kIndefinite);
    return;
  }
  if (!fpu.finish(e)) return;
  fpu.set_c1(false);
  fpu.push(v);
}

// Real formats: 0 = m32fp, 1 = m64fp, 2 = m80fp.
void load_real(Fpu& fpu, const Mem& m, unsigned fmt) {
  sf::Env e = fpu.env();
  F80 v;
  if (fmt == 0)
    v = sf::from_f32(fpu.ld(m, 0, 4), e);
  else if (fmt == 1)
    v = sf::from_f64(fpu.ld64(m, 0), e);
  else
    v = fpu.ld80(m, 0);  // exact, and SNaNs load without #I
  push_checked(fpu, v, e);
}

void load_int(Fpu& fpu, const Mem& m, unsigned bytes) {
  int64_t v;
  if (bytes == 2)
    v = int16_t(fpu.ld(m, 0, 2));
  else if (bytes == 4)
    v = int32_t(fpu.ld(m, 0, 4));
  else
    v = int64_t(fpu.ld64(m, 0));
  push_checked(fpu, sf::from_int(v), fpu.env());
}

void load_bcd(Fpu& fpu, const Mem& m) {
  uint8_t b[10];
  for (unsigned i = 0; i < 10; i++) b[i] = uint8_t(fpu.ld(m, i, 1));
  push_checked(fpu, sf::from_bcd(b), fpu.env());
}

// FST/FSTP to memory. An empty ST(0) stores the indefinite of the format when #IS is masked.
// Unmasked #I, #D, #O or #U leave memory and the stack untouched (SDM Vol.1 §8.5.4, §8.5.5).
void store_real(Fpu& fpu, const Mem& m, unsigned fmt, bool pop) {
  const unsigned len = fmt == 0 ? 4 : fmt == 1 ? 8 : 10;
  fpu.probe_store(m, len);
  sf::Env e = fpu.env();
  F80 v = sf::kIndefinite;
  if (fpu.empty(0)) {
    if (!fpu.stack_fault(false)) return;
  } else {
    v = fpu.st(0);
  }
  uint64_t bits = 0;
  if (fmt == 0)
    bits = sf::to_f32(v, e);
  else if (fmt == 1)
    bits = sf::to_f64(v, e);
  if (fmt != 2) {
    if (e.flags & ~fpu.f.fcw & (sf::exc::OE | sf::exc::UE)) {
      fpu.signal(e.flags);
      return;
    }
    if (!fpu.finish(e)) return;
  } else {
    fpu.set_c1(false);  // exact
  }
  if (fmt == 0)
    fpu.st_(m, 0, 4, uint32_t(bits));
  else if (fmt == 1)
    fpu.st64(m, 0, bits);
  else
    fpu.st80(m, 0, v);
  if (pop) fpu.pop();
}

void store_int(Fpu& fpu, const Mem& m, unsigned bytes, bool pop) {
  fpu.probe_store(m, bytes);
  sf::Env e = fpu.env();
  int64_t v;
  if (fpu.empty(0)) {
    if (!fpu.stack_fault(false)) return;
    v = bytes == 2 ? INT16_MIN : bytes == 4 ? INT32_MIN : INT64_MIN;  // the integer indefinite
  } else {
    v = sf::to_int(fpu.st(0), bytes * 8, false, e);
    if (!fpu.finish(e)) return;
  }
  if (bytes == 8)
    fpu.st64(m, 0, uint64_t(v));
  else
    fpu.st_(m, 0, bytes, uint32_t(v));
  if (pop) fpu.pop();
}

void store_bcd(Fpu& fpu, const Mem& m) {
  fpu.probe_store(m, 10);
  sf::Env e = fpu.env();
  uint8_t b[10];
  if (fpu.empty(0)) {
    if (!fpu.stack_fault(false)) return;
    // The packed BCD indefinite: FFFF C000 0000 0000 0000h (SDM Vol.1 §4.7).
    const uint8_t ind[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
    std::copy(ind, ind + 10, b);
  } else {
    sf::to_bcd(fpu.st(0), b, e);
    if (!fpu.finish(e)) return;
  }
  for (unsigned i = 0; i < 10; i++) fpu.st_(m, i, 1, b[i]);
  fpu.pop();
}

// FLD ST(i): pushes a copy of ST(i).
void load_st(Fpu& fpu, unsigned i) {
  // An empty source is an underflow (C1 = 0) even when the stack is also full, as on the host.
  if (fpu.empty(i)) {
    if (fpu.stack_fault(false)) fpu.push(sf::kIndefinite);
    return;
  }
  push_checked(fpu, fpu.st(i), fpu.env());
}

// FST/FSTP ST(i) (and the reserved aliases FSTP1, FSTP8, FSTP9 that behave as FSTP).
void store_st(Fpu& fpu, unsigned i, bool pop) {
  if (fpu.empty(0)) {
    if (!fpu.stack_fault(false)) return;
    fpu.set_st(i, sf::kIndefinite);
  } else {
    fpu.set_c1(false);
    fpu.set_st(i, fpu.st(0));
  }
  if (pop) fpu.pop();
}

// FXCH (and its aliases FXCH4, FXCH7): an empty operand is first replaced by the indefinite
// when #IS is masked.
void exchange(Fpu& fpu, unsigned i) {
  if (fpu.empty(0) || fpu.empty(i)) {
    if (!fpu.stack_fault(false)) return;
    if (fpu.empty(0)) fpu.set_st(0, sf::kIndefinite);
    if (fpu.empty(i)) fpu.set_st(i, sf::kIndefinite);
  } else {
    fpu.set_c1(false);
  }
  const F80 a = fpu.st(0), b = fpu.st(i);
  const unsigned ta = fpu.tag(fpu.phys(0)), tb = fpu.tag(fpu.phys(i));
  fpu.f.r[fpu.phys(0)] = b;
  fpu.f.r[fpu.phys(i)] = a;
  fpu.set_tag(fpu.phys(0), tb);
  fpu.set_tag(fpu.phys(i), ta);
}

void load_const(Fpu& fpu, sf::Const c) {
  push_checked(fpu, sf::constant(c, sf::Round((fpu.f.fcw >> 10) & 3)), fpu.env());
}

}  // namespace

template <unsigned fmt>
void Real<fmt>::load(Fpu& fpu, const Operands& o) {
  load_real(fpu, o.m, fmt);
}
template <unsigned fmt>
void Real<fmt>::store(Fpu& fpu, const Operands& o) {
  store_real(fpu, o.m, fmt, false);
}
template <unsigned fmt>
void Real<fmt>::store_pop(Fpu& fpu, const Operands& o) {
  store_real(fpu, o.m, fmt, true);
}
template struct Real<0>;
template struct Real<1>;
template struct Real<2>;

template <unsigned bytes>
void Int<bytes>::load(Fpu& fpu, const Operands& o) {
  load_int(fpu, o.m, bytes);
}
template <unsigned bytes>
void Int<bytes>::store(Fpu& fpu, const Operands& o) {
  store_int(fpu, o.m, bytes, false);
}
template <unsigned bytes>
void Int<bytes>::store_pop(Fpu& fpu, const Operands& o) {
  store_int(fpu, o.m, bytes, true);
}
template struct Int<2>;
template struct Int<4>;
template struct Int<8>;

void fbld(Fpu& fpu, const Operands& o) { load_bcd(fpu, o.m); }
void fbstp(Fpu& fpu, const Operands& o) { store_bcd(fpu, o.m); }
void fld_sti(Fpu& fpu, const Operands& o) { load_st(fpu, o.i); }
template <sf::Const c>
void fld_const(Fpu& fpu, const Operands&) {
  load_const(fpu, c);
}
template void fld_const<sf::Const::One>(Fpu&, const Operands&);
template void fld_const<sf::Const::L2T>(Fpu&, const Operands&);
template void fld_const<sf::Const::L2E>(Fpu&, const Operands&);
template void fld_const<sf::Const::Pi>(Fpu&, const Operands&);
template void fld_const<sf::Const::LG2>(Fpu&, const Operands&);
template void fld_const<sf::Const::LN2>(Fpu&, const Operands&);
template void fld_const<sf::Const::Zero>(Fpu&, const Operands&);
// FXCH, FXCH4, FXCH7
void fxch(Fpu& fpu, const Operands& o) { exchange(fpu, o.i); }
void fst_sti(Fpu& fpu, const Operands& o) { store_st(fpu, o.i, false); }
// FSTP, FSTP1, FSTP8, FSTP9
void fstp_sti(Fpu& fpu, const Operands& o) { store_st(fpu, o.i, true); }

// FFREE, FFREEP: the SDM leaves C0-C3 undefined; the host clears C1.
void ffree(Fpu& fpu, const Operands& o) {
  fpu.set_tag(fpu.phys(o.i), kTagEmpty);
  fpu.set_c1(false);
}
void ffreep(Fpu& fpu, const Operands& o) {
  ffree(fpu, o);
  fpu.set_top(fpu.top() + 1);
}

// FDECSTP, FINCSTP: only TOP moves; C1 = 0.
void fdecstp(Fpu& fpu, const Operands&) {
  fpu.set_top(fpu.top() + 7);
  fpu.set_c1(false);
}
void fincstp(Fpu& fpu, const Operands&) {
  fpu.set_top(fpu.top() + 1);
  fpu.set_c1(false);
}

void nop(Fpu&, const Operands&) {}

}  // namespace cpu::x87
