// SplitMix64, the one generator of every randomised test: plain 64-bit integer arithmetic, so a
// seed gives the same stream on every host and standard library (no <random> distributions).
#pragma once

#include <cstdint>

namespace test {

// The next number of the stream whose state is `s`.
constexpr uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace test
