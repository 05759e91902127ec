#include "machine/mp_table.h"

#include <cstring>

#include "machine/acpi.h"
#include "machine/le_bytes.h"

namespace machine::mp {
namespace {

constexpr unsigned kHeaderSize = 44;
constexpr uint8_t kSpecRev = 4;  // MP specification 1.4
// I/O interrupt assignment flags (Table 4-10): polarity bits 1:0 (01 active high), trigger bits
// 3:2 (11 level); 0 conforms to the bus.
constexpr unsigned kConforming = 0, kLevelHigh = 0xd;

void bus(std::vector<uint8_t>& t, uint8_t id, const char (&type)[7]) {
  le_append(t, {{1, 1}, {id, 1}});
  t.insert(t.end(), type, type + 6);
}

void interrupt(std::vector<uint8_t>& t, unsigned flags, uint8_t src_bus, uint8_t src_irq,
               uint8_t ioapic, uint8_t pin) {
  // Entry type 3, interrupt type 0 (INT: vectored through the I/O APIC).
  le_append(t, {{3, 1}, {0, 1}, {flags, 2}, {src_bus, 1}, {src_irq, 1}, {ioapic, 1}, {pin, 1}});
}

}  // namespace

std::vector<uint8_t> config_table(const Config& cfg) {
  std::vector<uint8_t> t(kHeaderSize, 0);
  std::memcpy(&t[0], "PCMP", 4);
  t[6] = kSpecRev;
  std::memcpy(&t[8], "GHOST86 ", 8);        // OEM ID
  std::memcpy(&t[16], "PC          ", 12);  // product ID
  le_put(t, 36, cfg.lapic_addr, 4);
  unsigned entries = 0;

  // Processor (Table 4-4): enabled bootstrap processor.
  le_append(t, {{0, 1},
                {0, 1},
                {cfg.lapic_version, 1},
                {3, 1},
                {cfg.cpu_signature, 4},
                {cfg.cpu_features, 4},
                {0, 4},
                {0, 4}});
  entries++;
  bus(t, kPciBus, "PCI   ");
  bus(t, kIsaBus, "ISA   ");
  entries += 2;
  // I/O APIC (Table 4-7): enabled.
  le_append(t, {{2, 1}, {cfg.ioapic_id, 1}, {cfg.ioapic_version, 1}, {1, 1}, {cfg.ioapic_addr, 4}});
  entries++;
  // ISA IRQs on the pins the board wires them to (IRQ 0 on pin 2); the IRQs PCI interrupts can
  // be routed to are level-triggered and active high, as in the MADT.
  for (uint8_t irq = 0; irq < 16; irq++) {
    if (irq == 2) continue;  // the cascade: no device
    const bool pci_routable = irq == 5 || irq == 9 || irq == 10 || irq == 11;
    interrupt(t, pci_routable ? kLevelHigh : kConforming, kIsaBus, irq, cfg.ioapic_id,
              irq == 0 ? 2 : irq);
    entries++;
  }
  // PCI interrupts (§D.3: source bus IRQ = device number << 2 | pin - 1).
  for (const PciIrq& p : cfg.pci_irqs) {
    interrupt(t, kLevelHigh, kPciBus, uint8_t(p.slot << 2 | (p.pin - 1)), cfg.ioapic_id, p.irq);
    entries++;
  }
  le_put(t, 4, t.size(), 2);  // base table length
  le_put(t, 34, entries, 2);
  t[7] = uint8_t(-acpi::sum(t.data(), t.size()));
  return t;
}

std::vector<uint8_t> floating_pointer(uint32_t table_addr) {
  // Table 4-1: signature, physical address pointer, length in 16-byte units, revision,
  // checksum, feature bytes (all 0: a configuration table is present; no IMCR, virtual wire).
  std::vector<uint8_t> f(16, 0);
  std::memcpy(&f[0], "_MP_", 4);
  le_put(f, 4, table_addr, 4);
  f[8] = 1;
  f[9] = kSpecRev;
  f[10] = uint8_t(-acpi::sum(f.data(), f.size()));
  return f;
}

}  // namespace machine::mp
