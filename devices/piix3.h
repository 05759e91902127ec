// The PIIX3 (82371SB) functions of the i440FX board: the PCI-to-ISA bridge (00:01.0, 8086:7000)
// with PIRQ routing and the reset control register, and the configuration space of the IDE
// function (00:01.1, 8086:7010). The IDE controller itself hangs off Piix3Ide's hooks; the
// ELCR (4D0h/4D1h) belongs to the interrupt controller.
#pragma once

#include <functional>

#include "devices/pci.h"

namespace devices {

class Piix3Isa : public PciDevice, public PciIrqRouter, public IrqSink, public PortDevice {
 public:
  static constexpr unsigned kPirqRoute = 0x60;  // PIRQRC[A:D], 60h-63h
  static constexpr uint8_t kRouteDisable = 0x80;
  static constexpr uint16_t kResetPort = 0xcf9;
  using ResetFn = std::function<void(bool hard)>;

  // `isa` receives the ISA IRQ levels (the 8259 pair); `reset` is called on a CPU reset
  // request through CF9h.
  Piix3Isa(IrqSink& isa, ResetFn reset);

  const char* name() const override { return "piix3-isa"; }
  void reset() override;
  void serialize(Serializer& s) override;

  // PIRQA-D levels from the PCI host.
  void set_pirq(unsigned pirq, bool level) override;
  // Other sources whose ISA IRQ passes through the bridge (the ACPI SCI): wired-OR with the
  // PIRQs routed to the same line. One such source per IRQ.
  void set_irq(unsigned irq, bool level) override;

  // The reset control register at CF9h (reached through PciHost::set_legacy_ports).
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // The ISA IRQ a PIRQ is routed to, or -1.
  int pirq_route(unsigned pirq) const;

 protected:
  void config_written(unsigned off, unsigned len) override;

 private:
  void update_irqs();

  IrqSink& isa_;
  ResetFn reset_fn_;
  struct State {
    uint8_t pirq_level = 0;   // PIRQA-D inputs
    uint16_t ext_level = 0;   // other sources, by IRQ
    uint16_t irq_out = 0;     // levels driven into the ISA IRQ lines
    uint8_t rcr = 0;          // CF9h
  } s_;
};

class Piix3Ide : public PciDevice {
 public:
  static constexpr unsigned kBmBar = 4;  // BMIBA at 20h: 16 bytes of bus-master I/O
  static constexpr unsigned kIdetimPrimary = 0x40, kIdetimSecondary = 0x42;
  // Called with the new base of the bus-master registers, or -1 when they are unmapped.
  using BmdmaListener = std::function<void(int32_t base)>;

  // `bmdma` handles the bus-master registers once the guest maps them (may be null until the
  // IDE controller exists).
  explicit Piix3Ide(PortDevice* bmdma = nullptr);

  const char* name() const override { return "piix3-ide"; }
  void reset() override { PciDevice::reset(); }
  void serialize(Serializer& s) override { PciDevice::serialize(s); }

  void set_bmdma_listener(BmdmaListener l) { listener_ = std::move(l); }
  int32_t bmdma_base() const { return int32_t(window_base(bm_window_)); }
  bool bus_master_enabled() const { return command() & pci::kCmdMaster; }
  // IDETIM bit 15: the channel's legacy ports are decoded.
  bool channel_enabled(unsigned ch) const;

 protected:
  void window_changed(unsigned id) override;

 private:
  BmdmaListener listener_;
  unsigned bm_window_ = 0;
};

}  // namespace devices
