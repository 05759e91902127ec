#include "machine/bus.h"

#include <fmt/format.h>

#include <stdexcept>

#include "machine/clock.h"

namespace machine {

Bus::Bus() : ports_(0x10000, nullptr), names_(0x10000), timing_(0x10000, Timing::Isa) {}

void Bus::register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name,
                         Timing timing) {
  if (count == 0 || base + count > 0x10000)
    throw std::runtime_error(fmt::format("{}: ports {:#x}+{:#x} are outside the I/O space", name, base, count));
  for (uint32_t p = base; p < base + count; p++)
    if (ports_[p])
      throw std::runtime_error(fmt::format("{}: port {:#x} is already claimed by {}", name, p, names_[p]));
  claim(base, count, dev, name, timing);
}

bool Bus::try_register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name) {
  if (count == 0 || base + count > 0x10000) return false;
  for (uint32_t p = base; p < base + count; p++)
    if (ports_[p]) return false;
  claim(base, count, dev, name, Timing::Fast);
  return true;
}

void Bus::claim(uint16_t base, uint32_t count, devices::PortDevice* dev, const std::string& name, Timing timing) {
  for (uint32_t p = base; p < base + count; p++) {
    ports_[p] = dev;
    names_[p] = name;
    timing_[p] = timing;
  }
}

void Bus::unregister_ports(uint16_t base, uint32_t count, devices::PortDevice* dev) {
  for (uint32_t p = base; p < base + count && p < 0x10000; p++)
    if (ports_[p] == dev) {
      ports_[p] = nullptr;
      names_[p].clear();
      timing_[p] = Timing::Isa;  // unclaimed again: subtractive decoding sends it to ISA
    }
}

// After the access, so the device saw the time at which the instruction started it; a timer
// that falls inside the cycle fires before the next instruction (Clock::stall).
void Bus::charge(uint16_t port, unsigned size) {
  if (clock_ && timing_[port] == Timing::Isa) clock_->stall(uint64_t(kIsaCycleNs) * size);
}

uint32_t Bus::io_read(uint16_t port, unsigned size) {
  if (devices::PortDevice* d = ports_[port]) {
    const uint32_t v = d->port_read(port, size);
    charge(port, size);
    return v;
  }
  // A wide access to an unassigned port may still reach devices on the following ports
  // byte by byte, as the ISA bus splits it.
  if (size > 1) {
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= io_read(uint16_t(port + i), 1) << (8 * i);
    return v;
  }
  charge(port, 1);
  return 0xff;
}

void Bus::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (devices::PortDevice* d = ports_[port]) {
    d->port_write(port, size, value);
    charge(port, size);
    return;
  }
  if (size > 1)
    for (unsigned i = 0; i < size; i++) io_write(uint16_t(port + i), 1, (value >> (8 * i)) & 0xff);
  else
    charge(port, 1);
}

}  // namespace machine
