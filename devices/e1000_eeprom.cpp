#include "devices/e1000_eeprom.h"

namespace devices {
namespace {

// Microwire READ: start bit 1, opcode 10 (93C46 datasheet; §5.3 of the 8254x manual).
constexpr unsigned kReadOpcode = 0b110;
constexpr unsigned kOpcodeBits = 3;

}  // namespace

E1000Eeprom::E1000Eeprom(const std::array<uint8_t, 6>& mac, uint16_t device_id, uint16_t subsys_id,
                         uint16_t subsys_vendor) {
  for (unsigned i = 0; i < 3; i++) words_[i] = uint16_t(mac[2 * i] | mac[2 * i + 1] << 8);
  // Table 5-2 of the manual: compatibility (word 3) 0, LED settings left to defaults (FFFFh in
  // word 4 tells drivers so), PBA number, initialisation control 1 and 2 with the EEPROM signature
  // 01b in bits 15:14 of word 0Ah, subsystem and device IDs (0Bh-0Eh), and the default
  // initialisation control 3 for port A.
  words_[0x04] = 0xffff;
  words_[0x08] = 0x2800;  // PBA number: nothing drivers interpret
  words_[0x09] = 0x0000;
  words_[0x0a] = 0x4408;  // ICW1: signature 01b, load subsystem IDs, ASDE enabled
  words_[0x0b] = subsys_id;
  words_[0x0c] = subsys_vendor;
  words_[0x0d] = device_id;
  words_[0x0e] = 0x8086;
  words_[0x0f] = 0x3040;  // ICW2: no power management wake-up defaults beyond APM off
  words_[0x24] = 0x0000;  // ICW3 port A: APM wake-up disabled
  uint16_t sum = 0;
  for (unsigned i = 0; i < kChecksumWord; i++) sum = uint16_t(sum + words_[i]);
  words_[kChecksumWord] = uint16_t(kChecksumSum - sum);
}

uint32_t E1000Eeprom::eecd() const {
  uint32_t v = (s_.pins & (kSk | kCs | kDi | kReq)) | kPres;
  if (s_.pins & kReq) v |= kGnt;  // the access is granted at once: nothing else uses the EEPROM
  if (s_.bit_out >= 0 && (words_[s_.addr % kWords] >> s_.bit_out) & 1) v |= kDo;
  return v;
}

// Software drives CS and clocks DI in on rising edges of SK; after a READ command and its
// address, each further rising edge puts the next data bit on DO, most significant first, after
// a leading dummy zero (§5.3, 93C46 timing).
void E1000Eeprom::write_eecd(uint32_t v) {
  const uint32_t old = s_.pins;
  s_.pins = v & (kSk | kCs | kDi | kReq);
  if (!(v & kCs)) {  // deselect ends any command
    s_.shift = 0, s_.bits_in = 0, s_.bit_out = -1, s_.reading = false;
    return;
  }
  if (!(old & kCs) || (old & kSk) || !(v & kSk)) return;  // only rising SK edges while selected
  if (s_.reading) {
    if (s_.bit_out > 0) {
      s_.bit_out--;
    } else if (s_.bit_out == 0) {  // sequential read: the next word follows
      s_.addr = uint8_t((s_.addr + 1) % kWords);
      s_.bit_out = 15;
    } else {
      s_.bit_out = 15;
    }
    return;
  }
  // Leading zeros before the start bit are ignored.
  if (s_.bits_in == 0 && !(v & kDi)) return;
  s_.shift = (s_.shift << 1) | ((v & kDi) ? 1 : 0);
  if (++s_.bits_in < kOpcodeBits + kAddrBits) return;
  if ((s_.shift >> kAddrBits) == kReadOpcode) {
    s_.reading = true;
    s_.addr = uint8_t(s_.shift & (kWords - 1));
    s_.bit_out = -1;  // the dummy zero; data starts at the next rising edge
  }
  // Writes and erases are not supported: the part stays as built (write-protected).
  s_.shift = 0, s_.bits_in = 0;
}

void E1000Eeprom::serialize(Serializer& s) {
  s.io(s_.pins), s.io(s_.shift), s.io(s_.bits_in), s.io(s_.bit_out), s.io(s_.addr),
      s.io(s_.reading);
  if (s.loading()) {
    s_.addr %= kWords;
    if (s_.bit_out > 15) s_.bit_out = 15;
    if (s_.bits_in > kOpcodeBits + kAddrBits) s_.bits_in = 0;
  }
}

}  // namespace devices
