// Firmware images for machine tests: a 64 KiB ROM whose reset vector runs a few bytes of code.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace test {

// Writes the image to a temporary file and returns its path. The reset vector (offset FFF0h
// of the last 64 KiB) holds `code`; the rest is HLT.
inline std::string write_rom(const std::vector<uint8_t>& code, size_t size = 0x10000) {
  std::vector<uint8_t> rom(size, 0xf4);
  std::copy(code.begin(), code.end(), rom.end() - 16);
  // Test cases run as parallel processes: each image gets a name of its own.
  static int serial = 0;
  auto path =
      std::filesystem::temp_directory_path() /
      ("ghost86-test-rom-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".bin");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(rom.data()), std::streamsize(rom.size()));
  return path.string();
}

}  // namespace test
