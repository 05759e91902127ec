// Files read whole: refused by their size before being read, and never read past the limit.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "machine/read_file.h"

namespace {

std::string message_of(const std::string& path, uint64_t max) {
  try {
    machine::read_whole_file(path, "-x", max, "a test");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("read_whole_file reads a file up to its limit and refuses a larger one", "[machine][read_file]") {
  const std::filesystem::path p = std::filesystem::temp_directory_path() / "ghost86_read_file_test.bin";
  std::ofstream(p, std::ios::binary) << std::string(1000, 'a');
  CHECK(machine::read_whole_file(p.string(), "-x", 1000, "a test").size() == 1000);
  CHECK(message_of(p.string(), 999) == "-x: '" + p.string() + "': 1000 bytes, over the limit of 999 bytes (a test)");
  std::filesystem::remove(p);
  CHECK(message_of(p.string(), 999).find("No such file or directory") != std::string::npos);
  CHECK(message_of("/", 999).find("Is a directory") != std::string::npos);
}

TEST_CASE("read_whole_file stops an endless device at the limit", "[machine][read_file]") {
  // /dev/zero has no size to check first: reading stops once the limit is passed.
  CHECK(message_of("/dev/zero", 1 << 20) == "-x: '/dev/zero': over the limit of 1048576 bytes (a test)");
}
