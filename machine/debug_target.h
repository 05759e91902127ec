// What a debugger (the gdb stub, frontend/gdb) does to a machine: breakpoints and watchpoints
// the guest cannot see, single steps and stops. Everything runs at instruction boundaries from the
// run loop's host side, so a debugger that only watches changes nothing in the run.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jit/engine.h"
#include "mmu/mmu.h"

namespace machine {

class PcMachine;

class DebugTarget {
 public:
  explicit DebugTarget(PcMachine& pc);
  ~DebugTarget();

  // Why the machine stopped for the debugger.
  struct Stop {
    enum class Kind { Step, Breakpoint, Watch, Interrupt } kind = Kind::Step;
    uint32_t addr = 0;                // Watch: the watched address
    bool read = false, write = true;  // Watch: which accesses the watchpoint takes
  };

  // Breakpoints at linear addresses (gdb's Z0 and Z1 are the same here). Watchpoints: linear
  // range and the accesses that stop (write: Z2, read: Z3, both: Z4). False: nothing changed.
  void set_breakpoint(uint32_t lin, bool on);
  bool set_watchpoint(uint32_t lin, uint32_t len, bool read, bool write, bool on);
  void clear_all();

  // Resumes the paused machine for one instruction (`step`) or until something stops it. The
  // instruction at the current CS:EIP runs even if a breakpoint is set there.
  void resume(bool step);
  // Pauses at the next instruction boundary and reports Stop::Kind::Interrupt (Ctrl-C).
  void interrupt();
  // Pauses without a stop to report (a debugger attaching).
  void halt();
  // The stop the debugger has not been told about yet.
  std::optional<Stop> take_stop() { return std::exchange(stop_, std::nullopt); }

  // The run loop's side (PcMachine): the instruction count the engine must stop at for a step,
  // and what to do after each turn of the loop.
  uint64_t limit() const;
  void after_turn(jit::StopReason why);

 private:
  Stop hit_kind();
  void stopped(Stop stop);
  void update_watches();

  PcMachine& pc_;
  std::optional<Stop> stop_;
  std::optional<uint64_t> step_to_;
  struct Watch {
    uint32_t lin, len;
    bool read, write;
  };
  std::vector<Watch> watches_;
};

}  // namespace machine
