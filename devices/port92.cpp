#include "devices/port92.h"

#include "devices/fifo.h"

namespace devices {
namespace {

constexpr uint8_t kFastReset = 0x01, kFastA20 = 0x02, kLock = 0x08;
// Bits that read back: reset, A20, password lock, and the two activity-light bits 6-7.
// Bit 2 is reserved and bit 4 (watchdog status) is not implemented: both read 0.
constexpr uint8_t kStored = kFastReset | kFastA20 | kLock | 0xc0;

}  // namespace

uint32_t Port92::port_read(uint16_t port, unsigned size) {
  return split_read(port, size, [this](uint16_t p) -> uint8_t { return p == kPort ? value_ : 0xff; });
}

void Port92::port_write(uint16_t port, unsigned size, uint32_t value) {
  bool do_reset = false;
  split_write(port, size, value, [&](uint16_t p, uint8_t v) {
    if (p != kPort) return;
    const uint8_t old = value_;
    // The lock bit, once set, stays set until reset.
    value_ = uint8_t((v & kStored) | (old & kLock));
    if (a20_) a20_(value_ & kFastA20);
    if (!(old & kFastReset) && (value_ & kFastReset)) do_reset = true;
  });
  if (do_reset && reset_) reset_();  // last: the callback may reset this device
}

void Port92::serialize(Serializer& s) {
  s.io(value_);
  if (s.loading()) value_ &= kStored;
}

}  // namespace devices
