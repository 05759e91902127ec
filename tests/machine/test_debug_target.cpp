// DebugTarget (machine/debug_target.h) on a machine running a program of known behaviour:
// watchpoint stops, reverse execution across many history snapshots, and the history budget.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "machine/debug_target.h"
#include "machine/pc_machine.h"

namespace {

using Stop = machine::DebugTarget::Stop;

// A 64 KiB firmware: the reset vector jumps to F000:0000, where
//   xor ax, ax / mov ds, ax
//   loop: inc cx / test cl, 3Fh / jnz loop / mov [500h], cx / jmp loop
// so the word at 500h is written every 64 passes, with CX = 64 k. Counting the far jump as
// instruction 1, the k-th store ends at instruction 3 + 3 * 63 + 4 + 194 * (k - 1) =
// 196 + 194 (k - 1) (each pass is 3 instructions, one with the store and the jump back 5).
std::string write_program() {
  std::vector<uint8_t> rom(0x10000, 0xf4);
  const std::vector<uint8_t> code = {0x31, 0xc0, 0x8e, 0xd8,              // xor ax,ax; mov ds,ax
                                     0x41, 0xf6, 0xc1, 0x3f, 0x75, 0xfa,  // inc cx; test cl,3f; jnz
                                     0x89, 0x0e, 0x00, 0x05, 0xeb, 0xf4};  // mov [500],cx; jmp loop
  std::copy(code.begin(), code.end(), rom.begin());
  const std::vector<uint8_t> reset = {0xea, 0x00, 0x00, 0x00, 0xf0};  // jmp F000:0000
  std::copy(reset.begin(), reset.end(), rom.begin() + 0xfff0);
  const auto path = std::filesystem::temp_directory_path() /
                    ("ghost86-debug-target-" + std::to_string(::getpid()) + ".bin");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(rom.data()), std::streamsize(rom.size()));
  return path.string();
}

constexpr uint64_t store_icount(uint64_t k) { return 196 + 194 * (k - 1); }

// Runs the machine; at every stop `script` is called with it and the stop, until it ends the run.
void debug_run(machine::PcMachine& pc, const std::function<void(const Stop&)>& script) {
  machine::PcMachine::HostHooks hooks;
  hooks.paused = [&] {
    if (std::optional<Stop> stop = pc.debug().take_stop()) script(*stop);
  };
  pc.set_host_hooks(std::move(hooks));
  pc.run();
}

machine::MachineConfig config(const std::string& rom) {
  machine::MachineConfig cfg;
  cfg.bios_path = rom;
  cfg.ram_bytes = 2u << 20;
  cfg.accel =
      std::getenv("GHOST86_TEST_ACCEL") && std::string(std::getenv("GHOST86_TEST_ACCEL")) == "jit"
          ? machine::Accel::Jit
          : machine::Accel::Interp;
  return cfg;
}

}  // namespace

TEST_CASE("debug target: reverse-continue across history snapshots", "[machine][debug][engine]") {
  const std::string rom = write_program();
  machine::PcMachine pc(config(rom), [](char) {});
  machine::DebugTarget& debug = pc.debug();
  debug.set_history(true, 10);  // a snapshot every 10 instructions: stores are 194 apart
  REQUIRE(debug.set_watchpoint(0x500, 2, false, true, true));
  std::vector<std::pair<uint64_t, uint32_t>> stops;  // icount, CX
  std::vector<Stop::Kind> kinds;
  int step = 0;
  debug_run(pc, [&](const Stop& stop) {
    stops.push_back({pc.cpu().s.icount, pc.cpu().s.regs[cpu::ECX] & 0xffff});
    kinds.push_back(stop.kind);
    switch (step++) {
      case 0:
      case 1: debug.resume(false); break;  // to the second and third stores
      case 2:
      case 3:
      case 4: CHECK(debug.reverse(false).empty()); break;  // back: second, first store, start
      case 5: debug.resume(false); break;                  // forward again: the first store
      default: pc.request_stop("done");
    }
  });
  std::filesystem::remove(rom);
  REQUIRE(stops.size() == 7);
  const std::vector<std::pair<uint64_t, uint32_t>> expected = {
      {store_icount(1), 64},  {store_icount(2), 128}, {store_icount(3), 192},
      {store_icount(2), 128}, {store_icount(1), 64},  {0, 0},
      {store_icount(1), 64}};
  CHECK(stops == expected);
  CHECK(kinds[3] == Stop::Kind::Watch);
  CHECK(kinds[4] == Stop::Kind::Watch);
  CHECK(kinds[5] == Stop::Kind::HistoryBegin);
  CHECK(debug.history_snapshots() > 1);
}

TEST_CASE("debug target: the history budget drops the oldest snapshots",
          "[machine][debug][engine]") {
  const std::string rom = write_program();
  machine::PcMachine pc(config(rom), [](char) {});
  machine::DebugTarget& debug = pc.debug();
  debug.set_history(true, 10, 1);  // room for one snapshot only: the latest is kept
  REQUIRE(debug.set_watchpoint(0x500, 2, false, true, true));
  std::vector<uint64_t> at;
  std::vector<Stop::Kind> kinds;
  debug_run(pc, [&](const Stop& stop) {
    at.push_back(pc.cpu().s.icount);
    kinds.push_back(stop.kind);
    if (at.size() == 1) {
      CHECK(debug.history_snapshots() == 1);
      CHECK(debug.reverse(false).empty());
    } else {
      pc.request_stop("done");
    }
  });
  std::filesystem::remove(rom);
  // The only snapshot left is the one at the last multiple of 10 before the store; no hit
  // lies between them.
  REQUIRE(at.size() == 2);
  CHECK(at[0] == store_icount(1));
  CHECK(at[1] == store_icount(1) / 10 * 10);
  CHECK(kinds[1] == Stop::Kind::HistoryBegin);
}

TEST_CASE("debug target: a step that hits a watchpoint stops as the watchpoint",
          "[machine][debug][engine]") {
  const std::string rom = write_program();
  machine::PcMachine pc(config(rom), [](char) {});
  machine::DebugTarget& debug = pc.debug();
  REQUIRE(debug.set_watchpoint(0x500, 2, false, true, true));
  std::vector<std::pair<uint64_t, Stop::Kind>> watches, at_second_store;
  debug_run(pc, [&](const Stop& stop) {
    if (pc.cpu().s.icount == store_icount(2))
      at_second_store.push_back({pc.cpu().s.icount, stop.kind});
    if (stop.kind != Stop::Kind::Step) watches.push_back({pc.cpu().s.icount, stop.kind});
    if (watches.size() == 3) return pc.request_stop("done");
    // From the first store, step to the second one, then continue to the third.
    debug.resume(watches.size() == 1);
  });
  std::filesystem::remove(rom);
  const std::vector<std::pair<uint64_t, Stop::Kind>> expected = {
      {store_icount(1), Stop::Kind::Watch},
      {store_icount(2), Stop::Kind::Watch},
      {store_icount(3), Stop::Kind::Watch}};
  CHECK(watches == expected);
  // One stop where the step stored, the watchpoint's, not a step's and then the watchpoint's.
  CHECK(at_second_store ==
        std::vector<std::pair<uint64_t, Stop::Kind>>{{store_icount(2), Stop::Kind::Watch}});
}
