// -record and -replay: the run loop's side of the replay log (machine/replay_log.h). Recording
// writes every host input event and every network frame a card took with the instruction count
// it took effect at, and every N
// instructions a short check of the machine state; replaying feeds the events back at the same
// counts and compares every check, naming the first divergence.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "machine/host_input.h"
#include "machine/replay_log.h"

namespace machine {

class PcMachine;

class RecordReplay {
 public:
  // Both throw std::runtime_error with one line: the file cannot be written; or the log is
  // damaged or belongs to another machine (configuration, images, start).
  static std::unique_ptr<RecordReplay> record(PcMachine& pc, const std::string& path, uint64_t every);
  static std::unique_ptr<RecordReplay> replay(PcMachine& pc, const std::string& path);
  ~RecordReplay();

  bool replaying() const { return replaying_; }
  // The instruction count the engine must stop at next: a checkpoint, the log's next event or
  // its end.
  uint64_t limit() const;
  // At an instruction boundary, before the timers due there fire: takes the check due now.
  void at_boundary();
  // Recording: `e` took effect now.
  void recorded(const InputEvent& e);
  // Recording: the snapshot of `e` (InputEvent::Kind::Loadvm) was loaded at instruction
  // `before`; the log goes on from the snapshot's count.
  void loaded(uint64_t before, const InputEvent& e);
  // Replaying: a snapshot of the log was loaded (the log's counts start again).
  void replayed_loadvm() { epoch_++; }
  // Recording: card `card` took `frame` from its network now.
  void recorded_frame(uint8_t card, std::span<const uint8_t> frame);
  // Replaying: the log's next event if it is due now (sets a divergence if one was missed).
  std::optional<InputEvent> due_event();
  // Replaying: the log's next frame if it is due now (sets a divergence if one was missed).
  const replay::TimedFrame* due_frame();
  // Replaying: the card had no room for `f` (or does not exist): a divergence.
  void frame_not_taken(const replay::TimedFrame& f);
  // Replaying: the log's run ended here.
  bool at_end() const;
  // Replaying: where the run is in the log, for reverse execution (machine/debug_target.h) to
  // go back with a snapshot of the machine and replay the log's events again from there.
  struct Position {
    size_t next_event = 0, next_frame = 0, next_check = 0;
    uint32_t epoch = 0;
    std::vector<int> expected;
  };
  Position position() const { return {next_event_, next_frame_, next_check_, epoch_, expected_}; }
  void seek(const Position& p) {
    next_event_ = p.next_event, next_frame_ = p.next_frame, next_check_ = p.next_check, epoch_ = p.epoch;
    expected_ = p.expected;
  }
  // The divergence found, as one line, once there is one.
  const std::optional<std::string>& divergence() const { return divergence_; }
  // The run ended: recording writes the end of the log; replaying compares it (a divergence).
  void finish();
  // Replaying: the run left the log's path for `why` (an event could not be made again).
  void diverge(const std::string& why);

 private:
  RecordReplay(PcMachine& pc, bool replaying);
  // The hash of every component: the state parts, then each RAM region.
  std::vector<uint64_t> hashes();
  replay::Checkpoint check(const std::vector<uint64_t>& now, bool full);
  void compare(const replay::Checkpoint& expected, const char* where);
  std::string component_name(uint32_t id) const;
  static size_t components_of_machine(size_t parts, uint64_t ram_bytes);

  PcMachine& pc_;
  bool replaying_;
  std::unique_ptr<replay::Writer> writer_;
  replay::Log log_;
  size_t next_event_ = 0, next_frame_ = 0, next_check_ = 0;
  uint32_t epoch_ = 0;  // replaying: the snapshots of the log loaded so far
  uint64_t every_ = 0, next_checkpoint_ = 0;
  std::vector<uint64_t> last_;        // recording: the component hashes at the last full check
  // Recording: a check is light (8 bits of the total) unless it is the first after input (where
  // a divergence caused by input shows first), the kFullEvery-th, or off the grid.
  static constexpr unsigned kFullEvery = 16;
  unsigned since_full_ = 0;
  bool input_since_check_ = true;
  uint64_t last_check_ = 0;  // recording: the count of the last check
  // Replaying: a light check that did not match; the divergence is named at the next full one.
  struct Pending {
    uint64_t icount;
    uint16_t cs;
    uint32_t eip;
  };
  std::optional<Pending> pending_;
  std::vector<int> expected_;         // replaying: the log's 8-bit hash of each component (-1: none yet)
  std::vector<std::string> components_;
  uint64_t zero_region_hash_ = 0;  // a RAM region the guest never touched (not read)
  std::optional<std::string> divergence_;
};

}  // namespace machine
