// Differential comparison of the transcendentals with the host x87: operand generation per
// argument range, one case run on both sides, and match statistics.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "cpu/softfloat/f80.h"
#include "tests/softfloat/fpudiff_transc.h"
#include "tests/softfloat/host_x87.h"

namespace test {

enum class TransOp { Sin, Cos, SinCos, Tan, Atan, F2xm1, Yl2x, Yl2xp1 };

struct HostResult {
  sf::F80 st0, st1;  // the two top registers after the instruction
  uint16_t sw = 0;   // status word right after it
};

inline bool have_host_x87() { return fpudiff::host_x87_available(); }

// a is ST(0), b is ST(1) (used by the two-operand instructions only).
inline HostResult host_x87(TransOp op, sf::F80 a, sf::F80 b, uint16_t fcw) {
  constexpr fpudiff::HostOp kOps[] = {fpudiff::HostOp::Sin,    fpudiff::HostOp::Cos,
                                      fpudiff::HostOp::Sincos, fpudiff::HostOp::Ptan,
                                      fpudiff::HostOp::Patan,  fpudiff::HostOp::F2xm1,
                                      fpudiff::HostOp::Fyl2x,  fpudiff::HostOp::Fyl2xp1};
  fpudiff::HostIn in;
  in.fcw = fcw;
  in.a = a;
  in.b = b;
  fpudiff::HostOut out = fpudiff::host_x87(kOps[int(op)], in);
  return {out.st[0], out.st[1], out.fsw};
}

struct Range {
  const char* name;
  TransOp op;
  int a_lo, a_hi;          // unbiased exponent range of ST(0)
  uint64_t a_cap;          // if non-zero: at exponent a_hi, significands at most this
  bool a_neg;              // random sign (else positive)
  int b_lo = 0, b_hi = 0;  // ST(1), for the two-operand instructions
  bool b_neg = true;
};

inline sf::F80 random_f80(std::mt19937_64& g, int lo, int hi, uint64_t cap, bool neg) {
  for (;;) {
    int e = lo + int(g() % uint64_t(hi - lo + 1));
    uint64_t sig = g() | (1ull << 63);
    if (cap && e == hi && sig > cap) continue;
    uint16_t se = uint16_t(sf::kExpBias + e) | ((neg && (g() & 1)) ? 0x8000 : 0);
    return {sig, se};
  }
}

struct Outcome {
  sf::F80 st0, st1;
  uint16_t flags = 0;
  bool c1 = false, c2 = false;
};

// The registers and flags our implementation leaves, laid out as the host's.
inline Outcome ours(TransOp op, sf::F80 a, sf::F80 b, sf::Round rc,
                    uint16_t masks = sf::exc::kAll) {
  sf::Env env;
  env.rc = rc;
  env.masks = masks;
  Outcome o;
  o.st1 = b;
  auto trig = [&](const sf::TrigResult& r, bool pushes) {
    o.c2 = r.c2;
    if (r.c2) {
      o.st0 = a;
    } else if (pushes) {
      o.st0 = r.value2;
      o.st1 = r.value;
    } else {
      o.st0 = r.value;
    }
  };
  switch (op) {
    case TransOp::Sin: trig(sf::sin(a, env), false); break;
    case TransOp::Cos: trig(sf::cos(a, env), false); break;
    case TransOp::SinCos: trig(sf::sincos(a, env), true); break;
    case TransOp::Tan: trig(sf::tan(a, env), true); break;
    case TransOp::Atan: o.st0 = sf::atan2(b, a, env); break;
    case TransOp::F2xm1: o.st0 = sf::f2xm1(a, env); break;
    case TransOp::Yl2x: o.st0 = sf::fyl2x(a, b, env); break;
    case TransOp::Yl2xp1: o.st0 = sf::fyl2xp1(a, b, env); break;
  }
  o.flags = env.flags;
  o.c1 = env.rounded_up;
  return o;
}

inline bool pushes(TransOp op) { return op == TransOp::SinCos || op == TransOp::Tan; }
inline bool pops(TransOp op) {
  return op == TransOp::Atan || op == TransOp::Yl2x || op == TransOp::Yl2xp1;
}

using fpudiff::ulp_distance;

struct Stats {
  int n = 0, exact = 0, within1 = 0, flags_ok = 0, c1_ok = 0, c1_n = 0, c2_ok = 0;
};

// Runs one case on both sides and accumulates; the value compared is the instruction's result.
inline void compare_case(TransOp op, sf::F80 a, sf::F80 b, sf::Round rc, Stats& s) {
  uint16_t fcw = uint16_t(0x037f | (unsigned(rc) << 10));
  HostResult h = host_x87(op, a, b, fcw);
  Outcome o = ours(op, a, b, rc);
  bool c2 = (h.sw >> 10) & 1, c1 = (h.sw >> 9) & 1;
  sf::F80 hv = pushes(op) && !c2 ? h.st1 : h.st0, ov = pushes(op) && !o.c2 ? o.st1 : o.st0;
  // The other register FSINCOS (the cosine) and FPTAN (1.0) write.
  bool other = pushes(op) && !c2;
  bool other_exact = !other || h.st0 == o.st0;
  bool other_close = !other || ulp_distance(h.st0, o.st0) <= 1;
  ++s.n;
  if (hv == ov && other_exact) ++s.exact;
  if (ulp_distance(hv, ov) <= 1 && other_close) ++s.within1;
  if ((h.sw & 0x3f) == o.flags) ++s.flags_ok;
  if (c2 == o.c2) ++s.c2_ok;
  if (hv == ov) {
    ++s.c1_n;
    if (c1 == o.c1) ++s.c1_ok;
  }
}

}  // namespace test
