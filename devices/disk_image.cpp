#include "devices/disk_image.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace devices {

std::unique_ptr<DiskImage> DiskImage::open(const std::string& path, Mode mode, const std::string& what) {
  const int flags = (mode == Mode::ReadWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open '{}': {}", what, path, std::strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(
        fmt::format("{}: '{}' is not a regular file{}", what, path, err ? std::string(": ") + std::strerror(err) : ""));
  }
  // Writers take the lock exclusively; readers (and snapshot overlays) share it.
  if (flock(fd, (mode == Mode::ReadWrite ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    ::close(fd);
    throw std::runtime_error(fmt::format("{}: '{}' is in use by another process", what, path));
  }
  return std::unique_ptr<DiskImage>(new DiskImage(fd, uint64_t(st.st_size), mode, path));
}

DiskImage::~DiskImage() {
  flush();
  ::close(fd_);
}

bool DiskImage::read_file(uint64_t offset, void* dst, uint64_t len) {
  auto* p = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const ssize_t n = pread(fd_, p, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, offset += uint64_t(n), len -= uint64_t(n);
  }
  return true;
}

bool DiskImage::read(uint64_t offset, void* dst, uint64_t len) {
  if (offset > size_ || len > size_ - offset) return false;
  if (overlay_.empty()) return read_file(offset, dst, len);
  auto* p = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const uint64_t chunk = offset / kChunk, in = offset % kChunk;
    const uint64_t n = std::min<uint64_t>(len, kChunk - in);
    if (auto it = overlay_.find(chunk); it != overlay_.end())
      std::memcpy(p, it->second.data() + in, n);
    else if (!read_file(offset, p, n))
      return false;
    p += n, offset += n, len -= n;
  }
  return true;
}

bool DiskImage::write(uint64_t offset, const void* src, uint64_t len) {
  if (mode_ == Mode::ReadOnly || offset > size_ || len > size_ - offset) return false;
  auto* p = static_cast<const uint8_t*>(src);
  if (mode_ == Mode::ReadWrite) {
    while (len > 0) {
      const ssize_t n = pwrite(fd_, p, len, off_t(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n, offset += uint64_t(n), len -= uint64_t(n);
    }
    return true;
  }
  // Snapshot: copy-on-write into the in-memory overlay.
  while (len > 0) {
    const uint64_t chunk = offset / kChunk, in = offset % kChunk;
    const uint64_t n = std::min<uint64_t>(len, kChunk - in);
    auto it = overlay_.find(chunk);
    if (it == overlay_.end()) {
      std::vector<uint8_t> data(kChunk, 0);
      const uint64_t base = chunk * kChunk;
      if (!read_file(base, data.data(), std::min<uint64_t>(kChunk, size_ - base))) return false;
      it = overlay_.emplace(chunk, std::move(data)).first;
    }
    std::memcpy(it->second.data() + in, p, n);
    p += n, offset += n, len -= n;
  }
  return true;
}

void DiskImage::flush() {
  if (mode_ == Mode::ReadWrite) fsync(fd_);
}

}  // namespace devices
