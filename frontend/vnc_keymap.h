// RFB key events to PS/2 host key codes (set-2 make codes, devices/ps2_keyboard.h). RFB sends X11
// keysyms (RFC 6143 section 7.5.4), which name what a key types rather than where it is, so a
// character is mapped to the key that types it on a US keyboard; the viewer sends Shift itself
// (Shift_L, then "!"), so "!" and "1" are the same key.
#pragma once

#include <cstdint>

namespace frontend {

// 0 for a keysym no PS/2 key has.
uint16_t vnc_keysym_to_ps2(uint32_t keysym);

}  // namespace frontend
