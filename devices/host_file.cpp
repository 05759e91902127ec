#include "devices/host_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace devices {
namespace {

// QEMU's image locking (observed with qemu-img/qemu-io 7.2 in /proc/locks): an open image holds
// a shared OFD lock on byte 100+P for each block-layer permission P it uses, and on byte 200+P
// for each permission it does not allow others. Before opening, a byte held by someone else at
// 200+P refuses permission P, and one at 100+P refuses not sharing P. Permissions by bit:
// 0 consistent read, 1 write, 2 write-unchanged, 3 resize.
constexpr off_t kPermBase = 100, kUnsharedBase = 200;
constexpr std::array<std::string_view, 4> kPermName = {"consistent read", "write",
                                                       "write unchanged", "resize"};
constexpr unsigned kRead = 0, kWrite = 1, kResize = 3;

struct LockPlan {
  std::array<unsigned, 3> used;
  unsigned used_count;
  std::array<unsigned, 2> unshared;  // readers and writers alike let nobody else write or resize
};

constexpr LockPlan kWriterLocks = {{kRead, kWrite, kResize}, 3, {kWrite, kResize}};
constexpr LockPlan kReaderLocks = {{kRead, 0, 0}, 1, {kWrite, kResize}};

struct flock byte_lock(short type, off_t at) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = at;
  fl.l_len = 1;
  return fl;
}

// Whether another open file holds a lock on byte `at` (our own locks never conflict here).
bool held_by_other(int fd, off_t at) {
  struct flock fl = byte_lock(F_WRLCK, at);
  return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

// Returns an empty string when locked, else why not. Filesystems without OFD locks (EINVAL,
// ENOLCK, ENOTSUP) are used unlocked, as QEMU does.
std::string lock(int fd, const LockPlan& plan) {
  auto take = [&](off_t at) {
    struct flock fl = byte_lock(F_RDLCK, at);
    return fcntl(fd, F_OFD_SETLK, &fl) == 0 || errno == EINVAL || errno == ENOLCK ||
           errno == ENOTSUP;
  };
  // Take ours first, then look for conflicts: two programs opening at once both see each other.
  for (unsigned i = 0; i < plan.used_count; i++)
    if (!take(kPermBase + plan.used[i]))
      return fmt::format("cannot lock it: {}", std::strerror(errno));
  for (unsigned p : plan.unshared)
    if (!take(kUnsharedBase + p)) return fmt::format("cannot lock it: {}", std::strerror(errno));
  for (unsigned i = 0; i < plan.used_count; i++)
    if (held_by_other(fd, kUnsharedBase + plan.used[i]))
      return fmt::format("is in use by another process (it does not share \"{}\")",
                         kPermName[plan.used[i]]);
  for (unsigned p : plan.unshared)
    if (held_by_other(fd, kPermBase + p))
      return fmt::format("is in use by another process (it holds the \"{}\" permission)",
                         kPermName[p]);
  return {};
}

}  // namespace

HostFile HostFile::open(const std::string& path, bool write, const std::string& what) {
  const int fd = ::open(path.c_str(), (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error(
        fmt::format("{}: cannot open '{}': {}", what, path, std::strerror(errno)));
  HostFile file(fd, 0);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    throw std::runtime_error(fmt::format("{}: '{}' is not a regular file{}", what, path,
                                         err ? std::string(": ") + std::strerror(err) : ""));
  }
  file.size_ = uint64_t(st.st_size);
  if (std::string why = lock(fd, write ? kWriterLocks : kReaderLocks); !why.empty())
    throw std::runtime_error(fmt::format("{}: '{}' {}", what, path, why));
  return file;
}

HostFile& HostFile::operator=(HostFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_, size_ = other.size_;
    other.fd_ = -1;
  }
  return *this;
}

HostFile::~HostFile() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases its OFD locks
}

bool HostFile::read(uint64_t offset, void* dst, uint64_t len) const {
  if (offset > size_ || len > size_ - offset) return false;
  auto* p = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const ssize_t n = pread(fd_, p, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, offset += uint64_t(n), len -= uint64_t(n);
  }
  return true;
}

bool HostFile::write(uint64_t offset, const void* src, uint64_t len) {
  auto* p = static_cast<const uint8_t*>(src);
  const uint64_t end = offset + len;
  while (len > 0) {
    const ssize_t n = pwrite(fd_, p, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, offset += uint64_t(n), len -= uint64_t(n);
  }
  if (end > size_) size_ = end;
  return true;
}

void HostFile::sync() {
  if (fd_ >= 0) fsync(fd_);
}

}  // namespace devices
