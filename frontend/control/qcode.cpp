#include "frontend/control/qcode.h"

#include <array>
#include <utility>

#include "devices/ps2_keyboard.h"

namespace frontend::control {
namespace {

// {QKeyCode name, set-2 make code}; E0-prefixed keys carry E0h in the high byte (IBM PS/2
// scan code set 2).
constexpr std::pair<std::string_view, uint16_t> kQcodes[] = {
    {"a", 0x1C},
    {"b", 0x32},
    {"c", 0x21},
    {"d", 0x23},
    {"e", 0x24},
    {"f", 0x2B},
    {"g", 0x34},
    {"h", 0x33},
    {"i", 0x43},
    {"j", 0x3B},
    {"k", 0x42},
    {"l", 0x4B},
    {"m", 0x3A},
    {"n", 0x31},
    {"o", 0x44},
    {"p", 0x4D},
    {"q", 0x15},
    {"r", 0x2D},
    {"s", 0x1B},
    {"t", 0x2C},
    {"u", 0x3C},
    {"v", 0x2A},
    {"w", 0x1D},
    {"x", 0x22},
    {"y", 0x35},
    {"z", 0x1A},
    {"1", 0x16},
    {"2", 0x1E},
    {"3", 0x26},
    {"4", 0x25},
    {"5", 0x2E},
    {"6", 0x36},
    {"7", 0x3D},
    {"8", 0x3E},
    {"9", 0x46},
    {"0", 0x45},
    {"ret", 0x5A},
    {"esc", 0x76},
    {"backspace", 0x66},
    {"tab", 0x0D},
    {"spc", 0x29},
    {"minus", 0x4E},
    {"equal", 0x55},
    {"bracket_left", 0x54},
    {"bracket_right", 0x5B},
    {"backslash", 0x5D},
    {"semicolon", 0x4C},
    {"apostrophe", 0x52},
    {"grave_accent", 0x0E},
    {"comma", 0x41},
    {"dot", 0x49},
    {"slash", 0x4A},
    {"caps_lock", 0x58},
    {"less", 0x61},
    {"f1", 0x05},
    {"f2", 0x06},
    {"f3", 0x04},
    {"f4", 0x0C},
    {"f5", 0x03},
    {"f6", 0x0B},
    {"f7", 0x83},
    {"f8", 0x0A},
    {"f9", 0x01},
    {"f10", 0x09},
    {"f11", 0x78},
    {"f12", 0x07},
    {"print", 0xE07C},
    {"sysrq", 0x84},
    {"scroll_lock", 0x7E},
    {"pause", 0xE114},
    {"insert", 0xE070},
    {"home", 0xE06C},
    {"pgup", 0xE07D},
    {"delete", 0xE071},
    {"end", 0xE069},
    {"pgdn", 0xE07A},
    {"right", 0xE074},
    {"left", 0xE06B},
    {"down", 0xE072},
    {"up", 0xE075},
    {"num_lock", 0x77},
    {"kp_divide", 0xE04A},
    {"kp_multiply", 0x7C},
    {"asterisk", 0x7C},
    {"kp_subtract", 0x7B},
    {"kp_add", 0x79},
    {"kp_enter", 0xE05A},
    {"kp_decimal", 0x71},
    {"kp_0", 0x70},
    {"kp_1", 0x69},
    {"kp_2", 0x72},
    {"kp_3", 0x7A},
    {"kp_4", 0x6B},
    {"kp_5", 0x73},
    {"kp_6", 0x74},
    {"kp_7", 0x6C},
    {"kp_8", 0x75},
    {"kp_9", 0x7D},
    {"shift", 0x12},
    {"shift_r", 0x59},
    {"ctrl", 0x14},
    {"ctrl_r", 0xE014},
    {"alt", 0x11},
    {"alt_r", 0xE011},
    {"meta_l", 0xE01F},
    {"meta_r", 0xE027},
    {"compose", 0xE02F},
    {"menu", 0xE02F},
};

}  // namespace

std::optional<uint16_t> qcode_to_ps2(std::string_view name) {
  for (const auto& [qcode, key] : kQcodes)
    if (qcode == name) return key;
  return std::nullopt;
}

// The 8042 translates set 2 to set 1 (devices::set2_to_set1), so the set-2 code of a set-1
// code is the one that translates to it; a prefix E0h carries over.
std::optional<uint16_t> keynum_to_ps2(int64_t number) {
  if (number <= 0 || number > 0xff) return std::nullopt;
  const uint8_t set1 = uint8_t(number & 0x7f);
  for (unsigned code = 1; code < 0x100; code++) {
    if (devices::set2_to_set1(uint8_t(code)) != set1 || code == set1) continue;
    return uint16_t((number & 0x80 ? 0xE000 : 0) | code);
  }
  return std::nullopt;
}

}  // namespace frontend::control
