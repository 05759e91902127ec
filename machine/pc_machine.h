// PcMachine: wires a PC from a MachineConfig and runs it. Everything hangs off this object;
// there is no global mutable state.
#pragma once

#include <cstdint>
#include <cstdio>
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
#include "machine/automation.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/config.h"
#include "machine/direct_boot.h"
#include "machine/host_input.h"
#include "machine/pc_board.h"
#include "mmu/mmu.h"

namespace machine {

struct RunResult {
  enum class Kind { DebugExit, Shutdown, InsnLimit, HaltedForever, Stopped, PowerOff, Matched, Timeout, Diverged } kind;
  int exit_status = 0;  // for DebugExit: (value << 1) | 1
  std::string message;
};

// The process exit status for a run that ended so: isa-debug-exit's value, 0 for a power-off,
// a match or a halt, 3 for --timeout (and a step's own limit), 2 for a shutdown or a limit, 1
// for a replay that diverged from its log.
int exit_status(const RunResult& r);

class DebugTarget;
class RecordReplay;

class PcMachine {
 public:
  // Virtual time charged for events that retire no instruction, so that a guest caught in a
  // loop of them still reaches --timeout and the timers. A reset holds the processor for 1 ms
  // (the P6 datasheets' minimum RESET# assertion); an exception delivery for 1 us (a 486 spends
  // 44 to 71 clocks entering a handler through a protected-mode gate and 36 more in its IRET,
  // i486 Programmer's Reference Manual INT/IRET timings: about a microsecond at 66 MHz).
  static constexpr uint64_t kResetNs = 1'000'000;
  static constexpr uint64_t kExceptionNs = 1'000;

  using ConsoleSink = std::function<void(char)>;

  // Throws std::runtime_error with a one-line message when the configuration cannot be built
  // (unreadable firmware, bad size, ...).
  PcMachine(const MachineConfig& cfg, ConsoleSink console);
  ~PcMachine();

  RunResult run();
  void reset();

  // The host side of an interactive run (frontend/): `poll` runs every `poll_ns` of virtual time
  // to take host input (keys, serial bytes, signals); `idle` runs when the guest halts and
  // virtual time is about to skip `ns` ahead, so a frontend can wait for input instead of
  // spinning. Host input is the only non-determinism; the replay log records it.
  struct HostHooks {
    std::function<void()> poll;
    uint64_t poll_ns = 1'000'000;
    std::function<void(uint64_t ns)> idle;
    // While the machine is paused (pause()), the run loop calls this instead of running the
    // guest: it takes host input and waits a little for more (a control socket's commands).
    std::function<void()> paused;
    // The machine was reset: by the guest (`guest`), or by request_reset().
    std::function<void(bool guest)> reset;
    // A script's control command (--step qmp:JSON): runs it, returns why it failed or empty.
    std::function<std::string(const std::string& command)> command;
  };
  void set_host_hooks(HostHooks hooks);
  // Ends run() at the next instruction boundary with RunResult::Kind::Stopped and `why`.
  void request_stop(std::string why);

  // A control interface's requests, taken at the next instruction boundary. While paused no
  // instruction runs and virtual time stands still; the guest cannot tell it was paused.
  void pause();
  void resume() { paused_ = false; }
  bool paused() const { return paused_; }
  // A reset as the guest's own (the reset control register), or the end of the run with
  // -no-reboot; HostHooks::reset is told it came from the host. Host input, as keys are.
  void request_reset();
  // Presses the ACPI power button (PIIX4 PWRBTN_STS): a guest with ACPI shuts itself down.
  // Host input, as keys are.
  void press_power_button();

  // Where every host input goes (machine/host_input.h): keys, mouse, serial bytes. It takes
  // effect at the end of the run loop's turn, recorded by -record and fed by -replay.
  HostInput& input() { return *input_; }
  // The host input queued (or, replaying, the log's events due now) takes effect. The run loop
  // calls it at the end of each turn; a test may call it to apply what it queued at once.
  void take_input();
  // -replay is on: the run takes its changes from the log only, so a debugger's or monitor's
  // (memory and register writes, loading a snapshot) are refused.
  bool replaying_log() const;
  // A debugger's change to the machine (InputEvent::Kind::MemoryWrite or RegisterWrite): made
  // now and, with -record, logged at this instruction count so that the replay makes it
  // again. Throws std::runtime_error (one line) while replaying a log or when the register
  // cannot take the value.
  void host_change(const InputEvent& e);

  // Pulls the NMI line (for tests, a monitor or a debugger). The CMOS index port's bit 7 gates
  // it on the way to the CPU: while it is set the request is dropped and this returns false.
  // The CPU takes it at the next instruction boundary (waking HLT) unless an NMI handler is
  // still running (until its IRET).
  bool raise_nmi();

  // A hash of the guest-visible state: every architectural CPU field, RAM, and each device's
  // and timer's serialized state. Two runs of the same configuration must agree on it at every
  // instruction count (DESIGN.md §2.1), whichever engine ran them.
  uint64_t state_hash();
  // "icount=N hash=H" (H: 16 hex digits), the line --report and --checkpoint-every print.
  std::string report_line();
  // Where --checkpoint-every lines go (one line each, without the newline); stderr by default.
  using ReportSink = std::function<void(const std::string&)>;
  void set_report_sink(ReportSink sink);

  // Snapshots (machine/snapshot.cpp): the whole machine state to a file, and back. Loading
  // checks the entire file before it changes anything and restores nothing unless everything
  // fits; both throw std::runtime_error with one line naming the file (and the section).
  void save_snapshot(const std::string& path);
  void load_snapshot(const std::string& path);
  // Every part of the machine's state but RAM, in a fixed order under unique names: the
  // processor, the A20 gate, the board's devices and the clock's timers. The state hash and
  // snapshots both walk this.
  std::vector<PcBoard::StatePart> state_parts();

  // The debugger's view (machine/debug_target.h): breakpoints, watchpoints, stepping and
  // reverse execution. Created on first use; a run that never asks for it has none.
  DebugTarget& debug();

  cpu::Cpu& cpu() { return *cpu_; }
  Bus& bus() { return bus_; }
  Clock& clock() { return *clock_; }
  mmu::PhysMemory& memory() { return *phys_; }
  jit::Engine& engine() { return *engine_; }
  PcBoard& board() { return *board_; }
  const MachineConfig& config() const { return cfg_; }
  const Automation& automation() const { return *automation_; }

  // Why a replay log (-record) cannot be kept of this machine, or empty: a drive the guest
  // writes outside an overlay.
  std::string unrecordable();
  // -record PATH for a machine built without it, before run() (`ghost86 test` records every
  // case it can). Throws std::runtime_error as -record would.
  void record_to(const std::string& path);

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
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> perfmap_;  // -perfmap
  Bus bus_;
  std::unique_ptr<devices::DebugCon> debugcon_;
  std::vector<std::unique_ptr<devices::DebugExit>> debug_exits_;
  std::unique_ptr<PcBoard> board_;
  std::unique_ptr<Automation> automation_;
  std::unique_ptr<HostInput> input_;
  std::unique_ptr<RecordReplay> rr_;  // -record, -replay
  // Makes an event; on a replay, why it could not be made again (a divergence), or empty.
  std::string apply_input(const InputEvent& e);
  std::string replay_loadvm(const InputEvent& e);
  void after_load();
  HostHooks host_;
  Clock::TimerId host_timer_ = 0;
  std::optional<std::string> stop_request_;
  std::optional<int> exit_status_;
  std::optional<std::string> step_failure_;  // a --step's own limit passed
  std::optional<std::string> step_save_;     // a savevm step's file, written at the next turn
  bool automation_started_ = false;
  std::optional<DirectBoot> direct_boot_;  // -kernel: reinstalled at every reset
  RunResult run_until_done();
  friend class DebugTarget;
  // One turn of the run loop: the engine up to the next event (and `limit`), then the events
  // due. Returns the end of the run, if it ended.
  std::optional<RunResult> run_once(uint64_t limit);
  uint64_t debug_limit() const;
  bool log_drives() const;
  std::unique_ptr<DebugTarget> debug_;
  jit::StopReason last_stop_ = jit::StopReason::Request;
  // Reverse execution replays a stretch of the run: no host input is read, no checkpoint line
  // or snapshot file is written, and the run stops at `replay_until_`.
  bool replaying_ = false;
  uint64_t replay_until_ = 0;
  void write_screendump();
  void emit_checkpoint();
  void save_due_snapshots();
  std::string writable_drive();  // why the drives cannot be snapshotted, or empty
  void load_snapshot_checked(const std::string& path);
  size_t next_save_ = 0;  // the next of cfg_.savevm_at

  ReportSink report_sink_ = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  uint64_t next_checkpoint_ = 0;  // the next multiple of cfg_.checkpoint_every

  bool reset_requested_ = false;
  bool host_reset_ = false;  // the pending reset came from request_reset()
  bool paused_ = false;
  std::optional<RunResult> outcome(jit::StopReason why, uint64_t timeout_insns);
  bool power_off_ = false;
};

// The firmware image built into the binary (roms/demo.asm).
std::vector<uint8_t> builtin_demo_rom();

}  // namespace machine
