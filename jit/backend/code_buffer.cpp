#include "jit/backend/code_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>

namespace jit {

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
}

CodeBuffer::CodeBuffer(size_t bytes) : size_(bytes) {
  // Mapped with room to start on a 2 MiB boundary and offered to the kernel for transparent
  // huge pages (madvise(2) MADV_HUGEPAGE): translated code is written once and then run from
  // everywhere, and with 4 KiB pages filling the buffer costs one page fault per 4 KiB and
  // running it many iTLB misses. Where huge pages are unavailable the advice is ignored.
  map_size_ = bytes + kHugePage;
  void* p = mmap(nullptr, map_size_, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  map_ = static_cast<uint8_t*>(p);
  base_ = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(map_) + kHugePage - 1) & ~(kHugePage - 1));
#ifdef MADV_HUGEPAGE
  madvise(base_, bytes, MADV_HUGEPAGE);
#endif
}

CodeBuffer::~CodeBuffer() { munmap(map_, map_size_); }

}  // namespace jit
