#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

#include <unistd.h>

#include "devices/ide.h"

namespace {

using devices::DiskImage;
using devices::IdeController;

constexpr uint16_t kBase = 0x1f0, kCtl = 0x3f6, kBase2 = 0x170, kCtl2 = 0x376;

struct IrqLog : devices::IrqSink {
  bool level[16] = {};
  unsigned raised[16] = {};
  void set_irq(unsigned irq, bool l) override {
    if (l && !level[irq]) raised[irq]++;
    level[irq] = l;
  }
};

// A file whose sector n holds bytes (n + i) & 0xff.
std::string make_disk(const std::string& name, uint64_t sectors, uint32_t sector_bytes = 512) {
  auto path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".img");
  std::ofstream f(path, std::ios::binary);
  std::vector<char> s(sector_bytes);
  for (uint64_t n = 0; n < sectors; n++) {
    for (uint32_t i = 0; i < sector_bytes; i++) s[i] = char((n + i) & 0xff);
    f.write(s.data(), std::streamsize(s.size()));
  }
  return path.string();
}

uint8_t file_byte(const std::string& path, uint64_t off) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(std::streamoff(off));
  return uint8_t(f.get());
}

struct Rig {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  IrqLog irq;
  mmu::PhysMemory mem{1 << 20};
  IdeController ide{clock, irq, mem};

  void run(uint64_t ns = 1'000'000) {
    const uint64_t end = icount + ns;
    for (;;) {
      const uint64_t next = clock.next_event_icount();
      if (next > end) break;
      icount = std::max(icount, next);
      clock.run_due();
    }
    icount = end;
  }
  uint8_t in(uint16_t port) { return uint8_t(ide.port_read(port, 1)); }
  uint16_t in16(uint16_t port) { return uint16_t(ide.port_read(port, 2)); }
  void out(uint16_t port, uint8_t v) { ide.port_write(port, 1, v); }
  void out16(uint16_t port, uint16_t v) { ide.port_write(port, 2, v); }

  void lba28(uint32_t lba, uint8_t count, uint16_t base = kBase) {
    out(base + 6, uint8_t(0xe0 | (lba >> 24)));
    out(base + 2, count);
    out(base + 3, uint8_t(lba));
    out(base + 4, uint8_t(lba >> 8));
    out(base + 5, uint8_t(lba >> 16));
  }
  void lba48(uint64_t lba, uint16_t count) {
    out(kBase + 6, 0x40);
    out(kBase + 2, uint8_t(count >> 8));
    out(kBase + 3, uint8_t(lba >> 24));
    out(kBase + 4, uint8_t(lba >> 32));
    out(kBase + 5, uint8_t(lba >> 40));
    out(kBase + 2, uint8_t(count));
    out(kBase + 3, uint8_t(lba));
    out(kBase + 4, uint8_t(lba >> 8));
    out(kBase + 5, uint8_t(lba >> 16));
  }
  std::vector<uint8_t> read_block(size_t bytes, uint16_t base = kBase) {
    std::vector<uint8_t> v;
    for (size_t i = 0; i < bytes; i += 2) {
      const uint16_t w = in16(base);
      v.push_back(uint8_t(w));
      v.push_back(uint8_t(w >> 8));
    }
    return v;
  }
  std::array<uint16_t, 256> identify(uint8_t cmd = 0xec) {
    out(kBase + 7, cmd);
    run();
    REQUIRE((in(kBase + 7) & 0x89) == 0x08);
    std::array<uint16_t, 256> w{};
    for (auto& x : w) x = in16(kBase);
    return w;
  }
};

}  // namespace

TEST_CASE("IDE: IDENTIFY DEVICE reports geometry, LBA28/LBA48 capacity and DMA modes", "[devices][ide]") {
  const std::string path = make_disk("ide-id", 8192);
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::ReadOnly, "-hda"));
  r.out(kBase + 6, 0xa0);
  const auto w = r.identify();
  CHECK(r.irq.raised[14] == 1);
  CHECK(w[0] == 0x0040);
  CHECK(w[1] == 8);  // 8192 / (16 * 63)
  CHECK(w[3] == 16);
  CHECK(w[6] == 63);
  CHECK((w[49] & 0x0300) == 0x0300);
  CHECK(w[60] == 8192);
  CHECK(w[61] == 0);
  CHECK((w[83] & 0x0400) != 0);
  CHECK((w[86] & 0x0400) != 0);
  CHECK(w[100] == 8192);
  CHECK(w[101] == 0);
  CHECK(w[102] == 0);
  CHECK(w[103] == 0);
  CHECK((w[63] & 7) == 7);
  CHECK((w[88] & 0x3f) == 0x3f);
  CHECK(char(w[27] >> 8) == 'G');
  uint8_t sum = 0;
  for (uint16_t x : w) sum = uint8_t(sum + (x & 0xff) + (x >> 8));
  CHECK(sum == 0);
  CHECK((w[255] & 0xff) == 0xa5);
  // Status: ready, no DRQ after the block; reading status dropped the interrupt.
  CHECK(r.in(kBase + 7) == 0x50);
  CHECK_FALSE(r.irq.level[14]);
  // IDENTIFY PACKET DEVICE on a disk is aborted.
  r.out(kBase + 7, 0xa1);
  r.run();
  CHECK(r.in(kBase + 7) == 0x41);
  CHECK(r.in(kBase + 1) == 0x04);
  std::filesystem::remove(path);
}

TEST_CASE("IDE: PIO reads and writes known sectors, READ/WRITE MULTIPLE", "[devices][ide]") {
  const std::string path = make_disk("ide-pio", 256);
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda"));
  r.lba28(5, 2);
  r.out(kBase + 7, 0x20);
  CHECK((r.in(kCtl) & 0x80) != 0);  // busy until the command latency passes
  for (unsigned s = 0; s < 2; s++) {
    r.run();
    CHECK(r.in(kBase + 7) == 0x58);
    const auto data = r.read_block(512);
    CHECK(data[0] == uint8_t(5 + s));
    CHECK(data[511] == uint8_t(5 + s + 511));
  }
  r.run();
  CHECK(r.in(kBase + 7) == 0x50);
  CHECK(r.irq.raised[14] == 2);

  // READ MULTIPLE needs SET MULTIPLE MODE first, then moves 4 sectors per block.
  r.lba28(10, 8);
  r.out(kBase + 7, 0xc4);
  r.run();
  CHECK(r.in(kBase + 7) == 0x41);
  r.out(kBase + 2, 3);
  r.out(kBase + 7, 0xc6);  // not a power of two
  r.run();
  CHECK((r.in(kBase + 7) & 1) == 1);
  r.out(kBase + 2, 4);
  r.out(kBase + 7, 0xc6);
  r.run();
  CHECK(r.in(kBase + 7) == 0x50);
  r.lba28(10, 8);
  r.out(kBase + 7, 0xc4);
  r.run();
  auto block = r.read_block(2048);
  CHECK(block[0] == 10);
  CHECK(block[3 * 512] == 13);
  CHECK((r.in(kCtl) & 0x88) == 0x80);
  r.run();
  block = r.read_block(2048);
  CHECK(block[3 * 512 + 1] == uint8_t(17 + 1));

  // WRITE SECTORS: DRQ at once for the first sector, an interrupt after each.
  r.lba28(200, 2);
  r.out(kBase + 7, 0x30);
  CHECK(r.in(kCtl) == 0x58);
  for (unsigned i = 0; i < 256; i++) r.out16(kBase, uint16_t(0xbeef));
  r.run();
  CHECK(r.in(kBase + 7) == 0x58);
  for (unsigned i = 0; i < 256; i++) r.out16(kBase, uint16_t(0x1234));
  r.run();
  CHECK(r.in(kBase + 7) == 0x50);
  r.out(kBase + 7, 0xe7);  // FLUSH CACHE
  r.run();
  CHECK(r.in(kBase + 7) == 0x50);
  CHECK(file_byte(path, 200 * 512) == 0xef);
  CHECK(file_byte(path, 201 * 512 + 1) == 0x12);
  CHECK(file_byte(path, 202 * 512) == uint8_t(202));
  std::filesystem::remove(path);
}

TEST_CASE("IDE: addresses past the end of a small disk are refused", "[devices][ide]") {
  const std::string path = make_disk("ide-range", 64);
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda"));
  r.lba48(uint64_t(1) << 28, 1);  // 128 GiB
  r.out(kBase + 7, 0x24);
  r.run();
  CHECK(r.in(kBase + 7) == 0x41);
  CHECK(r.in(kBase + 1) == 0x10);  // ID not found
  r.lba48(63, 2);  // straddles the end
  r.out(kBase + 7, 0x25);
  r.run();
  CHECK(r.in(kBase + 1) == 0x10);
  r.lba28(0, 0);  // count 0 = 256 sectors
  r.out(kBase + 7, 0x20);
  r.run();
  CHECK(r.in(kBase + 1) == 0x10);
  r.lba48(60, 4);
  r.out(kBase + 7, 0x24);
  for (unsigned s = 0; s < 4; s++) {
    r.run();
    CHECK(r.in(kBase + 7) == 0x58);
    CHECK(r.read_block(512)[0] == 60 + s);
  }
  // An unknown command is aborted.
  r.out(kBase + 7, 0x00);
  r.run();
  CHECK(r.in(kBase + 1) == 0x04);
  std::filesystem::remove(path);
}

TEST_CASE("IDE: snapshot mode keeps the image file untouched", "[devices][ide]") {
  const std::string path = make_disk("ide-snap", 16);
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::Snapshot, "-hda"));
  r.lba28(3, 1);
  r.out(kBase + 7, 0x30);
  for (unsigned i = 0; i < 256; i++) r.out16(kBase, 0xa5a5);
  r.run();
  CHECK(r.in(kBase + 7) == 0x50);
  r.lba28(3, 1);
  r.out(kBase + 7, 0x20);
  r.run();
  CHECK(r.read_block(512)[7] == 0xa5);
  CHECK(file_byte(path, 3 * 512 + 7) == uint8_t(3 + 7));
  std::filesystem::remove(path);
}

TEST_CASE("IDE: READ DMA moves sectors through a PRD table into RAM", "[devices][ide]") {
  const std::string path = make_disk("ide-dma", 64);
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda"));
  devices::PortDevice& bm = r.ide.bmdma_ports();
  // Two regions: 512 bytes at 20000h, 1024 bytes at 30000h (EOT).
  const uint8_t prd[16] = {0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x00,
                           0x00, 0x00, 0x03, 0x00, 0x00, 0x04, 0x00, 0x80};
  REQUIRE(r.mem.write_block(0x10000, prd, sizeof prd));
  bm.port_write(0xc004, 4, 0x10000);
  r.lba28(7, 3);
  r.out(kBase + 7, 0xc8);
  CHECK((r.in(kCtl) & 0x80) != 0);
  r.run();
  CHECK((r.in(kCtl) & 0x80) != 0);  // waits for the engine
  bm.port_write(0xc000, 1, 0x09);  // start, to memory
  CHECK(bm.port_read(0xc002, 1) == 0x01);
  r.run();
  CHECK(r.in(kBase + 7) == 0x50);
  CHECK(bm.port_read(0xc002, 1) == 0x04);  // interrupt, table exhausted
  uint8_t a[2], b[2];
  REQUIRE(r.mem.read_block(0x20000, a, 1));
  REQUIRE(r.mem.read_block(0x30000 + 512, b, 2));
  CHECK(a[0] == 7);
  CHECK(b[0] == 9);
  CHECK(b[1] == 10);
  bm.port_write(0xc002, 1, 0x04);  // write one to clear
  bm.port_write(0xc000, 1, 0x00);
  CHECK(bm.port_read(0xc002, 1) == 0x00);

  // WRITE DMA EXT from the same regions.
  bm.port_write(0xc000, 1, 0x01);
  r.lba48(40, 3);
  r.out(kBase + 7, 0x35);
  r.run();
  CHECK(r.in(kBase + 7) == 0x50);
  CHECK(file_byte(path, 40 * 512) == 7);
  CHECK(file_byte(path, 42 * 512 + 1) == 10);
  std::filesystem::remove(path);
}

TEST_CASE("IDE: a PRD outside RAM or a short table sets the error bit and fails the command", "[devices][ide]") {
  const std::string path = make_disk("ide-dmabad", 64);
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda"));
  devices::PortDevice& bm = r.ide.bmdma_ports();
  const uint8_t outside[8] = {0x00, 0x00, 0x00, 0xf0, 0x00, 0x02, 0x00, 0x80};  // F0000000h
  REQUIRE(r.mem.write_block(0x10000, outside, 8));
  bm.port_write(0xc004, 4, 0x10000);
  bm.port_write(0xc000, 1, 0x09);
  r.lba28(0, 1);
  r.out(kBase + 7, 0xc8);
  r.run();
  CHECK(r.in(kBase + 7) == 0x41);
  CHECK((bm.port_read(0xc002, 1) & 0x07) == 0x06);  // error, interrupt, not active
  // The table itself outside RAM.
  bm.port_write(0xc002, 1, 0x06);
  bm.port_write(0xc000, 1, 0x00);
  bm.port_write(0xc004, 4, 0xfffff000);
  bm.port_write(0xc000, 1, 0x09);
  r.out(kBase + 7, 0xc8);
  r.run();
  CHECK(r.in(kBase + 7) == 0x41);
  CHECK((bm.port_read(0xc002, 1) & 0x02) != 0);
  // A table with no EOT bit that describes too little: bounded walk, error, no hang.
  std::vector<uint8_t> chain(0x10000);
  for (size_t i = 0; i < chain.size(); i += 8) chain[i + 2] = 0x02, chain[i + 4] = 2;  // 2 bytes at 20000h
  REQUIRE(r.mem.write_block(0x40000, chain.data(), chain.size()));
  bm.port_write(0xc002, 1, 0x06);
  bm.port_write(0xc000, 1, 0x00);
  bm.port_write(0xc004, 4, 0x40000);
  bm.port_write(0xc000, 1, 0x09);
  r.lba28(0, 64);
  r.out(kBase + 7, 0xc8);
  r.run();
  CHECK(r.in(kBase + 7) == 0x41);
  CHECK((bm.port_read(0xc002, 1) & 0x03) == 0x02);
  std::filesystem::remove(path);
}

namespace {

// Sends a 12-byte packet to the CD on the secondary master; returns the data (PIO) and leaves
// the drive in its status phase.
std::vector<uint8_t> packet(Rig& r, std::initializer_list<uint8_t> bytes, uint16_t limit = 0xfffe) {
  uint8_t cdb[12] = {};
  std::copy(bytes.begin(), bytes.end(), cdb);
  r.out(kBase2 + 6, 0xa0);
  r.out(kBase2 + 1, 0);
  r.out(kBase2 + 4, uint8_t(limit));
  r.out(kBase2 + 5, uint8_t(limit >> 8));
  r.out(kBase2 + 7, 0xa0);
  REQUIRE(r.in(kCtl2) == 0x48);
  REQUIRE(r.in(kBase2 + 2) == 1);  // C/D
  for (unsigned i = 0; i < 12; i += 2) r.out16(kBase2, uint16_t(cdb[i] | cdb[i + 1] << 8));
  std::vector<uint8_t> data;
  for (;;) {
    r.run();
    const uint8_t st = r.in(kBase2 + 7);
    if (!(st & 0x08)) break;
    REQUIRE(r.in(kBase2 + 2) == 2);  // I/O, data
    const unsigned n = r.in(kBase2 + 4) | r.in(kBase2 + 5) << 8;
    REQUIRE(n <= limit);
    auto block = r.read_block(n, kBase2);
    data.insert(data.end(), block.begin(), block.end());
  }
  CHECK(r.in(kBase2 + 2) == 3);
  return data;
}

}  // namespace

TEST_CASE("ATAPI: INQUIRY, READ CAPACITY, READ(10)/(12), READ TOC, sense data", "[devices][ide][atapi]") {
  const std::string path = make_disk("ide-iso", 40, 2048);
  Rig r;
  r.ide.attach_cdrom(1, 0, DiskImage::open(path, DiskImage::Mode::ReadOnly, "-cdrom"));
  // Signature, and IDENTIFY DEVICE refused with it.
  CHECK(r.in(kBase2 + 4) == 0x14);
  CHECK(r.in(kBase2 + 5) == 0xeb);
  r.out(kBase2 + 6, 0xa0);
  r.out(kBase2 + 7, 0xa1);
  r.run();
  CHECK((r.in(kBase2 + 7) & 0x08) != 0);
  const auto id = r.read_block(512, kBase2);
  CHECK((id[1] >> 6) == 2);  // ATAPI
  CHECK((id[1] & 0x1f) == 5);

  auto inq = packet(r, {0x12, 0, 0, 0, 36});
  REQUIRE(inq.size() == 36);
  CHECK(inq[0] == 5);
  CHECK(inq[1] == 0x80);
  CHECK(std::string(inq.begin() + 8, inq.begin() + 15) == "GHOST86");
  CHECK(r.in(kBase2 + 7) == 0x50);

  auto cap = packet(r, {0x25});
  REQUIRE(cap.size() == 8);
  CHECK(cap[3] == 39);
  CHECK(cap[6] == 0x08);

  // READ(10) of 3 blocks with a byte limit that fits one block per DRQ.
  auto data = packet(r, {0x28, 0, 0, 0, 0, 10, 0, 0, 3}, 4000);
  REQUIRE(data.size() == 3 * 2048);
  CHECK(data[0] == 10);
  CHECK(data[2048 + 5] == 16);
  CHECK(data[2 * 2048] == 12);
  data = packet(r, {0xa8, 0, 0, 0, 0, 39, 0, 0, 0, 1});
  REQUIRE(data.size() == 2048);
  CHECK(data[1] == 40);

  // READ TOC format 0: track 1 and the lead-out, as LBA and as MSF.
  auto toc = packet(r, {0x43, 0, 0, 0, 0, 0, 0, 0, 100});
  REQUIRE(toc.size() == 20);
  CHECK(toc[1] == 18);
  CHECK(toc[2] == 1);
  CHECK(toc[6] == 1);
  CHECK(toc[14] == 0xaa);
  CHECK(toc[19] == 40);
  toc = packet(r, {0x43, 2, 0, 0, 0, 0, 0, 0, 100});
  CHECK(toc[10] == 2);   // track 1 at 00:02:00
  CHECK(toc[17] == 0);   // lead-out at 150 + 40 frames: 00:02:40
  CHECK(toc[18] == 2);
  CHECK(toc[19] == 40);

  auto mode = packet(r, {0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64});
  REQUIRE(mode.size() == 28);
  CHECK(mode[8] == 0x2a);
  auto conf = packet(r, {0x46, 0, 0, 0, 0, 0, 0, 0, 64});
  CHECK(conf[7] == 0x08);

  // Out of range, and an unknown opcode: CHECK CONDITION with ILLEGAL REQUEST.
  packet(r, {0x28, 0, 0, 0, 0, 39, 0, 0, 2});
  CHECK(r.in(kBase2 + 7) == 0x41);
  CHECK(r.in(kBase2 + 1) >> 4 == 5);
  auto sense = packet(r, {0x03, 0, 0, 0, 18});
  CHECK(sense[2] == 5);
  CHECK(sense[12] == 0x21);
  packet(r, {0xff});
  CHECK(r.in(kBase2 + 1) >> 4 == 5);
  sense = packet(r, {0x03, 0, 0, 0, 18});
  CHECK(sense[12] == 0x20);
  sense = packet(r, {0x03, 0, 0, 0, 18});
  CHECK(sense[2] == 0);

  // Locked drive refuses to eject.
  packet(r, {0x1e, 0, 0, 0, 1});
  packet(r, {0x1b, 0, 0, 0, 2});
  CHECK(r.in(kBase2 + 1) >> 4 == 5);
  packet(r, {0x1e, 0, 0, 0, 0});
  packet(r, {0x00});
  CHECK(r.in(kBase2 + 7) == 0x50);
  std::filesystem::remove(path);
}

TEST_CASE("ATAPI: an empty drive reports no medium", "[devices][ide][atapi]") {
  Rig r;
  r.ide.attach_cdrom(1, 0, nullptr);
  packet(r, {0x00});
  CHECK(r.in(kBase2 + 1) >> 4 == 2);
  auto sense = packet(r, {0x03, 0, 0, 0, 18});
  CHECK(sense[12] == 0x3a);
}

TEST_CASE("ATAPI: READ(10) by DMA", "[devices][ide][atapi]") {
  const std::string path = make_disk("ide-isodma", 8, 2048);
  Rig r;
  r.ide.attach_cdrom(1, 0, DiskImage::open(path, DiskImage::Mode::ReadOnly, "-cdrom"));
  devices::PortDevice& bm = r.ide.bmdma_ports();
  const uint8_t prd[8] = {0x00, 0x00, 0x05, 0x00, 0x00, 0x10, 0x00, 0x80};  // 4 KiB at 50000h
  REQUIRE(r.mem.write_block(0x1000, prd, 8));
  bm.port_write(0xc00c, 4, 0x1000);
  bm.port_write(0xc008, 1, 0x09);
  r.out(kBase2 + 6, 0xa0);
  r.out(kBase2 + 1, 1);  // DMA
  r.out(kBase2 + 7, 0xa0);
  const uint8_t cdb[12] = {0x28, 0, 0, 0, 0, 3, 0, 0, 2};
  for (unsigned i = 0; i < 12; i += 2) r.out16(kBase2, uint16_t(cdb[i] | cdb[i + 1] << 8));
  r.run();
  r.run();
  CHECK(r.in(kBase2 + 7) == 0x50);
  CHECK(r.in(kBase2 + 2) == 3);
  CHECK((bm.port_read(0xc00a, 1) & 7) == 4);
  uint8_t b[2];
  REQUIRE(r.mem.read_block(0x50000 + 2048, b, 2));
  CHECK(b[0] == 4);
  CHECK(b[1] == 5);
  std::filesystem::remove(path);
}

TEST_CASE("IDE: software reset leaves the ATA and ATAPI signatures, nIEN masks the interrupt", "[devices][ide]") {
  const std::string disk = make_disk("ide-srst", 64), cd = make_disk("ide-srst-cd", 4, 2048);
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(disk, DiskImage::Mode::ReadOnly, "-hda"));
  r.ide.attach_cdrom(0, 1, DiskImage::open(cd, DiskImage::Mode::ReadOnly, "-hdb"));
  r.lba28(9, 9);
  r.out(kCtl, 0x06);
  CHECK(r.in(kCtl) == 0x80);
  r.out(kCtl, 0x02);
  auto regs = [&] {
    return std::array<uint8_t, 4>{r.in(kBase + 2), r.in(kBase + 3), r.in(kBase + 4), r.in(kBase + 5)};
  };
  CHECK(regs() == std::array<uint8_t, 4>{1, 1, 0, 0});
  CHECK(r.in(kBase + 1) == 1);
  CHECK(r.in(kBase + 7) == 0x50);
  r.out(kBase + 6, 0xb0);
  CHECK(regs() == std::array<uint8_t, 4>{1, 1, 0x14, 0xeb});
  CHECK(r.in(kBase + 7) == 0x00);
  // Interrupts stay off the line while nIEN is set, and appear when it clears.
  r.out(kBase + 6, 0xa0);
  r.out(kBase + 7, 0xe5);  // CHECK POWER MODE
  r.run();
  CHECK_FALSE(r.irq.level[14]);
  r.out(kCtl, 0x00);
  CHECK(r.irq.level[14]);
  CHECK(r.in(kBase + 2) == 0xff);
  r.in(kBase + 7);
  CHECK_FALSE(r.irq.level[14]);
  // No drives on the secondary channel: the bus floats.
  CHECK(r.in(kBase2 + 7) == 0xff);
  std::filesystem::remove(disk);
  std::filesystem::remove(cd);
}

TEST_CASE("IDE: state survives a serialize round trip in the middle of a transfer", "[devices][ide]") {
  const std::string path = make_disk("ide-ser", 32);
  std::vector<uint8_t> saved;
  uint64_t saved_icount = 0;
  std::vector<uint8_t> clock_state;
  {
    Rig r;
    r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::ReadOnly, "-hda"));
    r.lba28(4, 3);
    r.out(kBase + 7, 0x20);
    r.run();
    for (unsigned i = 0; i < 100; i++) r.in16(kBase);
    devices::StateWriter w;
    r.ide.serialize(w);
    saved = w.out;
    devices::StateWriter cw;
    r.clock.serialize(cw);
    clock_state = cw.out;
    saved_icount = r.icount;
  }
  Rig r;
  r.ide.attach_disk(0, 0, DiskImage::open(path, DiskImage::Mode::ReadOnly, "-hda"));
  r.icount = saved_icount;
  devices::StateReader rd(saved);
  r.ide.serialize(rd);
  CHECK(rd.at_end());
  devices::StateReader crd(clock_state);
  r.clock.serialize(crd);
  CHECK(r.in16(kBase) == uint16_t(4 + 200 | (4 + 201) << 8));
  for (unsigned i = 101; i < 256; i++) r.in16(kBase);
  r.run();
  CHECK(r.read_block(512)[0] == 5);
  devices::StateWriter again;
  r.ide.serialize(again);
  // A damaged snapshot is refused.
  std::vector<uint8_t> bad = saved;
  bad.resize(bad.size() / 2);
  devices::StateReader rb(bad);
  CHECK_THROWS(r.ide.serialize(rb));
  std::filesystem::remove(path);
}
