// QEMU's key names (the QKeyCode enumeration of its QMP schema: "a", "ret", "ctrl_r", "kp_add",
// ...) and its key numbers, as PS/2 host key codes (set-2 make codes, devices/ps2_keyboard.h),
// for send-key, input-send-event and the monitor's sendkey.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace frontend::control {

// The set-2 key code of a QKeyCode name, or nullopt for a name no PS/2 key has.
std::optional<uint16_t> qcode_to_ps2(std::string_view name);

// The set-2 key code of a QEMU key number: the key's set-1 scan code, plus 80h for an
// E0-prefixed key (QEMU's "number" key values and the monitor's hex key codes).
std::optional<uint16_t> keynum_to_ps2(int64_t number);

}  // namespace frontend::control
