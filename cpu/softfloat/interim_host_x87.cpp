// INTERIM, x86-64 hosts only: the sf:: operations of f80.h carried out by the host's own x87, so
// that the FPU unit (cpu/helpers/x87*.cpp) links and runs before the software implementation
// lands. The software implementation replaces this file entirely (delete it when merging it);
// it is not bit-exact for unmasked overflow/underflow (no exponent wrapping).
#if !defined(__x86_64__)
#error "interim_host_x87.cpp needs an x86-64 host; the software sf:: implementation replaces it"
#endif

#include <cstring>

#include "cpu/softfloat/f80.h"

namespace sf {
namespace {

struct alignas(16) Ld {
  uint8_t b[16] = {};
};

Ld to_ld(F80 a) {
  Ld r;
  std::memcpy(r.b, &a.sig, 8);
  std::memcpy(r.b + 8, &a.se, 2);
  return r;
}

F80 from_ld(const Ld& l) {
  F80 r;
  std::memcpy(&r.sig, l.b, 8);
  std::memcpy(&r.se, l.b + 8, 2);
  return r;
}

// All exceptions masked on the host; the caller's masks only matter for the result policy.
uint16_t host_cw(const Env& e) { return uint16_t(0x3f | unsigned(e.pc) << 8 | unsigned(e.rc) << 10); }

void merge(Env& e, uint16_t sw) {
  e.flags |= sw & exc::kAll;
  e.rounded_up = (sw & 0x200) && (sw & exc::PE);
}

// Runs `body` (raw x87 bytes) on ST0 = a, ST1 = b, leaving the result of ST0 in *r and popping
// everything. `npop_after` values are removed after the result is stored.
#define GH_X87_BINOP(NAME, BYTES)                                                           \
  F80 NAME(F80 a, F80 b, Env& e) {                                                          \
    Ld la = to_ld(a), lb = to_ld(b), lr;                                                    \
    uint16_t cw = host_cw(e), old, sw;                                                      \
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fldt %[b]\n" BYTES     \
                 "\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"                               \
                 : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)                              \
                 : [a] "m"(la), [b] "m"(lb), [cw] "m"(cw));                                  \
    merge(e, sw);                                                                           \
    return from_ld(lr);                                                                     \
  }

}  // namespace

GH_X87_BINOP(add, ".byte 0xde, 0xc1")
GH_X87_BINOP(sub, ".byte 0xde, 0xe9")
GH_X87_BINOP(mul, ".byte 0xde, 0xc9")
GH_X87_BINOP(div, ".byte 0xde, 0xf9")

namespace {
F80 unary(F80 a, Env& e, int op) {
  Ld la = to_ld(a), lr;
  uint16_t cw = host_cw(e), old, sw;
  switch (op) {
#define GH_X87_UN(N, BYTES)                                                                    \
  case N:                                                                                      \
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n" BYTES                    \
                 "\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"                                  \
                 : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)                                 \
                 : [a] "m"(la), [cw] "m"(cw));                                                  \
    break;
    GH_X87_UN(0, ".byte 0xd9, 0xfa")  // fsqrt
    GH_X87_UN(1, ".byte 0xd9, 0xfc")  // frndint
    GH_X87_UN(2, ".byte 0xd9, 0xf0")  // f2xm1
#undef GH_X87_UN
    default: sw = 0;
  }
  merge(e, sw);
  return from_ld(lr);
}
}  // namespace

F80 sqrt(F80 a, Env& e) { return unary(a, e, 0); }
F80 round_to_int(F80 a, Env& e) { return unary(a, e, 1); }
F80 f2xm1(F80 a, Env& e) { return unary(a, e, 2); }

Class classify(F80 a) {
  const uint16_t ex = a.exp();
  const bool ibit = a.sig >> 63;
  if (ex == 0) {
    if (a.sig == 0) return Class::Zero;
    return ibit ? Class::PseudoDenormal : Class::Denormal;
  }
  if (!ibit) return Class::Unsupported;
  if (ex == kExpMax) {
    if ((a.sig << 1) == 0) return Class::Inf;
    return (a.sig >> 62) & 1 ? Class::QNaN : Class::SNaN;
  }
  return Class::Normal;
}

RemResult rem(F80 a, F80 b, bool round_nearest, Env& e) {
  Ld la = to_ld(a), lb = to_ld(b), lr;
  uint16_t cw = host_cw(e), old, sw;
  if (round_nearest)
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[b]\n fldt %[a]\n .byte 0xd9, 0xf5\n"
                 " fnstsw %[sw]\n fstpt %[r]\n fstp %%st(0)\n fldcw %[old]"
                 : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
                 : [a] "m"(la), [b] "m"(lb), [cw] "m"(cw));
  else
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[b]\n fldt %[a]\n .byte 0xd9, 0xf8\n"
                 " fnstsw %[sw]\n fstpt %[r]\n fstp %%st(0)\n fldcw %[old]"
                 : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
                 : [a] "m"(la), [b] "m"(lb), [cw] "m"(cw));
  e.flags |= sw & exc::kAll;
  RemResult r;
  r.value = from_ld(lr);
  r.c2 = sw & 0x400;
  r.quotient = uint8_t(((sw >> 8) & 1) << 2 | ((sw >> 14) & 1) << 1 | ((sw >> 9) & 1));
  return r;
}

F80 scale(F80 a, F80 b, Env& e) {
  Ld la = to_ld(a), lb = to_ld(b), lr;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[b]\n fldt %[a]\n .byte 0xd9, 0xfd\n"
               " fnstsw %[sw]\n fstpt %[r]\n fstp %%st(0)\n fldcw %[old]"
               : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
               : [a] "m"(la), [b] "m"(lb), [cw] "m"(cw));
  merge(e, sw);
  return from_ld(lr);
}

Xtract xtract(F80 a, Env& e) {
  Ld la = to_ld(a), ls, lx;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n .byte 0xd9, 0xf4\n"
               " fnstsw %[sw]\n fstpt %[s]\n fstpt %[x]\n fldcw %[old]"
               : [s] "=m"(ls), [x] "=m"(lx), [sw] "=m"(sw), [old] "=m"(old)
               : [a] "m"(la), [cw] "m"(cw));
  merge(e, sw);
  return {from_ld(lx), from_ld(ls)};
}

Cmp compare(F80 a, F80 b, bool quiet, Env& e) {
  Ld la = to_ld(a), lb = to_ld(b);
  uint16_t cw = host_cw(e), old, sw;
  if (quiet)
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[b]\n fldt %[a]\n .byte 0xdd, 0xe1\n"
                 " fnstsw %[sw]\n fstp %%st(0)\n fstp %%st(0)\n fldcw %[old]"
                 : [sw] "=m"(sw), [old] "=m"(old)
                 : [a] "m"(la), [b] "m"(lb), [cw] "m"(cw));
  else
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[b]\n fldt %[a]\n .byte 0xd8, 0xd1\n"
                 " fnstsw %[sw]\n fstp %%st(0)\n fstp %%st(0)\n fldcw %[old]"
                 : [sw] "=m"(sw), [old] "=m"(old)
                 : [a] "m"(la), [b] "m"(lb), [cw] "m"(cw));
  e.flags |= sw & exc::kAll;
  const bool c0 = sw & 0x100, c2 = sw & 0x400, c3 = sw & 0x4000;
  if (c2) return Cmp::Unordered;
  if (c3) return Cmp::Equal;
  return c0 ? Cmp::Less : Cmp::Greater;
}

F80 from_f32(uint32_t bits, Env& e) {
  Ld lr;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n flds %[a]\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"
               : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
               : [a] "m"(bits), [cw] "m"(cw));
  e.flags |= sw & exc::kAll;
  return from_ld(lr);
}

F80 from_f64(uint64_t bits, Env& e) {
  Ld lr;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldl %[a]\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"
               : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
               : [a] "m"(bits), [cw] "m"(cw));
  e.flags |= sw & exc::kAll;
  return from_ld(lr);
}

F80 from_int(int64_t v) {
  Ld lr;
  asm volatile("fildll %[a]\n fstpt %[r]" : [r] "=m"(lr) : [a] "m"(v));
  return from_ld(lr);
}

uint32_t to_f32(F80 a, Env& e) {
  Ld la = to_ld(a);
  uint32_t r;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fstps %[r]\n fnstsw %[sw]\n fldcw %[old]"
               : [r] "=m"(r), [sw] "=m"(sw), [old] "=m"(old)
               : [a] "m"(la), [cw] "m"(cw));
  merge(e, sw);
  return r;
}

uint64_t to_f64(F80 a, Env& e) {
  Ld la = to_ld(a);
  uint64_t r;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fstpl %[r]\n fnstsw %[sw]\n fldcw %[old]"
               : [r] "=m"(r), [sw] "=m"(sw), [old] "=m"(old)
               : [a] "m"(la), [cw] "m"(cw));
  merge(e, sw);
  return r;
}

int64_t to_int(F80 a, unsigned bits, bool, Env& e) {
  Ld la = to_ld(a);
  uint16_t cw = host_cw(e), old, sw;
  int64_t r = 0;
  if (bits == 16) {
    int16_t v;
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fistps %[r]\n fnstsw %[sw]\n fldcw %[old]"
                 : [r] "=m"(v), [sw] "=m"(sw), [old] "=m"(old)
                 : [a] "m"(la), [cw] "m"(cw));
    r = v;
  } else if (bits == 32) {
    int32_t v;
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fistpl %[r]\n fnstsw %[sw]\n fldcw %[old]"
                 : [r] "=m"(v), [sw] "=m"(sw), [old] "=m"(old)
                 : [a] "m"(la), [cw] "m"(cw));
    r = v;
  } else {
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fistpll %[r]\n fnstsw %[sw]\n fldcw %[old]"
                 : [r] "=m"(r), [sw] "=m"(sw), [old] "=m"(old)
                 : [a] "m"(la), [cw] "m"(cw));
  }
  merge(e, sw);
  return r;
}

F80 from_bcd(const uint8_t bcd[10]) {
  Ld lb, lr;
  std::memcpy(lb.b, bcd, 10);
  asm volatile("fbld %[a]\n fstpt %[r]" : [r] "=m"(lr) : [a] "m"(lb));
  return from_ld(lr);
}

void to_bcd(F80 a, uint8_t out[10], Env& e) {
  Ld la = to_ld(a), lr;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fbstp %[r]\n fnstsw %[sw]\n fldcw %[old]"
               : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
               : [a] "m"(la), [cw] "m"(cw));
  merge(e, sw);
  std::memcpy(out, lr.b, 10);
}

F80 constant(Const c, Round rc) {
  Env e;
  e.rc = rc;
  Ld lr;
  uint16_t cw = host_cw(e), old;
  switch (c) {
#define GH_X87_K(K, INSN)                                                                  \
  case Const::K:                                                                           \
    asm volatile("fnstcw %[old]\n fldcw %[cw]\n " INSN "\n fstpt %[r]\n fldcw %[old]"      \
                 : [r] "=m"(lr), [old] "=m"(old)                                           \
                 : [cw] "m"(cw));                                                          \
    break;
    GH_X87_K(One, "fld1")
    GH_X87_K(L2T, "fldl2t")
    GH_X87_K(L2E, "fldl2e")
    GH_X87_K(Pi, "fldpi")
    GH_X87_K(LG2, "fldlg2")
    GH_X87_K(LN2, "fldln2")
    GH_X87_K(Zero, "fldz")
#undef GH_X87_K
  }
  return from_ld(lr);
}

namespace {
TrigResult trig(F80 a, Env& e, int op) {
  Ld la = to_ld(a), l1, l2;
  uint16_t cw = host_cw(e), old, sw;
  TrigResult r;
  switch (op) {
    case 0:
      asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fsin\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"
                   : [r] "=m"(l1), [sw] "=m"(sw), [old] "=m"(old) : [a] "m"(la), [cw] "m"(cw));
      break;
    case 1:
      asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fcos\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"
                   : [r] "=m"(l1), [sw] "=m"(sw), [old] "=m"(old) : [a] "m"(la), [cw] "m"(cw));
      break;
    case 2:
      asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fptan\n fnstsw %[sw]\n"
                   "testw $0x400, %[sw]\n jnz 1f\n fstpt %[r2]\n1: fstpt %[r]\n fldcw %[old]"
                   : [r] "=m"(l1), [r2] "=m"(l2), [sw] "=m"(sw), [old] "=m"(old)
                   : [a] "m"(la), [cw] "m"(cw));
      break;
    default:
      asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[a]\n fsincos\n fnstsw %[sw]\n"
                   "testw $0x400, %[sw]\n jnz 1f\n fstpt %[r2]\n1: fstpt %[r]\n fldcw %[old]"
                   : [r] "=m"(l1), [r2] "=m"(l2), [sw] "=m"(sw), [old] "=m"(old)
                   : [a] "m"(la), [cw] "m"(cw));
      break;
  }
  merge(e, sw);
  r.c2 = sw & 0x400;
  r.value = from_ld(l1);
  r.value2 = from_ld(l2);
  if (r.c2) r.value = a;
  return r;
}
}  // namespace

TrigResult sin(F80 a, Env& e) { return trig(a, e, 0); }
TrigResult cos(F80 a, Env& e) { return trig(a, e, 1); }
TrigResult sincos(F80 a, Env& e) { return trig(a, e, 3); }
TrigResult tan(F80 a, Env& e) { return trig(a, e, 2); }

F80 atan2(F80 y, F80 x, Env& e) {
  Ld ly = to_ld(y), lx = to_ld(x), lr;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[y]\n fldt %[x]\n fpatan\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"
               : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
               : [y] "m"(ly), [x] "m"(lx), [cw] "m"(cw));
  merge(e, sw);
  return from_ld(lr);
}

F80 fyl2x(F80 x, F80 y, Env& e) {
  Ld ly = to_ld(y), lx = to_ld(x), lr;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[y]\n fldt %[x]\n fyl2x\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"
               : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
               : [y] "m"(ly), [x] "m"(lx), [cw] "m"(cw));
  merge(e, sw);
  return from_ld(lr);
}

F80 fyl2xp1(F80 x, F80 y, Env& e) {
  Ld ly = to_ld(y), lx = to_ld(x), lr;
  uint16_t cw = host_cw(e), old, sw;
  asm volatile("fnstcw %[old]\n fldcw %[cw]\n fnclex\n fldt %[y]\n fldt %[x]\n fyl2xp1\n fnstsw %[sw]\n fstpt %[r]\n fldcw %[old]"
               : [r] "=m"(lr), [sw] "=m"(sw), [old] "=m"(old)
               : [y] "m"(ly), [x] "m"(lx), [cw] "m"(cw));
  merge(e, sw);
  return from_ld(lr);
}

}  // namespace sf
