// The QMP commands ghost86 answers, as QEMU defines them (arguments, results, errors), plus
// its own query-icount.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace frontend::control {

class MachineControl;

// Runs a command (not qmp_capabilities, which the session handles). Throws QmpError.
nlohmann::json qmp_execute(MachineControl& control, const std::string& name,
                           const nlohmann::json& args);
std::vector<std::string> qmp_command_names();

}  // namespace frontend::control
