// Record and replay (machine/record_replay.h, machine/replay_log.h): the log format round trip,
// refusal of damaged logs (every prefix, every flipped bit, random mutations; run under ASan in
// CI), and a FreeDOS session typed with script steps, recorded and replayed on each engine,
// with one input event altered and the divergence named at the first checkpoint after it.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <filesystem>
#include <random>
#include <xxhash.h>
#include <zstd.h>

#include "frontend/cli.h"
#include "frontend/features.h"
#include "machine/pc_machine.h"
#include "machine/replay_log.h"
#include "tests/snapshot/snapshot_util.h"

namespace {

using machine::InputEvent;
namespace replay = machine::replay;

replay::Log sample_log() {
  replay::Log log;
  log.header.checkpoint_every = 1000;
  log.header.start_icount = 500;
  log.header.ram_bytes = 2u << 20;  // two RAM regions: components 3 and 4
  log.header.identity = {'r', 'a', 'm', '=', '2', '\n'};
  log.header.components = {"cpu", "pic", "clock"};
  InputEvent key{InputEvent::Kind::Key, 0x1c, true};
  InputEvent mouse{InputEvent::Kind::Mouse, 5, false, 0, -300, 7};
  InputEvent serial{InputEvent::Kind::Serial, 'x'};
  serial.port = 1;
  log.events = {{700, key}, {1000, serial}, {1000, mouse}, {1999, {InputEvent::Kind::Reset}},
                {2600, {InputEvent::Kind::PowerButton}}};
  // Frames: one at an event's count (after it), one on a checkpoint's, on two cards.
  std::vector<uint8_t> arp(42, 0xff);
  for (size_t i = 6; i < arp.size(); i++) arp[i] = uint8_t(i * 7);
  log.frames = {{650, 0, arp}, {1000, 1, {0x52, 0x54, 0x00}}, {2000, 0, std::vector<uint8_t>(130, 0x5a)}};
  log.checkpoints = {{1000, 0x12345678, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}},
                     {2000, 0x9abcdef0, {{0, 6}, {4, 7}}},
                     {3000, 0x0badf00d, {{0, 8}, {4, 9}}},  // the same set as before
                     {3500, 0x1, {{2, 0xff}}}};            // off the N grid
  log.end = {3600, 0x2, {{0, 0x10}}};
  log.end_hash = 0x0123456789abcdefull;
  return log;
}

void check_equal(const replay::Log& a, const replay::Log& b) {
  CHECK(a.header.checkpoint_every == b.header.checkpoint_every);
  CHECK(a.header.start_icount == b.header.start_icount);
  CHECK(a.header.ram_bytes == b.header.ram_bytes);
  CHECK(a.header.identity == b.header.identity);
  CHECK(a.header.components == b.header.components);
  REQUIRE(a.events.size() == b.events.size());
  for (size_t i = 0; i < a.events.size(); i++) {
    CHECK(a.events[i].icount == b.events[i].icount);
    CHECK(a.events[i].event == b.events[i].event);
  }
  CHECK(a.frames == b.frames);
  REQUIRE(a.checkpoints.size() == b.checkpoints.size());
  for (size_t i = 0; i < a.checkpoints.size(); i++) {
    CHECK(a.checkpoints[i].icount == b.checkpoints[i].icount);
    CHECK(a.checkpoints[i].total == b.checkpoints[i].total);
    CHECK(a.checkpoints[i].changed == b.checkpoints[i].changed);
  }
  CHECK(a.end.icount == b.end.icount);
  CHECK(a.end.total == b.end.total);
  CHECK(a.end.changed == b.end.changed);
  CHECK(a.end_hash == b.end_hash);
}

// A refusal: one line naming the option and the file.
std::string refusal(const std::string& path) {
  try {
    (void)replay::read_log(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

void check_refused(const std::string& path) {
  const std::string why = refusal(path);
  CHECK(why.rfind("-replay: '" + path + "': ", 0) == 0);
  CHECK(why.find('\n') == std::string::npos);
}

// The size of the sample log's header (layout in machine/README.md).
size_t header_bytes(const replay::Log& log) {
  size_t header = 8 + 4 + 4 + 8 + 8 + 8 + 4 + log.header.identity.size() + 4 + 8;
  for (const std::string& c : log.header.components) header += 1 + c.size();
  return header;
}

// A log file: the header of `file` (the sample log), then one block of the records `raw`,
// compressed and summed as a writer does.
std::vector<uint8_t> with_records(const std::vector<uint8_t>& file, size_t header, const std::vector<uint8_t>& raw) {
  std::vector<uint8_t> packed(ZSTD_compressBound(raw.size()));
  packed.resize(ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), 1));
  std::vector<uint8_t> out(file.begin(), file.begin() + ptrdiff_t(header));
  for (unsigned i = 0; i < 4; i++) out.push_back(uint8_t(packed.size() >> (8 * i)));
  for (unsigned i = 0; i < 4; i++) out.push_back(uint8_t(raw.size() >> (8 * i)));
  const uint64_t sum = XXH3_64bits(packed.data(), packed.size());
  for (unsigned i = 0; i < 8; i++) out.push_back(uint8_t(sum >> (8 * i)));
  out.insert(out.end(), packed.begin(), packed.end());
  return out;
}

std::string freedos_image() { return std::string(GHOST86_TESTDATA_DIR) + "/freedos/freedos-boot-1.44M.img"; }

machine::MachineConfig config(const std::vector<std::string>& args) {
  frontend::CliResult r = frontend::parse_command_line(args, frontend::host_features());
  REQUIRE(r.action == frontend::CliResult::Action::Run);
  return r.config;
}

std::vector<std::string> freedos_args(const std::string& accel) {
  return {"-bios", machine::kSeabiosPath, "-fda", freedos_image(), "-snapshot", "-boot", "a", "-accel", accel, "--timeout", "30"};
}

struct Outcome {
  machine::RunResult result;
  std::string report;
  std::vector<std::string> screen;
};

Outcome run(const machine::MachineConfig& cfg) {
  machine::PcMachine pc(cfg, [](char) {});
  Outcome o{pc.run(), "", {}};
  o.report = pc.report_line();
  o.screen = pc.screen_text();
  return o;
}

std::vector<std::string> accels() {
#if defined(__x86_64__)
  return {"interp", "jit"};
#else
  return {"interp"};
#endif
}

}  // namespace

TEST_CASE("replay log: what is written reads back the same", "[machine][replay]") {
  const std::string path = test::temp_file("rr-roundtrip");
  const replay::Log log = sample_log();
  replay::write_log(path, log);
  check_equal(replay::read_log(path), log);
  std::filesystem::remove(path);
}

TEST_CASE("replay log: a debugger's writes and a snapshot loaded read back, counts going on from the snapshot's",
          "[machine][replay]") {
  replay::Log log = sample_log();
  InputEvent mem{InputEvent::Kind::MemoryWrite, 0x1004};
  mem.data = {0xe8, 0x03, 0, 0};
  InputEvent reg{InputEvent::Kind::RegisterWrite, 1};
  reg.data = {0x36, 0x0d, 0x03, 0};
  InputEvent load{InputEvent::Kind::Loadvm};
  load.data = {'a', '.', 's', 'n', 'a', 'p'};
  load.hash = 0xfedcba9876543210ull;
  load.icount_after = 1200;  // back before checkpoints already written
  // Events of the second epoch (after the load) at counts the first epoch passed already.
  log.events.push_back({3550, mem});
  log.events.push_back({3550, reg});
  log.events.push_back({3560, load});
  log.events.push_back({1300, {InputEvent::Kind::PowerButton}, 1});
  // Light checks (8 bits of the total, on the grid), one run of two, then a full one.
  log.checkpoints.push_back({2000, 0x3, {}, 1, true});
  log.checkpoints.push_back({3000, 0xfe, {}, 1, true});
  log.checkpoints.push_back({4000, 0x12345, {{0, 0x11}}, 1});
  log.end = {4100, 0x2, {{0, 0x10}}, 1};
  const std::string path = test::temp_file("rr-writes");
  replay::write_log(path, log);
  const replay::Log back = replay::read_log(path);
  check_equal(back, log);
  for (size_t i = 0; i < log.events.size(); i++) CHECK(back.events[i].epoch == log.events[i].epoch);
  for (size_t i = 0; i < log.checkpoints.size(); i++) {
    CHECK(back.checkpoints[i].epoch == log.checkpoints[i].epoch);
    CHECK(back.checkpoints[i].light == log.checkpoints[i].light);
  }
  CHECK(back.end.epoch == 1);
  const std::string text = replay::dump(back);
  CHECK(text.find("3550 memory-write 0x1004 e8030000\n3550 register-write 1 360d0300\n"
                  "3560 loadvm a.snap hash=fedcba9876543210 icount=1200\n1300 power-button\n"
                  "2000 check total=03\n3000 check total=fe\n4000 checkpoint total=00012345 cpu=11\n") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("replay log: every prefix, every flipped bit and another version are refused", "[machine][replay]") {
  const std::string good = test::temp_file("rr-good"), bad = test::temp_file("rr-bad");
  replay::write_log(good, sample_log());
  const std::vector<uint8_t> bytes = test::slurp(good);
  for (size_t n = 0; n < bytes.size(); n++) {
    test::spill(bad, {bytes.begin(), bytes.begin() + ptrdiff_t(n)});
    check_refused(bad);
  }
  for (size_t i = 0; i < bytes.size(); i++) {
    for (unsigned bit = 0; bit < 8; bit++) {
      std::vector<uint8_t> b = bytes;
      b[i] ^= uint8_t(1u << bit);
      test::spill(bad, b);
      check_refused(bad);
    }
  }
  std::vector<uint8_t> b = bytes;
  b[8] = 4;  // the version field follows the 8-byte magic
  test::spill(bad, b);
  CHECK(refusal(bad) == "-replay: '" + bad + "': replay log version 4 (this ghost86 reads versions 1 to 3)");
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
}

// Version 1 is version 2 without frame records: such a log still reads (its header re-summed).
TEST_CASE("replay log: a version 1 log is read", "[machine][replay]") {
  const std::string path = test::temp_file("rr-v1");
  replay::Log log = sample_log();
  log.frames.clear();
  replay::write_log(path, log);
  std::vector<uint8_t> b = test::slurp(path);
  b[8] = 1;
  const size_t sum_at = header_bytes(log) - 8;
  const uint64_t sum = XXH3_64bits(b.data(), sum_at);
  for (unsigned i = 0; i < 8; i++) b[sum_at + i] = uint8_t(sum >> (8 * i));
  test::spill(path, b);
  check_equal(replay::read_log(path), log);
  std::filesystem::remove(path);
}

TEST_CASE("fuzz: random and mutated replay logs are read or refused with one line", "[machine][replay][fuzz]") {
  const std::string good = test::temp_file("rr-fuzz-good"), bad = test::temp_file("rr-fuzz");
  replay::write_log(good, sample_log());
  const std::vector<uint8_t> bytes = test::slurp(good);
  std::mt19937_64 rng(11);
  for (int round = 0; round < 3000; round++) {
    std::vector<uint8_t> b = round % 10 == 0 ? std::vector<uint8_t>(rng() % 300) : bytes;
    if (round % 10 == 0)
      for (uint8_t& x : b) x = uint8_t(rng());
    for (int i = int(rng() % 6); i >= 0 && !b.empty(); i--) {
      switch (rng() % 3) {
        case 0: b[rng() % b.size()] ^= uint8_t(1u << (rng() % 8)); break;
        case 1: b.resize(rng() % b.size()); break;
        default: b.insert(b.begin() + ptrdiff_t(rng() % b.size()), uint8_t(rng())); break;
      }
    }
    test::spill(bad, b);
    const std::string why = refusal(bad);
    if (!why.empty()) {
      CHECK(why.rfind("-replay: '" + bad + "': ", 0) == 0);
      CHECK(why.find('\n') == std::string::npos);
    }
  }
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
}

// Records past the checksums: the sample log's header, then one block of random or mutated
// record bytes, compressed and summed as a writer would (layout in machine/README.md).
TEST_CASE("fuzz: mutated records with valid checksums are read or refused with one line", "[machine][replay][fuzz]") {
  const std::string good = test::temp_file("rr-fuzz-rec-good"), bad = test::temp_file("rr-fuzz-rec");
  const replay::Log log = sample_log();
  replay::write_log(good, log);
  const std::vector<uint8_t> bytes = test::slurp(good);
  const size_t header = header_bytes(log);
  const size_t stored = size_t(test::le(bytes, header, 4)), raw_size = size_t(test::le(bytes, header + 4, 4));
  std::vector<uint8_t> raw(raw_size);
  REQUIRE(ZSTD_decompress(raw.data(), raw.size(), bytes.data() + header + 16, stored) == raw_size);
  std::mt19937_64 rng(12);
  for (int round = 0; round < 3000; round++) {
    std::vector<uint8_t> r = raw;
    if (round % 5 == 0) {
      r.resize(1 + rng() % 64);
      for (uint8_t& x : r) x = uint8_t(rng());
    }
    for (int i = int(rng() % 4); i >= 0 && !r.empty(); i--) r[rng() % r.size()] = uint8_t(rng());
    const std::vector<uint8_t> file = with_records(bytes, header, r);
    test::spill(bad, file);
    const std::string why = refusal(bad);
    if (!why.empty()) {
      CHECK(why.rfind("-replay: '" + bad + "': ", 0) == 0);
      CHECK(why.find('\n') == std::string::npos);
    } else {
      (void)replay::dump(replay::read_log(bad));
    }
  }
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
}

// Frame records (04: count delta, card, length, bytes): cut short, empty, over the limit, or the
// last record of a log that lacks its end: refused with one line each.
TEST_CASE("replay log: damaged frame records are refused", "[machine][replay]") {
  const std::string good = test::temp_file("rr-frame-good"), bad = test::temp_file("rr-frame-bad");
  const replay::Log log = sample_log();
  replay::write_log(good, log);
  const std::vector<uint8_t> bytes = test::slurp(good);
  auto refused_with = [&](const std::vector<uint8_t>& raw) {
    test::spill(bad, with_records(bytes, header_bytes(log), raw));
    return refusal(bad);
  };
  const std::string start = "-replay: '" + bad + "': ";
  std::vector<uint8_t> frame(4 + 60, 0xab);  // a frame record announcing 60 bytes
  frame[0] = 4, frame[1] = 5, frame[2] = 0, frame[3] = 60;
  CHECK(refused_with(frame) == start + "truncated: the end of the run is missing");
  frame.resize(frame.size() - 1);
  CHECK(refused_with(frame) == start + "truncated record");
  CHECK(refused_with({4, 5, 0, 0}) == start + "damaged record: a network frame of 0 bytes");
  CHECK(refused_with({4, 5, 0, 0x80, 0x80, 0x04}) == start + "damaged record: a network frame of 65536 bytes");
  CHECK(refused_with({0x14, 5, 0, 1, 0}) == start + "damaged record: unknown record type 0x14");
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
}

TEST_CASE("record and replay: a typed FreeDOS session replays to the same screen and hash on each engine, "
          "an altered key diverges at the next checkpoint",
          "[machine][replay][freedos]") {
  if (!std::filesystem::exists(freedos_image()) || !std::filesystem::exists(machine::kSeabiosPath)) {
    WARN("FreeDOS image or SeaBIOS not found: skipped");
    return;
  }
  constexpr uint64_t kEvery = 2'000'000;
  const std::string log_path = test::temp_file("rr-freedos"), altered = test::temp_file("rr-altered");
  for (const std::string& rec_accel : accels()) {
    std::vector<std::string> args = freedos_args(rec_accel);
    for (const char* a : {"--step", "screen:A:.>", "--step", "type:ver\\n", "--step", "screen:FreeCom version",
                          "--step", "type:dir\\n", "--until-screen", "bytes free", "-record"})
      args.push_back(a);
    args.insert(args.end(), {log_path, "--record-every", std::to_string(kEvery)});
    const Outcome recorded = run(config(args));
    REQUIRE(recorded.result.kind == machine::RunResult::Kind::Matched);
    const replay::Log log = replay::read_log(log_path);
    REQUIRE(log.events.size() >= 16);  // "ver", "dir" and Enter twice, each pressed and released
    CHECK(log.end.icount == std::stoull(recorded.report.substr(7)));

    for (const std::string& accel : accels()) {
      INFO("recorded on " << rec_accel << ", replayed on " << accel);
      std::vector<std::string> rargs = freedos_args(accel);
      rargs.insert(rargs.end(), {"-replay", log_path});
      const Outcome replayed = run(config(rargs));
      CHECK(replayed.result.kind == machine::RunResult::Kind::Stopped);
      CHECK(replayed.report == recorded.report);
      CHECK(replayed.screen == recorded.screen);

      // The first key press, made another key: the keyboard's state differs from then on, so
      // the first checkpoint after it (checks are taken before the input of their count).
      replay::Log edited = log;
      replay::TimedEvent& first = edited.events.front();
      REQUIRE(first.event.kind == InputEvent::Kind::Key);
      first.event.code = first.event.code == 0x1c ? 0x32 : 0x1c;  // 'a' or 'b'
      for (replay::TimedEvent& t : edited.events)
        if (t.event.kind == InputEvent::Kind::Key && t.event.code == log.events.front().event.code) t.event.code = first.event.code;
      replay::write_log(altered, edited);
      const uint64_t expected = (first.icount / kEvery + 1) * kEvery;
      REQUIRE(expected < log.end.icount);
      rargs.back() = altered;
      const Outcome diverged = run(config(rargs));
      CHECK(diverged.result.kind == machine::RunResult::Kind::Diverged);
      CHECK(machine::exit_status(diverged.result) == 1);
      CHECK(diverged.result.message.rfind(fmt::format("replay diverged at icount={} CS:EIP=", expected), 0) == 0);
      CHECK(diverged.result.message.find(fmt::format("checkpoint at instruction {}: ", expected)) != std::string::npos);
      CHECK(diverged.result.message.find("ps2-keyboard") != std::string::npos);
    }
  }
  std::filesystem::remove(log_path);
  std::filesystem::remove(altered);
}

// The built-in firmware runs 1.4 million instructions to a halt: with a check every 2000, light
// checks between full ones. A light check's byte changed: the replay stops at its count (the
// state is as recorded, so the next full check matches). That byte and the next full check's
// cpu byte and total changed: the divergence is reported at the light check's count and named at
// the full check.
TEST_CASE("record and replay: a divergence seen at a light check is reported at its count, named at the next full check",
          "[machine][replay]") {
  const std::string log_path = test::temp_file("rr-light"), altered = test::temp_file("rr-light-altered");
  const std::vector<std::string> args = {"-bios", "demo", "-display", "none"};
  std::vector<std::string> rec = args;
  rec.insert(rec.end(), {"-record", log_path, "--record-every", "2000"});
  const Outcome recorded = run(config(rec));
  const replay::Log log = replay::read_log(log_path);
  size_t light = 0;
  for (const replay::Checkpoint& c : log.checkpoints) light += c.light;
  CHECK(light > log.checkpoints.size() / 2);
  // A light check in the middle, and the full one after it.
  size_t k = log.checkpoints.size() / 2;
  while (k < log.checkpoints.size() && !log.checkpoints[k].light) k++;
  size_t full = k;
  while (full < log.checkpoints.size() && log.checkpoints[full].light) full++;
  REQUIRE(full < log.checkpoints.size());
  REQUIRE(!log.checkpoints[full].changed.empty());
  REQUIRE(log.checkpoints[full].changed.front().first == 0);  // the cpu
  std::vector<std::string> rep = args;
  rep.insert(rep.end(), {"-replay", altered});

  replay::Log edited = log;
  edited.checkpoints[k].total ^= 1;
  replay::write_log(altered, edited);
  Outcome diverged = run(config(rep));
  CHECK(diverged.result.kind == machine::RunResult::Kind::Diverged);
  CHECK(diverged.result.message.rfind(fmt::format("replay diverged at icount={} CS:EIP=", log.checkpoints[k].icount), 0) == 0);
  CHECK(diverged.result.message.find(fmt::format("checkpoint at instruction {}: its light check differs (the full check at "
                                                 "instruction {} matches again)",
                                                 log.checkpoints[k].icount, log.checkpoints[full].icount)) != std::string::npos);

  edited.checkpoints[full].total ^= 1;
  edited.checkpoints[full].changed.front().second ^= 1;
  replay::write_log(altered, edited);
  diverged = run(config(rep));
  CHECK(diverged.result.kind == machine::RunResult::Kind::Diverged);
  CHECK(diverged.result.message.rfind(fmt::format("replay diverged at icount={} CS:EIP=", log.checkpoints[k].icount), 0) == 0);
  CHECK(diverged.result.message.find(fmt::format("checkpoint at instruction {}: cpu differs (named at the full check at "
                                                 "instruction {})",
                                                 log.checkpoints[k].icount, log.checkpoints[full].icount)) != std::string::npos);
  (void)recorded;
  std::filesystem::remove(log_path);
  std::filesystem::remove(altered);
}

TEST_CASE("record and replay: a log is refused by another machine", "[machine][replay]") {
  const std::string path = test::temp_file("rr-demo");
  machine::MachineConfig cfg;
  cfg.ram_bytes = 16u << 20;
  cfg.max_insns = 3'000'000;
  cfg.record = path;
  cfg.record_every = 1'000'000;
  const Outcome recorded = run(cfg);
  cfg.record.clear();
  cfg.replay = path;
  CHECK(run(cfg).report == recorded.report);
  cfg.ram_bytes = 32u << 20;
  machine::PcMachine other(cfg, [](char) {});
  try {
    other.run();
    FAIL("a log of a 16 MiB machine replayed on a 32 MiB one");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "-replay: '" + path + "': another machine: ram is '16 MiB' in the log, '32 MiB' here");
  }
  std::filesystem::remove(path);
}

TEST_CASE("record and replay: the options", "[machine][replay][cli]") {
  const std::string path = test::temp_file("rr-cli");
  test::spill(path, {1, 2, 3});
  const frontend::Features f = frontend::host_features();
  auto refused = [&f](const std::vector<std::string>& args, const std::string& start) {
    const frontend::CliResult r = frontend::parse_command_line(args, f);
    INFO("message: " << r.message);
    CHECK(r.action == frontend::CliResult::Action::Exit);
    CHECK(r.exit_code == 1);
    CHECK(r.message.find('\n') == std::string::npos);
    CHECK(r.message.rfind(start, 0) == 0);
  };
  refused({"-record", path, "-replay", path}, "ghost86: -replay: cannot be combined with -record");
  refused({"--record-every", "5"}, "ghost86: --record-every: needs -record");
  refused({"-record", path, "--record-every", "0"}, "ghost86: --record-every: invalid count '0'");
  refused({"-replay", path + ".absent"}, "ghost86: -replay: ");
  const frontend::CliResult ok = frontend::parse_command_line({"-record", path, "--record-every", "5000"}, f);
  REQUIRE(ok.action == frontend::CliResult::Action::Run);
  CHECK(ok.config.record == path);
  CHECK(ok.config.record_every == 5000);
  CHECK(frontend::parse_command_line({"-record", path}, f).config.record_every == 100'000'000);
  std::filesystem::remove(path);
}
