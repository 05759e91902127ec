#include "cpu/softfloat/transc_common.h"

namespace sf::transc {

using wide::u128;
using wide::W;

Kind kind(F80 a, bool& denormal) {
  switch (classify(a)) {
    case Class::Zero: return Kind::Zero;
    case Class::Denormal:
    case Class::PseudoDenormal: denormal = true; return Kind::Finite;
    case Class::Normal: return Kind::Finite;
    case Class::Inf: return Kind::Inf;
    case Class::QNaN: return Kind::QNaN;
    case Class::SNaN: return Kind::SNaN;
    case Class::Unsupported: break;
  }
  return Kind::Unsupported;
}

F80 nan_result(F80 a, Kind ka, Env& env) {
  if (ka == Kind::Unsupported) return invalid(env);
  return detail::propagate_nan(a, env);
}

F80 nan_result(F80 a, Kind ka, F80 b, Kind kb, Env& env) {
  if (ka == Kind::Unsupported || kb == Kind::Unsupported) return invalid(env);
  return detail::propagate_nan(a, b, env);
}

namespace {

// Rounds the 128-bit significand to its top 64 bits; true when the magnitude was incremented.
bool round_sig(u128 sig, bool sticky, bool neg, Round rc, uint64_t& out, bool& lost) {
  uint64_t keep = uint64_t(sig >> 64), rest = uint64_t(sig);
  lost = rest != 0 || sticky;
  bool inc = false;
  switch (rc) {
    case Round::Nearest:
      inc = rest > (1ull << 63) || (rest == (1ull << 63) && (sticky || (keep & 1)));
      break;
    case Round::Up: inc = lost && !neg; break;
    case Round::Down: inc = lost && neg; break;
    case Round::Zero: break;
  }
  out = keep + inc;
  return inc;
}

F80 pack(bool neg, int32_t be, uint64_t sig) { return {sig, uint16_t((neg ? 0x8000 : 0) | be)}; }

}  // namespace

F80 round(W w, Tail tail, Env& env) {
  if (w.zero()) return zero(w.neg);
  if (tail ==
      Tail::Below) {  // the exact value is in (sig - 1, sig): represent it as sig - 1 + sticky
    w.sig -= 1;
    if (!(w.sig >> 127)) {
      w.sig = (w.sig << 1) | 1;
      w.exp -= 1;
    }
  }
  bool sticky = tail != Tail::Exact;
  bool neg = w.neg;
  int32_t be = w.exp + kExpBias;
  uint64_t out;
  bool lost;
  bool inc = round_sig(w.sig, sticky, neg, env.rc, out, lost);
  int32_t be_r = be;
  if (inc && out == 0) {  // carried out of the significand
    out = 1ull << 63;
    ++be_r;
  }
  if (be_r <= 0) {
    if (!(env.masks & exc::UE)) {  // unmasked: deliver with the exponent wrapped
      env.flags |= exc::UE | (lost ? exc::PE : 0);
      env.rounded_up = inc;
      return pack(neg, be_r + 24576, out);
    }
    // Masked: denormalize, then round at the fixed denormal position.
    int shift = 1 - be;
    u128 sig = w.sig;
    if (shift >= 128) {
      sticky |= sig != 0;
      sig = 0;
    } else if (shift > 0) {
      sticky |= (sig & ((u128(1) << shift) - 1)) != 0;
      sig >>= shift;
    }
    env.rounded_up = round_sig(sig, sticky, neg, env.rc, out, lost);
    if (lost) env.flags |= exc::UE | exc::PE;
    return pack(neg, out >> 63 ? 1 : 0, out);
  }
  if (lost) env.flags |= exc::PE;
  env.rounded_up = inc;
  if (be_r >= kExpMax) {
    env.flags |= exc::OE;
    if (!(env.masks & exc::OE)) return pack(neg, be_r - 24576, out);
    env.flags |= exc::PE;
    bool to_inf =
        env.rc == Round::Nearest || (env.rc == Round::Up && !neg) || (env.rc == Round::Down && neg);
    env.rounded_up = to_inf;
    return to_inf ? inf(neg) : pack(neg, kExpMax - 1, ~0ull);
  }
  return pack(neg, be_r, out);
}

F80 pi_quarters(unsigned num, bool neg, Env& env) {
  W v = wide::scale2(wide::mul(wide::kPi, wide::from_u64(num)), -2);
  v.neg = neg;
  return round(v, Tail::Above, env);
}

}  // namespace sf::transc
