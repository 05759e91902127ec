#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

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

TEST_CASE("a zeroed buffer tells pages never provided from written ones, and maps files", "[mmu]") {
  mmu::ZeroedBuffer b(64 * 4096);
  b[3 * 4096 + 17] = 9;
  b[40 * 4096] = 1;
  std::vector<uint8_t> t = b.touched_pages();
  REQUIRE(t.size() == 64);
  // Written pages always count; untouched ones may be known (pagemap) or not.
  CHECK(t[3] == 1);
  CHECK(t[40] == 1);
  const bool known = std::count(t.begin(), t.end(), 0) > 0;
  if (!known) WARN("the host does not tell which pages were provided (no /proc/self/pagemap)");
  if (known) CHECK(std::count(t.begin(), t.end(), 1) == 2);

  // A file's pages, copy-on-write: the buffer sees them, the file keeps its bytes.
  const std::string path = "/tmp/ghost86-zb-" + std::to_string(::getpid());
  {
    std::vector<char> page(2 * 4096, 'x');
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    std::fwrite(page.data(), 1, page.size(), f);
    std::fclose(f);
  }
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  if (b.map_file(8 * 4096, 2 * 4096, fd, 0)) {
    CHECK(b[8 * 4096] == 'x');
    CHECK(b[10 * 4096 - 1] == 'x');
    b[8 * 4096] = 'y';
    CHECK(b[8 * 4096] == 'y');
    // Pages from a file that were never read are no zero: nothing counts as known any more.
    t = b.touched_pages();
    CHECK(std::count(t.begin(), t.end(), 1) == 64);
    b.clear();
    CHECK(b[8 * 4096] == 0);
    CHECK(b[9 * 4096] == 0);
  }
  ::close(fd);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f);
  CHECK(std::fgetc(f) == 'x');
  std::fclose(f);
  std::remove(path.c_str());
  // Offsets that are not whole pages are refused.
  CHECK_FALSE(b.map_file(100, 4096, 0, 0));
}

TEST_CASE("a zeroed buffer on huge pages starts on a 2 MiB boundary and behaves as any other", "[mmu]") {
  mmu::ZeroedBuffer b(size_t(8) << 20, /*huge_pages=*/true);
  REQUIRE(b.size() == size_t(8) << 20);
  CHECK(reinterpret_cast<uintptr_t>(b.data()) % (uintptr_t(2) << 20) == 0);
  CHECK(std::all_of(b.data(), b.data() + b.size(), [](uint8_t v) { return v == 0; }));
  b[1] = 4;
  b[b.size() - 1] = 5;
  CHECK(b[1] == 4);
  CHECK(b[b.size() - 1] == 5);
  b.clear();
  CHECK(std::all_of(b.data(), b.data() + b.size(), [](uint8_t v) { return v == 0; }));
  b[b.size() - 1] = 6;  // the mapping made by clear() covers the whole buffer
  CHECK(b[b.size() - 1] == 6);
  // Too small for a huge page: an ordinary mapping.
  mmu::ZeroedBuffer small(4096, /*huge_pages=*/true);
  small[4095] = 1;
  CHECK(small[4095] == 1);
}
