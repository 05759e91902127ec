// QEMU's -drive option: "file=F,format=raw|qcow2,if=ide|floppy|none,index=N,media=cdrom|disk,
// readonly=on|off,snapshot=on|off,id=ID,cache=...", mapped onto the IDE and floppy slots.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "machine/config.h"

namespace frontend {

// Parses one -drive value. Throws std::invalid_argument with the problem (without the option
// name). `notes` receives remarks on accepted but ignored settings (cache=).
machine::DriveConfig parse_drive(std::string_view text, std::vector<std::string>& notes);

// Gives every drive in cfg.drives a slot: its index, or the first one that -hda/-hdb/-cdrom/-fda
// and earlier drives left free. Throws std::invalid_argument naming the drive on a conflict.
void place_drives(machine::MachineConfig& cfg);

}  // namespace frontend
