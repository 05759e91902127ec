// The debug console (ports 0xE9 and 0x402): every byte written goes to an output sink. Reading
// the port returns 0xE9, which is how guests (SeaBIOS among them) detect it.
#pragma once

#include <functional>

#include "devices/device.h"

namespace devices {

class DebugCon : public Device, public PortDevice {
 public:
  using Sink = std::function<void(char)>;
  explicit DebugCon(Sink sink) : sink_(std::move(sink)) {}

  const char* name() const override { return "debugcon"; }
  void reset() override {}
  void serialize(Serializer&) override {}  // stateless

  uint32_t port_read(uint16_t, unsigned) override { return 0xe9; }
  void port_write(uint16_t, unsigned, uint32_t value) override { sink_(char(value & 0xff)); }

 private:
  Sink sink_;
};

}  // namespace devices
