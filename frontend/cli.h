// Command-line parsing with QEMU's option spellings (-m, -bios, -hda, -nographic, ...), so that
// scripts written for qemu-system-i386 work unchanged where ghost86 supports the feature, and fail
// with one clear line where it does not.
#pragma once

#include <string>
#include <vector>

#include "frontend/control/options.h"
#include "frontend/display_option.h"
#include "machine/config.h"

namespace frontend {

struct CliResult {
  enum class Action { Run, Exit } action = Action::Exit;
  int exit_code = 0;    // for Exit: 0 for --help/--version, 1 for errors
  std::string message;  // help/version text, or one error line "ghost86: -opt: problem"
  machine::MachineConfig config;
  std::string until_serial;  // reserved, left empty
  // --wall-timeout: host seconds after which the run is stopped (0: none). The one use of the
  // host clock, a guard for CI; it is not part of the machine.
  double wall_timeout_s = 0;
  control::ControlOptions control;  // -qmp and -monitor
  DisplayOptions display;           // -display sdl's options, -vnc
  std::vector<std::string> notes;  // for Run: remarks for stderr ("-drive: cache=none is ignored ...")
};

// What this build can actually do. Options needing a missing feature are rejected rather than
// ignored: a silently ignored -hda would boot something other than what the user asked for.
struct Features {
  bool jit = false, disks = false, floppy = false, cdrom = false, kernel = false, serial = false,
       sdl = false, vnc = false, gdb = false, snapshot_overlay = false;
  // A graphical session exists (DISPLAY or WAYLAND_DISPLAY): without one the default display
  // is none, so headless runs never try to open a window.
  bool desktop = false;
  // The firmware used without -bios, as QEMU's: Debian's SeaBIOS image when it is installed,
  // empty when it is not (then a machine without -kernel needs -bios).
  std::string default_bios;
};

// `args` excludes argv[0]. Never throws; every failure is reported as Action::Exit, exit_code 1.
CliResult parse_command_line(const std::vector<std::string>& args, const Features& available);

}  // namespace frontend
