// virtio-net on the transitional virtio PCI transport: expected values from the VIRTIO 1.0
// specification (PCI IDs §4.1.2, capabilities §4.1.4, common configuration §4.1.4.3, legacy
// registers §4.1.4.8, split virtqueues §2.4, the net header §5.1.6).
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "devices/virtio_net.h"
#include "tests/devices/pci_harness.h"

namespace {

using devices::VirtioPci;
using devices::Virtqueue;

constexpr std::array<uint8_t, 6> kMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint32_t kRam = 1u << 20;
constexpr uint64_t kDesc = 0x10000, kAvail = 0x11000,
                   kUsed = 0x12000;  // queue 0; queue 1 at +0x4000
constexpr uint64_t kBufs = 0x40000;

struct Wire : devices::NetBackend {
  std::vector<std::vector<uint8_t>> frames;
  void transmit(std::span<const uint8_t> f) override { frames.emplace_back(f.begin(), f.end()); }
  void frontend_ready() override {}
};

struct Rig {
  mmu::PhysMemory mem{kRam};
  devices::VirtioNet nic{mem, kMac};
  Wire wire;
  uint16_t avail_idx[2] = {0, 0};
  Rig() { nic.set_backend(&wire); }
  void common_w(uint32_t off, unsigned size, uint32_t v) {
    nic.mmio_write(VirtioPci::kCommonOff + off, size, v);
  }
  uint32_t common_r(uint32_t off, unsigned size) {
    return nic.mmio_read(VirtioPci::kCommonOff + off, size);
  }
  // The modern driver's sequence (§3.1.1): reset, ACK, DRIVER, features, FEATURES_OK, queues,
  // DRIVER_OK.
  void modern_setup(uint16_t size = 8) {
    common_w(0x14, 1, 0);
    common_w(0x14, 1, VirtioPci::kStatusAck | VirtioPci::kStatusDriver);
    common_w(0x08, 4, 0), common_w(0x0c, 4, devices::VirtioNet::kFeatureMac);
    common_w(0x08, 4, 1), common_w(0x0c, 4, 1);  // VERSION_1
    common_w(0x14, 1,
             VirtioPci::kStatusAck | VirtioPci::kStatusDriver | VirtioPci::kStatusFeaturesOk);
    REQUIRE(common_r(0x14, 1) & VirtioPci::kStatusFeaturesOk);
    for (uint16_t q = 0; q < 2; q++) {
      common_w(0x16, 2, q);
      common_w(0x18, 2, size);
      common_w(0x20, 4, uint32_t(kDesc + 0x4000 * q)), common_w(0x24, 4, 0);
      common_w(0x28, 4, uint32_t(kAvail + 0x4000 * q)), common_w(0x2c, 4, 0);
      common_w(0x30, 4, uint32_t(kUsed + 0x4000 * q)), common_w(0x34, 4, 0);
      common_w(0x1c, 2, 1);
    }
    common_w(0x14, 1, 0x0f);  // + DRIVER_OK
  }
  void desc(unsigned q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
            uint16_t next = 0) {
    uint8_t d[16];
    std::memcpy(d, &addr, 8), std::memcpy(d + 8, &len, 4), std::memcpy(d + 12, &flags, 2),
        std::memcpy(d + 14, &next, 2);
    REQUIRE(mem.write_block(kDesc + 0x4000 * q + 16ull * i, d, 16));
  }
  // Makes chain `head` available on queue q and notifies (modern notify address: q * 4).
  void offer(unsigned q, uint16_t head, uint16_t size = 8) {
    const uint64_t avail = kAvail + 0x4000 * q;
    REQUIRE(mem.write_block(avail + 4 + 2 * (avail_idx[q] % size), &head, 2));
    avail_idx[q]++;
    REQUIRE(mem.write_block(avail + 2, &avail_idx[q], 2));
    nic.mmio_write(VirtioPci::kNotifyOff + 4 * q, 2, q);
  }
  uint16_t used_idx(unsigned q) {
    uint16_t v = 0;
    mem.read_block(kUsed + 0x4000 * q + 2, &v, 2);
    return v;
  }
  std::pair<uint32_t, uint32_t> used_elem(unsigned q, unsigned i) {
    uint32_t e[2] = {};
    mem.read_block(kUsed + 0x4000 * q + 4 + 8 * i, e, 8);
    return {e[0], e[1]};
  }
};

std::vector<uint8_t> frame(size_t len) {
  std::vector<uint8_t> f(len);
  for (size_t i = 0; i < len; i++) f[i] = uint8_t(i * 3 + 1);
  std::copy(kMac.begin(), kMac.end(), f.begin());
  return f;
}

}  // namespace

TEST_CASE("virtio-net: PCI identity and capabilities", "[devices][virtio]") {
  pcitest::Board b;
  mmu::PhysMemory mem(kRam);
  devices::VirtioNet nic(mem, kMac);
  b.host.attach(3, 0, &nic);
  CHECK(b.cfg_read(3, 0, 0x00, 4) == 0x10001af4u);  // transitional network device
  CHECK(b.cfg_read(3, 0, 0x2c, 4) == 0x00011af4u);  // subsystem: virtio type 1
  CHECK(b.cfg_read(3, 0, 0x08, 1) == 0);            // revision 0
  CHECK((b.cfg_read(3, 0, 0x06, 2) & 0x10) != 0);   // capabilities list
  // The vendor capabilities: common (1), ISR (3), device (4), notify (2) in BAR4.
  std::vector<unsigned> types;
  for (unsigned at = b.cfg_read(3, 0, 0x34, 1); at; at = b.cfg_read(3, 0, at + 1, 1)) {
    REQUIRE(types.size() < 8);
    CHECK(b.cfg_read(3, 0, at, 1) == 0x09);
    CHECK(b.cfg_read(3, 0, at + 4, 1) == 4);
    types.push_back(b.cfg_read(3, 0, at + 3, 1));
    if (types.back() == 2) CHECK(b.cfg_read(3, 0, at + 16, 4) == VirtioPci::kNotifyMultiplier);
  }
  CHECK(types == std::vector<unsigned>{1, 3, 4, 2});
  b.cfg_write(3, 0, 0x10, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x10, 4) == 0xffffffc1u);  // legacy I/O block
  b.cfg_write(3, 0, 0x20, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x20, 4) == 0xffffc000u);  // 16 KiB of memory
}

TEST_CASE("virtio-net: modern feature negotiation and configuration", "[devices][virtio]") {
  Rig r;
  r.common_w(0x00, 4, 0);
  CHECK(r.common_r(0x04, 4) == devices::VirtioNet::kFeatureMac);
  r.common_w(0x00, 4, 1);
  CHECK(r.common_r(0x04, 4) == 1);  // VIRTIO_F_VERSION_1
  CHECK(r.common_r(0x12, 2) == 2);  // two queues
  CHECK(r.common_r(0x10, 2) == 0xffff);
  // The MAC address in the device configuration.
  for (unsigned i = 0; i < 6; i++) CHECK(r.nic.mmio_read(VirtioPci::kDeviceOff + i, 1) == kMac[i]);
  // A feature the device did not offer: FEATURES_OK does not stick (§3.1.1 step 6).
  r.common_w(0x08, 4, 0), r.common_w(0x0c, 4, 1u << 0);  // VIRTIO_NET_F_CSUM
  r.common_w(0x14, 1, VirtioPci::kStatusFeaturesOk | 3);
  CHECK((r.common_r(0x14, 1) & VirtioPci::kStatusFeaturesOk) == 0);
  // Status 0 resets.
  r.common_w(0x14, 1, 0);
  CHECK(r.common_r(0x14, 1) == 0);
  CHECK(r.nic.driver_features() == 0);
  // Queue sizes are powers of two up to 256.
  r.common_w(0x16, 2, 0);
  r.common_w(0x18, 2, 12);
  CHECK(r.common_r(0x18, 2) == 256);
  r.common_w(0x18, 2, 64);
  CHECK(r.common_r(0x18, 2) == 64);
}

TEST_CASE("virtio-net: transmit and receive through the modern interface", "[devices][virtio]") {
  Rig r;
  r.modern_setup();
  // Transmit: a 12-byte header and the frame, in two readable buffers.
  const auto f = frame(80);
  std::vector<uint8_t> hdr(12, 0);
  REQUIRE(r.mem.write_block(kBufs, hdr.data(), 12));
  REQUIRE(r.mem.write_block(kBufs + 0x100, f.data(), f.size()));
  r.desc(1, 0, kBufs, 12, Virtqueue::kDescNext, 1);
  r.desc(1, 1, kBufs + 0x100, 80, 0);
  r.offer(1, 0);
  REQUIRE(r.wire.frames.size() == 1);
  CHECK(r.wire.frames[0] == f);
  CHECK(r.used_idx(1) == 1);
  CHECK(r.used_elem(1, 0) == std::pair<uint32_t, uint32_t>{0, 0});
  CHECK(r.nic.isr() == 1);
  CHECK(r.nic.mmio_read(VirtioPci::kIsrOff, 1) == 1);
  CHECK(r.nic.isr() == 0);  // read clears
  // Receive: nothing until a buffer is offered; then the header (num_buffers 1) and the frame.
  CHECK(!r.nic.can_receive(80));
  r.desc(0, 0, kBufs + 0x1000, 2048, Virtqueue::kDescWrite);
  r.offer(0, 0);
  CHECK(r.nic.can_receive(80));
  r.nic.receive(f);
  CHECK(r.used_idx(0) == 1);
  CHECK(r.used_elem(0, 0) == std::pair<uint32_t, uint32_t>{0, 92});
  std::vector<uint8_t> got(92);
  REQUIRE(r.mem.read_block(kBufs + 0x1000, got.data(), got.size()));
  CHECK(got[10] == 1);
  CHECK(std::equal(got.begin() + 12, got.end(), f.begin()));
  CHECK(r.nic.isr() == 1);
  // The driver asked for no interrupts: none.
  (void)r.nic.mmio_read(VirtioPci::kIsrOff, 1);
  const uint16_t no_irq = Virtqueue::kAvailNoInterrupt;
  REQUIRE(r.mem.write_block(kAvail, &no_irq, 2));
  r.offer(0, 0);
  r.nic.receive(f);
  CHECK(r.used_idx(0) == 2);
  CHECK(r.nic.isr() == 0);
}

TEST_CASE("virtio-net: the legacy interface", "[devices][virtio]") {
  Rig r;
  auto out = [&](uint16_t off, unsigned size, uint32_t v) {
    r.nic.port_write(uint16_t(0xc000 + off), size, v);
  };
  auto in = [&](uint16_t off, unsigned size) {
    return r.nic.port_read(uint16_t(0xc000 + off), size);
  };
  CHECK(in(0x00, 4) == devices::VirtioNet::kFeatureMac);  // no VERSION_1 in legacy's 32 bits
  for (unsigned i = 0; i < 6; i++) CHECK(in(uint16_t(0x14 + i), 1) == kMac[i]);
  out(0x12, 1, 3);
  out(0x04, 4, uint32_t(devices::VirtioNet::kFeatureMac));
  // Queue 1 at page 0x20: descriptors there, the available ring after 256 of them, the used ring
  // on the next page boundary (§2.4.2, legacy layout).
  out(0x0e, 2, 1);
  CHECK(in(0x0c, 2) == 256);
  out(0x08, 4, 0x20);
  CHECK(in(0x08, 4) == 0x20);
  out(0x12, 1, 7);
  const uint64_t desc = 0x20000, avail = desc + 16 * 256,
                 used = (avail + 6 + 2 * 256 + 4095) & ~4095ull;
  const auto f = frame(60);
  std::vector<uint8_t> buf(10, 0);  // the legacy header is 10 bytes without MRG_RXBUF
  buf.insert(buf.end(), f.begin(), f.end());
  REQUIRE(r.mem.write_block(kBufs, buf.data(), buf.size()));
  uint8_t d[16] = {};
  const uint64_t a = kBufs;
  const uint32_t len = uint32_t(buf.size());
  std::memcpy(d, &a, 8), std::memcpy(d + 8, &len, 4);
  REQUIRE(r.mem.write_block(desc, d, 16));
  const uint16_t head = 0, idx = 1;
  REQUIRE(r.mem.write_block(avail + 4, &head, 2));
  REQUIRE(r.mem.write_block(avail + 2, &idx, 2));
  out(0x10, 2, 1);
  REQUIRE(r.wire.frames.size() == 1);
  CHECK(r.wire.frames[0] == f);
  uint16_t used_idx = 0;
  r.mem.read_block(used + 2, &used_idx, 2);
  CHECK(used_idx == 1);
  CHECK(in(0x13, 1) == 1);
  CHECK(in(0x13, 1) == 0);
}

TEST_CASE("virtio-net: hostile rings break the queue, never the host", "[devices][virtio]") {
  SECTION("a descriptor loop") {
    Rig r;
    r.modern_setup();
    r.desc(1, 0, kBufs, 12, Virtqueue::kDescNext, 1);
    r.desc(1, 1, kBufs, 12, Virtqueue::kDescNext, 0);
    r.offer(1, 0);
    CHECK(r.wire.frames.empty());
    CHECK(r.used_idx(1) == 0);
  }
  SECTION("a next index outside the table, a head outside it") {
    Rig r;
    r.modern_setup();
    r.desc(1, 0, kBufs, 12, Virtqueue::kDescNext, 200);
    r.offer(1, 0);
    CHECK(r.used_idx(1) == 0);
    Rig r2;
    r2.modern_setup();
    r2.offer(1, 9);
    CHECK(r2.used_idx(1) == 0);
  }
  SECTION("more made available than the ring holds") {
    Rig r;
    r.modern_setup();
    const uint16_t idx = 50;
    REQUIRE(r.mem.write_block(kAvail + 0x4000 + 2, &idx, 2));
    r.nic.mmio_write(VirtioPci::kNotifyOff + 4, 2, 1);
    CHECK(r.used_idx(1) == 0);
  }
  SECTION("rings and buffers outside RAM") {
    Rig r;
    r.modern_setup();
    // A buffer outside RAM: the frame is dropped, the chain still comes back.
    r.desc(1, 0, 0xfff00000u, 100, 0);
    r.offer(1, 0);
    CHECK(r.wire.frames.empty());
    CHECK(r.used_idx(1) == 1);
    // A zero-length and an oversized buffer: nothing sent, chains returned.
    r.desc(1, 1, kBufs, 0, 0);
    r.offer(1, 1);
    r.desc(1, 2, kBufs, 0xffffffffu, 0);
    r.offer(1, 2);
    CHECK(r.wire.frames.empty());
    CHECK(r.used_idx(1) == 3);
    // The descriptor table outside RAM.
    Rig r2;
    r2.common_w(0x14, 1, 0);
    r2.common_w(0x14, 1, 3);
    r2.common_w(0x16, 2, 1);
    r2.common_w(0x20, 4, 0xfffff000u);
    r2.common_w(0x28, 4, uint32_t(kAvail)), r2.common_w(0x30, 4, uint32_t(kUsed));
    r2.common_w(0x1c, 2, 1);
    r2.common_w(0x14, 1, 7);
    const uint16_t idx = 1;
    REQUIRE(r2.mem.write_block(kAvail + 2, &idx, 2));
    r2.nic.mmio_write(VirtioPci::kNotifyOff + 4, 2, 1);
    CHECK(r2.wire.frames.empty());
  }
}
