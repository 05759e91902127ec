// Keys and mouse from the host's interactive sources (the SDL window, a VNC viewer, QMP and the
// monitor) on their way into the machine's input queue (machine/host_input.h, which -record
// logs): this side keeps the mouse buttons held, so sources can report a button or a move
// alone.
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
