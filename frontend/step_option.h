// The --step kinds that act on input devices, the control interface and snapshots: key
// combinations by QEMU's key names, the mouse, control (QMP) commands, savevm, and needles.
#pragma once

#include <string>
#include <string_view>

#include "machine/config.h"

namespace frontend {

// Fills `step` (whose arg is set) for `kind` = needle, key, mouse, click, qmp or savevm.
// Returns false for another kind; throws std::invalid_argument with the problem for a bad
// argument.
bool parse_device_step(std::string_view kind, machine::AutomationStep& step);

}  // namespace frontend
