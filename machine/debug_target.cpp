#include "machine/debug_target.h"

#include <algorithm>
#include <cstring>

#include "machine/pc_machine.h"
#include "machine/record_replay.h"

namespace machine {
namespace {

constexpr size_t kPage = 4096;
using Page = std::array<uint8_t, kPage>;

bool zero_page(const uint8_t* p) {
  static constexpr uint8_t kZero[kPage] = {};
  return std::memcmp(p, kZero, kPage) == 0;
}

constexpr const char* kDiverged =
    "the replay from the last snapshot does not arrive at this state again (input from the host "
    "since then?)";

}  // namespace

// The whole machine state at one instruction count: the state parts as the state hash and
// snapshot files see them, and RAM by page (nullptr: zero), each page shared with the previous
// snapshot where it did not change.
struct DebugTarget::Snapshot {
  uint64_t icount = 0;
  std::vector<std::vector<uint8_t>> parts;
  std::vector<std::shared_ptr<const Page>> ram;
  uint64_t added_bytes = 0;  // memory it took that the previous snapshot did not hold already
  // Replaying a log: where the run was in it, so that replaying from here takes its events again.
  std::optional<RecordReplay::Position> log;

  uint64_t fixed_bytes() const {
    uint64_t n = ram.size() * sizeof(ram[0]);
    for (const auto& p : parts) n += p.size();
    return n;
  }
};

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

uint64_t DebugTarget::limit() const {
  uint64_t limit = step_to_.value_or(Clock::kNever);
  if (history_on_) limit = std::min(limit, std::max(next_snapshot_, pc_.cpu_->s.icount));
  return limit;
}

DebugTarget::Hit DebugTarget::hit_kind() {
  if (const std::optional<mmu::Mmu::HostWatchHit> w = pc_.cpu().mmu().take_host_watch_hit())
    return Stop{Stop::Kind::Watch, w->watch.lin, w->watch.read, w->watch.write};
  const cpu::CpuState& s = pc_.cpu().s;
  return Stop{Stop::Kind::Breakpoint, s.seg[cpu::CS].base + s.eip};
}

void DebugTarget::after_turn(jit::StopReason why) {
  const uint64_t icount = pc_.cpu().s.icount;
  if (history_on_ && icount >= next_snapshot_) {
    history_.push_back(capture(history_.empty() ? nullptr : history_.back().get()));
    history_bytes_ += history_.back()->added_bytes;
    next_snapshot_ = icount + history_every_;
    trim_history();
  }
  // A watchpoint hit by the last instruction before a limit is reported now, not at the next
  // resume.
  if (why == jit::StopReason::Debug || pc_.cpu().mmu().host_watch_hit())
    stopped(hit_kind());
  else if (step_to_ && icount >= *step_to_)
    stopped(Stop{Stop::Kind::Step});
}

void DebugTarget::set_history(bool on, uint64_t every, uint64_t budget_bytes) {
  history_.clear();
  history_bytes_ = 0;
  history_on_ = on;
  history_every_ = std::max<uint64_t>(every, 1);
  history_budget_ = budget_bytes;
  if (!on) return;
  history_.push_back(capture(nullptr));
  history_bytes_ = history_.back()->added_bytes;
  next_snapshot_ = pc_.cpu().s.icount + history_every_;
}

std::unique_ptr<DebugTarget::Snapshot> DebugTarget::capture(const Snapshot* previous) {
  auto snap = std::make_unique<Snapshot>();
  snap->icount = pc_.cpu().s.icount;
  for (const PcBoard::StatePart& p : pc_.state_parts()) {
    devices::StateWriter w;
    p.io(w);
    snap->parts.push_back(std::move(w.out));
  }
  mmu::PhysMemory& mem = pc_.memory();
  const size_t pages = mem.ram_size() / kPage;
  const std::vector<uint8_t> touched = mem.ram_touched_pages();
  snap->ram.resize(pages);
  for (size_t n = 0; n < pages; n++) {
    const uint8_t* p = mem.ram() + n * kPage;
    if (!touched[n]) continue;
    if (previous && previous->ram[n] && std::memcmp(previous->ram[n]->data(), p, kPage) == 0) {
      snap->ram[n] = previous->ram[n];
    } else if (!zero_page(p)) {
      auto page = std::make_shared<Page>();
      std::memcpy(page->data(), p, kPage);
      snap->ram[n] = std::move(page);
      snap->added_bytes += kPage;
    }
  }
  snap->added_bytes += snap->fixed_bytes();
  if (pc_.replaying_log()) snap->log = pc_.rr_->position();
  return snap;
}

void DebugTarget::restore(const Snapshot& snap) {
  std::vector<PcBoard::StatePart> parts = pc_.state_parts();
  for (size_t i = 0; i < parts.size(); i++) {
    devices::StateReader r(snap.parts[i]);
    parts[i].io(r);
  }
  mmu::PhysMemory& mem = pc_.memory();
  const std::vector<uint8_t> touched = mem.ram_touched_pages();
  for (size_t n = 0; n < snap.ram.size(); n++) {
    uint8_t* p = mem.ram() + n * kPage;
    if (snap.ram[n]) {
      if (std::memcmp(p, snap.ram[n]->data(), kPage)) std::memcpy(p, snap.ram[n]->data(), kPage);
    } else if (touched[n] && !zero_page(p)) {
      std::memset(p, 0, kPage);
    }
  }
  if (snap.log) pc_.rr_->seek(*snap.log);
  // RAM changed behind the code-write tracking: no translation survives.
  cpu::Cpu& cpu = pc_.cpu();
  cpu.set_cpl(cpu.s.cpl);
  cpu.mmu().flush_tlb();
  cpu.mmu().take_host_watch_hit();
  pc_.engine().flush();
  pc_.engine().clear_breakpoint_skip();
  cpu::request_exit(cpu.s);
  // Host polling goes on from the restored time (its timer is not machine state).
  if (pc_.host_timer_) pc_.clock().arm(pc_.host_timer_, pc_.clock().now_ns() + pc_.host_.poll_ns);
  if (const uint64_t every = pc_.cfg_.checkpoint_every)
    pc_.next_checkpoint_ = (cpu.s.icount / every + 1) * every;
}

std::string DebugTarget::difference(const Snapshot& other) {
  const std::unique_ptr<Snapshot> now = capture(&other);
  std::vector<PcBoard::StatePart> parts = pc_.state_parts();
  for (size_t i = 0; i < parts.size() && i < other.parts.size(); i++)
    if (now->parts[i] != other.parts[i]) return "the state of " + parts[i].name;
  for (size_t n = 0; n < now->ram.size(); n++)
    if (now->ram[n] != other.ram[n]) return "RAM page " + std::to_string(n);
  return {};
}

// Pages are shared only along the history, so a page goes with the last snapshot holding it.
void DebugTarget::drop(size_t index) {
  const Snapshot& snap = *history_[index];
  uint64_t freed = snap.fixed_bytes();
  for (const auto& page : snap.ram)
    if (page && page.use_count() == 1) freed += kPage;
  history_bytes_ -= std::min(freed, history_bytes_);
  history_.erase(history_.begin() + long(index));
}

void DebugTarget::trim_history() {
  while (history_.size() > 1 && history_bytes_ > history_budget_) drop(0);
}

DebugTarget::Replay DebugTarget::replay(uint64_t until,
                                        const std::function<bool(const Hit&)>& on_hit,
                                        bool hit_at_end) {
  const bool paused = pc_.paused_;
  pc_.paused_ = false;
  pc_.replaying_ = true;
  pc_.replay_until_ = until;
  const auto mute = [this](bool on) {
    for (unsigned n = 0; devices::Uart* u = pc_.board().uart(n); n++) u->set_muted(on);
  };
  mute(true);
  Replay result = Replay::Reached;
  for (;;) {
    if (pc_.cpu().s.icount >= until) {
      // A watchpoint hit by the instruction that arrived at `until`.
      if (hit_at_end && pc_.cpu().mmu().host_watch_hit() && on_hit(hit_kind()))
        result = Replay::Stopped;
      break;
    }
    if (pc_.run_once(until)) {
      result = Replay::Ended;
      break;
    }
    if (pc_.last_stop_ != jit::StopReason::Debug) continue;
    const Hit hit = hit_kind();
    if (on_hit(hit)) {
      result = Replay::Stopped;
      break;
    }
    if (hit.kind == Stop::Kind::Breakpoint) pc_.engine().skip_breakpoint_once();
  }
  pc_.replaying_ = false;
  mute(false);
  pc_.paused_ = paused;
  return result;
}

std::string DebugTarget::reverse(bool step) {
  std::string error = go_back(step);
  // Snapshots after the point arrived at describe the same future; they go (now that no
  // temporary snapshot shares their pages).
  const uint64_t icount = pc_.cpu().s.icount;
  while (history_.size() > 1 && history_.back()->icount > icount) drop(history_.size() - 1);
  if (error.empty())
    next_snapshot_ = std::max(icount + 1, history_.back()->icount + history_every_);
  return error;
}

std::string DebugTarget::go_back(bool step) {
  if (!history_on_ || history_.empty()) return "no execution history is kept";
  if (pc_.rr_ && !pc_.rr_->replaying())
    return "not while recording a log (-record): the log cannot take back what it wrote";
  for (const PcBoard::DriveSlot& d : pc_.board().drives())
    if (d.image->writable())
      return "drive " + d.name + " is writable; reverse execution does not take disk writes back";
  const uint64_t now = pc_.cpu().s.icount;
  // The last snapshot before now.
  size_t last = history_.size() - 1;
  while (last > 0 && history_[last]->icount >= now) last--;
  if (history_[last]->icount >= now) {  // at the oldest snapshot already
    stopped(Stop{Stop::Kind::HistoryBegin});
    return {};
  }
  const uint64_t hash = pc_.state_hash();
  const std::unique_ptr<Snapshot> here = capture(history_.back().get());
  const auto give_up = [&] {
    const std::string where = difference(*here);
    restore(*here);
    return std::string(kDiverged) + (where.empty() ? "" : ": " + where + " differs");
  };
  const auto never = [](const Hit&) { return false; };
  const auto land = [&](Stop stop) {
    stopped(stop);
    return std::string();
  };
  if (step) {
    restore(*history_[last]);
    if (replay(now - 1, never) != Replay::Reached) return give_up();
    const std::unique_ptr<Snapshot> before = capture(here.get());
    if (replay(now, never) != Replay::Reached || pc_.state_hash() != hash) return give_up();
    restore(*before);
    return land(Stop{Stop::Kind::Step});
  }
  // Each stretch between snapshots, latest first: the last hit in it, if any, is where
  // reverse-continue stops.
  for (size_t k = last + 1; k-- > 0;) {
    const uint64_t end = k == last ? now : history_[k + 1]->icount;
    restore(*history_[k]);
    uint64_t hits = 0, target = 0;
    std::optional<Hit> found;
    const auto count = [&](const Hit& h) {
      found = h;
      target = ++hits;
      return false;
    };
    // A hit by the instruction that arrives at the current point is where the machine is now.
    if (replay(end, count, k != last) != Replay::Reached) return give_up();
    if (k == last && pc_.state_hash() != hash) return give_up();
    if (!found) continue;
    restore(*history_[k]);
    uint64_t n = 0;
    const auto nth = [&](const Hit&) { return ++n == target; };
    if (replay(end, nth, k != last) != Replay::Stopped) return give_up();
    return land(*found);
  }
  restore(*history_.front());
  return land(Stop{Stop::Kind::HistoryBegin});
}

}  // namespace machine
