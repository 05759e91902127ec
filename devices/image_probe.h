// Image format detection by magic number, so that no image is used as a format it is not.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace devices {

struct ImageProbe {
  enum class Kind { Raw, Qcow2, Other } kind = Kind::Raw;
  std::string_view name = "raw";  // the format found, for messages
};

// Bytes from the start of the file that probe_image looks at.
constexpr uint64_t kProbeBytes = 512;

// `head` is the file's first bytes (fewer for a short file).
ImageProbe probe_image(std::span<const uint8_t> head);

}  // namespace devices
