#include <catch2/catch.hpp>

#include <algorithm>

#include "mmu/zeroed_buffer.h"

TEST_CASE("a zeroed buffer reads as zero, keeps writes and is zero again after clear", "[mmu]") {
  mmu::ZeroedBuffer b(16u << 20);
  REQUIRE(b.size() == 16u << 20);
  CHECK(std::all_of(b.data(), b.data() + b.size(), [](uint8_t v) { return v == 0; }));
  b[0] = 1;
  b[b.size() / 2] = 2;
  b[b.size() - 1] = 3;
  CHECK(b[0] == 1);
  CHECK(b[b.size() / 2] == 2);
  CHECK(b[b.size() - 1] == 3);
  b.clear();
  CHECK(std::all_of(b.data(), b.data() + b.size(), [](uint8_t v) { return v == 0; }));
  b[5] = 7;  // still usable after clearing
  CHECK(b.span()[5] == 7);
}
