#include "mmu/zeroed_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace mmu {

ZeroedBuffer::ZeroedBuffer(size_t bytes) : size_(bytes) {
  // Anonymous mappings read as zero until written (POSIX mmap, MAP_ANONYMOUS).
  void* p =
      mmap(nullptr, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mapped_ = p != MAP_FAILED;
  if (!mapped_) {
    p = std::calloc(bytes ? bytes : 1, 1);
    if (!p) throw std::bad_alloc();
  }
  data_ = static_cast<uint8_t*>(p);
}

ZeroedBuffer::~ZeroedBuffer() {
  if (mapped_)
    munmap(data_, size_ ? size_ : 1);
  else
    std::free(data_);
}

void ZeroedBuffer::clear() {
  // A fresh anonymous mapping over the old one (MAP_FIXED replaces it, file views included)
  // reads as zero; where that is refused the bytes are written.
  if (mapped_ && size_ &&
      mmap(data_, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
    return;
  std::memset(data_, 0, size_);
}

bool ZeroedBuffer::map_file(size_t at, size_t len, int fd, uint64_t file_offset) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  if (!mapped_ || at > size_ || len > size_ - at || len == 0 || at % page || len % page || file_offset % page)
    return false;
  return mmap(data_ + at, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, off_t(file_offset)) != MAP_FAILED;
}

}  // namespace mmu
