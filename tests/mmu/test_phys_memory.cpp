#include <catch2/catch.hpp>

#include "mmu/mmu.h"
#include "mmu/phys_memory.h"

namespace {

struct Recorder : mmu::MmioHandler {
  uint32_t last_off = 0, last_size = 0, last_val = 0;
  uint32_t mmio_read(uint32_t off, unsigned size) override { return off * 0x10 + size; }
  void mmio_write(uint32_t off, unsigned size, uint32_t v) override {
    last_off = off, last_size = size, last_val = v;
  }
};

struct CodeLog : mmu::CodeWriteListener {
  std::vector<std::pair<uint32_t, uint32_t>> writes;
  void code_written(uint32_t phys, uint32_t len) override { writes.emplace_back(phys, len); }
};

}  // namespace

TEST_CASE("RAM, ROM and unassigned physical reads", "[mmu]") {
  mmu::PhysMemory pm(1 << 20);
  const uint8_t rom[] = {0xaa, 0xbb, 0xcc, 0xdd};
  pm.add_rom(0xfffff000u, rom, "rom");
  pm.write(0x1000, 4, 0x11223344);
  CHECK(pm.read(0x1000, 4) == 0x11223344);
  CHECK(pm.read(0x1001, 2) == 0x2233);
  CHECK(pm.read(0xfffff000u, 4) == 0xddccbbaa);
  // ROM ignores writes; the padding of a ROM image reads as FFh.
  pm.write(0xfffff000u, 1, 0);
  CHECK(pm.read(0xfffff000u, 1) == 0xaa);
  CHECK(pm.read(0xfffff004u, 1) == 0xff);
  // Beyond RAM with nothing mapped: an empty bus reads all ones.
  CHECK(pm.read(0x200000, 4) == 0xffffffffu);
  CHECK(pm.read(0xffffe, 4) == 0xffff0000u);  // two RAM bytes (zero), two unassigned
}

TEST_CASE("regions may not overlap", "[mmu]") {
  mmu::PhysMemory pm(1 << 20);
  Recorder r;
  pm.add_mmio(0xa0000, 0x20000, &r, "vga");
  CHECK_THROWS_WITH(pm.add_mmio(0xbf000, 0x2000, &r, "other"), Catch::Contains("overlaps vga"));
  const uint8_t rom[4] = {};
  CHECK_THROWS(pm.add_rom(0xa1000, rom, "rom"));
  CHECK_NOTHROW(pm.add_mmio(0xc0000, 0x1000, &r, "next"));
}

TEST_CASE("MMIO dispatch passes region-relative offsets", "[mmu]") {
  mmu::PhysMemory pm(1 << 20);
  Recorder r;
  pm.add_mmio(0xfee00000u, 0x1000, &r, "apic");
  CHECK(pm.read(0xfee00020u, 4) == 0x204);
  pm.write(0xfee000b0u, 4, 0x1234);
  CHECK(r.last_off == 0xb0);
  CHECK(r.last_size == 4);
  CHECK(r.last_val == 0x1234);
}

TEST_CASE("bulk access is bounds-checked", "[mmu]") {
  mmu::PhysMemory pm(1 << 20);
  uint8_t buf[16] = {1, 2, 3};
  CHECK(pm.write_block(0x1000, buf, 16));
  CHECK_FALSE(pm.write_block((1 << 20) - 8, buf, 16));  // crosses the end of RAM
  CHECK_FALSE(pm.read_block(0xfffffff8ull, buf, 16));
  CHECK_FALSE(pm.write_block(~0ull - 4, buf, 16));       // would wrap around
  uint8_t out[3] = {};
  CHECK(pm.read_block(0x1000, out, 3));
  CHECK(out[2] == 3);
}

TEST_CASE("A20 gate masks bit 20 of linear addresses", "[mmu]") {
  mmu::PhysMemory pm(2 << 20);
  mmu::Mmu m(pm);
  m.write<1>(0x100010, 0x5a);  // A20 on: just above 1 MB
  CHECK(pm.read(0x100010, 1) == 0x5a);
  pm.set_a20(false);
  m.flush_tlb();
  // With A20 off, FFFF:0010 wraps to 0000:0000 like an 8086 (the address is 100000h + 10h).
  m.write<1>(0x100010, 0xa5);
  CHECK(pm.read(0x10, 1) == 0xa5);
  CHECK(pm.read(0x100010, 1) == 0x5a);
}

TEST_CASE("writes to code pages reach the listener, other writes do not", "[mmu]") {
  mmu::PhysMemory pm(1 << 20);
  mmu::Mmu m(pm);
  CodeLog log;
  pm.set_code_listener(&log);
  m.write<4>(0x3000, 1);  // fills the TLB with a plain RAM entry
  m.protect_code(0x3ff0, 16);
  m.write<2>(0x3ffe, 0xbeef);
  m.write<4>(0x5000, 2);
  REQUIRE(log.writes.size() == 1);
  CHECK(log.writes[0] == std::make_pair(0x3ffeu, 2u));
  // A write crossing from a code page into a plain page reports only the code bytes.
  log.writes.clear();
  m.write<4>(0x3ffe, 0x12345678);
  // The split store writes byte by byte, so each of the two code bytes is reported alone.
  REQUIRE(log.writes.size() == 2);
  CHECK(log.writes[0] == std::make_pair(0x3ffeu, 1u));
  CHECK(log.writes[1] == std::make_pair(0x3fffu, 1u));
  m.unprotect_code_page(0x3000);
  log.writes.clear();
  m.write<1>(0x3000, 9);
  CHECK(log.writes.empty());
  CHECK(pm.read(0x3ffe, 4) == 0x12345678);
}

TEST_CASE("stores beside code in its page do not reach the listener; stores into it do", "[mmu]") {
  mmu::PhysMemory pm(1 << 20);
  mmu::Mmu m(pm);
  CodeLog log;
  pm.set_code_listener(&log);
  m.write<4>(0x7000, 1);           // a plain RAM TLB entry first
  m.protect_code(0x7123, 0x20);    // code bytes 7123h-7142h
  m.write<4>(0x7100, 0xdeadbeef);  // data in the same page
  m.write<2>(0x7121, 0x1234);      // the two bytes right before the code
  m.write<2>(0x7143, 0x5678);      // and right after it
  m.write<4>(0x7000, 5);
  CHECK(log.writes.empty());
  CHECK(pm.read(0x7100, 4) == 0xdeadbeef);  // the stores themselves took effect
  CHECK(pm.read(0x7121, 2) == 0x1234);
  CHECK(pm.read(0x7143, 2) == 0x5678);
  m.write<2>(0x7122, 0xabcd);  // its second byte is the first code byte
  m.write<1>(0x7142, 0x90);    // the last code byte
  REQUIRE(log.writes.size() == 2);
  CHECK(log.writes[0] == std::make_pair(0x7122u, 2u));
  CHECK(log.writes[1] == std::make_pair(0x7142u, 1u));
  // Bulk writes (DMA) are filtered the same way.
  log.writes.clear();
  const uint8_t bytes[16] = {};
  pm.write_block(0x7110, bytes, sizeof bytes);
  CHECK(log.writes.empty());
  pm.write_block(0x7118, bytes, sizeof bytes);
  REQUIRE(log.writes.size() == 1);
  CHECK(log.writes[0] == std::make_pair(0x7118u, 16u));
  // A page whose code is gone is plain RAM again, and its bitmap serves the next code page.
  m.unprotect_code_page(0x7000);
  log.writes.clear();
  m.write<1>(0x7130, 1);
  m.protect_code(0x9ff0, 4);
  m.write<4>(0x9ff0, 2);
  m.write<1>(0x9130, 3);
  REQUIRE(log.writes.size() == 1);
  CHECK(log.writes[0] == std::make_pair(0x9ff0u, 4u));
}

TEST_CASE("page-crossing accesses are assembled little-endian", "[mmu]") {
  mmu::PhysMemory pm(1 << 20);
  mmu::Mmu m(pm);
  m.write<4>(0x1ffe, 0xa1b2c3d4);
  CHECK(pm.read(0x1ffe, 1) == 0xd4);
  CHECK(pm.read(0x2001, 1) == 0xa1);
  CHECK(m.read<4>(0x1ffe) == 0xa1b2c3d4);
  CHECK(m.read<2>(0x1fff) == 0xb2c3);
}
