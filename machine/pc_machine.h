// PcMachine: wires a PC from a MachineConfig and runs it. Everything hangs off this object;
// there is no global mutable state.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/debug_exit.h"
#include "devices/debugcon.h"
#include "jit/engine.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/config.h"
#include "machine/direct_boot.h"
#include "machine/pc_board.h"
#include "mmu/mmu.h"

namespace machine {

struct RunResult {
  enum class Kind { DebugExit, Shutdown, InsnLimit, HaltedForever, Stopped, PowerOff, Matched, Timeout } kind;
  int exit_status = 0;  // for DebugExit: (value << 1) | 1
  std::string message;
};

class PcMachine {
 public:
  using ConsoleSink = std::function<void(char)>;

  // Throws std::runtime_error with a one-line message when the configuration cannot be built
  // (unreadable firmware, bad size, ...).
  PcMachine(const MachineConfig& cfg, ConsoleSink console);
  ~PcMachine();

  RunResult run();
  void reset();

  // A hash of the guest-visible state (CPU registers and RAM). Two runs of the same
  // configuration must agree on it at every instruction count (DESIGN.md §2.1).
  uint64_t state_hash() const;

  cpu::Cpu& cpu() { return *cpu_; }
  Bus& bus() { return bus_; }
  Clock& clock() { return *clock_; }
  mmu::PhysMemory& memory() { return *phys_; }
  jit::Engine& engine() { return *engine_; }
  PcBoard& board() { return *board_; }

  // The VGA text screen, one UTF-8 string per row (empty in graphics modes).
  std::vector<std::string> screen_text() const;

 private:
  uint32_t load_firmware();
  void start_direct_boot();

  MachineConfig cfg_;
  std::unique_ptr<mmu::PhysMemory> phys_;
  std::unique_ptr<mmu::Mmu> mmu_;
  std::unique_ptr<cpu::Cpu> cpu_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<jit::Engine> engine_;
  Bus bus_;
  std::unique_ptr<devices::DebugCon> debugcon_;
  std::vector<std::unique_ptr<devices::DebugExit>> debug_exits_;
  std::unique_ptr<PcBoard> board_;
  std::optional<std::regex> until_serial_, until_screen_;
  std::optional<int> exit_status_;
  std::optional<DirectBoot> direct_boot_;  // -kernel: reinstalled at every reset
  RunResult run_until_done();
  void check_watch();
  Clock::TimerId watch_timer_ = 0;
  void write_screendump();

  std::string com1_transcript_;  // kept only while --until-serial watches it
  bool matched_ = false;
  bool reset_requested_ = false;
  bool power_off_ = false;
};

// The firmware image built into the binary (roms/demo.asm).
std::vector<uint8_t> builtin_demo_rom();

}  // namespace machine
