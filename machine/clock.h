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

  // Called when arm() moves the next event earlier, so a running engine can return to the run
  // loop and take the new limit (a device armed a timer from inside a port access).
  void set_earlier_event_hook(std::function<void()> fn) { earlier_hook_ = std::move(fn); }

  // The instruction count at which the next timer is due (kNever if none).
  uint64_t next_event_icount() const;
  // Fires every timer whose deadline has passed, earliest first (ties by id, so the order is
  // deterministic).
  void run_due();

  void serialize(devices::Serializer& s);

 private:
  struct Timer {
    std::function<void()> fn;
    uint64_t deadline = kNever;
  };
  const uint64_t& icount_;
  uint32_t ns_per_insn_;
  std::vector<Timer> timers_;
  std::function<void()> earlier_hook_;
};

}  // namespace machine
