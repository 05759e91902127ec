// A script's control command (--step qmp:JSON, a suite's { qmp = ... } step): one QMP command
// run as a client's would be, at the instruction boundary the script reached.
#pragma once

#include <string>

namespace frontend::control {

class MachineControl;

// Runs `text`, a QMP command ({"execute": NAME, "arguments": {...}}). Returns why it failed (not
// JSON, not a command, or the command's own error), or an empty string.
std::string run_step_command(MachineControl& control, const std::string& text);

}  // namespace frontend::control
