// Screen dumps at exit (--screendump): the text grid as UTF-8 lines (.txt) or the displayed
// picture as an 8-bit RGB PNG (.png); and as a binary PPM, the control socket's default format.
#pragma once

#include <string>
#include <vector>

#include "devices/vga_render.h"

namespace machine {

// Both throw std::runtime_error with a one-line message naming the file when it cannot be
// written.
void write_text_dump(const std::string& path, const std::vector<std::string>& lines);
void write_png(const std::string& path, const devices::VgaFrame& frame);
void write_ppm(const std::string& path, const devices::VgaFrame& frame);

}  // namespace machine
