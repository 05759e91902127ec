// System control port A (92h) of PS/2-style chipsets: bit 1 is the fast A20 gate, bit 0 the
// fast CPU reset (a 0 -> 1 transition resets the processor), bit 3 locks the CMOS password.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/device.h"

namespace devices {

class Port92 : public Device, public PortDevice {
 public:
  static constexpr uint16_t kPort = 0x92;
  using A20Fn = std::function<void(bool enabled)>;
  using ResetFn = std::function<void()>;

  // `a20` is called with bit 1 on every write; `reset` on a 0 -> 1 transition of bit 0.
  Port92(A20Fn a20, ResetFn reset) : a20_(std::move(a20)), reset_(std::move(reset)) {}

  const char* name() const override { return "port92"; }
  void reset() override { value_ = 0; }
  void serialize(Serializer& s) override;
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  bool a20() const { return value_ & 2; }

 private:
  uint8_t value_ = 0;  // the whole device state
  A20Fn a20_;
  ResetFn reset_;
};

}  // namespace devices
