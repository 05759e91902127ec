// The differential test driver: generates streams, runs each on ghost86 and on Unicorn, compares,
// and tallies the verdicts per class.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/diff/generator.h"
#include "tests/diff/ghost_runner.h"
#include "tests/diff/unicorn_runner.h"

namespace diff {

struct Tally {
  uint64_t passed = 0, failed = 0;
  uint64_t skipped = 0;      // streams with nothing of their class lowered yet: not run
  uint64_t not_lowered = 0;  // template draws dropped for an unlowered instruction
};

struct RunOptions {
  uint64_t seed = 1;
  uint64_t first = 0, count = 1000;  // stream indices [first, first + count)
  int cls = -1;                      // -1: the classes in turn (index modulo); or one class
  unsigned max_reports = 1;          // failures described in full
};

struct RunReport {
  Mode mode = Mode::Real;
  bool paged = false;
  std::array<Tally, kNumCls + 1> by_cls{};  // indexed by Cls, "mix" last
  uint64_t streams = 0;                     // streams actually run
  double seconds = 0, cpu_seconds = 0;  // wall clock, and this process's CPU time
  std::array<uint64_t, kMaxKnownIssues> known{};  // see GenStats
  std::string reports;                      // full descriptions of the first failures
  uint64_t failed() const;
};

class DiffTest {
 public:
  // `oracle`: run Unicorn alone over every template, lowered or not, and require that each
  // stream ends cleanly (or with its intended exception) without touching memory outside the
  // windows. This checks the generator, not ghost86.
  DiffTest(Mode mode, bool oracle = false, LoweredFn lowered = lowered_in_table,
           KnownSet avoid = kAllKnown);
  // Flat32 streams run with paging on (add_paging): "--mode paged".
  void set_paged(bool on) { paged_ = on; }

  enum class Verdict { Skipped, Passed, Failed };
  struct Result {
    Verdict verdict = Verdict::Skipped;
    std::vector<std::string> diffs;
    Outcome ghost, ref;
  };

  // Stream `index` of the run seeded `seed`, drawn for class `cls`.
  Result run_index(uint64_t seed, uint64_t index, unsigned cls, Stream& s, GenStats& stats);
  // A stream built by the caller.
  Result run(const Stream& s);
  RunReport run_many(const RunOptions& o);
  // Narrows a failing stream down: the index of the first instruction after which the stream,
  // with everything later replaced by NOPs, already diverges (-1 if no prefix does).
  int first_divergence(const Stream& s, Result* at = nullptr);

  // Self-check hook: edits ghost86's copy of every stream before it runs.
  std::function<void(Stream&)> tamper_ghost;

  const Generator& generator() const { return gen_; }

 private:
  Result run_oracle(const Stream& s);

  Mode mode_;
  bool paged_ = false;
  bool oracle_;
  KnownSet avoid_known_;
  Generator gen_;
  GhostRunner ghost_;
  UnicornRunner ref_;
};

// Turns a flat32 stream into a paged one (tests/diff/paging.cpp).
void add_paging(Stream& s);

// The class stream `index` is drawn for when a run covers every class.
inline unsigned class_of_index(uint64_t index) { return unsigned(index % (kNumCls + 1)); }

}  // namespace diff
