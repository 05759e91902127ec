// Loads from and stores to the single, double and integer memory formats (SDM Vol.2 FLD, FST,
// FILD, FIST, FISTTP; Vol.1 §4.8.3 for NaNs in narrower formats).
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

namespace {

// IEEE binary format with `kFrac` fraction bits and `kExpBits` exponent bits.
template <int kFrac, int kExpBits>
struct Format {
  static constexpr int kFracBits = kFrac;
  static constexpr int kBias = (1 << (kExpBits - 1)) - 1;
  static constexpr uint64_t kExpMask = (1ull << kExpBits) - 1;
  static constexpr uint64_t kFracMask = (1ull << kFrac) - 1;
  static constexpr uint64_t kQuiet = 1ull << (kFrac - 1);
  static constexpr int kSignShift = kFrac + kExpBits;
  static constexpr uint64_t kIndefinite = (1ull << kSignShift) | (kExpMask << kFrac) | kQuiet;
};
using F32 = Format<23, 8>;
using F64 = Format<52, 11>;

template <class F>
F80 load(uint64_t bits, Env& env) {
  const bool sign = (bits >> F::kSignShift) & 1;
  const int e = int((bits >> F::kFracBits) & F::kExpMask);
  const uint64_t frac = bits & F::kFracMask;
  const uint16_t s = sign ? 0x8000 : 0;
  if (e == int(F::kExpMask)) {
    if (frac == 0) return inf(sign);
    if (!(frac & F::kQuiet)) env.flags |= exc::IE;  // an SNaN loads quietened
    return {(1ull << 63) | (1ull << 62) | (frac << (63 - F::kFracBits)), uint16_t(s | kExpMax)};
  }
  if (e == 0) {
    if (frac == 0) return zero(sign);
    env.flags |= exc::DE;
    const int sh = clz64(frac);
    return {frac << sh, uint16_t(s | (kExpBias + 63 - (F::kBias - 1 + F::kFracBits) - sh))};
  }
  return {(1ull << 63) | (frac << (63 - F::kFracBits)), uint16_t(s | (e - F::kBias + kExpBias))};
}

template <class F>
uint64_t store(F80 a, Env& env) {
  constexpr int kFrac = F::kFracBits;
  constexpr int p = kFrac + 1;
  const Class c = classify(a);
  const uint64_t s = uint64_t(a.sign()) << F::kSignShift;
  if (c == Class::Unsupported) {
    env.flags |= exc::IE;
    return F::kIndefinite;
  }
  if (c == Class::QNaN || c == Class::SNaN) {
    // The payload is truncated to the narrower fraction; an SNaN is quietened (IE).
    if (c == Class::SNaN) env.flags |= exc::IE;
    return s | (F::kExpMask << kFrac) | F::kQuiet | ((a.sig >> (63 - kFrac)) & F::kFracMask);
  }
  if (c == Class::Inf) return s | (F::kExpMask << kFrac);
  if (c == Class::Zero) return s;
  // A denormal source raises no DE on a store.
  const Unpacked u = unpack(a);
  int32_t e = u.exp - kExpBias + F::kBias;  // biased target exponent of the normalised value
  u128 sig = u128(u.sig) << 64;
  bool inexact, up, carry;
  bool tiny = false;
  const bool below_normal = e < 1;
  if (below_normal) {
    // Tiny after rounding (with an unbounded exponent), as in the extended format.
    round_bits(sig, 128 - p, u.sign, env.rc, inexact, up, carry);
    tiny = !(carry && e == 0);
    if (tiny && !(env.masks & exc::UE)) {
      // Unmasked: nothing is stored; the handler sees the register operand.
      env.flags |= exc::UE;
      return 0;
    }
    sig = shift_right_jam(sig, 1 - e);
    e = 1;
  }
  u128 k = round_bits(sig, 128 - p, u.sign, env.rc, inexact, up, carry);
  if (carry) k = u128(1) << 127, ++e;
  if (below_normal) {
    if (inexact) env.flags |= (tiny ? exc::UE : 0) | exc::PE;
    env.rounded_up = up;
    const uint64_t m = uint64_t(k >> (128 - p));  // p bits, the top one the implicit bit
    return s | ((m >> kFrac) ? (1ull << kFrac) : 0) | (m & F::kFracMask);
  }
  if (e >= int32_t(F::kExpMask)) {
    env.flags |= exc::OE;
    if (!(env.masks & exc::OE)) return 0;  // unmasked: nothing is stored
    env.flags |= exc::PE;
    const bool to_inf = env.rc == Round::Nearest || (env.rc == Round::Up && !u.sign) ||
                        (env.rc == Round::Down && u.sign);
    env.rounded_up = to_inf;
    if (to_inf) return s | (F::kExpMask << kFrac);
    return s | ((F::kExpMask - 1) << kFrac) | F::kFracMask;
  }
  if (inexact) env.flags |= exc::PE;
  env.rounded_up = up;
  return s | (uint64_t(e) << kFrac) | (uint64_t(k >> (128 - p)) & F::kFracMask);
}

}  // namespace

F80 from_f32(uint32_t bits, Env& env) { return load<F32>(bits, env); }
F80 from_f64(uint64_t bits, Env& env) { return load<F64>(bits, env); }
uint32_t to_f32(F80 a, Env& env) { return uint32_t(store<F32>(a, env)); }
uint64_t to_f64(F80 a, Env& env) { return store<F64>(a, env); }

F80 from_int(int64_t v) {
  if (v == 0) return zero(false);
  const bool sign = v < 0;
  const uint64_t m = sign ? 0 - uint64_t(v) : uint64_t(v);
  const int sh = clz64(m);
  return {m << sh, uint16_t((sign ? 0x8000 : 0) | (kExpBias + 63 - sh))};
}

int64_t to_int(F80 a, unsigned bits, bool truncate, Env& env) {
  const int64_t indefinite = int64_t(~0ull << (bits - 1));
  const Class c = classify(a);
  if (c == Class::Unsupported || c == Class::QNaN || c == Class::SNaN || c == Class::Inf) {
    env.flags |= exc::IE;
    return indefinite;
  }
  if (c == Class::Zero) return 0;
  // A denormal source raises no DE here (it rounds like any small value).
  const Unpacked u = unpack(a);
  if (u.exp >= kExpBias + 64) {
    env.flags |= exc::IE;
    return indefinite;
  }
  const u128 v = shift_right_jam(u128(u.sig) << 64, kExpBias + 63 - u.exp);
  bool inexact, up, carry;
  const u128 k = round_bits(v, 64, u.sign, truncate ? Round::Zero : env.rc, inexact, up, carry);
  const u128 magnitude = carry ? u128(1) << 64 : k >> 64;
  const u128 limit = u128(1) << (bits - 1);  // |most negative|; the positive limit is one less
  if (magnitude > limit || (!u.sign && magnitude == limit)) {
    env.flags |= exc::IE;
    return indefinite;
  }
  if (inexact) env.flags |= exc::PE;
  env.rounded_up = up;
  const uint64_t m = uint64_t(magnitude);
  return u.sign ? int64_t(0 - m) : int64_t(m);
}

}  // namespace sf
