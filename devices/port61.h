// System control port B (61h) of the PC/AT as the PIIX3 implements it. Read: bit 0 timer 2 GATE,
// bit 1 speaker data enable, bits 2-3 as written (parity/IOCHK check disables), bit 4 refresh
// toggle, bit 5 timer 2 OUT, bits 6-7 (parity/IOCHK error) zero. Write: bits 0-3.
//
// Integrator: register port 0x61 to this device; it drives the PIT's counter 2 GATE.
// The refresh toggle has no DRAM behind it: it flips every 15.085 us of virtual time (the AT's
// refresh period, 18 PIT clocks), which is what BIOS delay loops count.
#pragma once

#include <cstdint>

#include "devices/device.h"
#include "devices/pit.h"
#include "machine/clock.h"

namespace devices {

class Port61 : public Device, public PortDevice {
 public:
  static constexpr uint64_t kRefreshHalfPeriodNs = 15085;

  Port61(Pit& pit, machine::Clock& clock) : pit_(pit), clock_(clock) { reset(); }

  const char* name() const override { return "port61"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // Speaker output enabled (bit 1); the tone is timer 2's OUT.
  bool speaker_data() const { return control_ & 0x02; }

 private:
  uint8_t read8(uint16_t port);
  void write8(uint16_t port, uint8_t v);

  Pit& pit_;
  machine::Clock& clock_;
  uint8_t control_ = 0;  // bits 0-3 as last written
};

}  // namespace devices
