#include <catch2/catch.hpp>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <unistd.h>

#include "machine/screendump.h"

namespace {

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + name)).string();
}

}  // namespace

TEST_CASE("screendump: the PNG decodes to the frame's pixels", "[machine][screendump]") {
  devices::VgaFrame frame;
  frame.width = 3;
  frame.height = 2;
  frame.pixels = {0xff0000, 0x00ff00, 0x0000ff, 0x123456, 0xffffff, 0x000000};
  const std::string path = temp_path("-dump.png");
  machine::write_png(path, frame);

  // Decode with libpng's simplified reader, independent of how the file was written.
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&image, path.c_str()));
  CHECK(image.width == 3);
  CHECK(image.height == 2);
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr));
  for (size_t i = 0; i < frame.pixels.size(); i++) {
    INFO("pixel " << i);
    CHECK(rgb[i * 3 + 0] == uint8_t(frame.pixels[i] >> 16));
    CHECK(rgb[i * 3 + 1] == uint8_t(frame.pixels[i] >> 8));
    CHECK(rgb[i * 3 + 2] == uint8_t(frame.pixels[i]));
  }
  std::filesystem::remove(path);
}

TEST_CASE("screendump: unwritable paths and empty pictures are one-line errors", "[machine][screendump]") {
  devices::VgaFrame frame{1, 1, {0}};
  try {
    machine::write_png("/nonexistent-dir/x.png", frame);
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("/nonexistent-dir/x.png") != std::string::npos);
  }
  CHECK_THROWS_AS(machine::write_png(temp_path("-empty.png"), devices::VgaFrame{}), std::runtime_error);
  CHECK_THROWS_AS(machine::write_text_dump("/nonexistent-dir/x.txt", {"a"}), std::runtime_error);
}
