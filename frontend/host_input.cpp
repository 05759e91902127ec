#include "frontend/host_input.h"

#include "machine/pc_machine.h"

namespace frontend {

// Into the machine's input queue (machine/host_input.h), which applies events at instruction
// counts the run loop chooses and the replay log records.
void HostInput::key(uint16_t code, bool down) { pc_.input().key(code, down); }

void HostInput::mouse_button(uint8_t bit, bool down) {
  buttons_ = down ? uint8_t(buttons_ | bit) : uint8_t(buttons_ & ~bit);
  pc_.input().mouse(0, 0, buttons_);
}

void HostInput::mouse_move(int dx, int dy) { pc_.input().mouse(dx, dy, buttons_); }

}  // namespace frontend
