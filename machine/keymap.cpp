#include "machine/keymap.h"

#include <fmt/format.h>

#include <array>

namespace machine {
namespace {

// One row per key of the US layout: its set-2 make code and the characters it types without
// and with Shift (IBM PS/2 Technical Reference, keyboard scan code set 2).
struct KeyRow {
  uint16_t code;
  char plain, shifted;
};

constexpr std::array<KeyRow, 47> kKeys = {{
    {0x1C, 'a', 'A'}, {0x32, 'b', 'B'}, {0x21, 'c', 'C'}, {0x23, 'd', 'D'}, {0x24, 'e', 'E'},
    {0x2B, 'f', 'F'}, {0x34, 'g', 'G'}, {0x33, 'h', 'H'}, {0x43, 'i', 'I'}, {0x3B, 'j', 'J'},
    {0x42, 'k', 'K'}, {0x4B, 'l', 'L'}, {0x3A, 'm', 'M'}, {0x31, 'n', 'N'}, {0x44, 'o', 'O'},
    {0x4D, 'p', 'P'}, {0x15, 'q', 'Q'}, {0x2D, 'r', 'R'}, {0x1B, 's', 'S'}, {0x2C, 't', 'T'},
    {0x3C, 'u', 'U'}, {0x2A, 'v', 'V'}, {0x1D, 'w', 'W'}, {0x22, 'x', 'X'}, {0x35, 'y', 'Y'},
    {0x1A, 'z', 'Z'}, {0x16, '1', '!'}, {0x1E, '2', '@'}, {0x26, '3', '#'}, {0x25, '4', '$'},
    {0x2E, '5', '%'}, {0x36, '6', '^'}, {0x3D, '7', '&'}, {0x3E, '8', '*'}, {0x46, '9', '('},
    {0x45, '0', ')'}, {0x0E, '`', '~'}, {0x4E, '-', '_'}, {0x55, '=', '+'}, {0x54, '[', '{'},
    {0x5B, ']', '}'}, {0x5D, '\\', '|'}, {0x4C, ';', ':'}, {0x52, '\'', '"'}, {0x41, ',', '<'},
    {0x49, '.', '>'}, {0x4A, '/', '?'},
}};

constexpr uint16_t kSpace = 0x29, kEnter = 0x5A, kTab = 0x0D, kBackspace = 0x66, kEsc = 0x76;

std::optional<KeyStroke> stroke_for(char c) {
  if (c == ' ') return KeyStroke{kSpace, false};
  for (const KeyRow& row : kKeys) {
    if (row.plain == c) return KeyStroke{row.code, false};
    if (row.shifted == c) return KeyStroke{row.code, true};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<KeyStroke>> text_to_keys(std::string_view text, std::string* error) {
  std::vector<KeyStroke> out;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char e = text[++i];
      switch (e) {
        case 'n': case 'r': out.push_back({kEnter, false}); continue;
        case 't': out.push_back({kTab, false}); continue;
        case 'b': out.push_back({kBackspace, false}); continue;
        case 'e': out.push_back({kEsc, false}); continue;
        case '\\': c = '\\'; break;
        default:
          if (error) *error = fmt::format("unknown escape '\\{}'", e);
          return std::nullopt;
      }
    } else if (c == '\n' || c == '\r') {
      out.push_back({kEnter, false});
      continue;
    }
    const auto stroke = stroke_for(c);
    if (!stroke) {
      if (error) *error = fmt::format("no key types character 0x{:02x}", uint8_t(c));
      return std::nullopt;
    }
    out.push_back(*stroke);
  }
  return out;
}

std::optional<std::string> text_to_serial(std::string_view text, std::string* error) {
  std::string out;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      switch (const char e = text[++i]) {
        case 'n': case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'b': c = '\x7f'; break;
        case 'e': c = '\x1b'; break;
        case '\\': c = '\\'; break;
        default:
          if (error) *error = fmt::format("unknown escape '\\{}'", e);
          return std::nullopt;
      }
    } else if (c == '\n') {
      c = '\r';
    }
    out += c;
  }
  return out;
}

}  // namespace machine
