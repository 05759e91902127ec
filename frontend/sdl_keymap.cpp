#include "frontend/sdl_keymap.h"

#include <array>
#include <utility>

namespace frontend {
namespace {

// {USB HID usage (= SDL_Scancode), set-2 make code}, from the USB HID Usage Tables (keyboard
// page 07h) and the IBM PS/2 scan code set 2; E0-prefixed keys carry E0h in the high byte.
constexpr std::pair<uint16_t, uint16_t> kMap[] = {
    {4, 0x1C},   {5, 0x32},   {6, 0x21},   {7, 0x23},   {8, 0x24},   {9, 0x2B},   {10, 0x34},
    {11, 0x33},  {12, 0x43},  {13, 0x3B},  {14, 0x42},  {15, 0x4B},  {16, 0x3A},  {17, 0x31},
    {18, 0x44},  {19, 0x4D},  {20, 0x15},  {21, 0x2D},  {22, 0x1B},  {23, 0x2C},  {24, 0x3C},
    {25, 0x2A},  {26, 0x1D},  {27, 0x22},  {28, 0x35},  {29, 0x1A},                            // A-Z
    {30, 0x16},  {31, 0x1E},  {32, 0x26},  {33, 0x25},  {34, 0x2E},  {35, 0x36},  {36, 0x3D},
    {37, 0x3E},  {38, 0x46},  {39, 0x45},                                                      // 1-0
    {40, 0x5A},  {41, 0x76},  {42, 0x66},  {43, 0x0D},  {44, 0x29},                            // Enter Esc BS Tab Space
    {45, 0x4E},  {46, 0x55},  {47, 0x54},  {48, 0x5B},  {49, 0x5D},  {50, 0x5D},  {51, 0x4C},
    {52, 0x52},  {53, 0x0E},  {54, 0x41},  {55, 0x49},  {56, 0x4A},  {57, 0x58},               // - = [ ] \ # ; ' ` , . / Caps
    {58, 0x05},  {59, 0x06},  {60, 0x04},  {61, 0x0C},  {62, 0x03},  {63, 0x0B},  {64, 0x83},
    {65, 0x0A},  {66, 0x01},  {67, 0x09},  {68, 0x78},  {69, 0x07},                            // F1-F12
    {70, 0xE07C}, {71, 0x7E}, {73, 0xE070}, {74, 0xE06C}, {75, 0xE07D}, {76, 0xE071},
    {77, 0xE069}, {78, 0xE07A}, {79, 0xE074}, {80, 0xE06B}, {81, 0xE072}, {82, 0xE075},       // PrtSc ScrLk Ins Home PgUp Del End PgDn arrows
    {83, 0x77},  {84, 0xE04A}, {85, 0x7C},  {86, 0x7B},  {87, 0x79},  {88, 0xE05A},            // NumLk KP/ KP* KP- KP+ KPEnter
    {89, 0x69},  {90, 0x72},  {91, 0x7A},  {92, 0x6B},  {93, 0x73},  {94, 0x74},  {95, 0x6C},
    {96, 0x75},  {97, 0x7D},  {98, 0x70},  {99, 0x71},                                         // KP1-KP0 KP.
    {100, 0x61}, {101, 0xE02F},                                                                // 102nd key, Menu
    {224, 0x14}, {225, 0x12}, {226, 0x11}, {227, 0xE01F},                                      // LCtrl LShift LAlt LGui
    {228, 0xE014}, {229, 0x59}, {230, 0xE011}, {231, 0xE027},                                  // RCtrl RShift RAlt RGui
};

}  // namespace

uint16_t sdl_scancode_to_ps2(int scancode) {
  for (const auto& [usage, code] : kMap)
    if (usage == scancode) return code;
  return 0;
}

}  // namespace frontend
