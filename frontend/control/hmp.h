// The human monitor: QEMU's HMP command lines (info status, info registers, x/xp, sendkey,
// screendump, stop, cont, system_reset, system_powerdown, quit), for -monitor stdio and QMP's
// human-monitor-command.
#pragma once

#include <string>
#include <string_view>

namespace frontend::control {

class MachineControl;

// Runs one command line and returns what it prints, each line ending in '\n' (empty for
// commands that print nothing). Never throws: a bad command or argument prints why.
std::string hmp_execute(MachineControl& control, std::string_view line);

}  // namespace frontend::control
