// Helpers for the snapshot tests: temporary files, the table of a snapshot file as its layout
// is specified in machine/snapshot_file.h, and loads that report their refusal.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "machine/pc_machine.h"

namespace test {

inline std::string temp_file(const std::string& tag) {
  static int serial = 0;
  return (std::filesystem::temp_directory_path() / ("ghost86-snap-" + std::to_string(::getpid()) +
                                                    "-" + std::to_string(serial++) + "-" + tag))
      .string();
}

inline std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

inline void spill(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline uint64_t le(const std::vector<uint8_t>& b, size_t at, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;) v = v << 8 | b[at + i];
  return v;
}

// One entry of the section table: 24-byte header, then 56 bytes per section.
struct TableEntry {
  std::string name;
  uint64_t offset, stored;
};

inline std::vector<TableEntry> table_of(const std::vector<uint8_t>& file) {
  std::vector<TableEntry> out;
  const uint64_t count = le(file, 12, 4);
  for (uint64_t i = 0; i < count; i++) {
    const size_t e = 24 + i * 56;
    out.push_back({std::string(reinterpret_cast<const char*>(&file[e])), le(file, e + 24, 8),
                   le(file, e + 32, 8)});
  }
  return out;
}

// The one-line refusal of a load, or "" when it loaded.
inline std::string load_error(machine::PcMachine& pc, const std::string& path) {
  try {
    pc.load_snapshot(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace test
