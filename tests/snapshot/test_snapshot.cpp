// Snapshots in process: a run continued from a snapshot ends as the uninterrupted run does, and
// damaged or mismatched files are refused with one line naming the file and the section, the
// machine left exactly as it was.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "machine/pc_machine.h"
#include "tests/snapshot/snapshot_util.h"

namespace {

constexpr uint64_t kSaveAt = 1'000'000, kEnd = 3'000'000;

// The built-in demo firmware: real mode, then protected mode, computing primes.
machine::MachineConfig demo(uint64_t max_insns, uint64_t ram_mb = 32) {
  machine::MachineConfig cfg;
  cfg.ram_bytes = ram_mb << 20;
  cfg.max_insns = max_insns;
  return cfg;
}

// A snapshot of the demo after kSaveAt instructions, and the report line at that point.
std::pair<std::string, std::string> demo_snapshot(uint64_t ram_mb = 32) {
  machine::PcMachine pc(demo(kSaveAt, ram_mb), [](char) {});
  pc.run();
  const std::string path = test::temp_file("demo");
  pc.save_snapshot(path);
  return {path, pc.report_line()};
}

}  // namespace

TEST_CASE("a snapshot holds the whole state and the run continues as if never stopped",
          "[machine][snapshot]") {
  machine::PcMachine whole(demo(kEnd), [](char) {});
  whole.run();
  const auto [path, at_save] = demo_snapshot();

  machine::PcMachine pc(demo(kEnd), [](char) {});
  CHECK(pc.report_line() != at_save);
  REQUIRE(test::load_error(pc, path) == "");
  CHECK(pc.report_line() == at_save);
  pc.run();
  CHECK(pc.report_line() == whole.report_line());
  std::filesystem::remove(path);
}

TEST_CASE("a snapshot by --savevm-at is taken at exactly that instruction count",
          "[machine][snapshot]") {
  machine::MachineConfig cfg = demo(kEnd);
  const std::string path = test::temp_file("at");
  cfg.savevm_at.push_back({kSaveAt, path});
  machine::PcMachine pc(cfg, [](char) {});
  pc.run();
  const auto [reference, at_save] = demo_snapshot();
  machine::PcMachine loaded(demo(kEnd), [](char) {});
  REQUIRE(test::load_error(loaded, path) == "");
  CHECK(loaded.report_line() == at_save);
  CHECK(loaded.cpu().s.icount == kSaveAt);
  std::filesystem::remove(path);
  std::filesystem::remove(reference);
}

TEST_CASE("zero pages are not stored and RAM pages sit page-aligned at the end",
          "[machine][snapshot]") {
  const auto [path, at_save] = demo_snapshot(64);
  const std::vector<uint8_t> file = test::slurp(path);
  const auto table = test::table_of(file);
  REQUIRE(table.back().name == "ram");
  CHECK(table.back().offset % 4096 == 0);
  CHECK(table.back().offset + table.back().stored == file.size());
  // The demo touches far less than its 64 MiB.
  CHECK(table.back().stored < (4u << 20));
  CHECK(file.size() < (5u << 20));
  std::filesystem::remove(path);
}

TEST_CASE("damaged snapshots are refused with one line naming the file and the section",
          "[machine][snapshot]") {
  const auto [path, at_save] = demo_snapshot();
  const std::vector<uint8_t> good = test::slurp(path);
  const auto table = test::table_of(good);
  machine::PcMachine pc(demo(kEnd), [](char) {});
  const std::string before = pc.report_line();
  const std::string bad = test::temp_file("bad");
  auto refused = [&](const std::vector<uint8_t>& bytes) {
    test::spill(bad, bytes);
    const std::string why = test::load_error(pc, bad);
    CHECK(pc.report_line() == before);  // never half-loaded
    return why;
  };
  const std::string prefix = fmt::format("-loadvm: '{}': section ", bad);

  SECTION("truncated") {
    std::vector<uint8_t> cut(good.begin(), good.end() - 1);
    CHECK(refused(cut) ==
          prefix + fmt::format("'ram': truncated: the file ends at byte {}, the section at {}",
                               good.size() - 1, good.size()));
    cut.resize(10);
    CHECK(refused(cut) == prefix + "'header': truncated: the file has 10 bytes, a header 24");
    cut.assign(good.begin(), good.begin() + 100);
    CHECK(refused(cut) ==
          prefix + fmt::format(
                       "'header': truncated: the file has 100 bytes, the section table ends at {}",
                       24 + 56 * table.size()));
    cut.clear();
    CHECK(refused(cut) == prefix + "'header': truncated: the file has 0 bytes, a header 24");
  }
  SECTION("one flipped bit in each section") {
    for (const test::TableEntry& e : table) {
      INFO(e.name);
      REQUIRE(e.stored > 0);
      std::vector<uint8_t> flipped = good;
      flipped[e.offset + e.stored / 2] ^= 0x08;
      CHECK(refused(flipped) == prefix + fmt::format("'{}': checksum mismatch", e.name));
    }
    for (size_t at : {size_t(3), size_t(13), size_t(20), size_t(24 + 5), size_t(24 + 56 + 30)}) {
      std::vector<uint8_t> flipped = good;
      flipped[at] ^= 0x01;
      const std::string why = refused(flipped);
      CHECK(why.rfind(prefix + "'header': ", 0) == 0);
    }
  }
  SECTION("another version") {
    std::vector<uint8_t> v2 = good;
    v2[8] = 2;
    CHECK(refused(v2) == prefix + "'header': version 2, this ghost86 reads version 1");
  }
  SECTION("not a snapshot") {
    const std::string text = "#!/bin/sh\necho not a snapshot\n";
    CHECK(refused({text.begin(), text.end()}) == prefix + "'header': not a ghost86 snapshot");
  }
  SECTION("trailing bytes") {
    std::vector<uint8_t> longer = good;
    longer.push_back(0);
    CHECK(refused(longer) == prefix + "'ram': 1 bytes follow the last section");
  }
  std::filesystem::remove(path);
  std::filesystem::remove(bad);
}

TEST_CASE("a snapshot of another machine is refused", "[machine][snapshot]") {
  const auto [path, at_save] = demo_snapshot(32);
  machine::PcMachine small(demo(kEnd, 16), [](char) {});
  const std::string before = small.report_line();
  CHECK(
      test::load_error(small, path) ==
      fmt::format("-loadvm: '{}': section 'config': ram is '32 MiB' in the snapshot, '16 MiB' here",
                  path));
  CHECK(small.report_line() == before);

  machine::MachineConfig other = demo(kEnd);
  other.cpu_model = "pentium";
  machine::PcMachine p5(other, [](char) {});
  CHECK(test::load_error(p5, path) ==
        fmt::format(
            "-loadvm: '{}': section 'config': cpu is 'default' in the snapshot, 'pentium' here",
            path));
  std::filesystem::remove(path);
}

TEST_CASE("a missing snapshot file is refused with one line", "[machine][snapshot]") {
  machine::PcMachine pc(demo(kEnd), [](char) {});
  CHECK(test::load_error(pc, "/nonexistent/x.snap") ==
        "-loadvm: '/nonexistent/x.snap': section 'header': cannot open: No such file or directory");
}

TEST_CASE("every state part loads back what it saved", "[machine][snapshot]") {
  for (uint64_t at : {uint64_t(0), kSaveAt}) {
    machine::PcMachine pc(demo(at), [](char) {});
    if (at) pc.run();
    const std::string before = pc.report_line();
    for (const machine::PcBoard::StatePart& p : pc.state_parts()) {
      INFO(p.name << " at " << at);
      devices::StateWriter first;
      p.io(first);
      devices::StateReader r(first.out);
      p.io(r);
      CHECK(r.at_end());
      devices::StateWriter again;
      p.io(again);
      CHECK(again.out == first.out);
      CHECK(pc.report_line() == before);
    }
  }
}
