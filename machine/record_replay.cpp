#include "machine/record_replay.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <stdexcept>

#include "machine/pc_machine.h"
#include "machine/snapshot_identity.h"
#include "machine/state_hash.h"

namespace machine {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRegionBytes = replay::kRegionPages * kPage;

std::vector<std::string> part_names(PcMachine& pc) {
  std::vector<std::string> names;
  for (const PcBoard::StatePart& p : pc.state_parts()) names.push_back(p.name);
  return names;
}

Identity identity_of(PcMachine& pc, const std::vector<std::string>& parts) {
  Identity id = machine_identity(pc.config(), pc.board(), parts);
  if (!pc.config().loadvm.empty()) id.emplace_back("loadvm", file_identity(pc.config().loadvm));
  return id;
}

}  // namespace

RecordReplay::RecordReplay(PcMachine& pc, bool replaying) : pc_(pc), replaying_(replaying) {
  components_ = part_names(pc);
  const std::vector<uint8_t> zero(kRegionBytes);
  zero_region_hash_ = XXH3_64bits(zero.data(), zero.size());
}

RecordReplay::~RecordReplay() = default;

std::unique_ptr<RecordReplay> RecordReplay::record(PcMachine& pc, const std::string& path, uint64_t every) {
  std::unique_ptr<RecordReplay> rr(new RecordReplay(pc, false));
  replay::Header h;
  h.checkpoint_every = every;
  h.start_icount = pc.cpu().s.icount;
  h.identity = encode_identity(identity_of(pc, rr->components_));
  h.components = rr->components_;
  h.ram_bytes = pc.memory().ram_size();
  rr->writer_ = std::make_unique<replay::Writer>(path, h);
  rr->every_ = every;
  rr->next_checkpoint_ = (h.start_icount / every + 1) * every;
  rr->last_check_ = h.start_icount;
  return rr;
}

std::unique_ptr<RecordReplay> RecordReplay::replay(PcMachine& pc, const std::string& path) {
  std::unique_ptr<RecordReplay> rr(new RecordReplay(pc, true));
  rr->log_ = replay::read_log(path);
  const replay::Header& h = rr->log_.header;
  const std::optional<Identity> saved = parse_identity(h.identity);
  if (!saved) throw std::runtime_error(fmt::format("-replay: '{}': damaged header: the machine identity", path));
  const std::string why = identity_mismatch(*saved, identity_of(pc, rr->components_), "log");
  if (!why.empty()) throw std::runtime_error(fmt::format("-replay: '{}': another machine: {}", path, why));
  if (h.components != rr->components_ || h.ram_bytes != pc.memory().ram_size())
    throw std::runtime_error(fmt::format("-replay: '{}': another machine: its devices or RAM differ", path));
  if (h.start_icount != pc.cpu().s.icount)
    throw std::runtime_error(fmt::format("-replay: '{}': the log starts at instruction {}, the machine is at {}", path,
                                         h.start_icount, pc.cpu().s.icount));
  rr->every_ = h.checkpoint_every;
  rr->expected_.assign(components_of_machine(rr->components_.size(), h.ram_bytes), -1);
  return rr;
}

size_t RecordReplay::components_of_machine(size_t parts, uint64_t ram_bytes) {
  return parts + size_t((ram_bytes + kRegionBytes - 1) / kRegionBytes);
}

uint64_t RecordReplay::limit() const {
  if (!replaying_) return next_checkpoint_;
  // Records of a later epoch (after a snapshot the log loads) wait for it.
  uint64_t at = log_.end.epoch == epoch_ ? log_.end.icount : UINT64_MAX;
  if (next_event_ < log_.events.size() && log_.events[next_event_].epoch == epoch_)
    at = std::min(at, log_.events[next_event_].icount);
  if (next_check_ < log_.checkpoints.size() && log_.checkpoints[next_check_].epoch == epoch_)
    at = std::min(at, log_.checkpoints[next_check_].icount);
  if (next_frame_ < log_.frames.size() && log_.frames[next_frame_].epoch == epoch_)
    at = std::min(at, log_.frames[next_frame_].icount);
  return at;
}

std::vector<uint64_t> RecordReplay::hashes() {
  std::vector<uint64_t> out;
  for (const PcBoard::StatePart& p : pc_.state_parts()) {
    StateHasher h;
    p.io(h);
    out.push_back(h.digest());
  }
  // RAM by region; a region the guest never touched is zero without reading it.
  const mmu::PhysMemory& mem = pc_.memory();
  const std::vector<uint8_t> touched = mem.ram_touched_pages();
  const uint64_t size = mem.ram_size();
  for (uint64_t at = 0; at < size; at += kRegionBytes) {
    const uint64_t len = std::min(kRegionBytes, size - at);
    const auto first = touched.begin() + ptrdiff_t(at / kPage), last = first + ptrdiff_t((len + kPage - 1) / kPage);
    if (len == kRegionBytes && std::none_of(first, last, [](uint8_t t) { return t != 0; }))
      out.push_back(zero_region_hash_);
    else
      out.push_back(XXH3_64bits(mem.ram() + at, len));
  }
  return out;
}

replay::Checkpoint RecordReplay::check(const std::vector<uint64_t>& now, bool full) {
  replay::Checkpoint c;
  c.icount = pc_.cpu().s.icount;
  c.total = uint32_t(XXH3_64bits(now.data(), now.size() * sizeof now[0]));
  if (!full) {
    c.light = true;
    c.total &= 0xff;
    return c;
  }
  for (size_t i = 0; i < now.size(); i++)
    if (last_.size() != now.size() || last_[i] != now[i]) c.changed.emplace_back(uint32_t(i), uint8_t(now[i]));
  last_ = now;
  return c;
}

void RecordReplay::at_boundary() {
  const uint64_t icount = pc_.cpu().s.icount;
  if (!replaying_) {
    if (icount < next_checkpoint_) return;
    const bool on_grid = icount == (last_check_ / every_ + 1) * every_;
    const bool full = last_.empty() || input_since_check_ || !on_grid || ++since_full_ >= kFullEvery;
    if (full) since_full_ = 0;
    writer_->checkpoint(check(hashes(), full));
    input_since_check_ = false;
    last_check_ = icount;
    next_checkpoint_ = (icount / every_ + 1) * every_;
    return;
  }
  if (divergence_ || next_check_ >= log_.checkpoints.size()) return;
  const replay::Checkpoint& c = log_.checkpoints[next_check_];
  if (c.epoch != epoch_ || icount < c.icount) return;
  next_check_++;
  if (icount > c.icount) return diverge(fmt::format("the machine passed the log's checkpoint at instruction {} without stopping there", c.icount));
  compare(c, "checkpoint");
}

void RecordReplay::compare(const replay::Checkpoint& c, const char* where) {
  const std::vector<uint64_t> now = hashes();
  const uint32_t total = uint32_t(XXH3_64bits(now.data(), now.size() * sizeof now[0]));
  if (c.light) {
    // Named at the next full check (or the end); the first light check that differs is where.
    if ((total & 0xff) != c.total && !pending_) {
      const cpu::CpuState& s = pc_.cpu().s;
      pending_ = Pending{c.icount, s.seg[cpu::CS].sel, s.eip};
    }
    return;
  }
  for (const auto& [id, h] : c.changed) expected_[id] = h;
  std::string differs;
  for (size_t i = 0; i < now.size(); i++)
    if (expected_[i] != int(uint8_t(now[i]))) differs += (differs.empty() ? "" : ", ") + component_name(uint32_t(i));
  if (total == c.total && differs.empty() && !pending_) return;
  const uint64_t first = pending_ ? pending_->icount : c.icount;
  const std::string named = pending_ ? fmt::format(" (named at the full check at instruction {})", c.icount) : "";
  if (total == c.total && differs.empty())
    return diverge(fmt::format("checkpoint at instruction {}: its light check differs (the full check at instruction {} "
                               "matches again)", first, c.icount));
  if (differs.empty()) differs = "a component whose short check collided";
  diverge(fmt::format("{} at instruction {}: {} differ{}{}", pending_ ? "checkpoint" : where, first, differs,
                      differs.find(',') == std::string::npos ? "s" : "", named));
}

std::string RecordReplay::component_name(uint32_t id) const {
  if (id < components_.size()) return components_[id];
  const uint64_t first = uint64_t(id - components_.size()) * replay::kRegionPages;
  const uint64_t last = std::min<uint64_t>(first + replay::kRegionPages, pc_.memory().ram_size() / kPage) - 1;
  return fmt::format("RAM pages {:#x}-{:#x}", first, last);
}

void RecordReplay::diverge(const std::string& why) {
  if (divergence_) return;
  const cpu::CpuState& s = pc_.cpu().s;
  const Pending at = pending_.value_or(Pending{s.icount, s.seg[cpu::CS].sel, s.eip});
  divergence_ = fmt::format("replay diverged at icount={} CS:EIP={:04x}:{:08x}: {}", at.icount, at.cs, at.eip, why);
}

void RecordReplay::recorded(const InputEvent& e) {
  writer_->event(pc_.cpu().s.icount, e);
  input_since_check_ = true;
}

void RecordReplay::loaded(uint64_t before, const InputEvent& e) {
  writer_->event(before, e);
  input_since_check_ = true;
  last_check_ = e.icount_after;
  next_checkpoint_ = (e.icount_after / every_ + 1) * every_;
}

void RecordReplay::recorded_frame(uint8_t card, std::span<const uint8_t> frame) {
  writer_->frame(pc_.cpu().s.icount, card, frame);
  input_since_check_ = true;
}

std::optional<InputEvent> RecordReplay::due_event() {
  if (divergence_ || next_event_ >= log_.events.size()) return std::nullopt;
  const replay::TimedEvent& t = log_.events[next_event_];
  const uint64_t icount = pc_.cpu().s.icount;
  if (t.epoch != epoch_ || icount < t.icount) return std::nullopt;
  next_event_++;
  if (icount > t.icount) {
    diverge(fmt::format("the log's input at instruction {} was not reached at an instruction boundary", t.icount));
    return std::nullopt;
  }
  return t.event;
}

const replay::TimedFrame* RecordReplay::due_frame() {
  if (divergence_ || next_frame_ >= log_.frames.size()) return nullptr;
  const replay::TimedFrame& f = log_.frames[next_frame_];
  const uint64_t icount = pc_.cpu().s.icount;
  if (f.epoch != epoch_ || icount < f.icount) return nullptr;
  next_frame_++;
  if (icount > f.icount) {
    diverge(fmt::format("the log's network frame at instruction {} was not reached at an instruction boundary", f.icount));
    return nullptr;
  }
  return &f;
}

void RecordReplay::frame_not_taken(const replay::TimedFrame& f) {
  diverge(fmt::format("network card {} had no room for the log's frame at instruction {}", f.card, f.icount));
}

bool RecordReplay::at_end() const {
  return replaying_ && epoch_ == log_.end.epoch && pc_.cpu().s.icount >= log_.end.icount;
}

void RecordReplay::finish() {
  const uint64_t icount = pc_.cpu().s.icount;
  if (!replaying_) {
    replay::Checkpoint last = check(hashes(), true);
    writer_->finish(last, pc_.state_hash());
    return;
  }
  if (divergence_) return;
  if (icount != log_.end.icount || epoch_ != log_.end.epoch)
    return diverge(fmt::format("the run ended at instruction {}, the log's at {}", icount, log_.end.icount));
  compare(log_.end, "the end");
  if (!divergence_ && pc_.state_hash() != log_.end_hash) diverge("the end: the state hash differs");
}

}  // namespace machine
