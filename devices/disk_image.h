// A raw disk image file behind a storage device (IDE disk, ATAPI CD, floppy). Writes go
// straight to the file (nothing is lost on exit; close syncs it) unless the image is opened in
// snapshot mode, where they stay in memory and the file is never modified. The file is locked
// so two ghost86 instances cannot write one image at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace devices {

class DiskImage {
 public:
  enum class Mode { ReadWrite, ReadOnly, Snapshot };
  static constexpr uint32_t kChunk = 512;  // snapshot overlay granularity

  // Opens `path`. `what` names the option for error messages ("-hda"). Throws
  // std::runtime_error with one line naming the option, the path and the reason.
  static std::unique_ptr<DiskImage> open(const std::string& path, Mode mode, const std::string& what);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  uint64_t size() const { return size_; }
  bool writable() const { return mode_ != Mode::ReadOnly; }
  const std::string& path() const { return path_; }

  // Byte-granular access; false (and nothing transferred) when the range is outside the image
  // or the host reports an error.
  bool read(uint64_t offset, void* dst, uint64_t len);
  bool write(uint64_t offset, const void* src, uint64_t len);
  // Makes written data durable (fsync); a no-op for snapshot and read-only images.
  void flush();

 private:
  DiskImage(int fd, uint64_t size, Mode mode, std::string path)
      : fd_(fd), size_(size), mode_(mode), path_(std::move(path)) {}
  bool read_file(uint64_t offset, void* dst, uint64_t len);

  int fd_;
  uint64_t size_;
  Mode mode_;
  std::string path_;
  std::map<uint64_t, std::vector<uint8_t>> overlay_;  // snapshot: chunk index -> contents
};

}  // namespace devices
