#include "devices/port61.h"

#include "devices/byte_ports.h"

namespace devices {

void Port61::reset() {
  control_ = 0;
  pit_.set_gate(2, false);
}

void Port61::serialize(Serializer& s) {
  s.io(control_);
  if (s.loading()) control_ &= 0x0f;
  // GATE2 itself is part of the PIT's state.
}

uint32_t Port61::port_read(uint16_t port, unsigned size) {
  return read_bytewise(port, size, [this](uint16_t p) { return read8(p); });
}

void Port61::port_write(uint16_t port, unsigned size, uint32_t value) {
  write_bytewise(port, size, value, [this](uint16_t p, uint8_t v) { write8(p, v); });
}

uint8_t Port61::read8(uint16_t port) {
  if (port != 0x61) return 0xff;
  const bool refresh = (clock_.now_ns() / kRefreshHalfPeriodNs) & 1;
  return uint8_t(control_ | (refresh ? 0x10 : 0) | (pit_.out(2) ? 0x20 : 0));
}

void Port61::write8(uint16_t port, uint8_t v) {
  if (port != 0x61) return;
  control_ = v & 0x0f;
  pit_.set_gate(2, v & 0x01);
}

}  // namespace devices
