// The snapshot loader against random and mutated files (run under AddressSanitizer in CI): every
// file either loads or is refused with one line, and a refused load leaves the machine as it
// was. Mutations that keep the checksums valid (sections re-packed after the change) reach the
// devices' own state loaders.
#include <catch2/catch.hpp>
#include <random>

#include "machine/pc_machine.h"
#include "machine/snapshot_file.h"
#include "tests/snapshot/snapshot_util.h"

namespace {

constexpr uint64_t kSaveAt = 500'000;

machine::MachineConfig demo(uint64_t max_insns) {
  machine::MachineConfig cfg;
  cfg.ram_bytes = 16u << 20;
  cfg.max_insns = max_insns;
  return cfg;
}

// Loads `path`; a refusal must be one line starting with the option and leave the state alone.
// After a load the machine runs on a little, which must not crash either.
void try_load(machine::PcMachine& pc, const std::string& path) {
  const std::string before = pc.report_line();
  const std::string why = test::load_error(pc, path);
  if (why.empty()) {
    pc.run();
    (void)pc.screen_text();
    return;
  }
  CHECK(why.find('\n') == std::string::npos);
  CHECK(why.rfind("-loadvm: '" + path + "'", 0) == 0);
  CHECK(pc.report_line() == before);
}

void mutate(std::vector<uint8_t>& b, std::mt19937_64& rng) {
  const int kind = int(rng() % 4);
  if (kind == 0 && !b.empty()) {
    b.resize(rng() % b.size());
  } else if (kind == 1) {
    for (int i = int(rng() % 4); i >= 0; i--) b.push_back(uint8_t(rng()));
  } else if (!b.empty()) {
    for (int i = int(rng() % 8); i >= 0; i--) b[rng() % b.size()] ^= uint8_t(1u << (rng() % 8));
  }
}

// A snapshot of the demo firmware after kSaveAt instructions.
std::string saved_demo() {
  machine::PcMachine src(demo(kSaveAt), [](char) {});
  src.run();
  const std::string path = test::temp_file("good");
  src.save_snapshot(path);
  return path;
}

}  // namespace

TEST_CASE("fuzz: random and mutated snapshot files", "[machine][snapshot][fuzz]") {
  std::mt19937_64 rng(20261207);
  const std::string good_path = saved_demo();
  const std::vector<uint8_t> good = test::slurp(good_path);
  machine::PcMachine pc(demo(kSaveAt + 20'000), [](char) {});
  const std::string path = test::temp_file("fuzz");

  for (int i = 0; i < 100; i++) {  // random bytes, some behind a valid magic and version
    std::vector<uint8_t> b(rng() % 2048);
    for (uint8_t& x : b) x = uint8_t(rng());
    if (i % 2 && b.size() >= 12) std::copy(good.begin(), good.begin() + 12, b.begin());
    test::spill(path, b);
    try_load(pc, path);
  }
  for (int i = 0; i < 200; i++) {  // the good file with a few bytes changed, cut or extended
    std::vector<uint8_t> b = good;
    mutate(b, rng);
    test::spill(path, b);
    try_load(pc, path);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(good_path);
}

TEST_CASE("fuzz: mutated section contents with valid checksums", "[machine][snapshot][fuzz]") {
  std::mt19937_64 rng(7);
  const std::string good_path = saved_demo();
  machine::snap::Reader good(good_path);
  std::vector<machine::snap::Section> sections;
  for (const std::string& name : good.names())
    if (name != "ram") sections.push_back({name, good.read(name)});
  // The stored RAM pages, as the file holds them.
  const std::vector<uint8_t> file = test::slurp(good_path);
  const std::vector<uint8_t> ram(file.begin() + std::ptrdiff_t(good.ram_offset()), file.end());
  std::vector<const uint8_t*> pages;
  for (size_t at = 0; at < ram.size(); at += machine::snap::kPage) pages.push_back(ram.data() + at);

  machine::PcMachine pc(demo(kSaveAt + 20'000), [](char) {});
  const std::string path = test::temp_file("fuzz");
  for (int round = 0; round < 6; round++) {
    for (size_t s = 0; s < sections.size(); s++) {
      INFO(sections[s].name);
      std::vector<machine::snap::Section> changed = sections;
      mutate(changed[s].data, rng);
      machine::snap::write_file(path, changed, pages);
      try_load(pc, path);
    }
  }
  // A device section one byte short: refused by name, and every part that had already loaded
  // goes back.
  for (size_t s = 0; s < sections.size(); s++) {
    if (sections[s].name != "pit") continue;
    std::vector<machine::snap::Section> changed = sections;
    changed[s].data.pop_back();
    machine::snap::write_file(path, changed, pages);
    machine::PcMachine fresh(demo(kSaveAt), [](char) {});
    const std::string before = fresh.report_line();
    CHECK(test::load_error(fresh, path) ==
          "-loadvm: '" + path + "': section 'pit': device state is truncated");
    CHECK(fresh.report_line() == before);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(good_path);
}
