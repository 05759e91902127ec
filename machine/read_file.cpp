#include "machine/read_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace machine {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void fail(const char* what, const std::string& path, const std::string& reason) {
  throw std::runtime_error(fmt::format("{}: '{}': {}", what, path, reason));
}

std::string too_big(uint64_t max_bytes, const char* limit) {
  return fmt::format("over the limit of {} bytes ({})", max_bytes, limit);
}

}  // namespace

std::vector<uint8_t> read_whole_file(const std::string& path, const char* what, uint64_t max_bytes,
                                     const char* limit) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(what, path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(what, path, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail(what, path, std::strerror(EISDIR));
  if (S_ISREG(st.st_mode) && uint64_t(st.st_size) > max_bytes)
    fail(what, path, fmt::format("{} bytes, {}", uint64_t(st.st_size), too_big(max_bytes, limit)));
  std::vector<uint8_t> data;
  data.reserve(S_ISREG(st.st_mode) ? size_t(st.st_size) : 0);
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(what, path, std::strerror(errno));
    if (n == 0) return data;
    // A file that grew since fstat, or a pipe or device, is cut off at the limit.
    if (data.size() + size_t(n) > max_bytes) fail(what, path, too_big(max_bytes, limit));
    data.insert(data.end(), buf, buf + n);
  }
}

}  // namespace machine
