// A large buffer of zero bytes whose pages the host provides only when first touched: guest
// video memory is 16 MiB that most guests never use, and filling it at every start and reset
// cost more than many short runs take. Clearing hands the pages back to the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mmu {

class ZeroedBuffer {
 public:
  explicit ZeroedBuffer(size_t bytes);
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

  // Every byte zero again.
  void clear();

 private:
  uint8_t* data_;
  size_t size_;
  bool mapped_;  // an anonymous mapping (else heap memory, cleared by writing)
};

}  // namespace mmu
