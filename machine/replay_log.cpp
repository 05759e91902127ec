#include "machine/replay_log.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "machine/le_bytes.h"
#include "machine/read_file.h"

namespace machine::replay {
namespace {

constexpr char kMagic[8] = {'G', '8', '6', 'R', 'P', 'L', 'Y', '\0'};
constexpr size_t kBlockBytes = 64 * 1024;       // records per block, before compression
constexpr size_t kMaxBlockBytes = 16u << 20;    // what a reader accepts
constexpr size_t kMaxLogBytes = size_t(1) << 32;  // 4 GiB
constexpr size_t kBlockHeader = 16;             // u32 stored, u32 raw, u64 XXH3 of stored
constexpr uint64_t kMaxWriteBytes = 1u << 20;   // one memory write record

enum Tag : uint8_t { kEvent = 1, kCheckpoint = 2, kEnd = 3, kFrame = 4, kLights = 5 };
constexpr size_t kMaxLights = 4096;  // light checks in one record
constexpr uint8_t kExplicitIcount = 0x10, kSameSet = 0x20;

void put_le(std::vector<uint8_t>& v, uint64_t x, unsigned n) {
  v.resize(v.size() + n);
  le_put(v, v.size() - n, x, n);
}

// Unsigned LEB128.
void put_var(std::vector<uint8_t>& v, uint64_t x) {
  do {
    const uint8_t b = x & 0x7f;
    x >>= 7;
    v.push_back(uint8_t(b | (x ? 0x80 : 0)));
  } while (x);
}

uint64_t zigzag(int64_t x) { return (uint64_t(x) << 1) ^ uint64_t(x >> 63); }
int64_t unzigzag(uint64_t x) { return int64_t(x >> 1) ^ -int64_t(x & 1); }

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw std::runtime_error(fmt::format("-replay: '{}': {}", path, why));
}

// Reads fields from a byte range, refusing to run past its end.
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;
  const std::string& path;
  const char* what;
  void need(size_t n) const {
    if (size_t(end - p) < n) bad(path, fmt::format("truncated {}", what));
  }
  uint64_t le(unsigned n) {
    need(n);
    uint64_t x = 0;
    for (unsigned i = n; i-- > 0;) x = x << 8 | p[i];
    p += n;
    return x;
  }
  uint64_t var() {
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      need(1);
      const uint8_t b = *p++;
      x |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return x;
    }
    bad(path, fmt::format("damaged {}: a number is too long", what));
  }
  std::string bytes(size_t n) {
    need(n);
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
  bool done() const { return p == end; }
};

std::vector<uint8_t> encode_header(const Header& h) {
  std::vector<uint8_t> v(kMagic, kMagic + 8);
  put_le(v, kVersion, 4);
  put_le(v, kRegionPages, 4);
  put_le(v, h.checkpoint_every, 8);
  put_le(v, h.start_icount, 8);
  put_le(v, h.ram_bytes, 8);
  put_le(v, h.identity.size(), 4);
  v.insert(v.end(), h.identity.begin(), h.identity.end());
  put_le(v, h.components.size(), 4);
  for (const std::string& c : h.components) {
    v.push_back(uint8_t(c.size()));
    v.insert(v.end(), c.begin(), c.end());
  }
  put_le(v, XXH3_64bits(v.data(), v.size()), 8);
  return v;
}

void encode_event(std::vector<uint8_t>& v, const InputEvent& e) {
  v.push_back(uint8_t(e.kind));
  switch (e.kind) {
    case InputEvent::Kind::Key:
      put_var(v, e.code);
      v.push_back(e.down ? 1 : 0);
      break;
    case InputEvent::Kind::Mouse:
      put_var(v, e.code);
      put_var(v, zigzag(e.dx));
      put_var(v, zigzag(e.dy));
      break;
    case InputEvent::Kind::Serial:
      v.push_back(e.port);
      v.push_back(uint8_t(e.code));
      break;
    case InputEvent::Kind::Reset:
    case InputEvent::Kind::PowerButton: break;
    case InputEvent::Kind::MemoryWrite:
    case InputEvent::Kind::RegisterWrite:
      put_var(v, e.code);
      put_var(v, e.data.size());
      v.insert(v.end(), e.data.begin(), e.data.end());
      break;
    case InputEvent::Kind::Loadvm:
      put_le(v, e.hash, 8);
      put_var(v, e.icount_after);
      put_var(v, e.data.size());
      v.insert(v.end(), e.data.begin(), e.data.end());
      break;
  }
}

// Bytes of a memory or register write, or a snapshot's file name: a length, then the bytes.
std::vector<uint8_t> decode_bytes(Cursor& c, uint64_t max, const char* what) {
  const uint64_t n = c.var();
  if (n > max) bad(c.path, fmt::format("damaged record: {} too long", what));
  const std::string b = c.bytes(size_t(n));
  return {b.begin(), b.end()};
}

InputEvent decode_event(Cursor& c) {
  InputEvent e;
  const uint64_t kind = c.le(1);
  switch (kind) {
    case uint64_t(InputEvent::Kind::Key): {
      e.kind = InputEvent::Kind::Key;
      e.code = uint32_t(c.var());
      const uint64_t down = c.le(1);
      if (e.code > 0xffff || down > 1) bad(c.path, "damaged record: a key event out of range");
      e.down = down;
      break;
    }
    case uint64_t(InputEvent::Kind::Mouse): {
      e.kind = InputEvent::Kind::Mouse;
      e.code = uint32_t(c.var());
      const int64_t dx = unzigzag(c.var()), dy = unzigzag(c.var());
      if (e.code > 0xff || dx < INT32_MIN || dx > INT32_MAX || dy < INT32_MIN || dy > INT32_MAX)
        bad(c.path, "damaged record: a mouse event out of range");
      e.dx = int32_t(dx), e.dy = int32_t(dy);
      break;
    }
    case uint64_t(InputEvent::Kind::Serial):
      e.kind = InputEvent::Kind::Serial;
      e.port = uint8_t(c.le(1));
      e.code = uint32_t(c.le(1));
      if (e.port > 3) bad(c.path, "damaged record: serial input for a port past COM4");
      break;
    case uint64_t(InputEvent::Kind::Reset): e.kind = InputEvent::Kind::Reset; break;
    case uint64_t(InputEvent::Kind::PowerButton): e.kind = InputEvent::Kind::PowerButton; break;
    case uint64_t(InputEvent::Kind::MemoryWrite): {
      e.kind = InputEvent::Kind::MemoryWrite;
      const uint64_t addr = c.var();
      e.data = decode_bytes(c, kMaxWriteBytes, "a memory write");
      if (addr + e.data.size() > (uint64_t(1) << 32)) bad(c.path, "damaged record: a memory write past 4 GiB");
      e.code = uint32_t(addr);
      break;
    }
    case uint64_t(InputEvent::Kind::RegisterWrite): {
      e.kind = InputEvent::Kind::RegisterWrite;
      const uint64_t n = c.var();
      e.data = decode_bytes(c, 16, "a register value");
      if (n > 0xff) bad(c.path, "damaged record: a register number out of range");
      e.code = uint32_t(n);
      break;
    }
    case uint64_t(InputEvent::Kind::Loadvm):
      e.kind = InputEvent::Kind::Loadvm;
      e.hash = c.le(8);
      e.icount_after = c.var();
      e.data = decode_bytes(c, 4096, "a snapshot's name");
      if (e.data.empty()) bad(c.path, "damaged record: a snapshot without a name");
      break;
    default: bad(c.path, fmt::format("damaged record: unknown event kind {}", kind));
  }
  return e;
}

Header decode_header(Cursor& c) {
  if (c.end - c.p < 8 || std::memcmp(c.p, kMagic, 8) != 0) bad(c.path, "not a ghost86 replay log");
  const uint8_t* start = c.p;
  c.p += 8;
  const uint64_t version = c.le(4);
  if (version < 1 || version > kVersion)
    bad(c.path, fmt::format("replay log version {} (this ghost86 reads versions 1 to {})", version, kVersion));
  if (c.le(4) != kRegionPages) bad(c.path, "damaged header: unexpected RAM region size");
  Header h;
  h.checkpoint_every = c.le(8);
  h.start_icount = c.le(8);
  h.ram_bytes = c.le(8);
  const uint64_t id_len = c.le(4);
  const std::string id = c.bytes(id_len);
  h.identity.assign(id.begin(), id.end());
  const uint64_t count = c.le(4);
  if (count > 4096) bad(c.path, "damaged header: too many components");
  for (uint64_t i = 0; i < count; i++) h.components.push_back(c.bytes(c.le(1)));
  const uint64_t sum = XXH3_64bits(start, size_t(c.p - start));
  if (c.le(8) != sum) bad(c.path, "damaged header: checksum mismatch");
  if (!h.checkpoint_every) bad(c.path, "damaged header: checkpoint interval 0");
  if (h.ram_bytes % (4096ull * kRegionPages) != 0 && h.ram_bytes % 4096 != 0)
    bad(c.path, "damaged header: RAM size not whole pages");
  return h;
}

uint64_t components_of(const Header& h) {
  return h.components.size() + (h.ram_bytes / 4096 + kRegionPages - 1) / kRegionPages;
}

// The records of one decoded block, appended to `log`. `last` and `last_cp` carry the running
// instruction counts from block to block; `prev_set` the previous checkpoint's components.
struct RecordParser {
  Log& log;
  const std::string& path;
  uint64_t last = 0, last_cp = 0;
  std::vector<uint32_t> prev_set;
  bool have_set = false, ended = false, first_of_epoch = true;
  uint32_t epoch = 0;  // the number of snapshots loaded before the record

  uint64_t advance(uint64_t delta) {
    if (delta > UINT64_MAX - last) bad(path, "damaged record: instruction count overflows");
    return last += delta;
  }

  void parse(Cursor& c) {
    while (!c.done()) {
      if (ended) bad(path, "damaged file: records after the end of the run");
      const uint8_t tag = uint8_t(c.le(1));
      switch (tag & 0x0f) {
        case kEvent: {
          if (tag != kEvent) bad(path, fmt::format("damaged record: unknown record type {:#x}", tag));
          TimedEvent t;
          t.icount = advance(c.var());
          t.epoch = epoch;
          t.event = decode_event(c);
          // A snapshot loaded: the counts go on from the snapshot's.
          if (t.event.kind == InputEvent::Kind::Loadvm) {
            last = last_cp = t.event.icount_after;
            epoch++;
            first_of_epoch = true;
          }
          log.events.push_back(std::move(t));
          break;
        }
        case kFrame: {
          if (tag != kFrame) bad(path, fmt::format("damaged record: unknown record type {:#x}", tag));
          TimedFrame f;
          f.icount = advance(c.var());
          f.epoch = epoch;
          f.card = uint8_t(c.le(1));
          const uint64_t len = c.var();
          if (len == 0 || len > kMaxFrameBytes) bad(path, fmt::format("damaged record: a network frame of {} bytes", len));
          const std::string bytes = c.bytes(size_t(len));
          f.bytes.assign(bytes.begin(), bytes.end());
          log.frames.push_back(std::move(f));
          break;
        }
        case kCheckpoint: checkpoint(c, tag); break;
        case kLights: {
          if (tag != kLights) bad(path, fmt::format("damaged record: unknown record type {:#x}", tag));
          const uint64_t n = c.var();
          if (n == 0 || n > kMaxLights) bad(path, "damaged record: a run of light checks of impossible length");
          for (uint64_t i = 0; i < n; i++) {
            Checkpoint cp;
            cp.icount = next_on_grid();
            cp.total = uint32_t(c.le(1));
            cp.epoch = epoch;
            cp.light = true;
            log.checkpoints.push_back(std::move(cp));
          }
          break;
        }
        case kEnd:
          if (tag != kEnd) bad(path, fmt::format("damaged record: unknown record type {:#x}", tag));
          log.end.icount = advance(c.var());
          log.end.epoch = epoch;
          log.end_hash = c.le(8);
          check_body(c, log.end, false);
          ended = true;
          break;
        default: bad(path, fmt::format("damaged record: unknown record type {:#x}", tag));
      }
    }
  }

  // The count of a check without one: the next multiple of N after the previous check.
  uint64_t next_on_grid() {
    const uint64_t every = log.header.checkpoint_every;
    if (last_cp / every + 1 > UINT64_MAX / every) bad(path, "damaged record: instruction count overflows");
    const uint64_t next = (last_cp / every + 1) * every;
    if (next < last) bad(path, "damaged record: checkpoints out of order");
    first_of_epoch = false;
    return last = last_cp = next;
  }

  void checkpoint(Cursor& c, uint8_t tag) {
    if (tag & ~(kCheckpoint | kExplicitIcount | kSameSet)) bad(path, fmt::format("damaged record: unknown record type {:#x}", tag));
    Checkpoint cp;
    if (tag & kExplicitIcount) {
      cp.icount = advance(c.var());
      if (!first_of_epoch && cp.icount <= last_cp) bad(path, "damaged record: checkpoints out of order");
      first_of_epoch = false;
      last_cp = cp.icount;
    } else {
      cp.icount = next_on_grid();
    }
    cp.epoch = epoch;
    check_body(c, cp, tag & kSameSet);
    log.checkpoints.push_back(std::move(cp));
  }

  void check_body(Cursor& c, Checkpoint& cp, bool same) {
    cp.total = uint32_t(c.le(4));
    std::vector<uint32_t> set;
    if (same) {
      if (!have_set) bad(path, "damaged record: a checkpoint refers to one before the first");
      set = prev_set;
    } else {
      const uint64_t n = c.var(), limit = components_of(log.header);
      if (n > limit) bad(path, "damaged record: more components than the machine has");
      uint64_t id = 0;
      for (uint64_t i = 0; i < n; i++) {
        const uint64_t d = c.var();
        id = i ? id + d + 1 : d;
        if (d >= limit || id >= limit) bad(path, "damaged record: a component number out of range");
        set.push_back(uint32_t(id));
      }
    }
    for (uint32_t id : set) cp.changed.emplace_back(id, uint8_t(c.le(1)));
    prev_set = std::move(set);
    have_set = true;
  }
};

std::vector<uint8_t> compress(const std::vector<uint8_t>& raw) {
  std::vector<uint8_t> out(ZSTD_compressBound(raw.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error(fmt::format("zstd: {}", ZSTD_getErrorName(n)));
  out.resize(n);
  return out;
}

// The events and frames of `log` from positions `e` and `f` on, in log order (at one count the
// events before the frames, as PcMachine::take_input applies them), while `before(epoch,
// icount)` (counts start again at every snapshot loaded: the epoch).
template <class Before, class OnEvent, class OnFrame>
void merge_inputs(const Log& log, size_t& e, size_t& f, Before before, OnEvent on_event, OnFrame on_frame) {
  for (;;) {
    const bool event = e < log.events.size() && before(log.events[e].epoch, log.events[e].icount);
    const bool frame = f < log.frames.size() && before(log.frames[f].epoch, log.frames[f].icount);
    if (event && (!frame || std::pair(log.events[e].epoch, log.events[e].icount) <=
                                std::pair(log.frames[f].epoch, log.frames[f].icount)))
      on_event(log.events[e++]);
    else if (frame)
      on_frame(log.frames[f++]);
    else
      return;
  }
}

}  // namespace

Writer::Writer(const std::string& path, const Header& header) : path_(path), every_(header.checkpoint_every) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw std::runtime_error(fmt::format("-record: cannot write '{}': {}", path, std::strerror(errno)));
  last_icount_ = last_checkpoint_ = header.start_icount;
  const std::vector<uint8_t> h = encode_header(header);
  if (std::fwrite(h.data(), 1, h.size(), file_) != h.size())
    throw std::runtime_error(fmt::format("-record: cannot write '{}': {}", path, std::strerror(errno)));
}

Writer::~Writer() {
  if (file_) std::fclose(file_);
}

void Writer::put_icount(uint64_t icount) {
  put_var(buf_, icount - last_icount_);
  last_icount_ = icount;
}

void Writer::event(uint64_t icount, const InputEvent& e) {
  put_lights();
  buf_.push_back(kEvent);
  put_icount(icount);
  encode_event(buf_, e);
  if (e.kind == InputEvent::Kind::Loadvm) last_icount_ = last_checkpoint_ = e.icount_after;
  if (buf_.size() >= kBlockBytes) flush();
}

void Writer::frame(uint64_t icount, uint8_t card, std::span<const uint8_t> bytes) {
  put_lights();
  buf_.push_back(kFrame);
  put_icount(icount);
  buf_.push_back(card);
  put_var(buf_, bytes.size());
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  if (buf_.size() >= kBlockBytes) flush();
}

void Writer::checkpoint(const Checkpoint& c) {
  const uint64_t implicit = (last_checkpoint_ / every_ + 1) * every_;
  const bool explicit_icount = c.icount != implicit || implicit < last_icount_;
  if (c.light) {
    if (explicit_icount) throw std::logic_error("a light check off the checkpoint grid");
    lights_.push_back(uint8_t(c.total));
    last_icount_ = last_checkpoint_ = c.icount;
    if (lights_.size() == kMaxLights) put_lights();
    return;
  }
  put_lights();
  std::vector<uint8_t> body;
  const bool same = put_check(body, c, true);
  buf_.push_back(uint8_t(kCheckpoint | (explicit_icount ? kExplicitIcount : 0) | (same ? kSameSet : 0)));
  if (explicit_icount)
    put_icount(c.icount);
  else
    last_icount_ = c.icount;
  last_checkpoint_ = c.icount;
  buf_.insert(buf_.end(), body.begin(), body.end());
  if (buf_.size() >= kBlockBytes) flush();
}

// The total, the changed set (unless `may_share` and it is the previous one's) and the hashes.
// Returns whether the set was left out.
bool Writer::put_check(std::vector<uint8_t>& out, const Checkpoint& c, bool may_share) {
  std::vector<uint32_t> set;
  for (const auto& [id, h] : c.changed) set.push_back(id);
  const bool same = may_share && have_changed_ && set == last_changed_;
  put_le(out, c.total, 4);
  if (!same) {
    put_var(out, set.size());
    for (size_t i = 0; i < set.size(); i++) put_var(out, i ? set[i] - set[i - 1] - 1 : set[i]);
  }
  for (const auto& [id, h] : c.changed) out.push_back(h);
  last_changed_ = std::move(set);
  have_changed_ = true;
  return same;
}

void Writer::put_lights() {
  if (lights_.empty()) return;
  buf_.push_back(kLights);
  put_var(buf_, lights_.size());
  buf_.insert(buf_.end(), lights_.begin(), lights_.end());
  lights_.clear();
  if (buf_.size() >= kBlockBytes) flush();
}

void Writer::finish(const Checkpoint& last, uint64_t hash) {
  put_lights();
  buf_.push_back(kEnd);
  put_icount(last.icount);
  put_le(buf_, hash, 8);
  put_check(buf_, last, false);
  flush();
  const bool ok = std::fflush(file_) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) throw std::runtime_error(fmt::format("-record: cannot write '{}': {}", path_, std::strerror(errno)));
}

void Writer::flush() {
  if (buf_.empty()) return;
  const std::vector<uint8_t> packed = compress(buf_);
  std::vector<uint8_t> head;
  put_le(head, packed.size(), 4);
  put_le(head, buf_.size(), 4);
  put_le(head, XXH3_64bits(packed.data(), packed.size()), 8);
  if (std::fwrite(head.data(), 1, head.size(), file_) != head.size() ||
      std::fwrite(packed.data(), 1, packed.size(), file_) != packed.size())
    throw std::runtime_error(fmt::format("-record: cannot write '{}': {}", path_, std::strerror(errno)));
  buf_.clear();
}

Log read_log(const std::string& path) {
  const std::vector<uint8_t> bytes = read_whole_file(path, "-replay", kMaxLogBytes, "a replay log");
  Log log;
  Cursor c{bytes.data(), bytes.data() + bytes.size(), path, "header"};
  log.header = decode_header(c);
  RecordParser parser{log, path, log.header.start_icount, log.header.start_icount, {}, false, false, true, 0};
  c.what = "block";
  std::vector<uint8_t> raw;
  while (!c.done()) {
    const uint64_t stored = c.le(4), size = c.le(4), sum = c.le(8);
    if (size == 0 || size > kMaxBlockBytes || stored > kMaxBlockBytes) bad(path, "damaged block: impossible size");
    c.need(stored);
    if (XXH3_64bits(c.p, stored) != sum) bad(path, "damaged block: checksum mismatch");
    raw.resize(size);
    const size_t n = ZSTD_decompress(raw.data(), raw.size(), c.p, stored);
    if (ZSTD_isError(n) || n != size) bad(path, "damaged block: it does not decompress");
    c.p += stored;
    Cursor r{raw.data(), raw.data() + raw.size(), path, "record"};
    parser.parse(r);
  }
  if (!parser.ended) bad(path, "truncated: the end of the run is missing");
  return log;
}

void write_log(const std::string& path, const Log& log) {
  Writer w(path, log.header);
  size_t e = 0, f = 0;
  // At one count the checkpoint comes first: it is taken before the turn's input.
  auto until = [&](auto before) {
    merge_inputs(
        log, e, f, before, [&w](const TimedEvent& t) { w.event(t.icount, t.event); },
        [&w](const TimedFrame& t) { w.frame(t.icount, t.card, t.bytes); });
  };
  for (const Checkpoint& c : log.checkpoints) {
    until([&c](uint32_t epoch, uint64_t at) { return std::pair(epoch, at) < std::pair(c.epoch, c.icount); });
    w.checkpoint(c);
  }
  until([](uint32_t, uint64_t) { return true; });
  w.finish(log.end, log.end_hash);
}

std::string dump(const Log& log) {
  const Header& h = log.header;
  std::string out = fmt::format("ghost86 replay log version {}\ncheckpoint-every {}\nstart-icount {}\nram-bytes {}\n",
                                kVersion, h.checkpoint_every, h.start_icount, h.ram_bytes);
  const std::string id(h.identity.begin(), h.identity.end());
  for (size_t at = 0; at < id.size();) {
    const size_t nl = id.find('\n', at);
    out += "identity " + id.substr(at, nl - at) + "\n";
    at = nl == std::string::npos ? id.size() : nl + 1;
  }
  for (size_t i = 0; i < h.components.size(); i++) out += fmt::format("component {} {}\n", i, h.components[i]);
  auto name = [&h](uint32_t id) {
    if (id < h.components.size()) return h.components[id];
    const uint64_t first = uint64_t(id - h.components.size()) * kRegionPages;
    return fmt::format("ram:{:#x}-{:#x}", first, first + kRegionPages - 1);
  };
  size_t e = 0, f = 0;
  auto event_line = [&out](const TimedEvent& t) {
    const InputEvent& ev = t.event;
    switch (ev.kind) {
      case InputEvent::Kind::Key: out += fmt::format("{} key {:#06x} {}\n", t.icount, ev.code, ev.down ? "down" : "up"); break;
      case InputEvent::Kind::Mouse: out += fmt::format("{} mouse {} {} buttons={:#x}\n", t.icount, ev.dx, ev.dy, ev.code); break;
      case InputEvent::Kind::Serial: out += fmt::format("{} serial {} {:#04x}\n", t.icount, ev.port, ev.code); break;
      case InputEvent::Kind::Reset: out += fmt::format("{} reset\n", t.icount); break;
      case InputEvent::Kind::PowerButton: out += fmt::format("{} power-button\n", t.icount); break;
      case InputEvent::Kind::MemoryWrite:
        out += fmt::format("{} memory-write {:#x} {:02x}\n", t.icount, ev.code, fmt::join(ev.data, ""));
        break;
      case InputEvent::Kind::RegisterWrite:
        out += fmt::format("{} register-write {} {:02x}\n", t.icount, ev.code, fmt::join(ev.data, ""));
        break;
      case InputEvent::Kind::Loadvm:
        out += fmt::format("{} loadvm {} hash={:016x} icount={}\n", t.icount,
                           std::string(ev.data.begin(), ev.data.end()), ev.hash, ev.icount_after);
        break;
    }
  };
  // A frame: its card, length, Ethernet header (destination, source, type) and a hash of it all.
  auto frame_line = [&out](const TimedFrame& t) {
    out += fmt::format("{} frame card={} len={} head=", t.icount, t.card, t.bytes.size());
    for (size_t i = 0; i < std::min<size_t>(t.bytes.size(), 14); i++) out += fmt::format("{:02x}", t.bytes[i]);
    out += fmt::format(" xxh3={:016x}\n", XXH3_64bits(t.bytes.data(), t.bytes.size()));
  };
  auto events_before = [&](uint32_t epoch, uint64_t icount, bool inclusive) {
    merge_inputs(
        log, e, f,
        [&](uint32_t ep, uint64_t at) {
          return std::pair(ep, at) < std::pair(epoch, icount) || (inclusive && ep == epoch && at == icount);
        },
        event_line, frame_line);
  };
  for (const Checkpoint& c : log.checkpoints) {
    events_before(c.epoch, c.icount, false);
    if (c.light) {
      out += fmt::format("{} check total={:02x}\n", c.icount, c.total);
      continue;
    }
    out += fmt::format("{} checkpoint total={:08x}", c.icount, c.total);
    for (const auto& [id, hash] : c.changed) out += fmt::format(" {}={:02x}", name(id), hash);
    out += "\n";
  }
  events_before(UINT32_MAX, UINT64_MAX, true);
  out += fmt::format("{} end hash={:016x} total={:08x}", log.end.icount, log.end_hash, log.end.total);
  for (const auto& [id, hash] : log.end.changed) out += fmt::format(" {}={:02x}", name(id), hash);
  out += "\n";
  return out;
}

}  // namespace machine::replay
