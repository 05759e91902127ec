#include "machine/debug_target.h"

#include <algorithm>

#include "machine/pc_machine.h"

namespace machine {
DebugTarget::DebugTarget(PcMachine& pc) : pc_(pc) {}
DebugTarget::~DebugTarget() = default;

void DebugTarget::set_breakpoint(uint32_t lin, bool on) {
  std::set<uint32_t> bps = pc_.engine().breakpoints();
  if (on)
    bps.insert(lin);
  else
    bps.erase(lin);
  pc_.engine().set_breakpoints(std::move(bps));
}

bool DebugTarget::set_watchpoint(uint32_t lin, uint32_t len, bool read, bool write, bool on) {
  if (!len) return false;
  const auto same = [&](const Watch& w) {
    return w.lin == lin && w.len == len && w.read == read && w.write == write;
  };
  const auto it = std::find_if(watches_.begin(), watches_.end(), same);
  if (on && it == watches_.end()) watches_.push_back({lin, len, read, write});
  if (!on) {
    if (it == watches_.end()) return false;
    watches_.erase(it);
  }
  update_watches();
  return true;
}

void DebugTarget::update_watches() {
  std::vector<mmu::Mmu::HostWatch> list;
  for (const Watch& w : watches_) list.push_back({w.lin, w.len, w.read, w.write});
  pc_.cpu().mmu().set_host_watches(std::move(list));
}

void DebugTarget::clear_all() {
  pc_.engine().set_breakpoints({});
  watches_.clear();
  update_watches();
}

void DebugTarget::resume(bool step) {
  pc_.engine().skip_breakpoint_once();
  step_to_.reset();
  if (step) step_to_ = pc_.cpu().s.icount + 1;
  stop_.reset();
  pc_.resume();
}

void DebugTarget::interrupt() { stopped(Stop{Stop::Kind::Interrupt}); }

void DebugTarget::halt() {
  step_to_.reset();
  pc_.pause();
}

void DebugTarget::stopped(Stop stop) {
  stop_ = stop;
  step_to_.reset();
  pc_.pause();
}

uint64_t DebugTarget::limit() const { return step_to_.value_or(Clock::kNever); }

DebugTarget::Stop DebugTarget::hit_kind() {
  if (const std::optional<mmu::Mmu::HostWatchHit> w = pc_.cpu().mmu().take_host_watch_hit())
    return Stop{Stop::Kind::Watch, w->watch.lin, w->watch.read, w->watch.write};
  const cpu::CpuState& s = pc_.cpu().s;
  return Stop{Stop::Kind::Breakpoint, s.seg[cpu::CS].base + s.eip};
}

void DebugTarget::after_turn(jit::StopReason why) {
  const uint64_t icount = pc_.cpu().s.icount;
  if (why == jit::StopReason::Debug)
    stopped(hit_kind());
  else if (step_to_ && icount >= *step_to_)
    stopped(Stop{Stop::Kind::Step});
}

}  // namespace machine
