// The record/replay log (-record, -replay): a header naming the machine it belongs to, then
// zstd-compressed blocks of records: the input events and the network frames the cards took,
// with the instruction count they took effect at, a short state check every N instructions, and
// the end of the run. machine/README.md
// describes the layout byte by byte.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "machine/host_input.h"

namespace machine::replay {

// The version written. Version 2 added network frames, version 3 a debugger's writes, loadvm
// and light checks (so that an older reader refuses them as another version); logs of versions
// 1 and 2, which have none of the newer records, are read too.
inline constexpr uint32_t kVersion = 3;
// The longest frame a record holds (an Ethernet frame without its FCS is far shorter).
inline constexpr uint32_t kMaxFrameBytes = 65535;
// RAM is checked in regions of this many 4 KiB pages (1 MiB).
inline constexpr uint32_t kRegionPages = 256;

struct Header {
  uint64_t checkpoint_every = 0;
  uint64_t start_icount = 0;
  std::vector<uint8_t> identity;        // machine/snapshot_identity.h, "key=value" lines
  std::vector<std::string> components;  // the state parts (PcMachine::state_parts()), in order
  uint64_t ram_bytes = 0;
};

// A state check. A full one: the low 32 bits of the hash over every component's hash, and the
// low 8 bits of each component hash that changed since the previous full check (all of them at
// the first). A light one: only the low 8 bits of that total, on the checkpoint grid (the next
// multiple of N). Components are numbered: the state parts in header order, then the RAM
// regions.
struct Checkpoint {
  uint64_t icount = 0;
  uint32_t total = 0;
  std::vector<std::pair<uint32_t, uint8_t>> changed;  // component, hash; ascending
  uint32_t epoch = 0;  // snapshots loaded before it (counts start again at each): not stored
  bool light = false;
};

struct TimedEvent {
  uint64_t icount = 0;
  InputEvent event;
  uint32_t epoch = 0;  // as Checkpoint::epoch
};

// A frame from the network that card number `card` (PcBoard::net_ports() order) took.
struct TimedFrame {
  uint64_t icount = 0;
  uint8_t card = 0;
  std::vector<uint8_t> bytes;
  uint32_t epoch = 0;  // as Checkpoint::epoch
  bool operator==(const TimedFrame&) const = default;
};

struct Log {
  Header header;
  std::vector<TimedEvent> events;
  std::vector<TimedFrame> frames;
  std::vector<Checkpoint> checkpoints;
  // The state when the run ended: its instruction count and the components that changed since
  // the last checkpoint, and PcMachine::state_hash() (what --report prints).
  Checkpoint end;
  uint64_t end_hash = 0;
};

// Appends records as the run goes; a block is compressed and written every 64 KiB of records
// and at finish(). Throws std::runtime_error with one line naming the file.
class Writer {
 public:
  Writer(const std::string& path, const Header& header);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void event(uint64_t icount, const InputEvent& e);
  void frame(uint64_t icount, uint8_t card, std::span<const uint8_t> bytes);
  void checkpoint(const Checkpoint& c);
  void finish(const Checkpoint& last, uint64_t hash);

 private:
  void flush();
  void put_lights();  // the light checks waiting, as one record
  void put_icount(uint64_t icount);
  bool put_check(std::vector<uint8_t>& out, const Checkpoint& c, bool may_share);
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<uint8_t> buf_;
  std::vector<uint8_t> lights_;  // light checks not written yet (consecutive, on the grid)
  uint64_t last_icount_ = 0, last_checkpoint_ = 0, every_ = 0;
  std::vector<uint32_t> last_changed_;
  bool have_changed_ = false;
};

// Reads and checks a whole log. Throws std::runtime_error "-replay: 'FILE': why" (one line): not a log,
// another version, a damaged or truncated file, records out of order.
Log read_log(const std::string& path);
// Writes `log` as a Writer would have (for tools and tests that edit a log).
void write_log(const std::string& path, const Log& log);
// The log as text, one record a line.
std::string dump(const Log& log);

}  // namespace machine::replay
