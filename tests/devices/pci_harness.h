// Test wiring for PCI functions, as an integrator would do it: a port map behind the PCI
// mapper, an IRQ recorder, and guest-style port I/O including configuration cycles.
#pragma once

#include <array>
#include <map>
#include <vector>

#include "devices/pci.h"

namespace pcitest {

struct IrqLog : devices::IrqSink {
  std::array<bool, 16> level{};
  std::vector<std::pair<unsigned, bool>> events;
  void set_irq(unsigned irq, bool l) override {
    level.at(irq) = l;
    events.emplace_back(irq, l);
  }
};

struct Mapper : devices::PciMapper {
  struct Io {
    uint32_t size;
    devices::PortDevice* dev;
  };
  std::map<uint32_t, Io> io;  // by base
  std::map<uint32_t, uint32_t> mem;
  std::vector<std::pair<uint32_t, uint32_t>> reserved_io;  // [base, base + size) taken by ISA devices

  bool busy(uint32_t base, uint32_t size) const {
    for (auto& [b, r] : io)
      if (base < b + r.size && b < base + size) return true;
    for (auto& [b, s] : reserved_io)
      if (base < b + s && b < base + size) return true;
    return false;
  }
  bool map_io(uint16_t base, uint32_t size, devices::PortDevice* dev, const std::string&) override {
    if (busy(base, size)) return false;
    io[base] = Io{size, dev};
    return true;
  }
  void unmap_io(uint16_t base, uint32_t, devices::PortDevice*) override { io.erase(base); }
  bool map_mmio(uint32_t base, uint32_t size, mmu::MmioHandler*, const std::string&) override {
    if (base >= 0xfffe0000u) return false;  // where the firmware ROM sits
    mem[base] = size;
    return true;
  }
  void unmap_mmio(uint32_t base, uint32_t, mmu::MmioHandler*) override { mem.erase(base); }
  devices::PortDevice* owner(uint16_t port) const {
    for (auto& [b, r] : io)
      if (port >= b && port < b + r.size) return r.dev;
    return nullptr;
  }
};

// A PCI bus with mechanism #1 on CF8h-CFFh plus whatever the mapper placed.
struct Board {
  devices::PciHost host;
  Mapper mapper;
  std::map<uint16_t, devices::PortDevice*> fixed;  // fixed ISA-style ports

  Board() { host.set_mapper(&mapper); }

  uint32_t in(uint16_t port, unsigned size) {
    if (port >= 0xcf8 && port <= 0xcff) return host.port_read(port, size);
    if (auto it = fixed.find(port); it != fixed.end()) return it->second->port_read(port, size);
    if (devices::PortDevice* d = mapper.owner(port)) return d->port_read(port, size);
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  }
  void out(uint16_t port, unsigned size, uint32_t v) {
    if (port >= 0xcf8 && port <= 0xcff) return host.port_write(port, size, v);
    if (auto it = fixed.find(port); it != fixed.end()) return it->second->port_write(port, size, v);
    if (devices::PortDevice* d = mapper.owner(port)) d->port_write(port, size, v);
  }
  static uint32_t address(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
  }
  // A configuration cycle as firmware does it: address dword to CF8h, data at CFCh + (reg & 3).
  uint32_t cfg_read(unsigned dev, unsigned fn, unsigned reg, unsigned size) {
    out(0xcf8, 4, address(0, dev, fn, reg));
    return in(uint16_t(0xcfc + (reg & 3)), size);
  }
  void cfg_write(unsigned dev, unsigned fn, unsigned reg, unsigned size, uint32_t v) {
    out(0xcf8, 4, address(0, dev, fn, reg));
    out(uint16_t(0xcfc + (reg & 3)), size, v);
  }
};

}  // namespace pcitest
