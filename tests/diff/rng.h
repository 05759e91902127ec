// A small deterministic PRNG (tests/splitmix64.h). The streams must be identical on every host
// and standard library, so every draw below is plain integer arithmetic on the 64-bit state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tests/splitmix64.h"

namespace diff {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}

  uint64_t next() { return test::splitmix64(s_); }
  uint32_t u32() { return uint32_t(next() >> 32); }
  // Uniform in [0, n) by multiply-shift (n > 0).
  uint32_t below(uint32_t n) { return uint32_t((uint64_t(u32()) * n) >> 32); }
  // Uniform in [lo, hi] (lo <= hi).
  uint32_t range(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
  bool chance(unsigned num, unsigned den) { return below(den) < num; }
  template <class T, size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(uint32_t(N))];
  }

  // A 32-bit value biased towards the boundaries where arithmetic goes wrong: zero, all ones,
  // the sign boundary, small magnitudes, single bits, and otherwise anything.
  uint32_t edgy() {
    switch (below(10)) {
      case 0: return pick(kEdges);
      case 1: return below(16);
      case 2: return 0u - below(16);
      case 3: return 1u << below(32);
      case 4: return (0x7fffffffu + below(3)) ^ (chance(1, 2) ? 0u : 0xffffffffu);
      case 5: return (u32() & 0xffu) * 0x01010101u;
      default: return u32();
    }
  }

  // Seed of stream `index` of a run, so any single stream can be regenerated on its own.
  static uint64_t stream_seed(uint64_t run_seed, unsigned mode, uint64_t index) {
    Rng r(run_seed ^ (uint64_t(mode + 1) << 56) ^ (index * 0xd1b54a32d192ed03ull));
    return r.next();
  }

 private:
  static constexpr uint32_t kEdges[] = {0,      1,      0xffffffffu, 0x7fffffffu, 0x80000000u,
                                        0x7fff, 0x8000, 0xffff,      0x7f,        0x80,
                                        0xff,   0x0f,   0x10,        0x09,        0x99};
  uint64_t s_;
};

}  // namespace diff
