// Operand generation and result comparison for the x87 differential test (see fpudiff.h).
#include "tests/softfloat/fpudiff.h"

#include <cstdio>
#include <cstring>

#include "cpu/softfloat/f80.h"
#include "tests/softfloat/fpudiff_gen.h"
#include "tests/softfloat/fpudiff_transc.h"

namespace fpudiff {

using sf::F80;

namespace {

bool is_load(HostOp op) { return op >= HostOp::Fld32 && op <= HostOp::Fbld; }
bool is_const(HostOp op) { return op >= HostOp::Ld1 && op <= HostOp::LdZ; }
bool is_two(HostOp op) {
  switch (op) {
    case HostOp::Add:
    case HostOp::Sub:
    case HostOp::Mul:
    case HostOp::Div:
    case HostOp::Prem:
    case HostOp::Prem1:
    case HostOp::Scale:
    case HostOp::Com:
    case HostOp::Ucom: return true;
    default: return false;
  }
}
bool int_biased(HostOp op) {
  return op == HostOp::Rndint || op == HostOp::Scale ||
         (op >= HostOp::Fist16 && op <= HostOp::Fbstp) || op == HostOp::Prem || op == HostOp::Prem1;
}

// What our implementation produced, in the host's terms.
struct Ours {
  F80 st0, st1;
  bool has_st1 = false;
  uint8_t mem[10];
  int mem_bytes = 0;   // a store: compare this many bytes of mem
  bool result = true;  // a register result is delivered
  int cc_mask = 0;     // condition-code bits (of FSW) to compare
  uint16_t cc = 0;
  uint16_t flags = 0;
  bool c1_rounded = false;  // compare C1 with env.rounded_up
  bool rounded_up = false;
};

uint16_t cmp_cc(sf::Cmp c) {
  switch (c) {
    case sf::Cmp::Greater: return 0;
    case sf::Cmp::Less: return 0x100;
    case sf::Cmp::Equal: return 0x4000;
    default: return 0x4500;
  }
}

uint16_t xam_cc(F80 a) {
  uint16_t c1 = a.sign() ? 0x200 : 0;
  switch (sf::classify(a)) {
    case sf::Class::Unsupported: return c1;
    case sf::Class::QNaN:
    case sf::Class::SNaN: return c1 | 0x100;
    case sf::Class::Normal: return c1 | 0x400;
    case sf::Class::Inf: return c1 | 0x500;
    case sf::Class::Zero: return c1 | 0x4000;
    default: return c1 | 0x4400;  // denormal, pseudo-denormal
  }
}

Ours run_ours(HostOp op, const HostIn& in) {
  Ours o;
  sf::Env env = sf::Env::from_fcw(in.fcw);
  const uint16_t pre = sf::exc::IE | sf::exc::DE | sf::exc::ZE;
  auto int_store = [&](unsigned bits, bool trunc) {
    const int64_t v = sf::to_int(in.a, bits, trunc, env);
    o.mem_bytes = int(bits / 8);
    std::memcpy(o.mem, &v, size_t(o.mem_bytes));
  };
  switch (op) {
    case HostOp::Add: o.st0 = sf::add(in.a, in.b, env); break;
    case HostOp::Sub: o.st0 = sf::sub(in.a, in.b, env); break;
    case HostOp::Mul: o.st0 = sf::mul(in.a, in.b, env); break;
    case HostOp::Div: o.st0 = sf::div(in.a, in.b, env); break;
    case HostOp::Sqrt: o.st0 = sf::sqrt(in.a, env); break;
    case HostOp::Rndint: o.st0 = sf::round_to_int(in.a, env); break;
    case HostOp::Scale: o.st0 = sf::scale(in.a, in.b, env); break;
    case HostOp::Prem:
    case HostOp::Prem1: {
      const sf::RemResult r = sf::rem(in.a, in.b, op == HostOp::Prem1, env);
      o.st0 = r.value;
      o.cc_mask = 0x400;
      o.cc = r.c2 ? 0x400 : 0;
      if (!(env.flags & sf::exc::IE)) {
        o.cc_mask = 0x4700;
        o.cc |= (r.quotient & 4 ? 0x100 : 0) | (r.quotient & 2 ? 0x4000 : 0) |
                (r.quotient & 1 ? 0x200 : 0);
      }
      break;
    }
    case HostOp::Xtract: {
      const sf::Xtract x = sf::xtract(in.a, env);
      o.st0 = x.significand, o.st1 = x.exponent, o.has_st1 = true;
      break;
    }
    case HostOp::Com:
    case HostOp::Ucom:
      o.cc = cmp_cc(sf::compare(in.a, in.b, op == HostOp::Ucom, env));
      o.cc_mask = 0x4500;
      o.result = false;
      break;
    case HostOp::Xam: o.cc = xam_cc(in.a), o.cc_mask = 0x4700, o.result = false; break;
    case HostOp::Fld32: {
      uint32_t bits;
      std::memcpy(&bits, in.mem, 4);
      o.st0 = sf::from_f32(bits, env);
      break;
    }
    case HostOp::Fld64: {
      uint64_t bits;
      std::memcpy(&bits, in.mem, 8);
      o.st0 = sf::from_f64(bits, env);
      break;
    }
    case HostOp::Fild16: {
      int16_t v;
      std::memcpy(&v, in.mem, 2);
      o.st0 = sf::from_int(v);
      break;
    }
    case HostOp::Fild32: {
      int32_t v;
      std::memcpy(&v, in.mem, 4);
      o.st0 = sf::from_int(v);
      break;
    }
    case HostOp::Fild64: {
      int64_t v;
      std::memcpy(&v, in.mem, 8);
      o.st0 = sf::from_int(v);
      break;
    }
    case HostOp::Fbld: o.st0 = sf::from_bcd(in.mem); break;
    case HostOp::Fst32: {
      const uint32_t v = sf::to_f32(in.a, env);
      std::memcpy(o.mem, &v, 4), o.mem_bytes = 4;
      break;
    }
    case HostOp::Fst64: {
      const uint64_t v = sf::to_f64(in.a, env);
      std::memcpy(o.mem, &v, 8), o.mem_bytes = 8;
      break;
    }
    case HostOp::Fist16: int_store(16, false); break;
    case HostOp::Fist32: int_store(32, false); break;
    case HostOp::Fist64: int_store(64, false); break;
    case HostOp::Fisttp16: int_store(16, true); break;
    case HostOp::Fisttp32: int_store(32, true); break;
    case HostOp::Fisttp64: int_store(64, true); break;
    case HostOp::Fbstp: sf::to_bcd(in.a, o.mem, env), o.mem_bytes = 10; break;
    case HostOp::Ld1:
    case HostOp::LdL2T:
    case HostOp::LdL2E:
    case HostOp::LdPi:
    case HostOp::LdLG2:
    case HostOp::LdLN2:
    case HostOp::LdZ:
      o.st0 = sf::constant(sf::Const(int(op) - int(HostOp::Ld1)), env.rc);
      return o;  // no flags; C1 is not compared
    default: break;
  }
  o.flags = env.flags;
  o.rounded_up = env.rounded_up;
  // An unmasked invalid, denormal or zero-divide exception stops the instruction: no result.
  if (env.flags & pre & ~env.masks) o.result = false, o.mem_bytes = 0;
  // Stores deliver nothing on unmasked overflow or underflow either.
  if (o.mem_bytes) o.result = false;
  if (o.mem_bytes && (env.flags & (sf::exc::OE | sf::exc::UE) & ~env.masks)) o.mem_bytes = 0;
  o.c1_rounded = (o.result || o.mem_bytes) && op != HostOp::Prem && op != HostOp::Prem1 &&
                 op != HostOp::Xam && op != HostOp::Com && op != HostOp::Ucom;
  if (is_load(op)) o.c1_rounded = false;  // C1 after a push means "no stack overflow"
  return o;
}

HostIn gen_input(Rng& r, HostOp op) {
  HostIn in;
  const bool ib = int_biased(op);
  const bool arith = op == HostOp::Add || op == HostOp::Sub || op == HostOp::Mul ||
                     op == HostOp::Div || op == HostOp::Sqrt;
  in.fcw = gen_fcw(r, arith);
  in.a = gen_f80(r, ib);
  in.b = is_two(op) ? gen_second(r, in.a, ib) : gen_f80(r, ib);
  if ((op == HostOp::Mul || op == HostOp::Div) && r.chance(15)) {
    // Results next to the overflow and underflow thresholds, and to the smallest denormal.
    static constexpr int kEdges[] = {0x7fff, 1, 0, -63, -64};
    const int edge = kEdges[r.below(5)];
    const int target = edge + int(r.below(3)) - 1;
    const int e =
        op == HostOp::Mul ? target - int(in.a.exp()) + 0x3fff : int(in.a.exp()) + 0x3fff - target;
    if (e >= 1 && e <= 0x7ffe) in.b = F80{boundary_sig(r), uint16_t((in.b.se & 0x8000) | e)};
  }
  if (op == HostOp::Scale && r.chance(80)) {
    // Mostly modest integer scale factors, some fractional, some reaching the range limits.
    const int64_t n = r.chance(70) ? int64_t(r.below(200)) - 100 : int64_t(r.below(70000)) - 35000;
    in.b = sf::from_int(n);
    if (r.chance(20) && n != 0) in.b.sig |= r.next() >> 20;
    if (r.chance(15)) {
      // Results next to the limits of the range and of the unmasked (24576-adjusted) range.
      static constexpr int kEdges[] = {0x7fff, 0x7fff + 24576, 1, 1 - 24576, -63};
      const int edge = kEdges[r.below(5)];
      const int target = edge + int(r.below(5)) - 2;
      in.b = sf::from_int(int64_t(target) - int64_t(in.a.exp()));
    }
  }
  if ((op == HostOp::Fst32 || op == HostOp::Fst64) && r.chance(40)) {
    // Next to the narrower format's overflow, smallest-normal and smallest-denormal thresholds.
    const int bias = op == HostOp::Fst32 ? 127 : 1023, frac = op == HostOp::Fst32 ? 23 : 52;
    const int edges[] = {bias + 1, 1 - bias, 1 - bias - frac, -bias - frac};
    const int edge = edges[r.below(4)];
    const int e = 0x3fff + edge + int(r.below(5)) - 3;
    in.a = F80{boundary_sig(r), uint16_t((in.a.se & 0x8000) | e)};
  }
  switch (op) {
    case HostOp::Fld32: {
      const uint32_t v = uint32_t(gen_float_bits(r, 23, 8));
      std::memcpy(in.mem, &v, 4);
      break;
    }
    case HostOp::Fld64: {
      const uint64_t v = gen_float_bits(r, 52, 11);
      std::memcpy(in.mem, &v, 8);
      break;
    }
    case HostOp::Fild16:
    case HostOp::Fild32:
    case HostOp::Fild64: {
      const uint64_t v = r.next() >> r.below(64);
      const uint64_t s = r.chance(50) ? 0 - v : v;
      std::memcpy(in.mem, &s, 8);
      break;
    }
    case HostOp::Fbld: {
      const int digits = 1 + int(r.below(18));
      for (int i = 0; i < 9; ++i) {
        const bool used = 2 * i < digits;
        const uint32_t hi = r.below(10), lo = r.below(10);
        in.mem[i] = used ? uint8_t((hi << 4) | lo) : 0;
        if (2 * i + 1 == digits) in.mem[i] &= 0x0f;
      }
      in.mem[9] = r.chance(50) ? 0x80 : 0;
      if (r.chance(10)) {
        // Undefined encodings: digits A-F and stray bits in the sign byte.
        for (int i = 0; i < 10; ++i) in.mem[i] = uint8_t(r.next());
      }
      break;
    }
    default: break;
  }
  return in;
}

std::string describe(HostOp op, const HostIn& in, const HostOut& h, const Ours& o,
                     const char* what) {
  char buf[512];
  std::string res =
      o.mem_bytes ? "mem " + hexmem(h.mem, o.mem_bytes) + " ours " + hexmem(o.mem, o.mem_bytes)
                  : "st0 " + hex80(h.st[0]) + " ours " + hex80(o.st0);
  if (o.has_st1) res += " st1 " + hex80(h.st[1]) + " ours " + hex80(o.st1);
  std::snprintf(buf, sizeof buf,
                "%s: %s fcw=%04x a=%s b=%s mem=%s -> host fsw=%04x flags=%02x, ours flags=%02x "
                "cc=%04x c1=%d; %s",
                host_op_name(op), what, in.fcw, hex80(in.a).c_str(), hex80(in.b).c_str(),
                hexmem(in.mem, 10).c_str(), h.fsw, h.flags(), o.flags, o.cc, o.rounded_up,
                res.c_str());
  return buf;
}

// Empty when the host and our implementation agree.
std::string check(HostOp op, const HostIn& in) {
  const HostOut h = host_x87(op, in);
  const Ours o = run_ours(op, in);
  if (!is_const(op) && h.flags() != o.flags) return describe(op, in, h, o, "flags");
  if ((h.fsw & o.cc_mask) != o.cc) return describe(op, in, h, o, "condition codes");
  if (o.result && !is_const(op) && o.cc_mask != 0x4700 && o.cc_mask != 0x4500) {
    if (!(h.st[0] == o.st0)) return describe(op, in, h, o, "result");
    if (o.has_st1 && !(h.st[1] == o.st1)) return describe(op, in, h, o, "result");
  } else if (o.result && (op == HostOp::Prem || op == HostOp::Prem1)) {
    if (!(h.st[0] == o.st0)) return describe(op, in, h, o, "result");
  } else if (is_const(op) && !(h.st[0] == o.st0)) {
    return describe(op, in, h, o, "result");
  }
  if (o.mem_bytes && std::memcmp(h.mem, o.mem, size_t(o.mem_bytes)) != 0)
    return describe(op, in, h, o, "stored value");
  if (o.c1_rounded && h.c1() != o.rounded_up) return describe(op, in, h, o, "C1");
  return {};
}

}  // namespace

std::vector<HostOp> core_ops() {
  std::vector<HostOp> ops;
  for (int i = 0; i < int(HostOp::Sin); ++i) ops.push_back(HostOp(i));
  return ops;
}

std::vector<HostOp> all_ops() {
  std::vector<HostOp> ops = core_ops();
  for (HostOp op : transcendental_ops()) ops.push_back(op);
  return ops;
}

bool parse_op(const std::string& name, HostOp& op) {
  for (int i = 0; i < int(HostOp::Count); ++i) {
    if (name == host_op_name(HostOp(i))) {
      op = HostOp(i);
      return true;
    }
  }
  return false;
}

uint64_t digest(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over every output byte
  auto mix = [&](const void* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<const uint8_t*>(p)[i]) * 0x100000001b3ull;
  };
  for (HostOp op : ops) {
    Rng r{seed * 0x100000001b3ull + uint64_t(op)};
    for (uint64_t i = 0; i < count; ++i) {
      if (is_transcendental(op)) {
        const TranscOurs t = run_transc(op, gen_transc_input(r, op));
        const uint64_t words[] = {t.st0.sig, t.st0.se, t.st1.sig,           t.st1.se,
                                  t.flags,   t.c1,     uint64_t(t.c2) << 1, uint64_t(t.depth)};
        mix(words, sizeof words);
        continue;
      }
      const Ours o = run_ours(op, gen_input(r, op));
      const uint64_t words[] = {
          o.st0.sig, o.st0.se, o.st1.sig, o.st1.se, o.cc, o.flags, uint64_t(o.rounded_up)};
      mix(words, sizeof words);
      mix(o.mem, size_t(o.mem_bytes));
    }
  }
  return h;
}

std::vector<OpStats> run(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops,
                         const RunOptions& opt) {
  std::vector<OpStats> stats;
  for (HostOp op : ops) {
    OpStats s;
    s.op = op;
    Rng r{seed * 0x100000001b3ull + uint64_t(op)};
    for (uint64_t i = 0; i < count; ++i) {
      std::string m;
      if (is_transcendental(op)) {
        TranscCheck c = check_transc(op, gen_transc_input(r, op), opt.lines || opt.strict);
        if (c.verdict == Verdict::OneUlp || c.verdict == Verdict::C1Only) {
          ++(c.verdict == Verdict::OneUlp ? s.one_ulp : s.c1_only);
          if (opt.strict) m = "rounded differently from the host: " + c.line;
        }
        if (opt.lines && !c.line.empty() && (opt.all_lines || c.verdict != Verdict::Exact))
          std::fprintf(opt.lines, "%s\n", c.line.c_str());
        if (c.verdict == Verdict::Mismatch) m = std::move(c.report);
      } else {
        m = check(op, gen_input(r, op));
      }
      ++s.cases;
      if (m.empty()) {
        ++s.passed;
      } else if (s.mismatches.size() < opt.keep) {
        s.mismatches.push_back(std::move(m));
      }
    }
    stats.push_back(std::move(s));
  }
  return stats;
}

void reference_lines(uint64_t seed, uint64_t count, const std::vector<HostOp>& ops,
                     std::FILE* out) {
  for (HostOp op : ops) {
    if (!is_transcendental(op)) continue;
    Rng r{seed * 0x100000001b3ull + uint64_t(op)};
    for (uint64_t i = 0; i < count; ++i) {
      const HostIn in = gen_transc_input(r, op);
      const std::string line = reference_line(op, in, run_transc(op, in));
      if (!line.empty()) std::fprintf(out, "%s\n", line.c_str());
    }
  }
}

}  // namespace fpudiff
