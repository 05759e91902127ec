#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <vector>

#include <unistd.h>

#include "devices/dma8237.h"
#include "devices/floppy.h"
#include "machine/clock.h"
#include "mmu/phys_memory.h"

namespace {

using devices::DiskImage;

constexpr unsigned kSpt = 18, kHeads = 2;
constexpr uint16_t kDor = 0x3f2, kMsr = 0x3f4, kFifo = 0x3f5, kDir = 0x3f7;

// A 1.44M image whose sector at LBA n starts with n (little endian) and is filled with n & FFh.
std::string make_image(const std::string& name, uint64_t size) {
  auto path = std::filesystem::temp_directory_path() / ("fdc-" + name + "-" + std::to_string(::getpid()) + ".img");
  std::ofstream f(path, std::ios::binary);
  std::vector<char> sector(512);
  for (uint64_t lba = 0; lba * 512 < size; lba++) {
    std::fill(sector.begin(), sector.end(), char(lba));
    sector[0] = char(lba), sector[1] = char(lba >> 8);
    f.write(sector.data(), std::streamsize(std::min<uint64_t>(512, size - lba * 512)));
  }
  return path.string();
}

std::vector<char> file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

struct IrqLog : devices::IrqSink {
  std::map<unsigned, bool> level;
  int edges = 0;
  void set_irq(unsigned irq, bool l) override {
    if (l && !level[irq]) edges++;
    level[irq] = l;
  }
};

struct Rig {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  IrqLog irqs;
  mmu::PhysMemory mem{1 << 20};
  devices::Dma8237 dma{mem};
  devices::Floppy fdc{clock, irqs, dma};

  void out(uint16_t port, uint8_t v) {
    if (port < 0x100)
      dma.port_write(port, 1, v);
    else
      fdc.port_write(port, 1, v);
  }
  uint8_t in(uint16_t port) { return uint8_t(fdc.port_read(port, 1)); }
  bool irq6() { return irqs.level[6]; }
  void run(uint64_t ns) {
    const uint64_t end = icount + ns;
    for (uint64_t next; (next = clock.next_event_icount()) <= end;) {
      icount = std::max(icount, next);
      clock.run_due();
    }
    icount = end;
  }
  void command(std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) {
      REQUIRE((in(kMsr) & 0xc0) == 0x80);  // RQM, CPU -> controller
      out(kFifo, b);
    }
  }
  std::vector<uint8_t> results() {
    std::vector<uint8_t> r;
    while ((in(kMsr) & 0xc0) == 0xc0 && r.size() < 16) r.push_back(in(kFifo));
    return r;
  }
  // Releases reset with IRQ/DMA enabled and drive A's motor on, and drains the four polling
  // interrupts.
  void init() {
    out(kDor, 0x00);
    out(kDor, 0x1c);
    run(100'000);
    for (int i = 0; i < 4; i++) {
      command({0x08});
      results();
    }
    out(0x3f7, 0);  // 500 kbit/s
    command({0x03, 0xdf, 0x02});
  }
  void seek(uint8_t head, uint8_t cyl) {
    command({0x0f, uint8_t(head << 2), cyl});
    run(1'000'000);
    command({0x08});
    results();
  }
  void dma2(uint8_t mode, uint32_t phys, uint16_t bytes) {
    out(0x0a, 0x06);
    out(0x0c, 0);
    out(0x0b, mode);
    out(0x04, uint8_t(phys));
    out(0x04, uint8_t(phys >> 8));
    out(0x81, uint8_t(phys >> 16));
    out(0x05, uint8_t(bytes - 1));
    out(0x05, uint8_t((bytes - 1) >> 8));
    out(0x0a, 0x02);
  }
};

uint16_t word_at(const mmu::PhysMemory& m, uint32_t a) { return uint16_t(m.ram()[a] | m.ram()[a + 1] << 8); }

}  // namespace

TEST_CASE("FDC reset raises IRQ 6 and reports four ready changes C0h-C3h", "[devices][floppy]") {
  Rig r;
  CHECK(r.in(kMsr) == 0);  // held in reset at power-on
  r.out(kDor, 0x0c);
  CHECK_FALSE(r.irq6());
  r.run(100'000);
  CHECK(r.irq6());
  CHECK(r.in(kMsr) == 0x80);
  for (uint8_t d = 0; d < 4; d++) {
    r.command({0x08});
    CHECK(r.results() == std::vector<uint8_t>{uint8_t(0xc0 | d), 0});
    CHECK_FALSE(r.irq6());
  }
  r.command({0x08});
  CHECK(r.results() == std::vector<uint8_t>{0x80});  // nothing pending: invalid
  r.command({0x10});
  CHECK(r.results() == std::vector<uint8_t>{0x90});  // VERSION: 82077AA
  r.command({0x18});
  CHECK(r.results() == std::vector<uint8_t>{0x80});  // an opcode it does not have
}

TEST_CASE("FDC specify, recalibrate and seek interrupt with the right PCN", "[devices][floppy]") {
  Rig r;
  r.fdc.attach(0, DiskImage::open(make_image("seek", 1474560), DiskImage::Mode::Snapshot, "-fda"), "-fda");
  CHECK(r.fdc.cmos_type(0) == 4);
  CHECK(r.fdc.cmos_type(1) == 0);
  r.init();
  CHECK((r.in(kDir) & 0x80) != 0);  // disk change line active since power-on
  r.command({0x07, 0x00});
  CHECK((r.in(kMsr) & 0x01) != 0);  // drive 0 busy seeking
  r.run(1'000'000);
  CHECK(r.irq6());
  r.command({0x08});
  CHECK(r.results() == std::vector<uint8_t>{0x20, 0});
  CHECK_FALSE(r.irq6());
  r.command({0x0f, 0x04, 40});
  r.run(1'000'000);
  CHECK(r.irq6());
  r.command({0x08});
  CHECK(r.results() == std::vector<uint8_t>{0x24, 40});
  CHECK((r.in(kDir) & 0x80) == 0);  // the step pulse cleared it
  r.command({0x04, 0x00});
  CHECK(r.results() == std::vector<uint8_t>{0x28});  // ready, two-sided, not track 0
  r.command({0x0e});
  auto dump = r.results();
  REQUIRE(dump.size() == 10);
  CHECK(dump[0] == 40);
  CHECK(dump[4] == 0xdf);
}

TEST_CASE("FDC READ DATA moves sectors into RAM by DMA with multi-track CHRN", "[devices][floppy]") {
  Rig r;
  r.fdc.attach(0, DiskImage::open(make_image("read", 1474560), DiskImage::Mode::ReadOnly, "-fda"), "-fda");
  r.init();
  r.seek(0, 1);
  // Cylinder 1, head 1, sectors 17-18 with MT: TC comes with the last sector of the cylinder, so
  // the next ID is C+1, H complemented to 0, R 1.
  r.dma2(0x46, 0x12000, 1024);
  r.command({0xe6, 0x04, 1, 1, 17, 2, 18, 0x1b, 0xff});
  CHECK((r.in(kMsr) & 0x80) == 0);  // execution phase
  r.run(1'000'000);
  CHECK(r.irq6());
  CHECK(r.results() == std::vector<uint8_t>{0x04, 0, 0, 2, 0, 1, 2});
  const unsigned lba = (1 * kHeads + 1) * kSpt + 16;
  CHECK(word_at(r.mem, 0x12000) == lba);
  CHECK(word_at(r.mem, 0x12200) == lba + 1);
  CHECK(r.mem.ram()[0x12400] == 0);

  // Head 0 to head 1 across EOT with MT, stopping by terminal count mid-track.
  r.dma2(0x46, 0x20000, 3 * 512);
  r.command({0xe6, 0x00, 1, 0, 18, 2, 18, 0x1b, 0xff});
  r.run(1'000'000);
  CHECK(r.results() == std::vector<uint8_t>{0x00, 0, 0, 1, 1, 3, 2});
  CHECK(word_at(r.mem, 0x20000) == (1 * kHeads) * kSpt + 17);
  CHECK(word_at(r.mem, 0x20200) == (1 * kHeads + 1) * kSpt);
  CHECK(word_at(r.mem, 0x20400) == (1 * kHeads + 1) * kSpt + 1);

  // Wrong cylinder: the head is on 1, the command asks for 5.
  r.dma2(0x46, 0x20000, 512);
  r.command({0xe6, 0x00, 5, 0, 1, 2, 18, 0x1b, 0xff});
  r.run(1'000'000);
  auto res = r.results();
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x04);
  CHECK(res[2] == 0x10);

  // A data rate the medium does not take fails as on a real drive (BIOS media sense).
  r.out(0x3f7, 2);
  r.command({0x4a, 0x00});
  r.run(1'000'000);
  res = r.results();
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x01);
  r.out(0x3f7, 0);
  r.command({0x4a, 0x04});
  r.run(1'000'000);
  CHECK(r.results() == std::vector<uint8_t>{0x04, 0, 0, 1, 1, 1, 2});
}

TEST_CASE("FDC WRITE DATA on a snapshot image leaves the file unchanged", "[devices][floppy]") {
  const std::string path = make_image("snap", 1474560);
  const auto before = file_bytes(path);
  {
    Rig r;
    r.fdc.attach(0, DiskImage::open(path, DiskImage::Mode::Snapshot, "-fda"), "-fda");
    r.init();
    r.seek(0, 0);
    std::fill(r.mem.ram() + 0x30000, r.mem.ram() + 0x30200, uint8_t(0xa5));
    r.dma2(0x4a, 0x30000, 512);
    r.command({0xc5, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff});
    r.run(1'000'000);
    CHECK(r.results() == std::vector<uint8_t>{0x00, 0, 0, 0, 0, 2, 2});
    r.dma2(0x46, 0x40000, 512);
    r.command({0xe6, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff});
    r.run(1'000'000);
    r.results();
    CHECK(r.mem.ram()[0x40000] == 0xa5);  // the guest sees its write
    CHECK(r.mem.ram()[0x401ff] == 0xa5);
  }
  CHECK(file_bytes(path) == before);
  std::filesystem::remove(path);
}

TEST_CASE("FDC refuses writes to a read-only image with NW", "[devices][floppy]") {
  const std::string path = make_image("ro", 737280);
  Rig r;
  r.fdc.attach(0, DiskImage::open(path, DiskImage::Mode::ReadOnly, "-fda"), "-fda");
  CHECK(r.fdc.cmos_type(0) == 3);
  r.init();
  r.out(0x3f7, 2);  // 720K: 250 kbit/s
  r.seek(0, 0);
  r.command({0x04, 0x00});
  CHECK((r.results().at(0) & 0x40) != 0);  // ST3 write protected
  r.dma2(0x4a, 0x30000, 512);
  r.command({0xc5, 0x00, 0, 0, 1, 2, 9, 0x1b, 0xff});
  r.run(1'000'000);
  auto res = r.results();
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x02);
  std::filesystem::remove(path);
}

TEST_CASE("FDC refuses an image of no floppy size, naming the option and the size", "[devices][floppy]") {
  const std::string path = make_image("odd", 1000000);
  Rig r;
  CHECK_THROWS_WITH(r.fdc.attach(0, DiskImage::open(path, DiskImage::Mode::ReadOnly, "-fda"), "-fda"),
                    Catch::Contains("-fda") && Catch::Contains("1000000 bytes"));
  CHECK(r.fdc.cmos_type(0) == 0);
  std::filesystem::remove(path);
}

TEST_CASE("FDC FORMAT TRACK fills the sectors with the filler byte", "[devices][floppy]") {
  Rig r;
  r.fdc.attach(0, DiskImage::open(make_image("fmt", 1474560), DiskImage::Mode::Snapshot, "-fda"), "-fda");
  r.init();
  r.seek(1, 3);
  for (unsigned i = 0; i < kSpt; i++) {
    const uint8_t id[4] = {3, 1, uint8_t(i + 1), 2};
    std::copy(id, id + 4, r.mem.ram() + 0x5000 + i * 4);
  }
  r.dma2(0x4a, 0x5000, kSpt * 4);
  r.command({0x4d, 0x04, 2, kSpt, 0x54, 0xf6});
  r.run(1'000'000);
  CHECK(r.results().at(0) == 0x04);
  r.dma2(0x46, 0x6000, 512);
  r.command({0xe6, 0x04, 3, 1, 7, 2, 18, 0x1b, 0xff});
  r.run(1'000'000);
  r.results();
  CHECK(r.mem.ram()[0x6000] == 0xf6);
  CHECK(r.mem.ram()[0x61ff] == 0xf6);
}

TEST_CASE("FDC state survives a serialize round trip", "[devices][floppy]") {
  const std::string path = make_image("ser", 1474560);
  Rig a;
  a.fdc.attach(0, DiskImage::open(path, DiskImage::Mode::Snapshot, "-fda"), "-fda");
  a.init();
  a.seek(1, 12);
  a.command({0x94});
  a.results();
  a.command({0x0e});  // leave DUMPREG's result half read
  a.in(kFifo);
  devices::StateWriter w;
  a.fdc.serialize(w);
  Rig b;
  b.fdc.attach(0, DiskImage::open(path, DiskImage::Mode::Snapshot, "-fda"), "-fda");
  devices::StateReader rd(w.out);
  b.fdc.serialize(rd);
  CHECK(rd.at_end());
  CHECK(b.in(kMsr) == a.in(kMsr));
  CHECK(b.results() == a.results());
  devices::StateWriter wa, wb;
  a.fdc.serialize(wa);
  b.fdc.serialize(wb);
  CHECK(wa.out == wb.out);
  std::filesystem::remove(path);
}
