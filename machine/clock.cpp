#include "machine/clock.h"

#include <algorithm>

namespace machine {

Clock::TimerId Clock::add_timer(std::function<void()> fn) {
  timers_.push_back(Timer{std::move(fn), kNever, false});
  return TimerId(timers_.size() - 1);
}

Clock::TimerId Clock::add_host_timer(std::function<void()> fn) {
  timers_.push_back(Timer{std::move(fn), kNever, true});
  return TimerId(timers_.size() - 1);
}

void Clock::arm(TimerId id, uint64_t deadline_ns) {
  timers_[id].deadline = deadline_ns;
  if (cut_short_ && icount_at_ns(deadline_ns) < horizon_) cut_short_();
}

void Clock::stall(uint64_t ns) {
  if (ns == 0) return;
  stalled_ns_ += ns;
  if (stall_listener_) stall_listener_(ns);
  // The run's horizon was computed before this stall: a timer it brought forward must not wait.
  if (cut_short_ && std::min(next_event_icount(), icount_at_ns(deadline_ns_)) < horizon_) cut_short_();
}

uint64_t Clock::icount_at_ns(uint64_t ns) const {
  if (ns == kNever) return kNever;
  if (ns <= stalled_ns_) return 0;
  return (ns - stalled_ns_ + ns_per_insn_ - 1) / ns_per_insn_;  // first count at or past it
}

void Clock::cancel(TimerId id) { timers_[id].deadline = kNever; }

uint64_t Clock::next_event_icount() const {
  uint64_t best = kNever;
  for (const Timer& t : timers_)
    if (t.deadline < best) best = t.deadline;
  return icount_at_ns(best);
}

void Clock::run_due() {
  for (;;) {
    const uint64_t now = now_ns();
    TimerId due = 0;
    uint64_t best = kNever;
    for (TimerId i = 0; i < timers_.size(); i++)
      if (timers_[i].deadline <= now && timers_[i].deadline < best) best = timers_[i].deadline, due = i;
    if (best == kNever) return;
    timers_[due].deadline = kNever;
    timers_[due].fn();
  }
}

void Clock::serialize(devices::Serializer& s) {
  s.io(stalled_ns_);
  for (Timer& t : timers_)
    if (!t.host) s.io(t.deadline);
}

}  // namespace machine
