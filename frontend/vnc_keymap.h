// RFB key events to PS/2 host key codes (set-2 make codes, devices/ps2_keyboard.h). RFB sends X11
// keysyms (RFC 6143 section 7.5.4), which name what a key types rather than where it is, so a
// character is mapped to the key that types it on a US keyboard; the viewer sends Shift itself
// (Shift_L, then "!"), so "!" and "1" are the same key.
#pragma once

#include <cstdint>

namespace frontend {

// 0 for a keysym no PS/2 key has.
uint16_t vnc_keysym_to_ps2(uint32_t keysym);

// QEMU's extended key event (RFB pseudo-encoding -258) names the key itself, whatever the
// viewer's layout: its XT (set-1) make code, an E0-prefixed one as the second byte with bit 7
// set (Up, E0 48h, is C8h). 0 for a code no PS/2 key has.
uint16_t vnc_xt_to_ps2(uint32_t keycode);

}  // namespace frontend
