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

  uint64_t now_ns() const { return icount_ * ns_per_insn_; }
  uint32_t ns_per_insn() const { return ns_per_insn_; }

  // Timers: a callback that fires once the virtual time reaches its deadline.
  TimerId add_timer(std::function<void()> fn);
  void arm(TimerId id, uint64_t deadline_ns);
  void cancel(TimerId id);
  bool armed(TimerId id) const { return timers_[id].deadline != kNever; }
  uint64_t deadline(TimerId id) const { return timers_[id].deadline; }


  // The instruction count at which the next timer is due (kNever if none).
  uint64_t next_event_icount() const;
  // Fires every timer whose deadline has passed, earliest first (ties by id, so the order is
  // deterministic).
  void run_due();

  void serialize(devices::Serializer& s);

  // The run loop lets the CPU run up to an instruction count taken from next_event_icount(). A
  // device that arms a timer due before that count while the CPU runs (from a port access)
  // must cut the run short, or its event would fire late: arm() then calls `cut_short`.
  void set_run_horizon(uint64_t icount) { horizon_ = icount; }
  void set_cut_short(std::function<void()> fn) { cut_short_ = std::move(fn); }

 private:
  struct Timer {
    std::function<void()> fn;
    uint64_t deadline = kNever;
  };
  const uint64_t& icount_;
  uint32_t ns_per_insn_;
  std::vector<Timer> timers_;
  uint64_t horizon_ = 0;  // 0: the CPU is not running
  std::function<void()> cut_short_;
};

}  // namespace machine
