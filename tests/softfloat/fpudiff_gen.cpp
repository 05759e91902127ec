// Operand generation for the x87 differential test (see fpudiff_gen.h).
#include "tests/softfloat/fpudiff_gen.h"

#include <cstdio>

namespace fpudiff {

using sf::F80;

namespace {

// Integers and half-integers next to the limits of the integer and BCD formats.
F80 gen_int_limit(Rng& r) {
  static constexpr uint64_t kLimits[] = {1ull << 15, 1ull << 31, 1ull << 63,
                                         1000000000000000000ull};
  const uint64_t limit = kLimits[r.below(4)];
  const uint64_t m = limit + r.below(5) - 2;
  // m + 0.5 as an exact extended value (m < 2^63 + 2 always fits 64 bits plus the half bit
  // except right at 2^63, where the half is dropped).
  const bool half = r.chance(40) && m < (1ull << 62) * 2 - 1;
  const int sh = __builtin_clzll(m);
  F80 v{m << sh, uint16_t(0x3fff + 63 - sh)};
  if (half && sh > 0) v.sig |= 1ull << (sh - 1);
  if (r.chance(50)) v.se |= 0x8000;
  return v;
}

}  // namespace

uint64_t boundary_sig(Rng& r) {
  static constexpr int kLsb[] = {40, 11, 0};  // last-place bit of 24, 53, 64-bit significands
  const int lsb = kLsb[r.below(3)];
  uint64_t sig = kTop | r.next();
  if (lsb > 0) {
    const uint64_t low_mask = (1ull << lsb) - 1, half = 1ull << (lsb - 1);
    static constexpr int kOff[] = {0, 1, -1};
    switch (r.below(4)) {
      case 0: sig = (sig & ~low_mask) | half; break;                       // exact tie
      case 1: sig = (sig & ~low_mask) | (half + kOff[r.below(3)]); break;  // near tie
      case 2: sig |= low_mask; break;                                      // all ones below
      default: sig = (sig & ~low_mask) | (r.below(2)); break;              // just above exact
    }
  }
  if (r.chance(20)) sig |= ~0ull << (r.below(64));  // long runs of ones: carries
  return sig | kTop;
}

F80 gen_f80(Rng& r, bool int_bias) {
  if (int_bias && r.chance(10)) return gen_int_limit(r);
  const uint16_t sign = r.chance(50) ? 0x8000 : 0;
  // Braced initialisers evaluate left to right, unlike function arguments: every case draws its
  // random numbers in a fixed order, so a seed means the same operands on every host.
  struct Make {
    uint64_t sig;
    int exp;
  };
  auto make = [&](Make m) { return F80{m.sig, uint16_t(sign | (m.exp & 0x7fff))}; };
  if (r.chance(30)) {
    switch (r.below(16)) {
      case 0: return make({0, 0});
      case 1: return make({kTop, 0x7fff});  // infinity
      case 2: return make({kTop | (1ull << 62) | (r.next() >> r.below(64) >> 2), 0x7fff});  // QNaN
      case 3: return make({kTop | ((r.next() >> 2) | 1) >> r.below(60), 0x7fff});           // SNaN
      case 4: return sf::kIndefinite;
      case 5: return make({r.next() >> (1 + r.below(63)), 0});   // denormal
      case 6: return make({kTop | r.next() >> r.below(64), 0});  // pseudo-denormal
      case 7: {                                                  // unsupported
        const int e = r.chance(30) ? 0x7fff : 1 + int(r.below(0x7ffe));
        return make({(r.next() >> 1) >> r.below(64), e});
      }
      case 8: return make({~0ull, 0x7ffe});  // largest normal
      case 9: return make({kTop, 1});        // smallest normal
      case 10:
        return make({kTop, int(r.below(0x7fff))});  // power of two (exponent 0: pseudo-denormal)
      case 11: return sf::from_int(int64_t(r.next()) >> r.below(64));  // integer
      case 12: return make({boundary_sig(r), 1 + int(r.below(0x7ffe))});
      case 13: return make({~0ull << r.below(64), 0x3fff + int(r.below(128)) - 64});
      case 14:
        return make(
            {boundary_sig(r), r.below(2) ? 1 + int(r.below(80)) : 0x7ffe - int(r.below(80))});
      default: return make({kTop | r.next(), 0x3fff});
    }
  }
  uint64_t sig = r.chance(50) ? boundary_sig(r) : kTop | r.next();
  int exp;
  if (int_bias && r.chance(70)) {
    exp = 0x3fff - 2 + int(r.below(68));
    if (r.chance(50)) sig &= ~0ull << r.below(64);  // often an exact integer or half
  } else if (r.chance(40)) {
    exp = 1 + int(r.below(0x7ffe));
  } else {
    exp = 0x3fff + int(r.below(160)) - 80;
  }
  return make({sig, exp});
}

F80 gen_second(Rng& r, F80 a, bool int_bias) {
  switch (r.below(8)) {
    case 0: return a;
    case 1: return F80{a.sig, uint16_t(a.se ^ 0x8000)};
    case 2:
    case 3: {
      F80 b = gen_f80(r, int_bias);
      if (sf::classify(b) == sf::Class::Normal && sf::classify(a) == sf::Class::Normal) {
        const int e = int(a.exp()) + int(r.below(140)) - 70;
        if (e > 0 && e < 0x7fff) b.se = uint16_t((b.se & 0x8000) | e);
      }
      return b;
    }
    default: return gen_f80(r, int_bias);
  }
}

uint16_t gen_fcw(Rng& r, bool vary_pc) {
  uint16_t masks = 0x3f;
  if (r.chance(25)) masks = uint16_t(r.next() & 0x3f);
  const uint16_t pc = vary_pc ? uint16_t(r.below(4)) : uint16_t(3);
  return uint16_t(0x40 | masks | (pc << 8) | (r.below(4) << 10));
}

uint64_t gen_float_bits(Rng& r, int frac, int expbits) {
  const uint64_t emax = (1ull << expbits) - 1;
  uint64_t e, f = r.next() & ((1ull << frac) - 1);
  switch (r.below(6)) {
    case 0:
      e = 0;
      if (r.chance(30)) f = 0;
      break;
    case 1:
      e = emax;
      if (r.chance(30)) f = 0;
      break;
    default: e = r.next() & emax; break;
  }
  return (uint64_t(r.below(2)) << (frac + expbits)) | (e << frac) | f;
}

std::string hex80(F80 v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04x:%016llx", v.se, (unsigned long long)v.sig);
  return buf;
}

std::string hexmem(const uint8_t* m, int n) {
  std::string s;
  char buf[4];
  for (int i = n - 1; i >= 0; --i) {
    std::snprintf(buf, sizeof buf, "%02x", m[i]);
    s += buf;
  }
  return s;
}

}  // namespace fpudiff
