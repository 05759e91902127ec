#include "mmu/zeroed_buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace mmu {

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
}

ZeroedBuffer::ZeroedBuffer(size_t bytes, bool huge_pages) : size_(bytes), huge_(huge_pages && bytes >= kHugePage) {
  // Anonymous mappings read as zero until written (POSIX mmap, MAP_ANONYMOUS).
  map_size_ = (bytes ? bytes : 1) + (huge_ ? kHugePage : 0);
  void* p = mmap(nullptr, map_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mapped_ = p != MAP_FAILED;
  if (!mapped_) {
    p = std::calloc(bytes ? bytes : 1, 1);
    if (!p) throw std::bad_alloc();
    data_ = static_cast<uint8_t*>(p);
    return;
  }
  map_ = static_cast<uint8_t*>(p);
  data_ = huge_ ? reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(map_) + kHugePage - 1) & ~(kHugePage - 1))
                : map_;
  advise();
}

ZeroedBuffer::~ZeroedBuffer() {
  if (mapped_)
    munmap(map_, map_size_);
  else
    std::free(data_);
}

void ZeroedBuffer::advise() const {
#ifdef MADV_HUGEPAGE
  if (huge_) madvise(data_, size_ & ~(kHugePage - 1), MADV_HUGEPAGE);
#endif
}

void ZeroedBuffer::clear() {
  // A fresh anonymous mapping over the old one (MAP_FIXED replaces it, file views included)
  // reads as zero; where that is refused the bytes are written.
  if (mapped_ && size_ &&
      mmap(data_, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
          MAP_FAILED) {
    file_pages_ = false;
    advise();  // the new mapping does not inherit the advice
    return;
  }
  std::memset(data_, 0, size_);
}

bool ZeroedBuffer::map_file(size_t at, size_t len, int fd, uint64_t file_offset) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  if (!mapped_ || at > size_ || len > size_ - at || len == 0 || at % page || len % page || file_offset % page)
    return false;
  if (mmap(data_ + at, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, off_t(file_offset)) == MAP_FAILED)
    return false;
  file_pages_ = true;
  return true;
}

std::vector<uint8_t> ZeroedBuffer::touched_pages() const {
  constexpr size_t kPage = 4096;
  std::vector<uint8_t> out((size_ + kPage - 1) / kPage, 1);
  if (!mapped_ || file_pages_ || sysconf(_SC_PAGESIZE) != long(kPage) || out.empty()) return out;
  // pagemap: one u64 per virtual page; bit 63 present in memory, bit 62 in swap
  // (Documentation/admin-guide/mm/pagemap.rst).
  const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  std::vector<uint64_t> entries(out.size());
  const size_t bytes = entries.size() * sizeof(uint64_t);
  const off_t at = off_t(reinterpret_cast<uintptr_t>(data_) / kPage * sizeof(uint64_t));
  const bool ok = pread(fd, entries.data(), bytes, at) == ssize_t(bytes);
  close(fd);
  if (!ok) return out;
  for (size_t i = 0; i < out.size(); i++) out[i] = (entries[i] >> 62) != 0;
  return out;
}

}  // namespace mmu
