#include "devices/raw_image.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "devices/image_probe.h"

namespace devices {

bool RawImage::do_write(uint64_t offset, const void* src, uint64_t len) {
  if (probed_ && offset < kProbeBytes) {
    std::vector<uint8_t> head(std::min<uint64_t>(kProbeBytes, size()));
    if (!file_.read(0, head.data(), head.size())) return false;
    const uint64_t n = std::min<uint64_t>(len, head.size() - offset);
    std::memcpy(head.data() + offset, src, n);
    if (probe_image(head).kind != ImageProbe::Kind::Raw) return false;
  }
  return file_.write(offset, src, len);
}

}  // namespace devices
