// What a snapshot must match to be loaded into a machine (-loadvm): the configuration the
// saved state assumes (RAM size, processor model, timing, the devices on the board) and the
// identity of every file the guest sees but the snapshot does not hold (firmware, -kernel and
// -initrd, disk images): its size and the XXH3 of its first MiB.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "machine/config.h"
#include "machine/pc_board.h"

namespace machine {

using Identity = std::vector<std::pair<std::string, std::string>>;  // key, value; in a fixed order

Identity machine_identity(const MachineConfig& cfg, PcBoard& board,
                          const std::vector<std::string>& parts);

// "key=value" lines, and back; parse_identity returns nullopt for malformed text.
std::vector<uint8_t> encode_identity(const Identity& id);
std::optional<Identity> parse_identity(const std::vector<uint8_t>& text);

// The first difference, as "<key> is <saved> in the <where>, <here> here", or empty if none.
std::string identity_mismatch(const Identity& saved, const Identity& here, const char* where = "snapshot");

// A file's identity: its size and the XXH3 of its first MiB.
std::string file_identity(const std::string& path);

// The XXH3-64 of a whole file (a snapshot a recorded run loaded), or nullopt if it cannot be
// read.
std::optional<uint64_t> whole_file_hash(const std::string& path);

// A disk image's identity: its size and the XXH3 of its first MiB as the guest sees it when
// the guest has written nothing (the base of a snapshot overlay).
std::string image_identity(devices::DiskImage& image);

}  // namespace machine
