// -snapshot: any image opened read-only, with the guest's writes kept in memory.
#pragma once

#include <map>
#include <vector>

#include "devices/disk_image.h"

namespace devices {

class SnapshotImage final : public DiskImage {
 public:
  static constexpr uint32_t kChunk = 512;  // overlay granularity

  explicit SnapshotImage(std::unique_ptr<DiskImage> base)
      : DiskImage(base->size(), true, base->path()), base_(std::move(base)) {}
  std::string_view format_name() const override { return base_->format_name(); }
  void flush() override {}

  // The image underneath, never written.
  DiskImage& base() { return *base_; }
  // The guest's writes (machine snapshots store and restore them): chunk index -> kChunk bytes.
  using Overlay = std::map<uint64_t, std::vector<uint8_t>>;
  const Overlay& overlay() const { return overlay_; }
  void set_overlay(Overlay o) { overlay_ = std::move(o); }

 private:
  bool do_read(uint64_t offset, void* dst, uint64_t len) override;
  bool do_write(uint64_t offset, const void* src, uint64_t len) override;

  std::unique_ptr<DiskImage> base_;
  Overlay overlay_;  // chunk index -> contents
};

}  // namespace devices
