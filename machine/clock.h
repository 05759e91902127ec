// Virtual time and the event scheduler (DESIGN.md §5 "Virtual clock"). Time is derived from the
// retired-instruction count only; no host clock is ever read here.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "devices/device.h"

namespace machine {

class Clock {
 public:
  using TimerId = uint32_t;
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  Clock(const uint64_t& icount, uint32_t ns_per_insn) : icount_(icount), ns_per_insn_(ns_per_insn) {}

  // Virtual time: the instructions retired plus the time the processor spent stalled on slow
  // bus cycles (stall()).
  uint64_t now_ns() const { return icount_ * ns_per_insn_ + stalled_ns_; }
  uint32_t ns_per_insn() const { return ns_per_insn_; }

  // The processor waits `ns` without retiring instructions: a bus cycle longer than an
  // instruction (an ISA I/O access). Virtual time moves on; a timer that becomes due cuts the
  // CPU's run short so that it fires before the next instruction, and the stall listener (the
  // TSC, which counts virtual time) is told.
  void stall(uint64_t ns);
  uint64_t stalled_ns() const { return stalled_ns_; }
  void set_stall_listener(std::function<void(uint64_t ns)> fn) { stall_listener_ = std::move(fn); }

  // Timers: a callback that fires once the virtual time reaches its deadline. A device's timer
  // is machine state (serialize() saves its deadline); a host timer (polling for host input,
  // headless automation) belongs to the process around the machine and is left out, so the
  // state hash and snapshots see only what the guest can.
  TimerId add_timer(std::function<void()> fn);
  TimerId add_host_timer(std::function<void()> fn);
  void arm(TimerId id, uint64_t deadline_ns);
  void cancel(TimerId id);
  bool armed(TimerId id) const { return timers_[id].deadline != kNever; }
  uint64_t deadline(TimerId id) const { return timers_[id].deadline; }


  // The instruction count at which the next timer is due (kNever if none).
  uint64_t next_event_icount() const;
  // The first instruction count at which virtual time reaches `ns` (kNever stays kNever).
  uint64_t icount_at_ns(uint64_t ns) const;
  // Fires every timer whose deadline has passed, earliest first (ties by id, so the order is
  // deterministic).
  void run_due();

  void serialize(devices::Serializer& s);

  // The run loop lets the CPU run up to an instruction count taken from next_event_icount(). A
  // device that arms a timer due before that count while the CPU runs (from a port access)
  // must cut the run short, or its event would fire late: arm() then calls `cut_short`.
  void set_run_horizon(uint64_t icount) { horizon_ = icount; }
  // A limit in virtual time (--timeout) that is no event: a stall reaching it cuts the run short
  // as a timer would, so a run whose time passes in stalls (resets, exceptions) still ends there.
  void set_deadline_ns(uint64_t ns) { deadline_ns_ = ns; }
  void set_cut_short(std::function<void()> fn) { cut_short_ = std::move(fn); }

 private:
  struct Timer {
    std::function<void()> fn;
    uint64_t deadline = kNever;
    bool host = false;
  };
  const uint64_t& icount_;
  uint32_t ns_per_insn_;
  std::vector<Timer> timers_;
  uint64_t horizon_ = 0;  // 0: the CPU is not running
  std::function<void()> cut_short_;
  uint64_t stalled_ns_ = 0;
  uint64_t deadline_ns_ = kNever;
  std::function<void(uint64_t)> stall_listener_;
};

}  // namespace machine
