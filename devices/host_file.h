// An image file on the host: whole-range pread/pwrite, its size, and the byte-range locks that
// keep two programs from writing one image at once. The locks are the ones QEMU takes, so that
// ghost86 and QEMU (qemu-system, qemu-img, qemu-io) exclude each other too.
#pragma once

#include <cstdint>
#include <string>

namespace devices {

class HostFile {
 public:
  HostFile() = default;
  // Opens a regular file for reading (and writing when `write`), locked for that use. Throws
  // std::runtime_error with one line naming `what` (the option) and the path.
  static HostFile open(const std::string& path, bool write, const std::string& what);
  HostFile(HostFile&& other) noexcept : fd_(other.fd_), size_(other.size_) { other.fd_ = -1; }
  HostFile& operator=(HostFile&& other) noexcept;
  HostFile(const HostFile&) = delete;
  HostFile& operator=(const HostFile&) = delete;
  ~HostFile();

  uint64_t size() const { return size_; }  // as at open, grown by writes past the end
  // False when the host reports an error or the range is not wholly in the file.
  bool read(uint64_t offset, void* dst, uint64_t len) const;
  bool write(uint64_t offset, const void* src, uint64_t len);
  void sync();

 private:
  explicit HostFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace devices
