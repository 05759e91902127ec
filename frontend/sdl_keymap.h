// SDL scancodes (USB HID usage IDs, position-based) to PS/2 host key codes (set-2 make codes,
// devices/ps2_keyboard.h), so the guest sees the key at the same place on the keyboard.
#pragma once

#include <cstdint>

namespace frontend {

// 0 for a scancode without a PS/2 key.
uint16_t sdl_scancode_to_ps2(int scancode);

}  // namespace frontend
