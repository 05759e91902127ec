// Builds seeded random instruction streams from the templates (templates.h).
//
// A stream for class C is 1-20 groups; each group is drawn from C's templates (three times in
// four) or from any class, so instructions of C also meet the flags and values other classes
// leave behind. Groups whose instructions ghost86 does not implement yet are dropped and
// counted; a stream left without any group of its class is reported as skipped.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "cpu/decoder.h"
#include "tests/diff/group.h"
#include "tests/diff/known_issues.h"
#include "tests/diff/stream.h"
#include "tests/diff/templates.h"

namespace diff {

struct GenStats {
  // Template draws dropped because an instruction has no lowering yet, by class.
  std::array<uint64_t, kNumCls> not_lowered{};
  // Groups dropped, or instructions given unreliable flags, for each known issue.
  std::array<uint64_t, kMaxKnownIssues> known{};
};

// The default predicate: ghost86 lowers a mnemonic when the opcode table has a row for it.
bool lowered_in_table(uint16_t mnemonic);

class Generator {
 public:
  explicit Generator(Mode mode, LoweredFn lowered = lowered_in_table, KnownSet avoid = kAllKnown);

  // Fills `out` with the stream for `seed` drawn for class `cls` (a Cls or kMixCls). Returns
  // false when no group of that class could be used (the stream is then not run).
  bool generate(uint64_t seed, unsigned cls, Stream& out, GenStats& stats) const;

  Mode mode() const { return mode_; }
  const cpu::Decoder& decoder() const { return dec_; }

 private:
  const Template* draw(Rng& rng, unsigned cls, bool last, bool unseen) const;
  void random_init(Rng& rng, Stream& s) const;
  void lay_out_memory(Rng& rng, Stream& s) const;

  Mode mode_;
  LoweredFn lowered_;
  KnownSet avoid_known_;
  cpu::Decoder dec_;
  std::vector<const Template*> by_cls_[kNumCls];
  std::vector<unsigned> plain_cls_;  // classes with templates in this mode, except kFault
};

}  // namespace diff
