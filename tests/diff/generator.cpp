#include "tests/diff/generator.h"

#include <algorithm>
#include <optional>

#include "cpu/opcode_table.h"
#include "cpu/state.h"
#include "tests/diff/known_issues.h"

namespace diff {
namespace {

// A group never exceeds this, so a pending rel8 jump can always land on the next boundary.
constexpr unsigned kMaxGroupBytes = 64;

struct Pending {
  int skip = 1;
  bool short_jump = false;
  uint32_t jump_end = 0;
  GenState at;
  int64_t target = -1;
};

struct Fix {
  uint32_t pos = 0, end = 0;
  uint8_t width = 0;
  bool rel = false;
  int64_t target = -1;  // code offset, or
  int pending = -1;     // index into the pending jumps
};

// Lands the pending forward jumps due at code offset `here`; the state after the boundary is
// the join of the fall-through path and every jump landing there.
void land(std::vector<Pending>& pend, uint32_t here, GenState& st, bool all) {
  for (Pending& p : pend) {
    if (p.target >= 0) continue;
    p.skip--;
    const bool too_far = p.short_jump && here - p.jump_end + kMaxGroupBytes > 127;
    if (!all && p.skip > 0 && !too_far) continue;
    p.target = here;
    st.undef |= p.at.undef;
    if (!p.at.sp_known || !st.sp_known || p.at.esp != st.esp) st.sp_known = false;
  }
}

// Appends a finished group to the stream, recording its branch fixups and pending targets.
void commit(const Group& g, const Template& t, Stream& s, std::vector<Pending>& pend,
            std::vector<Fix>& fixes) {
  const uint32_t base = uint32_t(s.code.size());
  std::vector<int> pend_of(g.labels.size(), -1);
  for (size_t i = 0; i < g.labels.size(); i++) {
    const Label& l = g.labels[i];
    if (!l.pending) continue;
    pend_of[i] = int(pend.size());
    pend.push_back(Pending{l.skip, l.short_jump, base + uint32_t(l.jump_end), l.at_jump, -1});
  }
  for (const Emitted& e : g.out) {
    s.insns.push_back(StreamInsn{uint16_t(base + e.off), e.in.n, e.in.role, t.cls, e.mnemonic,
                                 e.in.expect_vector, e.undef_after});
    s.code.insert(s.code.end(), e.in.b, e.in.b + e.in.n);
    if (e.in.fix_label < 0) continue;
    const Label& l = g.labels[e.in.fix_label];
    Fix f;
    f.pos = base + e.off + uint32_t(e.in.fix_pos);
    f.end = base + e.off + e.in.n;
    f.width = e.in.fix_width;
    f.rel = e.in.fix_rel;
    if (l.pending) {
      f.pending = pend_of[e.in.fix_label];
    } else {
      if (l.off < 0) throw HarnessError{std::string("unbound label in ") + t.name};
      f.target = base + uint32_t(l.off);
    }
    fixes.push_back(f);
  }
}

}  // namespace

bool lowered_in_table(uint16_t mnemonic) { return cpu::insn_info(mnemonic) != nullptr; }

Generator::Generator(Mode mode, LoweredFn lowered, KnownSet avoid)
    : mode_(mode), lowered_(std::move(lowered)), avoid_known_(avoid) {
  if (known_issues().size() > kMaxKnownIssues) throw HarnessError{"too many known issues"};
  const uint8_t bit = mode == Mode::Real ? kReal : kFlat;
  for (const Template& t : templates())
    if (t.traits & bit) by_cls_[t.cls].push_back(&t);
  for (unsigned c = 0; c < kNumCls; c++)
    if (c != kFault && !by_cls_[c].empty()) plain_cls_.push_back(c);
}

const Template* Generator::draw(Rng& rng, unsigned cls, bool last, bool unseen) const {
  if (cls == kFault && last && !by_cls_[kFault].empty())
    return by_cls_[kFault][rng.below(uint32_t(by_cls_[kFault].size()))];
  unsigned c = cls;
  // The last group is of the stream's own class if none was so far.
  const bool own = last && unseen;
  if (cls >= kNumCls || cls == kFault || by_cls_[cls].empty() || (!own && rng.chance(1, 4)))
    c = plain_cls_[rng.below(uint32_t(plain_cls_.size()))];
  return by_cls_[c][rng.below(uint32_t(by_cls_[c].size()))];
}

void Generator::random_init(Rng& rng, Stream& s) const {
  InitState& in = s.init;
  if (mode_ == Mode::Real) {
    // Random selectors (sometimes shared between registers) whose windows stay clear of the code.
    for (bool ok = false; !ok;) {
      for (unsigned i = 0; i < kSegs; i++)
        in.sel[i] = i && rng.chance(1, 4) ? in.sel[rng.below(i)] : uint16_t(rng.range(kSelLo, kSelHi - 1));
      const uint32_t code = uint32_t(in.sel[sCS]) * 16 + kCodeOff;
      ok = true;
      for (unsigned i = 0; i < kSegs; i++) {
        const uint32_t win = uint32_t(in.sel[i]) * 16 + kWinLo;
        if (win < code + kCodeMax && code < win + (kWinHi - kWinLo)) ok = false;
      }
    }
  } else {
    for (unsigned i = 0; i < kSegs; i++) in.sel[i] = i == sCS ? kFlatCodeSel : kFlatDataSel;
  }
  for (uint32_t& r : in.regs) r = rng.edgy();
  uint32_t sp = rng.range(kWinLo + 0x100, kWinHi - 0x100);
  if (rng.chance(3, 4)) sp &= ~3u;
  in.regs[cpu::ESP] = mode_ == Mode::Real ? (rng.u32() & 0xffff0000u) | sp : sp;
  in.eflags = cpu::fl::kFixed1 | (rng.u32() & cpu::fl::kArith);
  if (rng.chance(1, 2)) in.eflags |= cpu::fl::DF;
  if (rng.chance(1, 2)) in.eflags |= cpu::fl::IF;
  in.eip = kCodeOff;
}

void Generator::lay_out_memory(Rng& rng, Stream& s) const {
  std::vector<MemRange> r;
  if (mode_ == Mode::Real) {
    for (uint16_t sel : s.init.sel) r.push_back({uint32_t(sel) * 16 + kWinLo, kWinHi - kWinLo});
  } else {
    r.push_back({kWinLo, kWinHi - kWinLo});
  }
  std::sort(r.begin(), r.end(), [](const MemRange& a, const MemRange& b) { return a.lin < b.lin; });
  for (const MemRange& m : r) {
    if (!s.ranges.empty() && m.lin <= s.ranges.back().lin + s.ranges.back().len) {
      MemRange& b = s.ranges.back();
      b.len = std::max(b.lin + b.len, m.lin + m.len) - b.lin;
    } else {
      s.ranges.push_back(m);
    }
  }
  size_t total = 0;
  for (const MemRange& m : s.ranges) total += m.len;
  s.mem.resize(total);
  for (size_t i = 0; i < total; i += 8) {
    uint64_t v = rng.next();
    for (size_t j = i; j < i + 8 && j < total; j++, v >>= 8) s.mem[j] = uint8_t(v);
  }
}

bool Generator::generate(uint64_t seed, unsigned cls, Stream& s, GenStats& stats) const {
  Rng rng(seed);
  s = Stream{};
  s.mode = mode_;
  s.cls = cls;
  s.seed = seed;
  random_init(rng, s);

  GenCtx ctx;
  ctx.mode = mode_;
  ctx.dec = &dec_;
  ctx.lowered = lowered_;
  ctx.avoid_known = avoid_known_;
  std::copy(std::begin(s.init.sel), std::end(s.init.sel), ctx.sel);
  GenState st;
  st.esp = s.init.regs[cpu::ESP];
  std::copy(std::begin(s.init.sel), std::end(s.init.sel), st.sel);

  std::vector<Pending> pend;
  std::vector<Fix> fixes;
  const unsigned n = 1 + rng.below(20);
  unsigned groups = 0;
  bool seen = false;
  while (groups < n) {
    land(pend, uint32_t(s.code.size()), st, false);
    // Several draws per group: many templates are not lowered yet.
    const Template* t = nullptr;
    std::optional<Group> g;
    for (unsigned draw_no = 0; draw_no < 32 && !t; draw_no++) {
      t = draw(rng, cls, groups + 1 == n, !seen);
      g.emplace(ctx, rng, st);
      if (!t->emit(*g) || g->bytes() > kMaxGroupBytes) {
        t = nullptr;
      } else if (g->failed) {
        if (g->known_drop >= 0)
          stats.known[size_t(g->known_drop)]++;
        else
          stats.not_lowered[t->cls]++;
        t = nullptr;
      }
    }
    if (!t || s.code.size() + g->bytes() + 16 > kCodeMax) break;
    commit(*g, *t, s, pend, fixes);
    for (size_t i = 0; i < kMaxKnownIssues; i++) stats.known[i] += g->known_flagged[i];
    st = g->st;
    groups++;
    if (t->cls == cls || cls == kMixCls) seen = true;
    if (t->traits & kFaults) break;
  }
  land(pend, uint32_t(s.code.size()), st, true);

  for (const Fix& f : fixes) {
    const int64_t target = f.pending >= 0 ? pend[f.pending].target : f.target;
    const uint32_t v = f.rel ? uint32_t(target) - f.end : s.init.eip + uint32_t(target);
    if (f.rel && f.width == 1 && (int32_t(v) < -128 || int32_t(v) > 127))
      throw HarnessError{"short branch out of range"};
    for (unsigned i = 0; i < f.width; i++) s.code[f.pos + i] = uint8_t(v >> (8 * i));
  }
  s.undef_flags = st.undef;
  lay_out_memory(rng, s);
  return seen;
}

}  // namespace diff
