#include "machine/bus.h"

#include <fmt/format.h>

#include <stdexcept>

namespace machine {

Bus::Bus() : ports_(0x10000, nullptr), names_(0x10000) {}

void Bus::register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name) {
  if (count == 0 || base + count > 0x10000)
    throw std::runtime_error(fmt::format("{}: ports {:#x}+{:#x} are outside the I/O space", name, base, count));
  for (uint32_t p = base; p < base + count; p++)
    if (ports_[p])
      throw std::runtime_error(fmt::format("{}: port {:#x} is already claimed by {}", name, p, names_[p]));
  for (uint32_t p = base; p < base + count; p++) {
    ports_[p] = dev;
    names_[p] = name;
  }
}

bool Bus::try_register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name) {
  if (count == 0 || base + count > 0x10000) return false;
  for (uint32_t p = base; p < base + count; p++)
    if (ports_[p]) return false;
  for (uint32_t p = base; p < base + count; p++) {
    ports_[p] = dev;
    names_[p] = name;
  }
  return true;
}

void Bus::unregister_ports(uint16_t base, uint32_t count, devices::PortDevice* dev) {
  for (uint32_t p = base; p < base + count && p < 0x10000; p++)
    if (ports_[p] == dev) {
      ports_[p] = nullptr;
      names_[p].clear();
    }
}

uint32_t Bus::io_read(uint16_t port, unsigned size) {
  if (devices::PortDevice* d = ports_[port]) return d->port_read(port, size);
  // A wide access to an unassigned port may still reach devices on the following ports
  // byte by byte, as the ISA bus splits it.
  if (size > 1) {
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= io_read(uint16_t(port + i), 1) << (8 * i);
    return v;
  }
  return 0xff;
}

void Bus::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (devices::PortDevice* d = ports_[port]) return d->port_write(port, size, value);
  if (size > 1)
    for (unsigned i = 0; i < size; i++) io_write(uint16_t(port + i), 1, (value >> (8 * i)) & 0xff);
}

}  // namespace machine
