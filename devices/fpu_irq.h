// The PC/AT coprocessor error logic: the processor's FERR# output (an unmasked x87 exception
// with CR0.NE = 0) is latched onto IRQ 13, and a write to port F0h clears the latch (and on
// the AT, the coprocessor's busy state). Port F1h, the 287's reset, clears it as well.
#pragma once

#include <cstdint>

#include "devices/device.h"

namespace devices {

class FpuIrq : public Device, public PortDevice {
 public:
  static constexpr uint16_t kPort = 0xf0;  // and F1h
  static constexpr unsigned kIrq = 13;

  explicit FpuIrq(IrqSink& irq) : irq_(irq) {}

  const char* name() const override { return "fpu-irq"; }
  void reset() override;
  void serialize(Serializer& s) override;
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // FERR# from the processor.
  void ferr();
  bool asserted() const { return latched_; }

 private:
  IrqSink& irq_;
  bool latched_ = false;  // the whole device state
};

}  // namespace devices
