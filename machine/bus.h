// The I/O bus: port dispatch by table, with registration and overlap detection. Unassigned
// ports read as all ones and ignore writes, like an empty ISA bus. MMIO regions are registered
// on the physical address space (mmu::PhysMemory), which dispatches them.
//
// Bus timing: on a PC an access to a port on the ISA bus holds the processor for a whole ISA I/O
// cycle, about a microsecond, and software counts on it (Linux delays a microsecond by reading
// the PIT once, and writes port 80h as a delay). With a clock attached, every byte moved to or
// from an ISA port, or an unclaimed one (the PIIX3 passes those to ISA by subtractive
// decoding), stalls the processor for kIsaCycleNs of virtual time. Ports of PCI functions and
// of paravirtual devices register as Fast and cost nothing beyond their instruction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/device.h"

namespace machine {

class Clock;

class Bus : public cpu::IoBus {
 public:
  // An 8-bit ISA I/O cycle as the PIIX3 runs it by default: 6 ISA clocks (4 wait states) of
  // 120 ns (BCLK = PCICLK / 4 = 8.33 MHz). Wider accesses to 8-bit devices take one per byte.
  static constexpr uint32_t kIsaCycleNs = 720;
  enum class Timing : uint8_t { Isa, Fast };

  Bus();
  // Claims ports [base, base + count) for `dev`. Throws std::runtime_error on overlap.
  void register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name,
                      Timing timing = Timing::Isa);
  // For decoders a guest programs (PCI BARs, hence Fast): false instead of an exception on overlap.
  bool try_register_ports(uint16_t base, uint32_t count, devices::PortDevice* dev, std::string name);
  // Releases the ports of [base, base + count) that `dev` owns.
  void unregister_ports(uint16_t base, uint32_t count, devices::PortDevice* dev);
  devices::PortDevice* owner(uint16_t port) const { return ports_[port]; }
  // Accesses to ISA ports stall `clock` from now on (none is attached by default).
  void set_clock(Clock* clock) { clock_ = clock; }

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  void claim(uint16_t base, uint32_t count, devices::PortDevice* dev, const std::string& name, Timing timing);
  void charge(uint16_t port, unsigned size);

  std::vector<devices::PortDevice*> ports_;
  std::vector<std::string> names_;
  std::vector<Timing> timing_;
  Clock* clock_ = nullptr;
};

}  // namespace machine
