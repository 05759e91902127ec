// The I/O bus: port dispatch by table, with registration and overlap detection. Unassigned
// ports read as all ones and ignore writes, like an empty ISA bus. MMIO regions are registered
// on the physical address space (mmu::PhysMemory), which dispatches them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/device.h"

namespace machine {

class Bus : public cpu::IoBus {
 public:
  Bus();
  // Claims ports [base, base + count) for `dev`. Throws std::runtime_error on overlap.
  void register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name);
  // For decoders a guest programs (PCI BARs): false instead of an exception on overlap.
  bool try_register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name);
  // Releases the ports of [base, base + count) that `dev` owns.
  void unregister_ports(uint16_t base, uint32_t count, devices::PortDevice* dev);
  devices::PortDevice* owner(uint16_t port) const { return ports_[port]; }

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  std::vector<devices::PortDevice*> ports_;
  std::vector<std::string> names_;
};

}  // namespace machine
