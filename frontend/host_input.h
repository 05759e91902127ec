// Keys and mouse from the host (the SDL window, a VNC viewer, QMP and the monitor) on their way
// into the guest's PS/2 devices. Host input is the machine's only non-determinism, so every
// source hands it over here, at an instruction boundary from the run loop's host poll, and this
// is the one place that would record it for a replay.
#pragma once

#include <cstdint>

namespace machine {
class PcMachine;
}

namespace frontend {

class HostInput {
 public:
  explicit HostInput(machine::PcMachine& pc) : pc_(pc) {}

  // A set-2 key code (devices/ps2_keyboard.h) pressed or released.
  void key(uint16_t code, bool down);
  // A mouse button (devices::Ps2Mouse::kLeft, kRight, kMiddle) pressed or released.
  void mouse_button(uint8_t bit, bool down);
  // Relative movement in PS/2 counts; y grows away from the user (upwards on the screen).
  void mouse_move(int dx, int dy);
  uint8_t buttons() const { return buttons_; }

 private:
  machine::PcMachine& pc_;
  uint8_t buttons_ = 0;
};

}  // namespace frontend
