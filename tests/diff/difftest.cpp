#include "tests/diff/difftest.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include <Zydis/Zydis.h>

#include "cpu/state.h"
#include "tests/diff/compare.h"

namespace diff {

uint64_t RunReport::failed() const {
  uint64_t n = 0;
  for (const Tally& t : by_cls) n += t.failed;
  return n;
}

namespace {

bool is_setcc(uint16_t m) {
  switch (m) {
    case ZYDIS_MNEMONIC_SETB: case ZYDIS_MNEMONIC_SETBE: case ZYDIS_MNEMONIC_SETL:
    case ZYDIS_MNEMONIC_SETLE: case ZYDIS_MNEMONIC_SETNB: case ZYDIS_MNEMONIC_SETNBE:
    case ZYDIS_MNEMONIC_SETNL: case ZYDIS_MNEMONIC_SETNLE: case ZYDIS_MNEMONIC_SETNO:
    case ZYDIS_MNEMONIC_SETNP: case ZYDIS_MNEMONIC_SETNS: case ZYDIS_MNEMONIC_SETNZ:
    case ZYDIS_MNEMONIC_SETO: case ZYDIS_MNEMONIC_SETP: case ZYDIS_MNEMONIC_SETS:
    case ZYDIS_MNEMONIC_SETZ: return true;
    default: return false;
  }
}

}  // namespace

DiffTest::DiffTest(Mode mode, bool oracle, LoweredFn lowered, KnownSet avoid)
    : mode_(mode),
      oracle_(oracle),
      avoid_known_(oracle ? 0 : avoid),
      gen_(mode, oracle ? LoweredFn([](uint16_t) { return true; }) : std::move(lowered), avoid_known_),
      ref_(mode) {}

DiffTest::Result DiffTest::run(const Stream& s) {
  if (oracle_) return run_oracle(s);
  Result r;
  if (tamper_ghost) {
    Stream t = s;
    tamper_ghost(t);
    r.ghost = ghost_.run(t);
  } else {
    r.ghost = ghost_.run(s);
  }
  r.ref = ref_.run(s);
  if (s.paging.on && r.ghost.end == Outcome::End::Fault && r.ref.end == Outcome::End::Fault &&
      r.ghost.eip == r.ref.eip) {
    // A page fault can stop the stream anywhere: flags left undefined by the instructions before
    // the faulting one are not compared (as first_divergence() does for a prefix).
    Stream t = s;
    uint16_t mnemonic = 0;
    for (const StreamInsn& in : s.insns) {
      if (s.init.eip + in.off >= r.ghost.eip) {
        mnemonic = in.mnemonic;
        break;
      }
      t.undef_flags |= in.undef_after;
    }
    Outcome g = r.ghost;
    switch (mnemonic) {
      // Several accesses to the same faulting page, in an order the SDM leaves open (ghost86
      // pushes EAX first like the processor's PUSHA pseudocode, QEMU stores upwards from the
      // lowest address; QEMU reads ES:EDI before DS:ESI for CMPS): CR2 must name the same page.
      case ZYDIS_MNEMONIC_PUSHA: case ZYDIS_MNEMONIC_PUSHAD: case ZYDIS_MNEMONIC_POPA:
      case ZYDIS_MNEMONIC_POPAD: case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW:
      case ZYDIS_MNEMONIC_CMPSD:
        if (g.vector == 14 && ((g.cr2 ^ r.ref.cr2) & ~0xfffu) == 0) g.cr2 = r.ref.cr2;
        break;
      // QEMU materialises the lazy flags for these before the store that faults and does not
      // restore them: its EFLAGS at the fault can differ from the state before the instruction.
      case ZYDIS_MNEMONIC_RCL: case ZYDIS_MNEMONIC_RCR: t.undef_flags |= cpu::fl::kArith; break;
      default:
        if (is_setcc(mnemonic))
          t.undef_flags |= cpu::fl::kArith;
        break;
    }
    r.diffs = compare(t, g, r.ref);
  } else {
    r.diffs = compare(s, r.ghost, r.ref);
  }
  r.verdict = r.diffs.empty() ? Verdict::Passed : Verdict::Failed;
  return r;
}

DiffTest::Result DiffTest::run_oracle(const Stream& s) {
  Result r;
  r.ref = ref_.run(s, true);
  r.ghost = r.ref;
  if (r.ref.end == Outcome::End::Error) {
    r.diffs.push_back("unicorn failed: " + r.ref.error);
  } else if (r.ref.end == Outcome::End::Fault) {
    // Only an instruction built to fault may fault, and with the vector it was built for.
    const StreamInsn* at = nullptr;
    for (const StreamInsn& in : s.insns)
      if (s.init.eip + in.off == r.ref.eip) at = &in;
    if (!at || at->expect_vector != r.ref.vector)
      r.diffs.push_back(fmt::format("unexpected vector {} at eip {:08x}", r.ref.vector, r.ref.eip));
  }
  r.verdict = r.diffs.empty() ? Verdict::Passed : Verdict::Failed;
  return r;
}

int DiffTest::first_divergence(const Stream& s, Result* at) {
  uint32_t undef = 0;  // anything undefined at some point so far: a prefix may end there
  for (size_t k = 0; k < s.insns.size(); k++) {
    undef |= s.insns[k].undef_after;
    Stream p = s;
    for (size_t j = k + 1; j < s.insns.size(); j++)
      std::fill_n(p.code.begin() + s.insns[j].off, s.insns[j].len, uint8_t(0x90));
    p.undef_flags = undef;
    Result r = run(p);
    if (r.verdict == Verdict::Failed) {
      if (at) *at = std::move(r);
      return int(k);
    }
  }
  return -1;
}

DiffTest::Result DiffTest::run_index(uint64_t seed, uint64_t index, unsigned cls, Stream& s,
                                     GenStats& stats) {
  if (!gen_.generate(Rng::stream_seed(seed, unsigned(mode_), index), cls, s, stats) || s.code.empty())
    return Result{};
  if (paged_) add_paging(s);
  return run(s);
}

RunReport DiffTest::run_many(const RunOptions& o) {
  RunReport rep;
  rep.mode = mode_;
  rep.paged = paged_;
  const char* mode_label = paged_ ? "paged" : mode_name(mode_);
  GenStats stats;
  Stream s;
  unsigned reported = 0;
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  for (uint64_t i = o.first; i < o.first + o.count; i++) {
    const unsigned cls = o.cls >= 0 ? unsigned(o.cls) : class_of_index(i);
    Tally& t = rep.by_cls[cls];
    Result r;
    try {
      r = run_index(o.seed, i, cls, s, stats);
    } catch (const HarnessError& e) {
      r.verdict = Verdict::Failed;
      r.diffs.push_back("harness error: " + e.what);
    }
    if (r.verdict == Verdict::Skipped) {
      t.skipped++;
      continue;
    }
    rep.streams++;
    if (r.verdict == Verdict::Passed) {
      t.passed++;
      continue;
    }
    t.failed++;
    if (reported++ >= o.max_reports) continue;
    std::string text = fmt::format("FAILED: mode {} stream {} (class {})\n", mode_label, i, cls_name(cls));
    text += describe(s, gen_.decoder());
    text += "ghost86: " + describe(r.ghost) + "\n";
    text += "unicorn: " + describe(r.ref) + "\n";
    text += "differences:\n";
    for (const std::string& d : r.diffs) text += "  " + d + "\n";
    Result first;
    if (const int k = oracle_ ? -1 : first_divergence(s, &first); k >= 0) {
      const StreamInsn& in = s.insns[size_t(k)];
      const uint32_t eip = s.init.eip + in.off;
      text += fmt::format("first divergence: after {:08x} {} (later instructions replaced by NOPs):\n", eip,
                          gen_.decoder().disassemble(&s.code[in.off], in.len, s.code32(), eip));
      for (const std::string& d : first.diffs) text += "  " + d + "\n";
    }
    text += fmt::format("reproduce: ghost86-difftest --seed {} --mode {} --first {} --count 1", o.seed,
                        mode_label, i);
    if (o.cls >= 0) text += fmt::format(" --class {}", cls_name(unsigned(o.cls)));
    if (oracle_) text += " --oracle";
    if (avoid_known_ != kAllKnown) text += fmt::format(" --include-known {}", known_names(~avoid_known_));
    text += "\n\n";
    rep.reports += text;
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rep.cpu_seconds = double(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  for (unsigned c = 0; c < kNumCls; c++) rep.by_cls[c].not_lowered = stats.not_lowered[c];
  rep.known = stats.known;
  return rep;
}

}  // namespace diff
