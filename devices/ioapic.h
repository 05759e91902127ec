// The 82093AA I/O APIC of a PC at FEC00000h (Intel 82093AA I/O Advanced Programmable Interrupt
// Controller datasheet, May 1996): 24 input pins, an indirect register window (IOREGSEL at
// offset 00h, IOWIN at 10h) onto the ID (00h), version (01h: 00170011h, 24 entries, version
// 11h), arbitration ID (02h) and the 64-bit redirection table (10h-3Fh).
//
// Pins 0-15 carry the ISA IRQs as QEMU's PC wires them (IRQ 0, the PIT, on pin 2; the others
// on the pin of their number); PCI interrupts arrive through the ISA IRQs the PIIX3 routes them
// to. An input's asserted level is its line level XOR the entry's polarity (bit 13, 1 = active
// low). Edge-triggered entries send one message per asserting edge; level-triggered ones send
// while asserted, and their remote IRR (bit 14) stays set from delivery until the local APIC's
// EOI for that vector, when a still-asserted input sends again.
#pragma once

#include <array>
#include <cstdint>

#include "devices/device.h"
#include "devices/lapic.h"
#include "mmu/phys_memory.h"

namespace devices {

class Ioapic : public Device, public mmu::MmioHandler {
 public:
  static constexpr uint32_t kBase = 0xfec00000u;
  static constexpr uint32_t kSize = 0x1000;
  static constexpr unsigned kPins = 24;
  static constexpr uint32_t kVersion = 0x00170011;
  static constexpr uint32_t kSelect = 0x00, kWindow = 0x10;
  // Redirection entry fields (datasheet §3.2.4).
  static constexpr uint64_t kMasked = 1u << 16, kLevel = 1u << 15, kRemoteIrr = 1u << 14,
                            kActiveLow = 1u << 13, kLogical = 1u << 11;

  explicit Ioapic(Lapic& lapic) : lapic_(lapic) { reset(); }

  const char* name() const override { return "ioapic"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t mmio_read(uint32_t offset, unsigned size) override;
  void mmio_write(uint32_t offset, unsigned size, uint32_t value) override;

  // The line level of an input pin (true: high). Out-of-range pins are ignored.
  void set_pin(unsigned pin, bool level);
  // The local APIC's EOI of a level-triggered vector.
  void eoi(uint8_t vector);

  uint64_t entry(unsigned pin) const { return st_.redir[pin]; }

 private:
  bool asserted(unsigned pin) const;
  void service(unsigned pin);  // sends a level-triggered entry's message if it is due
  void send(unsigned pin);
  uint32_t read_window() const;
  void write_window(uint32_t v);

  struct State {
    uint32_t select = 0, id = 0;
    std::array<uint64_t, kPins> redir{};
    uint32_t lines = 0;  // input line levels, bit per pin
  };

  Lapic& lapic_;
  State st_;
};

// The ISA IRQ lines of the board, each wired to both the 8259 pair and an I/O APIC pin.
class IsaIrqs : public IrqSink {
 public:
  IsaIrqs(IrqSink& pic, Ioapic& ioapic) : pic_(pic), ioapic_(ioapic) {}
  void set_irq(unsigned irq, bool level) override {
    pic_.set_irq(irq, level);
    if (irq < 16) ioapic_.set_pin(irq == 0 ? 2 : irq, level);
  }

 private:
  IrqSink& pic_;
  Ioapic& ioapic_;
};

}  // namespace devices
