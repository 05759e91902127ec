// Needles: stored pictures of the screen (NAME.png) with named rectangular areas (NAME.json)
// that a script step waits for (--step needle@S:NAME), as openQA's needles are used. Only the
// areas are compared; everything outside them may differ.
//
// NAME.json: {"areas": [{"name": "prompt", "x": 0, "y": 0, "width": 720, "height": 16,
//                        "tolerance": 0, "delta": 0}, ...]}
// A pixel differs when one of its red, green or blue values is more than `delta` (0-255) away
// from the needle's; an area matches when at most `tolerance` of its pixels differ. Both default
// to 0: an exact match.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/vga_render.h"

namespace machine {

struct NeedleArea {
  std::string name;
  unsigned x = 0, y = 0, width = 0, height = 0;
  uint64_t tolerance = 0;  // differing pixels allowed
  unsigned delta = 0;      // per-channel difference that still counts as the same
};

struct Needle {
  std::string base;  // the path without .png/.json
  std::string name;  // the file name without .png/.json
  devices::VgaFrame image;
  std::vector<NeedleArea> areas;
};

// "x/boot", "x/boot.png" and "x/boot.json" all name the needle x/boot.
std::string needle_base(const std::string& path);

// Reads NAME.json and NAME.png. Throws std::runtime_error with one line naming the file. With
// `image_optional`, a missing NAME.png (or NAME.json: one area covering the screen) is no error
// (--update-needles writes them).
Needle load_needle(const std::string& path, bool image_optional = false);

// An 8-bit RGB or RGBA PNG (alpha ignored; other layouts converted by libpng).
devices::VgaFrame read_png(const std::string& path);

struct NeedleMatch {
  bool matched = false;
  std::string why;  // for a mismatch: the first area that differs and by how many pixels
};
NeedleMatch match_needle(const Needle& needle, const devices::VgaFrame& screen);

// The screen dimmed, with the pixels that differ inside the areas in red and each area framed:
// green where it matches, red where it does not.
devices::VgaFrame needle_diff(const Needle& needle, const devices::VgaFrame& screen);

// Writes NAME.png from `screen` and NAME.json with the needle's areas (one covering the whole
// screen when it has none). Throws std::runtime_error naming the file.
void update_needle(const Needle& needle, const devices::VgaFrame& screen);

}  // namespace machine
