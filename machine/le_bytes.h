// Little-endian fields in byte vectors: the boot-protocol structures, ELF and Multiboot headers and
// ACPI tables the machine reads or builds. Bounds are the caller's to check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace machine {

inline uint64_t le_get(const std::vector<uint8_t>& v, size_t at, unsigned n) {
  uint64_t x = 0;
  for (unsigned i = n; i-- > 0;) x = x << 8 | v[at + i];
  return x;
}

inline void le_put(std::vector<uint8_t>& v, size_t at, uint64_t x, unsigned n) {
  for (unsigned i = 0; i < n; i++) v[at + i] = uint8_t(x >> (8 * i));
}

// Appends fields (value, byte count) in order: a table entry built as its layout lists them.
inline void le_append(std::vector<uint8_t>& v, std::initializer_list<std::pair<uint64_t, unsigned>> fields) {
  for (auto [x, n] : fields) {
    v.resize(v.size() + n);
    le_put(v, v.size() - n, x, n);
  }
}

}  // namespace machine
