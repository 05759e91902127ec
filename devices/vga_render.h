// What the VGA shows: the text grid (for screen dumps and waiting for text) and an RGB frame.
// Both are pure functions of the device state, so they never disturb the guest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/vga.h"

namespace devices {

struct VgaFrame {
  unsigned width = 0, height = 0;
  std::vector<uint32_t> pixels;  // 0x00RRGGBB, row-major
};

// In a text mode, one string per character row (code page 437 as UTF-8, trailing blanks
// removed); empty in graphics modes.
std::vector<std::string> vga_text_lines(const Vga& vga);

// The displayed picture: text modes with the font from plane 2, 16-colour planar, CGA-style
// 4-colour, chained 256-colour and VBE modes. Blinking text and cursor are drawn steadily, so a
// frame depends on device state alone.
VgaFrame vga_render(const Vga& vga);

// The UTF-8 form of one code page 437 character (control codes as their glyphs, 0 as space).
std::string cp437_to_utf8(uint8_t c);

}  // namespace devices
