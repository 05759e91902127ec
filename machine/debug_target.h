// What a debugger (the gdb stub, frontend/gdb) does to a machine: breakpoints and watchpoints
// the guest cannot see, single steps, stops, and reverse execution by replaying the run from
// in-memory snapshots. Everything runs at instruction boundaries from the run loop's host side,
// so a debugger that only watches changes nothing in the run.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jit/engine.h"
#include "mmu/mmu.h"

namespace machine {

class PcMachine;

class DebugTarget {
 public:
  explicit DebugTarget(PcMachine& pc);
  ~DebugTarget();

  // Why the machine stopped for the debugger.
  struct Stop {
    enum class Kind { Step, Breakpoint, Watch, Interrupt, HistoryBegin } kind = Kind::Step;
    uint32_t addr = 0;                // Watch: the watched address
    bool read = false, write = true;  // Watch: which accesses the watchpoint takes
  };

  // Breakpoints at linear addresses (gdb's Z0 and Z1 are the same here). Watchpoints: linear
  // range and the accesses that stop (write: Z2, read: Z3, both: Z4). False: nothing changed.
  void set_breakpoint(uint32_t lin, bool on);
  bool set_watchpoint(uint32_t lin, uint32_t len, bool read, bool write, bool on);
  void clear_all();

  // Resumes the paused machine for one instruction (`step`) or until something stops it. The
  // instruction at the current CS:EIP runs even if a breakpoint is set there.
  void resume(bool step);
  // Pauses at the next instruction boundary and reports Stop::Kind::Interrupt (Ctrl-C).
  void interrupt();
  // Pauses without a stop to report (a debugger attaching).
  void halt();
  // The stop the debugger has not been told about yet.
  std::optional<Stop> take_stop() { return std::exchange(stop_, std::nullopt); }

  // Reverse execution. While history is on, the machine state is kept in memory every
  // `every` instructions (RAM pages shared between snapshots where unchanged, at most
  // `budget_bytes` in all: the oldest go first). reverse() goes back one instruction (`step`)
  // or to the last breakpoint or watchpoint hit before the current point, by restoring the
  // nearest earlier snapshot and replaying; the result is a stop to report. It returns an error
  // text instead, with the machine unchanged, when the replay does not arrive at the current
  // state again (input from the host since the snapshot: keys, serial bytes, packets,
  // commands), or when a writable drive would not go back with it.
  void set_history(bool on, uint64_t every = kHistoryEvery, uint64_t budget_bytes = kHistoryBudget);
  std::string reverse(bool step);
  size_t history_snapshots() const { return history_.size(); }
  // A snapshot was loaded: the history starts again from it.
  void reloaded() {
    if (history_on_) set_history(true, history_every_, history_budget_);
  }
  static constexpr uint64_t kHistoryEvery = 10'000'000;
  static constexpr uint64_t kHistoryBudget = 256ull << 20;

  // The run loop's side (PcMachine): the instruction count the engine must stop at for a step
  // or a snapshot, and what to do after each turn of the loop.
  uint64_t limit() const;
  void after_turn(jit::StopReason why);

 private:
  struct Snapshot;
  using Hit = Stop;
  std::unique_ptr<Snapshot> capture(const Snapshot* previous);
  void restore(const Snapshot& snap);
  void trim_history();
  void drop(size_t index);  // a snapshot leaves the history
  std::string go_back(bool step);
  // The first part of the machine state (or RAM page) that is not as in `other`, or empty.
  std::string difference(const Snapshot& other);
  // Replays from the current state to icount `until` with no host input; `on_hit` is told of
  // every breakpoint or watchpoint hit (with `hit_at_end`, also of one by the instruction that
  // arrives at `until`) and returns true to stop there. Ended: the run ended (it cannot be the
  // run that got here).
  enum class Replay { Reached, Stopped, Ended };
  Replay replay(uint64_t until, const std::function<bool(const Hit&)>& on_hit,
                bool hit_at_end = false);
  Hit hit_kind();
  void stopped(Stop stop);
  void update_watches();

  PcMachine& pc_;
  std::optional<Stop> stop_;
  std::optional<uint64_t> step_to_;
  struct Watch {
    uint32_t lin, len;
    bool read, write;
  };
  std::vector<Watch> watches_;

  bool history_on_ = false;
  uint64_t history_every_ = kHistoryEvery, history_budget_ = kHistoryBudget;
  uint64_t next_snapshot_ = 0;
  std::vector<std::unique_ptr<Snapshot>> history_;
  uint64_t history_bytes_ = 0;  // what the history holds, pages shared counted once
};

}  // namespace machine
