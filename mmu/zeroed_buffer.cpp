#include "mmu/zeroed_buffer.h"

#include <sys/mman.h>

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
  // MADV_DONTNEED on a private anonymous mapping makes the next access see zero-filled pages
  // (madvise(2)); where that is refused the bytes are written.
  if (mapped_ && madvise(data_, size_, MADV_DONTNEED) == 0) return;
  std::memset(data_, 0, size_);
}

}  // namespace mmu
