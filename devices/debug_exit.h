// isa-debug-exit: a write of `value` ends the emulator with exit status (value << 1) | 1, like
// QEMU's `-device isa-debug-exit`. Test guests use it to report pass/fail.
#pragma once

#include <functional>

#include "devices/device.h"

namespace devices {

class DebugExit : public Device, public PortDevice {
 public:
  using ExitFn = std::function<void(int status)>;
  explicit DebugExit(ExitFn fn) : exit_(std::move(fn)) {}

  const char* name() const override { return "isa-debug-exit"; }
  void reset() override {}
  void serialize(Serializer&) override {}

  uint32_t port_read(uint16_t, unsigned size) override {
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  }
  void port_write(uint16_t, unsigned size, uint32_t value) override {
    if (size < 4) value &= (1u << (8 * size)) - 1;
    exit_(int((value << 1) | 1));
  }

 private:
  ExitFn exit_;
};

}  // namespace devices
