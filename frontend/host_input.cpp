#include "frontend/host_input.h"

#include "devices/ps2_mouse.h"
#include "machine/pc_machine.h"

namespace frontend {

void HostInput::key(uint16_t code, bool down) {
  if (down)
    pc_.board().keyboard().press(code);
  else
    pc_.board().keyboard().release(code);
}

void HostInput::mouse_button(uint8_t bit, bool down) {
  buttons_ = down ? uint8_t(buttons_ | bit) : uint8_t(buttons_ & ~bit);
  pc_.board().mouse().move(0, 0, buttons_);
}

void HostInput::mouse_move(int dx, int dy) { pc_.board().mouse().move(dx, dy, buttons_); }

}  // namespace frontend
