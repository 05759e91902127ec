// Self-checks of the differential harness: it must notice divergences (so a green run means
// something), mask only what it claims to, skip unlowered instructions without failing, and
// generate the same streams from the same seed. Built into ghost86_difftest_selfcheck, not into
// the main test binary (it needs Unicorn).
#include <catch2/catch.hpp>

#include <algorithm>

#include "cpu/opcode_table.h"
#include "tests/diff/compare.h"
#include "tests/diff/difftest.h"

using namespace diff;

namespace {

bool mentions(const std::vector<std::string>& diffs, const std::string& what) {
  return std::any_of(diffs.begin(), diffs.end(),
                     [&](const std::string& d) { return d.find(what) != std::string::npos; });
}

// A valid random stream (layout, state, memory) whose code is replaced by `code`.
Stream hand_stream(DiffTest& t, std::vector<uint8_t> code) {
  Stream s;
  GenStats stats;
  for (uint64_t seed = 1; !t.generator().generate(seed, kMixCls, s, stats); seed++) {
  }
  s.code = std::move(code);
  s.insns.clear();
  cpu::DecodedInsn d;
  for (uint16_t off = 0; off < s.code.size(); off += d.len) {
    REQUIRE(t.generator().decoder().decode(&s.code[off], unsigned(s.code.size() - off), s.code32(),
                                           s.init.eip + off, d) == cpu::DecodeStatus::Ok);
    s.insns.push_back(StreamInsn{off, d.len, Role::Main, kAlu, d.mnemonic, kNoVector});
  }
  s.undef_flags = 0;
  s.init.regs[cpu::EAX] = 0x12345678;
  s.init.regs[cpu::EBX] = 0x0f0f0f0f;
  return s;
}

// add eax, ebx; mov [ds:0x7000], eax
std::vector<uint8_t> add_and_store(Mode m) {
  if (m == Mode::Real) return {0x66, 0x01, 0xd8, 0x66, 0xa3, 0x00, 0x70};
  return {0x01, 0xd8, 0xa3, 0x00, 0x70, 0x00, 0x00};
}

// mov eax, 1 (flags untouched)
std::vector<uint8_t> mov_only(Mode m) {
  if (m == Mode::Real) return {0x66, 0xb8, 1, 0, 0, 0};
  return {0xb8, 1, 0, 0, 0};
}

const Mode kModes[] = {Mode::Real, Mode::Flat32};

}  // namespace

TEST_CASE("a hand-written stream passes in both modes", "[diff]") {
  for (Mode m : kModes) {
    DiffTest t(m);
    const auto r = t.run(hand_stream(t, add_and_store(m)));
    INFO(mode_name(m));
    for (const auto& d : r.diffs) INFO(d);
    CHECK(r.verdict == DiffTest::Verdict::Passed);
    CHECK(r.ref.regs[cpu::EAX] == 0x12345678u + 0x0f0f0f0fu);
  }
}

TEST_CASE("a different register result is reported with the memory it reached", "[diff]") {
  for (Mode m : kModes) {
    DiffTest t(m);
    t.tamper_ghost = [](Stream& s) { s.init.regs[cpu::EBX] ^= 0x100; };
    const auto r = t.run(hand_stream(t, add_and_store(m)));
    CHECK(r.verdict == DiffTest::Verdict::Failed);
    CHECK(mentions(r.diffs, "eax"));
    CHECK(mentions(r.diffs, "ebx"));
    CHECK(mentions(r.diffs, "memory: 1 bytes differ"));
  }
}

TEST_CASE("a flag difference is reported unless the stream leaves that flag undefined", "[diff]") {
  for (Mode m : kModes) {
    DiffTest t(m);
    t.tamper_ghost = [](Stream& s) { s.init.eflags ^= cpu::fl::CF; };
    Stream s = hand_stream(t, mov_only(m));
    auto r = t.run(s);
    CHECK(r.verdict == DiffTest::Verdict::Failed);
    CHECK(mentions(r.diffs, "CF differ"));
    s.undef_flags = cpu::fl::CF;
    r = t.run(s);
    CHECK(r.verdict == DiffTest::Verdict::Passed);
    // Masking CF must not hide another flag.
    t.tamper_ghost = [](Stream& s) { s.init.eflags ^= cpu::fl::CF | cpu::fl::DF; };
    r = t.run(s);
    CHECK(r.verdict == DiffTest::Verdict::Failed);
    CHECK(mentions(r.diffs, "DF differ"));
  }
}

TEST_CASE("a difference in memory the code never touches is reported", "[diff]") {
  for (Mode m : kModes) {
    DiffTest t(m);
    t.tamper_ghost = [](Stream& s) { s.mem[s.mem.size() - 1] ^= 0x80; };
    const auto r = t.run(hand_stream(t, mov_only(m)));
    CHECK(mentions(r.diffs, "memory: 1 bytes differ"));
  }
}

TEST_CASE("an exception on one side only is reported and the same one on both passes", "[diff]") {
  for (Mode m : kModes) {
    DiffTest t(m);
    const Stream ud2 = hand_stream(t, {0x0f, 0x0b});
    auto r = t.run(ud2);
    for (const auto& d : r.diffs) INFO(d);
    CHECK(r.verdict == DiffTest::Verdict::Passed);
    CHECK(r.ref.end == Outcome::End::Fault);
    CHECK(r.ref.vector == 6);
    t.tamper_ghost = [](Stream& s) { s.code = {0x90, 0x90}; };
    r = t.run(ud2);
    CHECK(r.verdict == DiffTest::Verdict::Failed);
    CHECK(mentions(r.diffs, "raised vector 6"));
  }
}

TEST_CASE("random streams pass and a tampered ghost86 fails every one of them", "[diff]") {
  for (Mode m : kModes) {
    DiffTest t(m);
    RunOptions o;
    o.seed = 7;
    o.count = 60;
    o.cls = kMixCls;
    RunReport r = t.run_many(o);
    INFO(r.reports);
    CHECK(r.failed() == 0);
    CHECK(r.by_cls[kMixCls].passed > 0);
    // The last scratch byte is never written by a stream, so the flip survives to the compare.
    t.tamper_ghost = [](Stream& s) { s.mem[s.mem.size() - 1] ^= 1; };
    r = t.run_many(o);
    CHECK(r.failed() == r.streams);
    CHECK(r.reports.find("differences:") != std::string::npos);
  }
}

TEST_CASE("the same seed gives the same stream", "[diff]") {
  for (Mode m : kModes) {
    const Generator g(m);
    GenStats stats;
    for (uint64_t seed = 0; seed < 50; seed++) {
      Stream a, b;
      const bool ga = g.generate(seed, unsigned(seed % (kNumCls + 1)), a, stats);
      const bool gb = g.generate(seed, unsigned(seed % (kNumCls + 1)), b, stats);
      CHECK(ga == gb);
      CHECK(a.code == b.code);
      CHECK(a.mem == b.mem);
      CHECK(std::equal(std::begin(a.init.regs), std::end(a.init.regs), std::begin(b.init.regs)));
      CHECK(a.init.eflags == b.init.eflags);
    }
  }
}

TEST_CASE("instructions without a lowering are dropped and counted but not failed", "[diff]") {
  const auto no_add = [](uint16_t mn) { return mn != ZYDIS_MNEMONIC_ADD && cpu::insn_info(mn) != nullptr; };
  for (Mode m : kModes) {
    const Generator g(m, no_add);
    GenStats stats;
    for (uint64_t seed = 0; seed < 200; seed++) {
      Stream s;
      g.generate(seed, kAlu, s, stats);
      for (const StreamInsn& in : s.insns) CHECK(in.mnemonic != ZYDIS_MNEMONIC_ADD);
    }
    CHECK(stats.not_lowered[kAlu] > 0);

    // A class with nothing lowered is skipped as a whole.
    DiffTest t(m, false, [](uint16_t mn) { return mn == ZYDIS_MNEMONIC_MOV || mn == ZYDIS_MNEMONIC_CMP; });
    RunOptions o;
    o.count = 30;
    o.cls = kShift;
    const RunReport r = t.run_many(o);
    CHECK(r.by_cls[kShift].skipped == 30);
    CHECK(r.by_cls[kShift].not_lowered > 0);
    CHECK(r.failed() == 0);
  }
}

TEST_CASE("every template keeps its accesses in the windows and ends as built (Unicorn alone)",
          "[diff]") {
  for (Mode m : kModes) {
    DiffTest t(m, true);
    RunOptions o;
    o.seed = 11;
    o.count = 600;
    const RunReport r = t.run_many(o);
    INFO(r.reports);
    CHECK(r.failed() == 0);
    for (unsigned c = 0; c <= kNumCls; c++) {
      INFO(cls_name(c));
      CHECK(r.by_cls[c].passed > 0);
    }
  }
}
