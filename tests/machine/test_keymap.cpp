#include <catch2/catch.hpp>

#include "machine/keymap.h"

// Expected codes: scan code set 2 make codes of the US keyboard (IBM PS/2 Technical Reference).
TEST_CASE("keymap: text becomes set-2 key strokes with Shift where needed", "[machine][keymap]") {
  std::string error;
  auto keys = machine::text_to_keys("aZ1!\\n \\t", &error);
  REQUIRE(keys);
  REQUIRE(keys->size() == 7);
  CHECK((*keys)[0].key == 0x1C);
  CHECK_FALSE((*keys)[0].shift);
  CHECK((*keys)[1].key == 0x1A);
  CHECK((*keys)[1].shift);
  CHECK((*keys)[2].key == 0x16);
  CHECK((*keys)[3].key == 0x16);
  CHECK((*keys)[3].shift);
  CHECK((*keys)[4].key == 0x5A);  // Enter
  CHECK((*keys)[5].key == 0x29);  // Space
  CHECK((*keys)[6].key == 0x0D);  // Tab
}

TEST_CASE("keymap: untypable characters and unknown escapes are errors", "[machine][keymap]") {
  std::string error;
  CHECK_FALSE(machine::text_to_keys("caf\xc3\xa9", &error));
  CHECK(error.find("0xc3") != std::string::npos);
  CHECK_FALSE(machine::text_to_keys("\\q", &error));
  CHECK(error.find("\\q") != std::string::npos);
  auto bs = machine::text_to_keys("\\\\\\b\\e", &error);
  REQUIRE(bs);
  REQUIRE(bs->size() == 3);
  CHECK((*bs)[0].key == 0x5D);  // backslash
  CHECK((*bs)[1].key == 0x66);  // Backspace
  CHECK((*bs)[2].key == 0x76);  // Esc
}

// What a terminal sends on a serial line: Enter is CR, Backspace is DEL (VT100 conventions).
TEST_CASE("keymap: text for a serial console", "[machine][keymap]") {
  std::string error;
  CHECK(machine::text_to_serial("ls -l\\n", &error) == std::string("ls -l\r"));
  CHECK(machine::text_to_serial("a\\bb\\e\\t\\\\", &error) == std::string("a\x7f" "b\x1b\t\\"));
  CHECK(machine::text_to_serial("x\ny", &error) == std::string("x\ry"));
  CHECK_FALSE(machine::text_to_serial("\\z", &error));
  CHECK(error.find("\\z") != std::string::npos);
}
