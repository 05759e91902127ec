// QEMU's -drive option: "file=F,format=raw|qcow2,if=ide|floppy|virtio|none,index=N,
// media=cdrom|disk,readonly=on|off,snapshot=on|off,id=ID,cache=...", mapped onto the IDE, floppy
// and virtio-blk slots, and -device virtio-blk-pci,drive=ID[,serial=S], which takes an if=none
// drive.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "machine/config.h"

namespace frontend {

// Parses one -drive value. Throws std::invalid_argument with the problem (without the option
// name). `notes` receives remarks on accepted but ignored settings (cache=).
machine::DriveConfig parse_drive(std::string_view text, std::vector<std::string>& notes);

// Whether a -device value names virtio-blk-pci; parse_drive_device takes it (after every -drive)
// and throws std::invalid_argument with the problem.
bool is_drive_device(std::string_view text);
void parse_drive_device(std::string_view text, machine::MachineConfig& cfg);

// Gives every drive in cfg.drives a slot: its index, or the first one that -hda/-hdb/-cdrom/-fda
// and earlier drives left free. Throws std::invalid_argument naming the drive on a conflict.
void place_drives(machine::MachineConfig& cfg);

}  // namespace frontend
