// The packet commands of the ATAPI CD-ROM drive (SFF-8020i / MMC, SPC for INQUIRY, REQUEST SENSE
// and the mode pages): a CDB in, a response or a range of media out. The IDE channel carries
// them (PACKET command, DRQ blocks, interrupt reason); this file only knows SCSI semantics.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "devices/device.h"
#include "devices/disk_image.h"

namespace devices {

namespace atapi {

constexpr uint32_t kBlock = 2048;
constexpr unsigned kCdbBytes = 12;

// Sense keys and the additional sense codes this drive reports.
enum SenseKey : uint8_t { kNoSense = 0, kNotReady = 2, kIllegalRequest = 5, kUnitAttention = 6 };
constexpr uint16_t kAscInvalidOpcode = 0x2000, kAscLbaOutOfRange = 0x2100, kAscInvalidField = 0x2400,
                   kAscNoMedium = 0x3a00, kAscRemovalPrevented = 0x5302;

struct State {
  uint8_t sense_key = kNoSense;
  uint16_t asc = 0;  // ASC << 8 | ASCQ
  bool locked = false;  // PREVENT ALLOW MEDIUM REMOVAL
  void serialize(Serializer& s) {
    s.io(sense_key);
    s.io(asc);
    s.io(locked);
  }
};

struct Result {
  bool check = false;     // CHECK CONDITION: the sense data says why
  uint32_t len = 0;       // response bytes placed in `out`
  uint64_t media_offset = 0, media_bytes = 0;  // a read from the medium instead
};

// Buffer size a response may need.
constexpr uint32_t kMaxResponse = 256;

// Executes one packet command. `medium` may be null (no disc).
Result execute(const uint8_t (&cdb)[kCdbBytes], State& st, DiskImage* medium, std::span<uint8_t, kMaxResponse> out);

// IDENTIFY PACKET DEVICE data.
std::array<uint16_t, 256> identify(std::string_view serial, std::string_view model);

}  // namespace atapi
}  // namespace devices
