#include "machine/needle.h"

#include <fmt/format.h>
#include <png.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "machine/screendump.h"

namespace machine {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Larger than any VGA or VBE mode ghost86 renders, small enough that a hostile header cannot
// make us allocate gigabytes.
constexpr unsigned kMaxSide = 4096;

[[noreturn]] void bad(const std::string& file, const std::string& what) {
  throw std::runtime_error(fmt::format("needle '{}': {}", file, what));
}

unsigned number(const json& area, const char* key, const std::string& file, size_t index,
                uint64_t max, uint64_t fallback, bool required) {
  const auto it = area.find(key);
  if (it == area.end()) {
    if (required) bad(file, fmt::format("area {} has no \"{}\"", index + 1, key));
    return unsigned(fallback);
  }
  if (!it->is_number_unsigned() || it->get<uint64_t>() > max)
    bad(file,
        fmt::format("area {}: \"{}\" must be a whole number from 0 to {}", index + 1, key, max));
  return unsigned(it->get<uint64_t>());
}

std::vector<NeedleArea> read_areas(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) bad(file, "cannot be read");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) bad(file, "is not valid JSON");
  if (!doc.is_object() || !doc.contains("areas") || !doc["areas"].is_array())
    bad(file, "expected an object with an \"areas\" array");
  std::vector<NeedleArea> areas;
  for (size_t i = 0; i < doc["areas"].size(); i++) {
    const json& a = doc["areas"][i];
    if (!a.is_object()) bad(file, fmt::format("area {} is not an object", i + 1));
    for (const auto& [key, value] : a.items())
      if (key != "name" && key != "x" && key != "y" && key != "width" && key != "height" &&
          key != "tolerance" && key != "delta")
        bad(file, fmt::format("area {}: unknown key \"{}\"", i + 1, key));
    NeedleArea area;
    area.name = fmt::format("area{}", i + 1);
    if (a.contains("name")) {
      if (!a["name"].is_string())
        bad(file, fmt::format("area {}: \"name\" must be a string", i + 1));
      area.name = a["name"].get<std::string>();
    }
    area.x = number(a, "x", file, i, kMaxSide, 0, true);
    area.y = number(a, "y", file, i, kMaxSide, 0, true);
    area.width = number(a, "width", file, i, kMaxSide, 0, true);
    area.height = number(a, "height", file, i, kMaxSide, 0, true);
    if (area.width == 0 || area.height == 0)
      bad(file, fmt::format("area '{}' is empty", area.name));
    area.tolerance = number(a, "tolerance", file, i, uint64_t(kMaxSide) * kMaxSide, 0, false);
    area.delta = number(a, "delta", file, i, 255, 0, false);
    areas.push_back(std::move(area));
  }
  if (areas.empty()) bad(file, "has no areas to compare");
  return areas;
}

uint8_t channel(uint32_t rgb, int shift) { return uint8_t(rgb >> shift); }

bool differs(uint32_t a, uint32_t b, unsigned delta) {
  for (const int shift : {16, 8, 0})
    if (unsigned(std::abs(int(channel(a, shift)) - int(channel(b, shift)))) > delta) return true;
  return false;
}

uint64_t differing_pixels(const Needle& n, const NeedleArea& a, const devices::VgaFrame& screen) {
  uint64_t count = 0;
  for (unsigned y = a.y; y < a.y + a.height; y++)
    for (unsigned x = a.x; x < a.x + a.width; x++)
      count += differs(n.image.pixels[size_t(y) * n.image.width + x],
                       screen.pixels[size_t(y) * screen.width + x], a.delta);
  return count;
}

bool same_size(const devices::VgaFrame& a, const devices::VgaFrame& b) {
  return a.width == b.width && a.height == b.height;
}

}  // namespace

std::string needle_base(const std::string& path) {
  for (const char* ext : {".png", ".json"})
    if (path.ends_with(ext)) return path.substr(0, path.size() - std::string_view(ext).size());
  return path;
}

devices::VgaFrame read_png(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    bad(path, fmt::format("is not a readable PNG ({})", image.message));
  if (image.width == 0 || image.height == 0 || image.width > kMaxSide || image.height > kMaxSide) {
    png_image_free(&image);
    bad(path,
        fmt::format("is {}x{} pixels (at most {} on a side)", image.width, image.height, kMaxSide));
  }
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr))
    bad(path, fmt::format("is a damaged PNG ({})", image.message));
  devices::VgaFrame frame;
  frame.width = image.width;
  frame.height = image.height;
  frame.pixels.resize(size_t(frame.width) * frame.height);
  for (size_t i = 0; i < frame.pixels.size(); i++)
    frame.pixels[i] = uint32_t(rgb[i * 3]) << 16 | uint32_t(rgb[i * 3 + 1]) << 8 | rgb[i * 3 + 2];
  return frame;
}

Needle load_needle(const std::string& path, bool image_optional) {
  Needle n;
  n.base = needle_base(path);
  n.name = fs::path(n.base).filename().string();
  const std::string json_file = n.base + ".json", png_file = n.base + ".png";
  const bool have_json = fs::exists(json_file), have_png = fs::exists(png_file);
  if (!have_json && !image_optional) bad(json_file, "does not exist");
  if (!have_png && !image_optional) bad(png_file, "does not exist");
  if (have_json) n.areas = read_areas(json_file);
  if (have_png) {
    n.image = read_png(png_file);
    for (const NeedleArea& a : n.areas)
      if (uint64_t(a.x) + a.width > n.image.width || uint64_t(a.y) + a.height > n.image.height)
        bad(json_file,
            fmt::format("area '{}' ({}x{} at {},{}) lies outside the {}x{} picture", a.name,
                        a.width, a.height, a.x, a.y, n.image.width, n.image.height));
  }
  return n;
}

NeedleMatch match_needle(const Needle& n, const devices::VgaFrame& screen) {
  if (n.image.pixels.empty()) return {false, fmt::format("needle '{}' has no picture yet", n.name)};
  if (!same_size(n.image, screen))
    return {false, fmt::format("the screen is {}x{}, needle '{}' {}x{}", screen.width,
                               screen.height, n.name, n.image.width, n.image.height)};
  for (const NeedleArea& a : n.areas) {
    const uint64_t count = differing_pixels(n, a, screen);
    if (count > a.tolerance)
      return {false, fmt::format("area '{}' of needle '{}' differs in {} pixels (tolerance {})",
                                 a.name, n.name, count, a.tolerance)};
  }
  return {true, {}};
}

devices::VgaFrame needle_diff(const Needle& n, const devices::VgaFrame& screen) {
  devices::VgaFrame out = screen;
  if (out.pixels.empty()) {
    out = n.image;  // nothing on the screen: the needle itself, with its frames
  }
  // Dimmed to a quarter, so that the marks stand out on any picture.
  for (uint32_t& p : out.pixels) p = (p >> 2) & 0x3f3f3f;
  const bool comparable = !n.image.pixels.empty() && same_size(n.image, screen);
  const auto put = [&](unsigned x, unsigned y, uint32_t rgb) {
    if (x < out.width && y < out.height) out.pixels[size_t(y) * out.width + x] = rgb;
  };
  for (const NeedleArea& a : n.areas) {
    bool ok = false;
    if (comparable) {
      ok = differing_pixels(n, a, screen) <= a.tolerance;
      for (unsigned y = a.y; y < a.y + a.height; y++)
        for (unsigned x = a.x; x < a.x + a.width; x++) {
          const size_t i = size_t(y) * screen.width + x;
          put(x, y,
              differs(n.image.pixels[i], screen.pixels[i], a.delta) ? 0xff0000 : screen.pixels[i]);
        }
    }
    const uint32_t frame = ok ? 0x00ff00 : 0xff0000;
    // The frame is drawn just outside the area, so that it hides none of the compared pixels.
    const int x0 = int(a.x) - 1, y0 = int(a.y) - 1, x1 = int(a.x + a.width),
              y1 = int(a.y + a.height);
    for (int x = x0; x <= x1; x++)
      put(unsigned(x), unsigned(y0), frame), put(unsigned(x), unsigned(y1), frame);
    for (int y = y0; y <= y1; y++)
      put(unsigned(x0), unsigned(y), frame), put(unsigned(x1), unsigned(y), frame);
  }
  return out;
}

void update_needle(const Needle& n, const devices::VgaFrame& screen) {
  std::vector<NeedleArea> areas = n.areas;
  if (areas.empty()) areas.push_back({"screen", 0, 0, screen.width, screen.height, 0, 0});
  json doc = json::object();
  doc["areas"] = json::array();
  for (const NeedleArea& a : areas)
    doc["areas"].push_back({{"name", a.name},
                            {"x", a.x},
                            {"y", a.y},
                            {"width", a.width},
                            {"height", a.height},
                            {"tolerance", a.tolerance},
                            {"delta", a.delta}});
  const std::string json_file = n.base + ".json";
  std::ofstream out(json_file, std::ios::binary | std::ios::trunc);
  out << doc.dump(2) << "\n";
  out.close();
  if (!out) bad(json_file, "cannot be written");
  write_png(n.base + ".png", screen);
}

}  // namespace machine
