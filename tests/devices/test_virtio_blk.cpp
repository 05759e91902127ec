// virtio-blk on the transitional virtio PCI transport: expected values from the VIRTIO 1.0
// specification (PCI IDs §4.1.2, block device §5.2: features §5.2.3, configuration §5.2.4,
// requests and status values §5.2.6, message framing §2.4.4, device errors §2.1.2, legacy
// registers §4.1.4.8) and Linux's GET_ID (20 bytes, NUL-padded).
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "devices/virtio_blk.h"
#include "machine/clock.h"
#include "tests/devices/pci_harness.h"
#include "tests/images/image_util.h"

namespace {

using devices::VirtioBlk;
using devices::VirtioPci;

constexpr uint32_t kRam = 1u << 20;
constexpr uint64_t kSectors = 64;
constexpr uint64_t kDesc = 0x10000, kAvail = 0x11000, kUsed = 0x12000;
constexpr uint64_t kHdr = 0x40000, kData = 0x41000, kStatus = 0x50000;
constexpr uint16_t kRead = 0, kWrite = 2, kNext = 1;  // descriptor flags (§2.4.5)

uint8_t pattern(uint64_t byte) { return uint8_t(byte * 7 + byte / 512); }

struct Rig {
  test::ScratchDir dir;
  std::string path = dir / "disk.raw";
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  mmu::PhysMemory mem{kRam};
  std::unique_ptr<VirtioBlk> blk;
  uint16_t qsize = 8, avail_idx = 0;
  uint64_t desc_table = kDesc;

  explicit Rig(devices::DiskImage::Mode mode = devices::DiskImage::Mode::ReadWrite,
               std::string serial = "ghost86-disk") {
    std::vector<uint8_t> img(kSectors * 512);
    for (size_t i = 0; i < img.size(); i++) img[i] = pattern(i);
    test::write_bytes(path, img);
    blk = std::make_unique<VirtioBlk>(mem, clock, devices::DiskImage::open(path, mode, "-drive"),
                                      serial);
  }
  void common_w(uint32_t off, unsigned size, uint32_t v) {
    blk->mmio_write(VirtioPci::kCommonOff + off, size, v);
  }
  uint32_t common_r(uint32_t off, unsigned size) {
    return blk->mmio_read(VirtioPci::kCommonOff + off, size);
  }
  uint32_t config(unsigned off, unsigned size) {
    return blk->mmio_read(VirtioPci::kDeviceOff + off, size);
  }
  // The modern driver's sequence (§3.1.1), accepting every feature offered.
  void modern_setup(uint16_t size = 8) {
    qsize = size;
    common_w(0x14, 1, 0);
    common_w(0x14, 1, VirtioPci::kStatusAck | VirtioPci::kStatusDriver);
    common_w(0x00, 4, 0);
    const uint32_t f = common_r(0x04, 4);
    common_w(0x08, 4, 0), common_w(0x0c, 4, f);
    common_w(0x08, 4, 1), common_w(0x0c, 4, 1);  // VERSION_1
    common_w(0x14, 1, 0x0b);
    REQUIRE(common_r(0x14, 1) & VirtioPci::kStatusFeaturesOk);
    common_w(0x16, 2, 0);
    common_w(0x18, 2, size);
    common_w(0x20, 4, uint32_t(kDesc)), common_w(0x24, 4, 0);
    common_w(0x28, 4, uint32_t(kAvail)), common_w(0x2c, 4, 0);
    common_w(0x30, 4, uint32_t(kUsed)), common_w(0x34, 4, 0);
    common_w(0x1c, 2, 1);
    common_w(0x14, 1, 0x0f);
  }
  void desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) {
    uint8_t d[16];
    std::memcpy(d, &addr, 8), std::memcpy(d + 8, &len, 4), std::memcpy(d + 12, &flags, 2),
        std::memcpy(d + 14, &next, 2);
    REQUIRE(mem.write_block(desc_table + 16ull * i, d, 16));
  }
  void header(uint32_t type, uint64_t sector, uint64_t at = kHdr) {
    uint8_t h[16] = {};
    std::memcpy(h, &type, 4), std::memcpy(h + 8, &sector, 8);
    REQUIRE(mem.write_block(at, h, 16));
  }
  // The usual three-descriptor request at descriptors 0-2: header, data, status.
  void request(uint32_t type, uint64_t sector, uint32_t len, uint64_t data = kData) {
    header(type, sector);
    const uint8_t poison = 0xee;
    REQUIRE(mem.write_block(kStatus, &poison, 1));
    desc(0, kHdr, 16, kRead | kNext, 1);
    desc(1, data, len, uint16_t((type == VirtioBlk::kTypeOut ? kRead : kWrite) | kNext), 2);
    desc(2, kStatus, 1, kWrite);
  }
  // Makes chain `head` available and notifies (modern notify address: queue 0).
  void offer(uint16_t head) {
    REQUIRE(mem.write_block(kAvail + 4 + 2 * (avail_idx % qsize), &head, 2));
    avail_idx++;
    REQUIRE(mem.write_block(kAvail + 2, &avail_idx, 2));
    blk->mmio_write(VirtioPci::kNotifyOff, 2, 0);
  }
  // Lets the device's latency pass.
  void run() {
    icount += VirtioBlk::kLatencyNs;
    clock.run_due();
  }
  uint16_t used_idx() {
    uint16_t v = 0;
    mem.read_block(kUsed + 2, &v, 2);
    return v;
  }
  std::pair<uint32_t, uint32_t> used_elem(unsigned i) {
    uint32_t e[2] = {};
    mem.read_block(kUsed + 4 + 8 * (i % qsize), e, 8);
    return {e[0], e[1]};
  }
  uint8_t status_byte() {
    uint8_t s = 0;
    mem.read_block(kStatus, &s, 1);
    return s;
  }
  std::vector<uint8_t> guest(uint64_t at, size_t n) {
    std::vector<uint8_t> v(n);
    REQUIRE(mem.read_block(at, v.data(), n));
    return v;
  }
};

std::vector<uint8_t> expected(uint64_t sector, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; i++) v[i] = pattern(sector * 512 + i);
  return v;
}

}  // namespace

TEST_CASE("virtio-blk: PCI identity, features and configuration", "[devices][virtio]") {
  pcitest::Board b;
  Rig r;
  b.host.attach(4, 0, r.blk.get());
  CHECK(b.cfg_read(4, 0, 0x00, 4) == 0x10011af4u);     // transitional block device (1001h)
  CHECK(b.cfg_read(4, 0, 0x2c, 4) == 0x00021af4u);     // subsystem: virtio type 2
  CHECK(b.cfg_read(4, 0, 0x08, 4) >> 8 == 0x010000u);  // mass storage
  r.common_w(0x00, 4, 0);
  // SIZE_MAX (1), SEG_MAX (2), BLK_SIZE (6), FLUSH (9); not RO (5) for a writable image.
  CHECK(r.common_r(0x04, 4) == (1u << 1 | 1u << 2 | 1u << 6 | 1u << 9));
  r.common_w(0x00, 4, 1);
  CHECK(r.common_r(0x04, 4) == 1);  // VERSION_1
  CHECK(r.common_r(0x12, 2) == 1);  // one request queue
  // §5.2.4: capacity in 512-byte sectors, size_max, seg_max, blk_size.
  CHECK(r.config(0, 4) == kSectors);
  CHECK(r.config(4, 4) == 0);
  CHECK(r.config(8, 4) == VirtioBlk::kSizeMax);
  CHECK(r.config(12, 4) == 254);  // 256-entry queue less header and status
  CHECK(r.config(20, 4) == 512);
  // The legacy register block: the same configuration after the 20-byte header.
  CHECK(r.blk->port_read(0x14, 4) == kSectors);
  CHECK(r.blk->port_read(0x20, 4) == 254);
  CHECK(r.blk->port_read(0x00, 4) == (1u << 1 | 1u << 2 | 1u << 6 | 1u << 9));
}

TEST_CASE("virtio-blk: reads and writes sectors, after a fixed virtual time", "[devices][virtio]") {
  Rig r;
  r.modern_setup();
  r.request(VirtioBlk::kTypeIn, 3, 1024);
  r.offer(0);
  // Nothing before the latency has passed: completion comes at a defined time, not at once.
  CHECK(r.used_idx() == 0);
  CHECK(r.blk->isr() == 0);
  r.run();
  REQUIRE(r.used_idx() == 1);
  CHECK(r.used_elem(0) == std::pair<uint32_t, uint32_t>{0, 1024 + 1});
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  CHECK(r.guest(kData, 1024) == expected(3, 1024));
  CHECK(r.blk->isr() == 1);

  // OUT: the data is in the file (writes reach it at once); FLUSH answers OK.
  std::vector<uint8_t> data(512, 0x5a);
  REQUIRE(r.mem.write_block(kData, data.data(), 512));
  r.request(VirtioBlk::kTypeOut, kSectors - 1, 512);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  CHECK(r.used_elem(1) == std::pair<uint32_t, uint32_t>{0, 1});
  r.header(VirtioBlk::kTypeFlush, 0);
  r.desc(0, kHdr, 16, kRead | kNext, 2);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  const std::vector<uint8_t> file = test::file_bytes(r.path);
  REQUIRE(file.size() == kSectors * 512);
  CHECK(std::vector<uint8_t>(file.end() - 512, file.end()) == data);
  CHECK(std::vector<uint8_t>(file.begin(), file.end() - 512) == expected(0, (kSectors - 1) * 512));
}

TEST_CASE("virtio-blk: GET_ID and unsupported requests", "[devices][virtio]") {
  Rig r(devices::DiskImage::Mode::ReadWrite, "serial-0123456789abcdefXYZ");
  r.modern_setup();
  std::vector<uint8_t> ff(20, 0xff);
  REQUIRE(r.mem.write_block(kData, ff.data(), 20));
  r.request(VirtioBlk::kTypeGetId, 0, 20);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  const std::string s = "serial-0123456789abc";  // cut to 20 bytes, no terminator
  CHECK(r.guest(kData, 20) == std::vector<uint8_t>(s.begin(), s.end()));
  CHECK(r.used_elem(0).second == 21);

  Rig shorter;
  shorter.modern_setup();
  REQUIRE(shorter.mem.write_block(kData, ff.data(), 20));
  shorter.request(VirtioBlk::kTypeGetId, 0, 20);
  shorter.offer(0);
  shorter.run();
  std::vector<uint8_t> id(20, 0);  // NUL-padded
  const std::string t = "ghost86-disk";
  std::copy(t.begin(), t.end(), id.begin());
  CHECK(shorter.guest(kData, 20) == id);

  // DISCARD (11), WRITE_ZEROES (13) and the legacy SCSI command (2): VIRTIO_BLK_S_UNSUPP.
  for (uint32_t type : {11u, 13u, 2u}) {
    r.request(type, 0, 512);
    r.offer(0);
    r.run();
    CHECK(r.status_byte() == VirtioBlk::kStatusUnsupp);
  }
}

TEST_CASE("virtio-blk: requests outside the capacity fail with IOERR", "[devices][virtio]") {
  Rig r;
  r.modern_setup();
  struct Case {
    uint64_t sector;
    uint32_t len;
  };
  for (const Case c :
       {Case{kSectors, 512}, Case{kSectors - 1, 1024}, Case{kSectors + 1, 0}, Case{1ull << 63, 512},
        Case{~0ull, 512}, Case{0, 100}, Case{0, 0xfffffe00u}}) {
    CAPTURE(c.sector, c.len);
    for (uint32_t type : {VirtioBlk::kTypeIn, VirtioBlk::kTypeOut}) {
      r.request(type, c.sector, c.len);
      r.offer(0);
      r.run();
      CHECK(r.status_byte() == VirtioBlk::kStatusIoErr);
      CHECK(r.used_elem(uint16_t(r.avail_idx - 1)).second == 1);
    }
  }
  CHECK(test::file_bytes(r.path) == expected(0, kSectors * 512));
  // The last sector itself and an empty request at the end are fine.
  r.request(VirtioBlk::kTypeIn, kSectors - 1, 512);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  r.request(VirtioBlk::kTypeIn, kSectors, 0);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
}

TEST_CASE("virtio-blk: a read-only image fails writes", "[devices][virtio]") {
  Rig r(devices::DiskImage::Mode::ReadOnly);
  r.common_w(0x00, 4, 0);
  CHECK((r.common_r(0x04, 4) & (1u << 5)) != 0);  // VIRTIO_BLK_F_RO
  r.modern_setup();
  std::vector<uint8_t> data(512, 0x5a);
  REQUIRE(r.mem.write_block(kData, data.data(), 512));
  r.request(VirtioBlk::kTypeOut, 0, 512);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusIoErr);
  CHECK(test::file_bytes(r.path) == expected(0, kSectors * 512));
  r.request(VirtioBlk::kTypeIn, 0, 512);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  CHECK(r.guest(kData, 512) == expected(0, 512));
}

TEST_CASE("virtio-blk: buffers cut anywhere and empty buffers", "[devices][virtio]") {
  Rig r;
  r.modern_setup();
  // Header in two pieces, an empty buffer, data in 100 + 412 + 512 bytes, status alone (§2.4.4:
  // the device must not assume a framing).
  r.header(VirtioBlk::kTypeIn, 5);
  r.desc(0, kHdr, 10, kRead | kNext, 1);
  r.desc(1, kHdr + 10, 6, kRead | kNext, 2);
  r.desc(2, kData, 0, kWrite | kNext, 3);
  r.desc(3, kData, 100, kWrite | kNext, 4);
  r.desc(4, kData + 0x2000, 412, kWrite | kNext, 5);
  r.desc(5, kData + 0x3000, 512, kWrite | kNext, 6);
  r.desc(6, kStatus, 1, kWrite);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  CHECK(r.used_elem(0) == std::pair<uint32_t, uint32_t>{0, 1025});
  const std::vector<uint8_t> want = expected(5, 1024);
  CHECK(r.guest(kData, 100) == std::vector<uint8_t>(want.begin(), want.begin() + 100));
  CHECK(r.guest(kData + 0x2000, 412) ==
        std::vector<uint8_t>(want.begin() + 100, want.begin() + 512));
  CHECK(r.guest(kData + 0x3000, 512) == std::vector<uint8_t>(want.begin() + 512, want.end()));
  // Status and data in one writable buffer.
  r.header(VirtioBlk::kTypeIn, 9);
  r.desc(0, kHdr, 16, kRead | kNext, 1);
  r.desc(1, kData, 513, kWrite);
  r.offer(0);
  r.run();
  CHECK(r.guest(kData, 512) == expected(9, 512));
  CHECK(r.guest(kData + 512, 1)[0] == VirtioBlk::kStatusOk);
  // An empty request (no data at all) reads nothing and succeeds.
  r.request(VirtioBlk::kTypeIn, 0, 0);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  CHECK(r.used_elem(2) == std::pair<uint32_t, uint32_t>{0, 1});
}

TEST_CASE("virtio-blk: the rings wrap", "[devices][virtio]") {
  Rig r;
  r.modern_setup(4);
  // Requests one by one through a four-entry ring, its indexes wrapping several times.
  for (uint64_t n = 0; n < 11; n++) {
    r.request(VirtioBlk::kTypeIn, n, 512);
    r.offer(0);
    r.run();
    CHECK(r.guest(kData, 512) == expected(n, 512));
  }
  CHECK(r.used_idx() == 11);
  CHECK(r.used_elem(10) == std::pair<uint32_t, uint32_t>{0, 513});
  // Two at once (every descriptor in use), served in order after one notification's latency.
  for (uint16_t i = 0; i < 2; i++) {
    r.header(VirtioBlk::kTypeIn, 20 + i, kHdr + 16 * i);
    r.desc(uint16_t(2 * i), kHdr + 16 * i, 16, kRead | kNext, uint16_t(2 * i + 1));
    r.desc(uint16_t(2 * i + 1), kData + 0x1000 * i, 513, kWrite);
  }
  r.offer(2);
  r.offer(0);
  r.run();
  CHECK(r.used_idx() == 13);
  CHECK(r.used_elem(11) == std::pair<uint32_t, uint32_t>{2, 513});
  CHECK(r.used_elem(12) == std::pair<uint32_t, uint32_t>{0, 513});
  for (uint16_t i = 0; i < 2; i++) CHECK(r.guest(kData + 0x1000 * i, 512) == expected(20 + i, 512));
}

TEST_CASE("virtio-blk: addresses outside RAM", "[devices][virtio]") {
  Rig r;
  r.modern_setup();
  // Data outside RAM, or running past its end: IOERR, nothing read from the host beyond it.
  r.request(VirtioBlk::kTypeIn, 0, 512, kRam);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusIoErr);
  r.request(VirtioBlk::kTypeIn, 0, 1024, kRam - 512);
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusIoErr);
  r.request(VirtioBlk::kTypeOut, 0, 512, ~0ull - 100);  // wraps around 2^64
  r.offer(0);
  r.run();
  CHECK(r.status_byte() == VirtioBlk::kStatusIoErr);
  CHECK(test::file_bytes(r.path) == expected(0, kSectors * 512));
  // A status byte outside RAM: the chain comes back with nothing written.
  r.request(VirtioBlk::kTypeIn, 0, 512);
  r.desc(2, kRam + 4096, 1, kWrite);
  r.offer(0);
  r.run();
  CHECK(r.used_idx() == 4);
  CHECK(r.used_elem(3) == std::pair<uint32_t, uint32_t>{0, 0});
  // A descriptor table outside RAM: the queue stops (no used entry), the device stays usable
  // after a reset.
  r.common_w(0x14, 1, 0);
  r.common_w(0x14, 1, 3), r.common_w(0x08, 4, 1), r.common_w(0x0c, 4, 1), r.common_w(0x14, 1, 0x0b);
  r.common_w(0x16, 2, 0), r.common_w(0x18, 2, 8);
  r.common_w(0x20, 4, 0), r.common_w(0x24, 4, 1);  // 4 GiB
  r.common_w(0x28, 4, uint32_t(kAvail)), r.common_w(0x30, 4, uint32_t(kUsed));
  r.common_w(0x1c, 2, 1), r.common_w(0x14, 1, 0x0f);
  uint16_t zero = 0;
  REQUIRE(r.mem.write_block(kUsed + 2, &zero, 2));
  r.avail_idx = 0;
  r.offer(0);
  r.run();
  CHECK(r.used_idx() == 0);
  r.avail_idx = 0;
  r.modern_setup();
  r.request(VirtioBlk::kTypeIn, 2, 512);
  r.offer(0);
  r.run();
  CHECK(r.used_idx() == 1);
  CHECK(r.guest(kData, 512) == expected(2, 512));
}

TEST_CASE("virtio-blk: descriptor loops", "[devices][virtio]") {
  Rig r;
  r.modern_setup();
  r.header(VirtioBlk::kTypeIn, 0);
  r.desc(0, kHdr, 16, kRead | kNext, 1);
  r.desc(1, kData, 512, kWrite | kNext, 2);
  r.desc(2, kStatus, 1, kWrite | kNext, 0);  // back to the head
  r.offer(0);
  r.run();  // ends: the chain is cut off after the queue's size, not followed forever
  CHECK(r.used_idx() == 0);
  r.desc(0, kHdr, 16, kRead | kNext, 0);  // a descriptor naming itself
  r.offer(0);
  r.run();
  CHECK(r.used_idx() == 0);
}

TEST_CASE("virtio-blk: header or status in the wrong direction needs a reset",
          "[devices][virtio]") {
  struct Case {
    const char* what;
    uint16_t hdr_flags, data_flags, status_flags;
    uint32_t hdr_len;
  };
  for (const Case c : {Case{"device-writable header", kWrite, kRead, kWrite, 16},
                       Case{"driver-readable status", kRead, kRead, kRead, 16},
                       Case{"short header", kRead, kWrite, kWrite, 8}}) {
    CAPTURE(c.what);
    Rig r;
    r.modern_setup();
    r.header(VirtioBlk::kTypeOut, 0);
    r.desc(0, kHdr, c.hdr_len, uint16_t(c.hdr_flags | kNext), 1);
    r.desc(1, kData, 512, uint16_t(c.data_flags | kNext), 2);
    r.desc(2, kStatus, 1, c.status_flags);
    r.offer(0);
    r.run();
    CHECK(r.used_idx() == 0);
    // §2.1.2: DEVICE_NEEDS_RESET, and a configuration change interrupt (ISR bit 1).
    CHECK((r.common_r(0x14, 1) & VirtioPci::kStatusNeedsReset) != 0);
    CHECK(r.blk->isr() == 2);
    CHECK(test::file_bytes(r.path) == expected(0, kSectors * 512));
    // Only a reset clears it; the driver's own status writes keep it.
    r.common_w(0x14, 1, 0x0f);
    CHECK((r.common_r(0x14, 1) & VirtioPci::kStatusNeedsReset) != 0);
    r.modern_setup();
    CHECK(r.common_r(0x14, 1) == 0x0f);
  }
}

TEST_CASE("virtio-blk: the legacy interface", "[devices][virtio]") {
  Rig r;
  // §4.1.4.8: features (32 bits, no VERSION_1), queue PFN with the legacy layout, notify.
  CHECK(r.blk->port_read(0x0c, 2) == 256);
  r.blk->port_write(0x12, 1, 3);
  r.blk->port_write(0x04, 4, r.blk->port_read(0x00, 4));
  r.blk->port_write(0x0e, 2, 0);
  const uint64_t desc = 0x20000, avail = desc + 16 * 256, used = 0x22000;
  r.blk->port_write(0x08, 4, uint32_t(desc >> 12));
  r.blk->port_write(0x12, 1, 7);
  r.header(VirtioBlk::kTypeIn, 7);
  r.desc_table = desc;
  r.desc(0, kHdr, 16, kRead | kNext, 1);
  r.desc(1, kData, 512, kWrite | kNext, 2);
  r.desc(2, kStatus, 1, kWrite);
  const uint16_t head = 0, idx = 1;
  REQUIRE(r.mem.write_block(avail + 4, &head, 2));
  REQUIRE(r.mem.write_block(avail + 2, &idx, 2));
  r.blk->port_write(0x10, 2, 0);
  r.run();
  uint16_t used_idx = 0;
  r.mem.read_block(used + 2, &used_idx, 2);
  CHECK(used_idx == 1);
  CHECK(r.status_byte() == VirtioBlk::kStatusOk);
  CHECK(r.guest(kData, 512) == expected(7, 512));
  CHECK(r.blk->port_read(0x13, 1) == 1);  // ISR: a used buffer
}

TEST_CASE("virtio-blk: a reset drops requests not yet served", "[devices][virtio]") {
  Rig r;
  r.modern_setup();
  r.request(VirtioBlk::kTypeIn, 1, 512);
  r.offer(0);
  r.common_w(0x14, 1, 0);
  r.run();
  CHECK(r.used_idx() == 0);
  CHECK(r.status_byte() == 0xee);
}

TEST_CASE("virtio-blk: the saved state depends on the device alone", "[devices][virtio]") {
  // Two devices built over memory filled with different bytes save the same state: nothing
  // uninitialised (structure padding) reaches snapshots or the state hash.
  Rig r(devices::DiskImage::Mode::ReadOnly);
  std::vector<uint8_t> saved[2];
  for (int i = 0; i < 2; i++) {
    alignas(VirtioBlk) unsigned char storage[sizeof(VirtioBlk)];
    std::memset(storage, i ? 0x55 : 0xaa, sizeof storage);
    auto* dev = new (storage)
        VirtioBlk(r.mem, r.clock,
                  devices::DiskImage::open(r.path, devices::DiskImage::Mode::ReadOnly, "-drive"));
    devices::StateWriter w;
    dev->serialize(w);
    saved[i] = w.out;
    dev->~VirtioBlk();
  }
  CHECK(saved[0] == saved[1]);
}
