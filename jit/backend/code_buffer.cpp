#include "jit/backend/code_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>

namespace jit {

CodeBuffer::CodeBuffer(size_t bytes) : size_(bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<uint8_t*>(p);
}

CodeBuffer::~CodeBuffer() { munmap(base_, size_); }

}  // namespace jit
