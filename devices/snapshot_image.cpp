#include "devices/snapshot_image.h"

#include <algorithm>
#include <cstring>

namespace devices {

bool SnapshotImage::do_read(uint64_t offset, void* dst, uint64_t len) {
  if (overlay_.empty()) return base_->read(offset, dst, len);
  auto* p = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const uint64_t chunk = offset / kChunk, in = offset % kChunk;
    const uint64_t n = std::min<uint64_t>(len, kChunk - in);
    if (auto it = overlay_.find(chunk); it != overlay_.end())
      std::memcpy(p, it->second.data() + in, n);
    else if (!base_->read(offset, p, n))
      return false;
    p += n, offset += n, len -= n;
  }
  return true;
}

// Copy-on-write into the overlay, one chunk at a time.
bool SnapshotImage::do_write(uint64_t offset, const void* src, uint64_t len) {
  auto* p = static_cast<const uint8_t*>(src);
  while (len > 0) {
    const uint64_t chunk = offset / kChunk, in = offset % kChunk;
    const uint64_t n = std::min<uint64_t>(len, kChunk - in);
    auto it = overlay_.find(chunk);
    if (it == overlay_.end()) {
      std::vector<uint8_t> data(kChunk, 0);
      const uint64_t base = chunk * kChunk;
      if (!base_->read(base, data.data(), std::min<uint64_t>(kChunk, size() - base))) return false;
      it = overlay_.emplace(chunk, std::move(data)).first;
    }
    std::memcpy(it->second.data() + in, p, n);
    p += n, offset += n, len -= n;
  }
  return true;
}

}  // namespace devices
