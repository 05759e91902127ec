// The transcendental instructions in the x87 differential test (see fpudiff_transc.h).
#include "tests/softfloat/fpudiff_transc.h"

namespace fpudiff {

using sf::F80;

namespace {

constexpr F80 kOne{kTop, 0x3fff};
constexpr uint64_t kYl2xp1Cap = 0x95f619980c4336f7ull;  // 1 - sqrt(2)/2, at exponent -2

F80 make(bool neg, int e, uint64_t sig) {
  return F80{sig | kTop, uint16_t((neg ? 0x8000 : 0) | (0x3fff + e))};
}

int uniform(Rng& r, int lo, int hi) { return lo + int(r.below(uint32_t(hi - lo + 1))); }

// A normal value with an exponent in [lo, hi] and a random significand, negative half the time
// if `sign`. Every draw is a statement of its own: function arguments are evaluated in no fixed
// order, and a seed must give the same operands on every host.
F80 draw(Rng& r, int lo, int hi, bool sign = true) {
  const bool neg = sign && r.chance(50);
  const int e = uniform(r, lo, hi);
  const uint64_t sig = r.next();
  return make(neg, e, sig);
}

bool finite_nonzero(F80 v) {
  const sf::Class c = sf::classify(v);
  return c == sf::Class::Normal || c == sf::Class::Denormal || c == sf::Class::PseudoDenormal;
}

// |v| > limit (limit: a positive normal); false for zeros, NaNs and infinities.
bool above(F80 v, F80 limit) {
  if (!finite_nonzero(v)) return false;
  const uint16_t e = v.exp();
  return e > limit.exp() || (e == limit.exp() && v.sig > limit.sig);
}

// A multiple of pi66/2 (the hardware's reduction constant) rounded to 64 bits, nudged by a few
// ulps: the operands whose reduction cancels the most bits.
F80 near_half_pi_multiple(Rng& r) {
  using u128 = unsigned __int128;
  const u128 half_pi66 = (u128(0x3) << 64) | 0x243f6a8885a308d3ull;  // pi/2 in units of 2^-65
  const uint64_t bits = r.next();
  const uint64_t k = 1 + (bits >> (24 + r.below(40)));  // below 2^40
  const u128 x = half_pi66 * k;
  const int top =
      127 - (x >> 64 ? __builtin_clzll(uint64_t(x >> 64)) : 64 + __builtin_clzll(uint64_t(x)));
  uint64_t sig = uint64_t(x >> (top - 63));
  sig += uint64_t(int64_t(r.below(7)) - 3);
  return make(r.chance(50), top - 65, sig);
}

// A special or arbitrary operand (the generic generator), or one from the instruction's domain.
F80 gen_trig(Rng& r) {
  if (r.chance(25)) return gen_f80(r, false);
  if (r.chance(20)) return near_half_pi_multiple(r);
  if (r.chance(10)) return draw(r, -80, -60);  // x^3 at the edge
  return draw(r, -30, 63);                     // |x| up to 2^64: C2 above 2^63
}

// F2XM1's and FYL2XP1's operand: |a| <= limit (the documented range: finite operands beyond it
// give undefined results, so they are not generated; NaNs, infinities and zeros are defined),
// exponents up to e_hi, tiny ones, and with `ones` exactly +-1 too.
F80 gen_bounded(Rng& r, F80 limit, int e_hi, bool ones) {
  for (;;) {
    F80 a;
    if (r.chance(15)) {
      a = gen_f80(r, false);
    } else if (ones && r.chance(5)) {
      a = F80{kOne.sig, uint16_t(kOne.se | (r.chance(50) ? 0x8000 : 0))};
    } else if (r.chance(10)) {
      a = draw(r, -16382, -65);
    } else {
      a = draw(r, -64, e_hi);
    }
    if (!above(a, limit)) return a;
  }
}

// FYL2X's x: positive mostly, across the whole range, near 1, or near powers of two.
F80 gen_fyl2x_x(Rng& r) {
  if (r.chance(15)) return gen_f80(r, false);
  switch (r.below(4)) {
    case 0: return draw(r, -16382, 16383, false);
    case 1: return draw(r, -2, 1, false);
    case 2: {  // just above 1
      const uint64_t bits = r.next();
      return make(false, 0, kTop | (bits >> uniform(r, 1, 63)));
    }
    default: {  // just below 1
      const uint64_t ones = ~0ull << r.below(64);
      return make(false, -1, ones >> r.below(8));
    }
  }
}

// The y of FYL2X and FYL2XP1, and both FPATAN operands.
F80 gen_factor(Rng& r, int wide_percent) {
  if (r.chance(15)) return gen_f80(r, false);
  if (r.chance(uint32_t(wide_percent))) return draw(r, -16382, 16383);
  if (r.chance(10)) return make(r.chance(50), 0, kTop);  // +-1: the plain logarithm
  return draw(r, -64, 64);
}

std::string hex_or_dash(const F80* v) { return v ? hex80(*v) : "-"; }

bool pushes(HostOp op) { return op == HostOp::Sincos || op == HostOp::Ptan; }
bool pops(HostOp op) { return op == HostOp::Patan || op == HostOp::Fyl2x || op == HostOp::Fyl2xp1; }
bool is_trig(HostOp op) { return op >= HostOp::Sin && op <= HostOp::Ptan; }
int initial_depth(HostOp op) { return is_trig(op) || op == HostOp::F2xm1 ? 1 : 2; }

bool one_ulp_apart(F80 x, F80 y) {
  return finite_nonzero(x) && finite_nonzero(y) && ulp_distance(x, y) == 1;
}

// "op fcw a b | ours: st0 st1 c1 | host: st0 st1 c1" ("-" without the host).
std::string line_of(HostOp op, const HostIn& in, const TranscOurs& o, const HostOut* h) {
  char fcw[8];
  std::snprintf(fcw, sizeof fcw, "%04x", in.fcw);
  return std::string(host_op_name(op)) + " " + fcw + " " + hex80(in.a) + " " + hex80(in.b) + " " +
         hex80(o.st0) + " " + hex80(o.st1) + " " + (o.c1 ? "1" : "0") + " " +
         hex_or_dash(h ? &h->st[0] : nullptr) + " " + hex_or_dash(h ? &h->st[1] : nullptr) + " " +
         (h ? (h->c1() ? "1" : "0") : "-");
}

std::string describe(HostOp op, const HostIn& in, const TranscOurs& o, const HostOut& h,
                     const char* what) {
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "%s: %s fcw=%04x a=%s b=%s -> host st0=%s st1=%s fsw=%04x depth=%d; ours st0=%s "
                "st1=%s flags=%02x c1=%d c2=%d depth=%d",
                host_op_name(op), what, in.fcw, hex80(in.a).c_str(), hex80(in.b).c_str(),
                hex80(h.st[0]).c_str(), hex80(h.st[1]).c_str(), h.fsw, h.depth,
                hex80(o.st0).c_str(), hex80(o.st1).c_str(), o.flags, o.c1, o.c2, o.depth);
  return buf;
}

}  // namespace

uint64_t ulp_distance(F80 x, F80 y) {
  if (x.sign() != y.sign()) return ~0ull;
  using u128 = unsigned __int128;
  auto ord = [](F80 v) {
    return v.exp() == 0 ? u128(v.sig) : (u128(v.exp()) << 63) + (v.sig - kTop);
  };
  const u128 a = ord(x), b = ord(y), d = a > b ? a - b : b - a;
  return d > ~0ull ? ~0ull : uint64_t(d);
}

bool is_transcendental(HostOp op) { return op >= HostOp::Sin && op < HostOp::Count; }

std::vector<HostOp> transcendental_ops() {
  std::vector<HostOp> ops;
  for (int i = int(HostOp::Sin); i < int(HostOp::Count); ++i) ops.push_back(HostOp(i));
  return ops;
}

HostIn gen_transc_input(Rng& r, HostOp op) {
  HostIn in;
  // The precision control varies too: it must not affect these instructions (SDM Vol.1 §8.1.5.2).
  in.fcw = gen_fcw(r, true);
  in.b = kOne;
  switch (op) {
    case HostOp::F2xm1: in.a = gen_bounded(r, kOne, -1, true); break;
    case HostOp::Fyl2xp1:
      in.a = gen_bounded(r, F80{kYl2xp1Cap, 0x3fff - 2}, -2, false);
      in.b = gen_factor(r, 10);
      break;
    case HostOp::Fyl2x:
      in.a = gen_fyl2x_x(r);
      in.b = gen_factor(r, 10);
      break;
    case HostOp::Patan:
      in.a = gen_factor(r, 20);
      in.b = r.chance(10) ? in.a : gen_factor(r, 20);
      break;
    default: in.a = gen_trig(r); break;
  }
  return in;
}

TranscOurs run_transc(HostOp op, const HostIn& in) {
  sf::Env env = sf::Env::from_fcw(in.fcw);
  TranscOurs o;
  F80 v = in.a, v2 = kOne;
  auto trig = [&](const sf::TrigResult& t) {
    o.c2 = t.c2;
    v = t.value;
    v2 = t.value2;
  };
  switch (op) {
    case HostOp::Sin: trig(sf::sin(in.a, env)); break;
    case HostOp::Cos: trig(sf::cos(in.a, env)); break;
    case HostOp::Sincos: trig(sf::sincos(in.a, env)); break;
    case HostOp::Ptan: trig(sf::tan(in.a, env)); break;
    case HostOp::Patan: v = sf::atan2(in.b, in.a, env); break;
    case HostOp::F2xm1: v = sf::f2xm1(in.a, env); break;
    case HostOp::Fyl2x: v = sf::fyl2x(in.a, in.b, env); break;
    case HostOp::Fyl2xp1: v = sf::fyl2xp1(in.a, in.b, env); break;
    default: break;
  }
  o.flags = env.flags;
  o.c1 = env.rounded_up;
  o.st0 = in.a;
  o.st1 = in.b;
  o.depth = initial_depth(op);
  // As the CPU does: an unmasked invalid, denormal or zero-divide exception leaves the registers
  // as they were, and so does an out-of-range trigonometric operand (C2 = 1).
  // Only the unmasked ones of those are recorded (Fpu::signal): they cancel the lower-priority
  // flags (SDM Vol.1 §8.5).
  const uint16_t pre = sf::exc::IE | sf::exc::DE | sf::exc::ZE;
  if (const uint16_t stop = env.flags & pre & ~env.masks) {
    o.flags = stop;
    return o;
  }
  if (o.c2) return o;
  o.delivered = true;
  if (pushes(op)) {
    o.st1 = v, o.st0 = v2, ++o.depth;
  } else if (pops(op)) {
    o.st0 = v, --o.depth;
  } else {
    o.st0 = v;
  }
  return o;
}

std::string reference_line(HostOp op, const HostIn& in, const TranscOurs& o) {
  if (!o.delivered || !finite_nonzero(o.st0)) return {};
  return line_of(op, in, o, nullptr);
}

TranscCheck check_transc(HostOp op, const HostIn& in, bool want_line) {
  const HostOut h = host_x87(op, in);
  const TranscOurs o = run_transc(op, in);
  TranscCheck c;
  if (want_line && o.delivered && finite_nonzero(o.st0)) c.line = line_of(op, in, o, &h);
  auto fail = [&](const char* what) {
    c.verdict = Verdict::Mismatch;
    c.report = describe(op, in, o, h, what);
    return c;
  };
  if (h.flags() != o.flags) return fail("flags");
  if (h.depth != o.depth) return fail("stack depth");
  if (is_trig(op) && h.c2() != o.c2) return fail("C2");
  // The registers the instruction writes: ST(0), and ST(1) when it pushed.
  const bool two = o.delivered && pushes(op);
  const bool exact0 = h.st[0] == o.st0, exact1 = !two || h.st[1] == o.st1;
  if (exact0 && exact1) {
    // The same value, rounded from opposite sides: the host's own approximation fell on the
    // other side of a representable number than the true value does.
    if (o.delivered && h.c1() != o.c1) c.verdict = Verdict::C1Only;
  } else {
    const bool close0 = exact0 || one_ulp_apart(h.st[0], o.st0);
    const bool close1 = exact1 || one_ulp_apart(h.st[1], o.st1);
    if (!o.delivered || !close0 || !close1) return fail("result");
    c.verdict = Verdict::OneUlp;  // C1 follows the rounding direction, so it differs too
  }
  return c;
}

}  // namespace fpudiff
