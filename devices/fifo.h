// A fixed-capacity ring buffer for device FIFOs and byte queues. It never allocates, and its
// serialize() refuses indices that a damaged snapshot could use to reach outside the array.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "devices/device.h"

namespace devices {

template <class T, size_t N>
  requires std::is_trivially_copyable_v<T>
class RingFifo {
 public:
  static constexpr size_t kCapacity = N;

  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == N; }
  size_t size() const { return count_; }
  size_t room() const { return N - count_; }
  void clear() { head_ = count_ = 0; }

  // Returns false (and drops `v`) when full.
  bool push(T v) {
    if (full()) return false;
    data_[(head_ + count_) % N] = v;
    count_++;
    return true;
  }
  // Pops the oldest element; an empty FIFO yields T{}.
  T pop() {
    if (empty()) return T{};
    T v = data_[head_];
    head_ = uint16_t((head_ + 1) % N);
    count_--;
    return v;
  }
  T front() const { return empty() ? T{} : data_[head_]; }

  void serialize(Serializer& s) {
    for (T& v : data_) s.io(v);
    s.io(head_);
    s.io(count_);
    if (s.loading() && (head_ >= N || count_ > N)) throw std::runtime_error("device FIFO state is invalid");
  }

 private:
  std::array<T, N> data_{};
  uint16_t head_ = 0, count_ = 0;
};

// Wide accesses to byte-wide ISA registers: the bus cycle is split into byte cycles at
// consecutive ports, as the ISA bus does for an 8-bit device.
template <class ReadByte>
uint32_t split_read(uint16_t port, unsigned size, ReadByte&& rd) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++) v |= uint32_t(rd(uint16_t(port + i))) << (8 * i);
  return v;
}

template <class WriteByte>
void split_write(uint16_t port, unsigned size, uint32_t value, WriteByte&& wr) {
  for (unsigned i = 0; i < size && i < 4; i++) wr(uint16_t(port + i), uint8_t(value >> (8 * i)));
}

}  // namespace devices
