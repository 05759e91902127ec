// The Intel MultiProcessor Specification 1.4 tables (chapter 4) of the PC board for a direct
// kernel boot, where no firmware builds them: the MP floating pointer structure and an MP
// configuration table with the processor, the PCI and ISA buses, the I/O APIC and one I/O
// interrupt assignment per ISA IRQ and per PCI interrupt pin of the cards present. A kernel
// booted with acpi=off routes its interrupts from these.
#pragma once

#include <cstdint>
#include <vector>

namespace machine::mp {

struct PciIrq {
  uint8_t slot, pin;  // pin 1-4 = INTA#-INTD#
  uint8_t irq;        // the ISA IRQ (= I/O APIC pin) its PIRQ line is routed to
};

struct Config {
  uint32_t cpu_signature = 0, cpu_features = 0;  // CPUID leaf 1 EAX and EDX
  uint32_t lapic_addr = 0xfee00000u;
  uint8_t lapic_version = 0x14;
  uint8_t ioapic_id = 1, ioapic_version = 0x11;
  uint32_t ioapic_addr = 0xfec00000u;
  std::vector<PciIrq> pci_irqs;
};

constexpr uint8_t kPciBus = 0, kIsaBus = 1;

// The configuration table (base table only) for the given configuration.
std::vector<uint8_t> config_table(const Config& cfg);
// The 16-byte floating pointer structure naming a configuration table at `table_addr`.
std::vector<uint8_t> floating_pointer(uint32_t table_addr);

}  // namespace machine::mp
