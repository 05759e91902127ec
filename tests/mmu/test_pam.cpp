#include <catch2/catch.hpp>

#include <vector>

#include "mmu/mmu.h"
#include "mmu/phys_memory.h"

namespace {

struct MapLog : mmu::MappingListener {
  std::vector<std::pair<uint32_t, uint32_t>> changes;
  mmu::Mmu* mmu = nullptr;
  void mapping_changed(uint32_t phys, uint32_t len) override {
    changes.emplace_back(phys, len);
    if (mmu) mmu->flush_tlb();
  }
};

// 1 MB of RAM and a 128 KB BIOS image at E0000h-FFFFFh, as the PC maps its firmware.
struct PcLow {
  mmu::PhysMemory pm{1 << 20};
  PcLow() {
    std::vector<uint8_t> rom(0x20000);
    for (size_t i = 0; i < rom.size(); i++) rom[i] = uint8_t(0x80 | (i >> 14));
    pm.add_rom(0xe0000, rom, "bios");
  }
};

constexpr uint8_t R = mmu::PhysMemory::kShadowReadRam, W = mmu::PhysMemory::kShadowWriteRam;

}  // namespace

TEST_CASE("PAM: without shadow control ROM overlays RAM", "[mmu][pam]") {
  PcLow m;
  CHECK(m.pm.read(0xf0000, 1) == 0x84);  // ROM byte (segment 4 of the image)
  m.pm.write(0xf0000, 1, 0x11);          // dropped
  CHECK(m.pm.read(0xf0000, 1) == 0x84);
  m.pm.write(0xc0000, 1, 0x22);          // no region there: plain RAM
  CHECK(m.pm.read(0xc0000, 1) == 0x22);
}

TEST_CASE("PAM: write-enable, then read-enable, copies the BIOS into RAM", "[mmu][pam]") {
  PcLow m;
  MapLog log;
  m.pm.set_mapping_listener(&log);
  for (unsigned seg = 0; seg < 16; seg++) m.pm.set_shadow(seg, 0);
  // Taking control announces the whole area once; unchanged attributes announce nothing.
  REQUIRE(log.changes.size() == 1);
  CHECK(log.changes[0] == std::pair<uint32_t, uint32_t>(0xc0000, 0x40000));
  // Attribute 0: reads from the bus (the ROM here, nothing below E0000h), writes nowhere.
  CHECK(m.pm.read(0xf0000, 1) == 0x84);
  CHECK(m.pm.read(0xc0000, 4) == 0xffffffffu);
  m.pm.write(0xc0000, 1, 0x33);
  CHECK(m.pm.read(0xc0000, 1) == 0xff);

  // F0000h-F3FFFh (segment 12) write-only: reads still ROM, writes land in RAM.
  m.pm.set_shadow(12, W);
  CHECK(log.changes.back() == std::pair<uint32_t, uint32_t>(0xf0000, 0x4000));
  m.pm.write(0xf0000, 1, m.pm.read(0xf0000, 1));  // the firmware's copy loop
  m.pm.write(0xf0001, 1, 0x5a);
  CHECK(m.pm.read(0xf0001, 1) == 0x84);
  CHECK(m.pm.page(0xf0000).writable == false);  // reads come from ROM: writes take the slow path
  // Read-write: the copy is visible.
  m.pm.set_shadow(12, R | W);
  CHECK(m.pm.read(0xf0000, 1) == 0x84);
  CHECK(m.pm.read(0xf0001, 1) == 0x5a);
  CHECK(m.pm.page(0xf0000).writable);
  // Read-only RAM (what the firmware leaves F0000h at): writes are dropped.
  m.pm.set_shadow(12, R);
  m.pm.write(0xf0001, 1, 0x77);
  CHECK(m.pm.read(0xf0001, 1) == 0x5a);
  CHECK(m.pm.page(0xf0000).host == m.pm.ram() + 0xf0000);
  CHECK(!m.pm.page(0xf0000).writable);
  // Other segments are untouched; out-of-range segment numbers are ignored.
  CHECK(m.pm.read(0xf4000, 1) == 0x85);
  m.pm.set_shadow(16, R | W);
  m.pm.set_shadow(0xffffffffu, R | W);
  CHECK(m.pm.shadow(16) == 0);
  CHECK(m.pm.shadow(12) == R);
}

TEST_CASE("PAM: the TLB follows attribute changes through the listener", "[mmu][pam]") {
  PcLow m;
  mmu::Mmu mmu(m.pm);
  MapLog log;
  log.mmu = &mmu;
  m.pm.set_mapping_listener(&log);
  m.pm.set_shadow(13, W);
  mmu.write<1>(0xf4010, 0x99);            // slow path into RAM
  CHECK(mmu.read<1>(0xf4010) == 0x85);    // TLB filled from ROM
  m.pm.set_shadow(13, R | W);
  CHECK(mmu.read<1>(0xf4010) == 0x99);    // refilled from RAM after the flush
  mmu.write<1>(0xf4011, 0x98);            // fast path now
  m.pm.set_shadow(13, R);
  mmu.write<1>(0xf4011, 0x00);            // dropped
  CHECK(mmu.read<1>(0xf4011) == 0x98);
}

TEST_CASE("PAM: DMA block access always reaches RAM", "[mmu][pam]") {
  PcLow m;
  m.pm.set_shadow(15, 0);
  const uint8_t b = 0x42;
  CHECK(m.pm.write_block(0xfc000, &b, 1));
  m.pm.set_shadow(15, R);
  CHECK(m.pm.read(0xfc000, 1) == 0x42);
}
