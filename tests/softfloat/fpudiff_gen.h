// Operand generation for the x87 differential test: a seedable generator that draws the same
// numbers on every host, and operands biased towards the values where x87 implementations differ
// (specials, rounding boundaries, range limits).
#pragma once

#include <cstdint>
#include <string>

#include "cpu/softfloat/f80.h"
#include "tests/splitmix64.h"

namespace fpudiff {

// splitmix64: small, seedable and identical everywhere.
struct Rng {
  uint64_t s;
  uint64_t next() { return test::splitmix64(s); }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
  bool chance(uint32_t percent) { return below(100) < percent; }
};

constexpr uint64_t kTop = 1ull << 63;

// Significands that sit on or next to rounding boundaries of every precision.
uint64_t boundary_sig(Rng& r);
// An extended operand. `int_bias`: prefer magnitudes around integers of up to 64 bits.
sf::F80 gen_f80(Rng& r, bool int_bias);
// A second operand related to the first: equal, negated, near in exponent, or independent.
sf::F80 gen_second(Rng& r, sf::F80 a, bool int_bias);
// A control word: random rounding, sometimes unmasked exceptions, precision 64 unless vary_pc.
uint16_t gen_fcw(Rng& r, bool vary_pc);
// A single or double in memory: `frac` fraction bits, `expbits` exponent bits.
uint64_t gen_float_bits(Rng& r, int frac, int expbits);

std::string hex80(sf::F80 v);
std::string hexmem(const uint8_t* m, int n);

}  // namespace fpudiff
