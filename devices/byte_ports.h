// Wide port accesses to 8-bit ISA devices: the bus splits a 16- or 32-bit cycle into byte cycles
// on consecutive ports, lowest port first. Devices route their port_read/port_write through these
// so that `in ax, 0x40` behaves like two byte reads of 40h and 41h.
#pragma once

#include <cstdint>

namespace devices {

// `read8(port)` returns the byte at one port (0xff for ports the device does not own).
template <class Read8>
uint32_t read_bytewise(uint16_t port, unsigned size, Read8&& read8) {
  if (size != 2 && size != 4) size = 1;
  uint32_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= uint32_t(read8(uint16_t(port + i)) & 0xff) << (8 * i);
  return v;
}

template <class Write8>
void write_bytewise(uint16_t port, unsigned size, uint32_t value, Write8&& write8) {
  if (size != 2 && size != 4) size = 1;
  for (unsigned i = 0; i < size; i++) write8(uint16_t(port + i), uint8_t(value >> (8 * i)));
}

}  // namespace devices
