#include "machine/screendump.h"

#include <fmt/format.h>
#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace machine {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_for_writing(const std::string& path) {
  File f(std::fopen(path.c_str(), "wb"));
  if (!f) throw std::runtime_error(fmt::format("--screendump: cannot write '{}': {}", path, std::strerror(errno)));
  return f;
}

void finish(File f, const std::string& path) {
  const bool ok = std::fflush(f.get()) == 0 && !std::ferror(f.get());
  if (std::fclose(f.release()) != 0 || !ok)
    throw std::runtime_error(fmt::format("--screendump: error writing '{}': {}", path, std::strerror(errno)));
}

}  // namespace

void write_text_dump(const std::string& path, const std::vector<std::string>& lines) {
  File f = open_for_writing(path);
  for (const std::string& line : lines) std::fprintf(f.get(), "%s\n", line.c_str());
  finish(std::move(f), path);
}

void write_png(const std::string& path, const devices::VgaFrame& frame) {
  if (frame.width == 0 || frame.height == 0)
    throw std::runtime_error(fmt::format("--screendump: '{}': the display shows no picture", path));
  File f = open_for_writing(path);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, nullptr);
    throw std::runtime_error("--screendump: out of memory");
  }
  std::vector<uint8_t> row(size_t(frame.width) * 3);
  // libpng reports errors by longjmp; nothing with a destructor is created between here and the
  // end of the encoding.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error(fmt::format("--screendump: error writing '{}'", path));
  }
  png_init_io(png, f.get());
  png_set_IHDR(png, info, frame.width, frame.height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (unsigned y = 0; y < frame.height; y++) {
    const uint32_t* src = &frame.pixels[size_t(y) * frame.width];
    for (unsigned x = 0; x < frame.width; x++) {
      row[x * 3 + 0] = uint8_t(src[x] >> 16);
      row[x * 3 + 1] = uint8_t(src[x] >> 8);
      row[x * 3 + 2] = uint8_t(src[x]);
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  finish(std::move(f), path);
}

}  // namespace machine

namespace machine {

// Binary PPM (netpbm P6): a header "P6 width height 255" and the RGB bytes, row by row.
void write_ppm(const std::string& path, const devices::VgaFrame& frame) {
  File f = open_for_writing(path);
  std::fprintf(f.get(), "P6\n%u %u\n255\n", frame.width, frame.height);
  std::vector<uint8_t> rgb;
  rgb.reserve(size_t(frame.width) * frame.height * 3);
  for (const uint32_t px : frame.pixels) rgb.insert(rgb.end(), {uint8_t(px >> 16), uint8_t(px >> 8), uint8_t(px)});
  std::fwrite(rgb.data(), 1, rgb.size(), f.get());
  finish(std::move(f), path);
}

}  // namespace machine
