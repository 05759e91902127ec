// Text to key strokes on a US keyboard, for typing into the guest from scripts (--step type:).
// Key codes are the PS/2 keyboard's host codes (set-2 make codes, devices/ps2_keyboard.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace machine {

constexpr uint16_t kLeftShift = 0x12;

struct KeyStroke {
  uint16_t key = 0;
  bool shift = false;
};

// The strokes that type `text`. Escapes: \n and \r (Enter), \t (Tab), \b (Backspace), \e (Esc),
// \\ (a backslash). Returns nullopt and sets `error` for a character no key types.
std::optional<std::vector<KeyStroke>> text_to_keys(std::string_view text, std::string* error);

// The bytes a terminal sends for `text` on a serial line, with the same escapes: \n and \r are
// CR (the Enter key), \t Tab, \b DEL (the Backspace key), \e ESC. Returns nullopt and sets
// `error` for an unknown escape.
std::optional<std::string> text_to_serial(std::string_view text, std::string* error);

}  // namespace machine
