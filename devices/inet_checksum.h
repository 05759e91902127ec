// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
// big-endian words, as network cards insert it for IP, TCP and UDP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace devices {

// The running sum of `data` (an odd last byte is padded with zero), added to `sum`.
constexpr uint32_t inet_sum(std::span<const uint8_t> data, uint32_t sum = 0) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += uint32_t(data[i] << 8 | data[i + 1]);
  if (i < data.size()) sum += uint32_t(data[i] << 8);
  return sum;
}

// Folds the carries back in and complements: the value to store.
constexpr uint16_t inet_fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

}  // namespace devices
