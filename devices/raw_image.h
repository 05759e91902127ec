// A raw image: guest sector N is file bytes N*512.. as they are.
#pragma once

#include "devices/disk_image.h"
#include "devices/host_file.h"

namespace devices {

class RawImage final : public DiskImage {
 public:
  // `probed`: the format was detected, not given. Then, as QEMU does, a guest write that would
  // make the first sector look like another format fails, so the next open still finds raw.
  RawImage(HostFile file, bool writable, std::string path, bool probed)
      : DiskImage(file.size(), writable, std::move(path)),
        file_(std::move(file)),
        probed_(probed) {}
  ~RawImage() override { flush(); }
  std::string_view format_name() const override { return "raw"; }
  void flush() override {
    if (writable()) file_.sync();
  }

 private:
  bool do_read(uint64_t offset, void* dst, uint64_t len) override {
    return file_.read(offset, dst, len);
  }
  bool do_write(uint64_t offset, const void* src, uint64_t len) override;

  HostFile file_;
  bool probed_;
};

}  // namespace devices
