#include "devices/image_probe.h"

#include <array>
#include <cstring>

namespace devices {
namespace {

struct Magic {
  uint64_t offset;
  std::string_view bytes;
  std::string_view name;
};

using namespace std::string_view_literals;

// Signatures from each format's specification. A fixed-size VHD has only a footer and raw data,
// so it is not listed: it is usable as raw.
constexpr std::array kForeign = {
    Magic{0, "KDMV"sv, "vmdk"},                   // VMware sparse extent
    Magic{0, "# Disk DescriptorFile"sv, "vmdk"},  // VMware descriptor
    Magic{0, "COWD"sv, "vmdk"},                   // VMware ESX sparse
    Magic{64, "\x7f\x10\xda\xbe"sv, "vdi"},       // VirtualBox: 0xbeda107f little-endian
    Magic{0, "vhdxfile"sv, "vhdx"},               // Hyper-V VHDX file identifier
    Magic{0, "conectix"sv, "vpc"},                // dynamic VHD: footer copy at the start
    Magic{0, "QED\0"sv, "qed"},
    Magic{0, "LUKS\xba\xbe"sv, "luks"},  // LUKS1 and LUKS2 share the magic
    Magic{0, "WithoutFreeSpace"sv, "parallels"},
    Magic{0, "WithouFreSpacExt"sv, "parallels"},
    Magic{0, "Bochs Virtual HD Image"sv, "bochs"},
};

bool matches(std::span<const uint8_t> head, const Magic& m) {
  return head.size() >= m.offset + m.bytes.size() &&
         std::memcmp(head.data() + m.offset, m.bytes.data(), m.bytes.size()) == 0;
}

}  // namespace

ImageProbe probe_image(std::span<const uint8_t> head) {
  if (matches(head, Magic{0, "QFI\xfb"sv, {}})) {
    // qcow version 1 shares the magic; the version (big-endian) follows it.
    const bool v1 =
        head.size() >= 8 && head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] == 1;
    return v1 ? ImageProbe{ImageProbe::Kind::Other, "qcow (version 1)"}
              : ImageProbe{ImageProbe::Kind::Qcow2, "qcow2"};
  }
  for (const Magic& m : kForeign)
    if (matches(head, m)) return {ImageProbe::Kind::Other, m.name};
  return {};
}

}  // namespace devices
