#include "devices/fpu_irq.h"

namespace devices {

void FpuIrq::reset() {
  latched_ = false;
  irq_.set_irq(kIrq, false);
}

void FpuIrq::ferr() {
  if (latched_) return;
  latched_ = true;
  irq_.set_irq(kIrq, true);
}

uint32_t FpuIrq::port_read(uint16_t, unsigned size) {
  return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;  // nothing to read: open bus
}

void FpuIrq::port_write(uint16_t, unsigned, uint32_t) {
  latched_ = false;
  irq_.set_irq(kIrq, false);
}

void FpuIrq::serialize(Serializer& s) {
  s.io(latched_);  // the line's level is part of the interrupt controller's state
}

}  // namespace devices
