// The translation cache's code memory (DESIGN.md §5 "Translation cache"): one fixed region,
// filled from the start and emptied whole when full, so that translated code never moves while
// it may run and every jump within the region reaches with a 32-bit displacement.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace jit {

class CodeBuffer {
 public:
  explicit CodeBuffer(size_t bytes);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  uint8_t* cursor() const { return base_ + used_; }
  size_t available() const { return size_ - used_; }
  // Marks `n` bytes at the cursor as used (aligned up to 16 so blocks start on a fetch line).
  void commit(size_t n) { used_ = std::min(size_, (used_ + n + 15) & ~size_t(15)); }
  // Forgets everything after the first `keep` bytes (the permanent code: entry and exit).
  void reset(size_t keep) { used_ = keep; }
  uint8_t* base() const { return base_; }
  size_t size() const { return size_; }
  size_t used() const { return used_; }

 private:
  uint8_t* map_ = nullptr;  // the whole mapping; base_ is its first 2 MiB boundary
  size_t map_size_ = 0;
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t used_ = 0;
};

}  // namespace jit
