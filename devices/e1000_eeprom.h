// The 82540EM's serial EEPROM (Intel 8254x Software Developer's Manual, §5 "EEPROM Interface"):
// a 64-word Microwire part (93C46) holding the Ethernet address, the initialisation words and a
// checksum word chosen so that the 64 words sum to BABAh (§5.6.1). Software reads it two ways:
// bit-banging the Microwire pins through EECD, or one word at a time through EERD.
#pragma once

#include <array>
#include <cstdint>

#include "devices/device.h"

namespace devices {

class E1000Eeprom {
 public:
  static constexpr unsigned kWords = 64;
  static constexpr unsigned kAddrBits = 6;  // 93C46: EECD.EE_SIZE reads 0
  static constexpr uint16_t kChecksumSum = 0xbaba;
  static constexpr unsigned kChecksumWord = 0x3f;
  // EECD bits (§13.4.3).
  static constexpr uint32_t kSk = 1u << 0, kCs = 1u << 1, kDi = 1u << 2, kDo = 1u << 3;
  static constexpr uint32_t kReq = 1u << 6, kGnt = 1u << 7, kPres = 1u << 8;

  // Words 0-2 hold the Ethernet address; the rest the values below and the checksum.
  E1000Eeprom(const std::array<uint8_t, 6>& mac, uint16_t device_id, uint16_t subsys_id,
              uint16_t subsys_vendor);

  uint16_t word(unsigned i) const { return words_[i % kWords]; }
  // EECD as software reads it, and a write of its pin bits.
  uint32_t eecd() const;
  void write_eecd(uint32_t v);

  void reset() { s_ = {}; }
  void serialize(Serializer& s);

 private:
  std::array<uint16_t, kWords> words_{};
  // Microwire state (§5.3): the pins as last written and where the serial command is.
  struct State {
    uint32_t pins = 0;    // SK, CS, DI, REQ as written
    uint32_t shift = 0;   // command bits shifted in so far
    uint8_t bits_in = 0;  // how many
    int8_t bit_out = -1;  // data bit on DO for a READ (15..0), -1 none (DO reads 0)
    uint8_t addr = 0;
    bool reading = false;
  } s_;
};

}  // namespace devices
