// A disk image behind a storage device (IDE disk, ATAPI CD, floppy): raw or qcow2, found by the
// file's magic unless the format is given. Writes reach the file (nothing is lost on exit; close
// syncs it) unless the image is opened in snapshot mode, where they stay in memory and the file
// is never modified. Files are locked as QEMU locks them (devices/host_file.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace devices {

class DiskImage {
 public:
  enum class Mode { ReadWrite, ReadOnly, Snapshot };
  // Auto detects by magic and refuses other known formats; Raw takes the bytes as they are.
  enum class Format { Auto, Raw, Qcow2 };

  // Opens `path`. `what` names the option for error messages ("-hda"). Throws
  // std::runtime_error with one line naming the option, the path and the reason.
  static std::unique_ptr<DiskImage> open(const std::string& path, Mode mode,
                                         const std::string& what, Format format = Format::Auto);
  virtual ~DiskImage() = default;
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  uint64_t size() const { return size_; }  // what the guest sees
  bool writable() const { return writable_; }
  const std::string& path() const { return path_; }
  virtual std::string_view format_name() const = 0;

  // Byte-granular access; false (and nothing transferred, or for writes possibly part of it)
  // when the range is outside the image, the image is damaged or the host reports an error.
  bool read(uint64_t offset, void* dst, uint64_t len) {
    return offset <= size_ && len <= size_ - offset && do_read(offset, dst, len);
  }
  bool write(uint64_t offset, const void* src, uint64_t len) {
    return writable_ && offset <= size_ && len <= size_ - offset && do_write(offset, src, len);
  }
  // Makes written data durable (fsync); a no-op for snapshot and read-only images.
  virtual void flush() = 0;

 protected:
  DiskImage(uint64_t size, bool writable, std::string path)
      : size_(size), writable_(writable), path_(std::move(path)) {}
  void set_size(uint64_t size) { size_ = size; }
  // Called with the range already checked against size().
  virtual bool do_read(uint64_t offset, void* dst, uint64_t len) = 0;
  virtual bool do_write(uint64_t offset, const void* src, uint64_t len) = 0;

 private:
  uint64_t size_;
  bool writable_;
  std::string path_;
};

namespace detail {
// Opens an image read-only or read-write (no snapshot overlay); `depth` counts backing-file
// levels so a chain that loops ends with an error.
std::unique_ptr<DiskImage> open_image(const std::string& path, bool write, const std::string& what,
                                      DiskImage::Format format, unsigned depth);
}  // namespace detail

}  // namespace devices
