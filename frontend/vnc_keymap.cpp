#include "frontend/vnc_keymap.h"

#include <rfb/keysym.h>

#include <string>
#include <string_view>
#include <utility>

#include "devices/ps2_keyboard.h"
#include "frontend/control/qcode.h"
#include "machine/keymap.h"

namespace frontend {
namespace {

// The keys that type no character, by X11 keysym (X11 keysymdef.h, the values RFB uses) and
// QEMU's key name, whose set-2 code control/qcode.cpp knows.
constexpr std::pair<uint32_t, std::string_view> kKeysyms[] = {
    {XK_BackSpace, "backspace"},
    {XK_Tab, "tab"},
    {XK_ISO_Left_Tab, "tab"},
    {XK_Return, "ret"},
    {XK_Escape, "esc"},
    {XK_Delete, "delete"},
    {XK_Insert, "insert"},
    {XK_Home, "home"},
    {XK_End, "end"},
    {XK_Page_Up, "pgup"},
    {XK_Page_Down, "pgdn"},
    {XK_Left, "left"},
    {XK_Up, "up"},
    {XK_Right, "right"},
    {XK_Down, "down"},
    {XK_Print, "print"},
    {XK_Sys_Req, "sysrq"},
    {XK_Scroll_Lock, "scroll_lock"},
    {XK_Pause, "pause"},
    {XK_Menu, "compose"},
    {XK_Num_Lock, "num_lock"},
    {XK_Caps_Lock, "caps_lock"},
    {XK_Shift_L, "shift"},
    {XK_Shift_R, "shift_r"},
    {XK_Control_L, "ctrl"},
    {XK_Control_R, "ctrl_r"},
    {XK_Alt_L, "alt"},
    {XK_Alt_R, "alt_r"},
    {XK_ISO_Level3_Shift, "alt_r"},  // AltGr
    {XK_Meta_L, "alt"},
    {XK_Meta_R, "alt_r"},
    {XK_Super_L, "meta_l"},
    {XK_Super_R, "meta_r"},
    {XK_F1, "f1"},
    {XK_F2, "f2"},
    {XK_F3, "f3"},
    {XK_F4, "f4"},
    {XK_F5, "f5"},
    {XK_F6, "f6"},
    {XK_F7, "f7"},
    {XK_F8, "f8"},
    {XK_F9, "f9"},
    {XK_F10, "f10"},
    {XK_F11, "f11"},
    {XK_F12, "f12"},
    {XK_KP_Enter, "kp_enter"},
    {XK_KP_Divide, "kp_divide"},
    {XK_KP_Multiply, "kp_multiply"},
    {XK_KP_Subtract, "kp_subtract"},
    {XK_KP_Add, "kp_add"},
    {XK_KP_Decimal, "kp_decimal"},
    {XK_KP_Delete, "kp_decimal"},
    {XK_KP_0, "kp_0"},
    {XK_KP_1, "kp_1"},
    {XK_KP_2, "kp_2"},
    {XK_KP_3, "kp_3"},
    {XK_KP_4, "kp_4"},
    {XK_KP_5, "kp_5"},
    {XK_KP_6, "kp_6"},
    {XK_KP_7, "kp_7"},
    {XK_KP_8, "kp_8"},
    {XK_KP_9, "kp_9"},
    // The keypad with Num Lock off: the same keys.
    {XK_KP_Insert, "kp_0"},
    {XK_KP_End, "kp_1"},
    {XK_KP_Down, "kp_2"},
    {XK_KP_Page_Down, "kp_3"},
    {XK_KP_Left, "kp_4"},
    {XK_KP_Begin, "kp_5"},
    {XK_KP_Right, "kp_6"},
    {XK_KP_Home, "kp_7"},
    {XK_KP_Up, "kp_8"},
    {XK_KP_Page_Up, "kp_9"},
};

}  // namespace

uint16_t vnc_keysym_to_ps2(uint32_t keysym) {
  // Printable ASCII keysyms are the characters themselves (keysymdef.h, Latin-1).
  if (keysym >= 0x20 && keysym <= 0x7E) {
    const char c = char(keysym);
    const auto keys =
        machine::text_to_keys(std::string(1, c), nullptr);  // a lone "\\" is no escape
    return keys && keys->size() == 1 ? (*keys)[0].key : 0;
  }
  for (const auto& [sym, name] : kKeysyms)
    if (sym == keysym) return control::qcode_to_ps2(name).value_or(0);
  return 0;
}

uint16_t vnc_xt_to_ps2(uint32_t keycode) {
  if (keycode == 0 || keycode > 0xff) return 0;
  return devices::set1_to_key(uint16_t((keycode & 0x80 ? 0xe000 : 0) | (keycode & 0x7f)));
}

}  // namespace frontend
