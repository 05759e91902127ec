// The cascaded 8259A programmable interrupt controller pair of a PC/AT, as found in the PIIX3:
// master at 20h-21h, slave at A0h-A1h with its INT output on master IR2, and the PIIX3 edge/level
// control registers (ELCR) at 4D0h-4D1h. References: Intel 8259A datasheet (ICW/OCW formats,
// priority and EOI rules), Intel 82371SB PIIX3 datasheet (ELCR; ICW1.LTIM is replaced by ELCR).
//
// Integrator: register ports 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1 to this device, give it to the
// CPU as its cpu::InterruptSource and to devices as their IrqSink (lines 0-15).
//
// Edge-triggered ISA lines latch a request on a rising edge and keep it until it is
// acknowledged, even if the line falls first (a real 8259A forgets it and answers IR7), so a
// device that pulses its line still gets its interrupt. Level-triggered lines (ELCR) and the
// cascade input (the slave's INT) follow their level: a request that goes away before the
// acknowledge yields the spurious vector IR7 of the master (08h+7 after a PC BIOS init). The
// slave answers IR7 (IR15) when the master selects IR2 but the slave has nothing to deliver; with
// the cascade following INT and the acknowledge cycle being atomic here, that only happens if a
// guest acknowledges with no slave request.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "cpu/cpu.h"
#include "devices/device.h"

namespace devices {

class Pic : public Device, public PortDevice, public IrqSink, public cpu::InterruptSource {
 public:
  Pic() { reset(); }

  const char* name() const override { return "pic"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // ISA IRQ lines 0-15. Line 2 is the cascade input; an ISA card's IRQ2 pin reaches IRQ9, as on
  // the AT. Out-of-range lines are ignored.
  void set_irq(unsigned irq, bool level) override;

  bool intr_pending() override;
  uint8_t intr_acknowledge() override;
  // Called whenever INTR is asserted after a change, so the processor stops between blocks of
  // translated code and looks at it (the board sets CpuState::exit_request).
  void set_request_hook(std::function<void()> hook) { request_hook_ = std::move(hook); }

  // For tests and the debugger.
  uint8_t irr(unsigned chip) const { return chips_[chip & 1].irr; }
  uint8_t isr(unsigned chip) const { return chips_[chip & 1].isr; }
  uint8_t imr(unsigned chip) const { return chips_[chip & 1].imr; }

 private:
  struct Chip {
    uint8_t irr = 0, isr = 0, imr = 0xff;
    uint8_t lines = 0;     // current IR input levels
    uint8_t elcr = 0;      // 1 = level-triggered
    uint8_t vector_base = 0;
    uint8_t icw3 = 0;      // master: bit set per IR with a slave; slave: its ID
    uint8_t lowest = 7;    // IR with the lowest priority (rotation)
    uint8_t init_step = 0; // 0 = operational, else the ICW expected next (2..4)
    bool need_icw4 = false, single = false;
    bool auto_eoi = false, special_nested = false;
    bool rotate_on_aeoi = false, special_mask = false;
    bool read_isr = false, poll = false;
  };

  static constexpr unsigned kMaster = 0, kSlave = 1;
  static constexpr uint8_t kCascadeIr = 2;
  // PIIX3: IRQ 0, 1, 2 (ELCR1 bits 0-2) and 8, 13 (ELCR2 bits 0 and 5) are always edge.
  static constexpr std::array<uint8_t, 2> kElcrWritable = {0xf8, 0xde};

  uint8_t read8(uint16_t port);
  void write8(uint16_t port, uint8_t v);
  void write_command(Chip& c, uint8_t v);
  void write_data(Chip& c, uint8_t v);
  void set_line(Chip& c, unsigned ir, bool level);
  void set_elcr(Chip& c, uint8_t v);
  int highest_request(const Chip& c, unsigned chip_index) const;
  int highest_in_service(const Chip& c) const;
  void eoi(Chip& c, int ir, bool rotate);
  // Acknowledge on one chip: moves the request to in-service and returns its IR, or 7 (and
  // changes nothing) when no request is pending — the spurious case.
  unsigned acknowledge(Chip& c, unsigned chip_index);
  bool is_cascade(unsigned ir) const;
  void update_cascade();

  std::array<Chip, 2> chips_;
  std::function<void()> request_hook_;
};

}  // namespace devices
