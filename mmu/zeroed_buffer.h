// A large buffer of zero bytes whose pages the host provides only when first touched: guest
// video memory is 16 MiB that most guests never use, and filling it at every start and reset
// cost more than many short runs take. Clearing hands the pages back to the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mmu {

class ZeroedBuffer {
 public:
  // huge_pages: start on a 2 MiB boundary and offer the pages to the kernel as transparent huge
  // pages (madvise(2) MADV_HUGEPAGE), for memory that is mostly touched (guest RAM): one page
  // fault per 2 MiB instead of per 4 KiB. Ignored where the host cannot.
  explicit ZeroedBuffer(size_t bytes, bool huge_pages = false);
  ~ZeroedBuffer();
  ZeroedBuffer(const ZeroedBuffer&) = delete;
  ZeroedBuffer& operator=(const ZeroedBuffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<uint8_t> span() { return {data_, size_}; }
  std::span<const uint8_t> span() const { return {data_, size_}; }
  uint8_t& operator[](size_t i) { return data_[i]; }
  uint8_t operator[](size_t i) const { return data_[i]; }

  // Every byte zero again (pages mapped from a file included).
  void clear();
  // Makes [at, at + len) a copy-on-write view of `fd` from `file_offset`: the host reads pages
  // from the file when first touched and copies one only when it is written, and processes
  // mapping the same file share the pages nobody wrote. Offsets and length must be multiples of
  // the host's page size. False (and nothing changed) where that cannot be done; the caller
  // then reads the bytes.
  bool map_file(size_t at, size_t len, int fd, uint64_t file_offset);

  // Per 4 KiB page: 1 where the page may hold non-zero bytes, 0 where the host never provided
  // it (neither in memory nor in swap: /proc/self/pagemap), so it reads as zero without being
  // looked at, which would cost a page fault. All 1 where that cannot be known: no pagemap,
  // another host page size, or pages mapped from a file (not provided is no zero there).
  std::vector<uint8_t> touched_pages() const;

 private:
  void advise() const;

  uint8_t* data_;
  size_t size_;
  uint8_t* map_ = nullptr;  // the whole mapping (data_ may start further in, on a 2 MiB boundary)
  size_t map_size_ = 0;
  bool huge_ = false;
  bool mapped_;  // an anonymous mapping (else heap memory, cleared by writing)
  bool file_pages_ = false;  // map_file since the last clear
};

}  // namespace mmu
