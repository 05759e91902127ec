// Intel 82540EM (e1000): expected values from the 8254x Software Developer's Manual (register
// layouts §13, descriptors §3, EEPROM §5) and from the Internet checksum's definition (RFC 1071).
#include <catch2/catch.hpp>
#include <cstring>
#include <numeric>
#include <vector>

#include "devices/e1000.h"
#include "devices/e1000_regs.h"
#include "tests/devices/pci_harness.h"
#include "tests/splitmix64.h"

using namespace devices::e1000;

namespace {

constexpr std::array<uint8_t, 6> kMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint32_t kRam = 1u << 20;
constexpr uint32_t kTxRing = 0x10000, kRxRing = 0x20000, kBufs = 0x30000;

struct Wire : devices::NetBackend {
  std::vector<std::vector<uint8_t>> frames;
  unsigned ready = 0;
  void transmit(std::span<const uint8_t> f) override { frames.emplace_back(f.begin(), f.end()); }
  void frontend_ready() override { ready++; }
};

struct Rig {
  mmu::PhysMemory mem{kRam};
  devices::E1000 nic{mem, kMac};
  Wire wire;
  Rig() {
    nic.set_backend(&wire);
    nic.config_write(devices::pci::kCommand, 2,
                     devices::pci::kCmdMemory | devices::pci::kCmdMaster);
  }
  void put_desc(uint32_t at, uint64_t addr, uint32_t dw2, uint32_t dw3 = 0) {
    uint8_t d[16];
    for (unsigned i = 0; i < 8; i++) d[i] = uint8_t(addr >> (8 * i));
    for (unsigned i = 0; i < 4; i++)
      d[8 + i] = uint8_t(dw2 >> (8 * i)), d[12 + i] = uint8_t(dw3 >> (8 * i));
    REQUIRE(mem.write_block(at, d, 16));
  }
  uint8_t byte(uint64_t at) {
    uint8_t b = 0;
    mem.read_block(at, &b, 1);
    return b;
  }
  // A transmit ring of `n` descriptors, enabled.
  void tx_ring(uint32_t n, uint32_t head = 0) {
    nic.write_reg(kTdbal, kTxRing);
    nic.write_reg(kTdlen, n * 16);
    nic.write_reg(kTdh, head);
    nic.write_reg(kTdt, head);
    nic.write_reg(kTctl, kTctlEn);
  }
  void rx_ring(uint32_t n, uint32_t tail, uint32_t rctl = kRctlEn | kRctlBam) {
    for (uint32_t i = 0; i < n; i++) put_desc(kRxRing + 16 * i, kBufs + 0x1000 * i, 0);
    nic.write_reg(kRdbal, kRxRing);
    nic.write_reg(kRdlen, n * 16);
    nic.write_reg(kRdh, 0);
    nic.write_reg(kRdt, tail);
    nic.write_reg(kRctl, rctl);
  }
  // A legacy descriptor: length, CMD.
  uint32_t legacy(uint16_t len, uint8_t cmd) { return uint32_t(len) | uint32_t(cmd) << 24; }
};

std::vector<uint8_t> frame_to(const std::array<uint8_t, 6>& dst, size_t len) {
  std::vector<uint8_t> f(len);
  std::iota(f.begin(), f.end(), uint8_t(0));
  std::copy(dst.begin(), dst.end(), f.begin());
  f[12] = 0x08, f[13] = 0x00;
  return f;
}

// RFC 1071, written out independently of the device's helper.
uint16_t ones_sum(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i < n; i++) sum += (i & 1) ? p[i] : uint32_t(p[i]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

}  // namespace

TEST_CASE("e1000: PCI identity and BARs", "[devices][e1000]") {
  pcitest::Board b;
  mmu::PhysMemory mem(kRam);
  devices::E1000 nic(mem, kMac);
  b.host.attach(3, 0, &nic);
  CHECK(b.cfg_read(3, 0, 0x00, 4) == 0x100e8086u);
  CHECK(b.cfg_read(3, 0, 0x08, 4) >> 8 == 0x020000u);  // Ethernet controller
  CHECK(b.cfg_read(3, 0, 0x3d, 1) == 1);               // INTA#
  b.cfg_write(3, 0, 0x10, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x10, 4) == 0xfffe0000u);  // 128 KiB memory
  b.cfg_write(3, 0, 0x14, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x14, 4) == 0xffffffc1u);  // 64 bytes of I/O
  // IOADDR/IODATA reach the registers.
  b.cfg_write(3, 0, 0x14, 4, 0xc000);
  b.cfg_write(3, 0, 0x04, 2, devices::pci::kCmdIo);
  b.out(0xc000, 4, kStatus);
  CHECK((b.in(0xc004, 4) & kStatusLu) != 0);
  b.out(0xc000, 4, kRal0);
  CHECK(b.in(0xc004, 4) == 0x12005452u);
}

TEST_CASE("e1000: EEPROM words, checksum, EERD and the Microwire interface", "[devices][e1000]") {
  Rig r;
  const auto& ee = r.nic.eeprom();
  // Words 0-2: the Ethernet address, low byte first; the 64 words sum to BABAh (§5.6.1).
  CHECK(ee.word(0) == 0x5452);
  CHECK(ee.word(1) == 0x1200);
  CHECK(ee.word(2) == 0x5634);
  uint16_t sum = 0;
  for (unsigned i = 0; i < 64; i++) sum = uint16_t(sum + ee.word(i));
  CHECK(sum == 0xbaba);
  // EERD: start with the address in 15:8; done (bit 4) and the data in 31:16.
  r.nic.write_reg(kEerd, 1u << 8 | kEerdStart);
  CHECK(r.nic.read_reg(kEerd) == (0x1200u << 16 | 1u << 8 | kEerdDone));
  // Microwire as drivers bit-bang it: request/grant, chip select, READ (110b) and a 6-bit address
  // clocked in on rising SK edges, then 16 data bits read after each rising edge.
  using E = devices::E1000Eeprom;
  r.nic.write_reg(kEecd, E::kReq);
  CHECK((r.nic.read_reg(kEecd) & (E::kGnt | E::kPres)) == (E::kGnt | E::kPres));
  uint32_t pins = E::kReq | E::kCs;
  r.nic.write_reg(kEecd, pins);
  auto clock_out = [&](uint32_t bits, unsigned n) {
    for (unsigned i = n; i-- > 0;) {
      pins = (bits >> i) & 1 ? pins | E::kDi : pins & ~E::kDi;
      r.nic.write_reg(kEecd, pins);
      r.nic.write_reg(kEecd, pins | E::kSk);
      r.nic.write_reg(kEecd, pins);
    }
  };
  for (unsigned addr : {0x02u, 0x0du, 0x3fu}) {
    clock_out(0b110, 3);
    clock_out(addr, 6);
    CHECK((r.nic.read_reg(kEecd) & E::kDo) == 0);  // the dummy zero
    uint16_t data = 0;
    for (unsigned i = 0; i < 16; i++) {
      r.nic.write_reg(kEecd, pins | E::kSk);
      data = uint16_t(data << 1 | ((r.nic.read_reg(kEecd) & E::kDo) ? 1 : 0));
      r.nic.write_reg(kEecd, pins);
    }
    CHECK(data == ee.word(addr));
    r.nic.write_reg(kEecd, E::kReq);  // deselect: the next command starts afresh
    pins = E::kReq | E::kCs;
    r.nic.write_reg(kEecd, pins);
  }
  CHECK(ee.word(0x0d) == 0x100e);
}

TEST_CASE("e1000: interrupt causes, mask and INTA#", "[devices][e1000]") {
  pcitest::Board b;
  struct Router : devices::PciIrqRouter {
    uint8_t level = 0;
    void set_pirq(unsigned p, bool l) override {
      level = uint8_t(l ? level | 1u << p : level & ~(1u << p));
    }
  } router;
  b.host.set_irq_router(&router);
  mmu::PhysMemory mem(kRam);
  devices::E1000 nic(mem, kMac);
  b.host.attach(3, 0, &nic);
  const unsigned pirq = devices::PciHost::pirq_of(3, 1);
  // A cause that is not enabled sets ICR but not the pin (§13.4.17-21).
  nic.write_reg(kIcs, kIntTxdw | kIntLsc);
  CHECK(router.level == 0);
  nic.write_reg(kIms, kIntLsc);
  CHECK(router.level == 1u << pirq);
  CHECK(nic.read_reg(kIms) == kIntLsc);
  // Reading ICR returns every cause, clears them and deasserts.
  CHECK(nic.read_reg(kIcr) == (kIntTxdw | kIntLsc));
  CHECK(router.level == 0);
  CHECK(nic.read_reg(kIcr) == 0);
  // IMC clears mask bits; a masked cause stays pending in ICR.
  nic.write_reg(kImc, kIntLsc);
  nic.write_reg(kIcs, kIntLsc);
  CHECK(router.level == 0);
  nic.write_reg(kIms, kIntLsc);
  CHECK(router.level == 1u << pirq);
  // Writing ones to ICR clears those causes.
  nic.write_reg(kIcr, kIntLsc);
  CHECK(router.level == 0);
  // Interrupt Disable in the PCI command register gates the pin.
  nic.write_reg(kIcs, kIntLsc);
  b.cfg_write(3, 0, 0x04, 2, devices::pci::kCmdIntxDisable);
  CHECK(router.level == 0);
}

TEST_CASE("e1000: MDIO reaches the PHY at address 1", "[devices][e1000]") {
  Rig r;
  auto mdic = [&](uint32_t op, unsigned phy, unsigned reg, uint16_t data = 0) {
    r.nic.write_reg(kMdic, op | phy << 21 | reg << 16 | data);
    return r.nic.read_reg(kMdic);
  };
  CHECK(mdic(kMdicOpRead, 1, 2) == (kMdicReady | kMdicOpRead | 1u << 21 | 2u << 16 | 0x0141));
  CHECK((mdic(kMdicOpRead, 1, 3) & 0xfff0) == 0x0c20);  // M88E1011
  CHECK((mdic(kMdicOpRead, 1, 1) & 0x0024) == 0x0024);  // link up, auto-negotiation complete
  // Reset and restart auto-negotiation complete at once.
  mdic(kMdicOpWrite, 1, 0, 0x9340);
  CHECK((mdic(kMdicOpRead, 1, 0) & 0xffff) == 0x1140);
  // Nothing answers at other addresses.
  CHECK((mdic(kMdicOpRead, 2, 2) & kMdicError) != 0);
}

TEST_CASE("e1000: transmit ring wraps, reports status and raises TXDW/TXQE", "[devices][e1000]") {
  Rig r;
  r.tx_ring(8, 6);
  for (uint32_t i = 0; i < 8; i++) {
    REQUIRE(r.mem.write_block(kBufs + 0x100 * i, frame_to(kMac, 60).data(), 60));
    r.put_desc(kTxRing + 16 * i, kBufs + 0x100 * i,
               r.legacy(uint16_t(60 + i), kTxEop | kTxIfcs | kTxRs));
  }
  r.nic.write_reg(kIms, kIntTxdw | kIntTxqe);
  r.nic.write_reg(kTdt, 2);  // descriptors 6, 7, 0, 1
  REQUIRE(r.wire.frames.size() == 4);
  CHECK(r.wire.frames[0].size() == 66);
  CHECK(r.wire.frames[1].size() == 67);
  CHECK(r.wire.frames[2].size() == 60);
  CHECK(r.wire.frames[3].size() == 61);
  CHECK(r.nic.read_reg(kTdh) == 2);
  for (uint32_t i : {6u, 7u, 0u, 1u}) CHECK((r.byte(kTxRing + 16 * i + 12) & kTxDd) != 0);
  CHECK((r.byte(kTxRing + 16 * 2 + 12) & kTxDd) == 0);
  CHECK(r.nic.read_reg(kIcr) == (kIntTxdw | kIntTxqe));
  CHECK(r.nic.read_reg(kGptc) == 4);
  CHECK(r.nic.read_reg(kGptc) == 0);  // statistics clear on read
}

TEST_CASE("e1000: transmit edge cases never leave RAM and never loop", "[devices][e1000]") {
  Rig r;
  r.tx_ring(8);
  const auto f = frame_to(kMac, 100);
  REQUIRE(r.mem.write_block(kBufs, f.data(), f.size()));
  // A zero-length descriptor adds nothing; the frame is the one buffer.
  r.put_desc(kTxRing + 0, kBufs, r.legacy(0, 0));
  r.put_desc(kTxRing + 16, kBufs, r.legacy(100, kTxEop));
  r.nic.write_reg(kTdt, 2);
  REQUIRE(r.wire.frames.size() == 1);
  CHECK(r.wire.frames[0] == f);
  // A buffer outside RAM drops its frame; the ring goes on.
  r.put_desc(kTxRing + 32, 0xfff00000u, r.legacy(100, kTxEop | kTxRs));
  r.put_desc(kTxRing + 48, kBufs, r.legacy(100, kTxEop));
  r.nic.write_reg(kTdt, 4);
  CHECK(r.wire.frames.size() == 2);
  CHECK(r.nic.read_reg(kTdh) == 4);
  CHECK((r.byte(kTxRing + 32 + 12) & kTxDd) != 0);
  // A frame larger than the device takes (without TSO) is dropped at its end.
  for (uint32_t i = 4; i < 7; i++)
    r.put_desc(kTxRing + 16 * i, kBufs, r.legacy(0xffff, i == 6 ? kTxEop : 0));
  r.nic.write_reg(kTdt, 7);
  CHECK(r.wire.frames.size() == 2);
  CHECK(r.nic.read_reg(kTdh) == 7);
  // A tail outside the ring stops the engine.
  r.nic.write_reg(kTdt, 9);
  CHECK(r.nic.read_reg(kTdh) == 7);
  // A ring outside RAM: nothing read, nothing sent, head stays.
  r.nic.write_reg(kTdbal, 0xfffff000u);
  r.nic.write_reg(kTdh, 0);
  r.nic.write_reg(kTdt, 3);
  CHECK(r.nic.read_reg(kTdh) == 0);
  CHECK(r.wire.frames.size() == 2);
  // Without bus mastering the device does no DMA at all.
  r.nic.write_reg(kTdbal, kTxRing);
  r.nic.config_write(devices::pci::kCommand, 2, devices::pci::kCmdMemory);
  r.nic.write_reg(kTdt, 1);
  CHECK(r.nic.read_reg(kTdh) == 0);
}

TEST_CASE("e1000: receive filters, FCS, descriptors and causes", "[devices][e1000]") {
  Rig r;
  r.rx_ring(8, 7);  // descriptors 0-6 free
  r.nic.write_reg(kIms, kIntRxt0 | kIntRxo | kIntRxdmt0);
  // Not for us: dropped.
  r.nic.receive(frame_to({0x52, 0x54, 0, 0, 0, 1}, 100));
  CHECK(r.nic.read_reg(kRdh) == 0);
  // To our address: written with the FCS (SECRC clear), DD|EOP, and RXT0.
  const auto f = frame_to(kMac, 100);
  r.nic.receive(f);
  CHECK(r.nic.read_reg(kRdh) == 1);
  std::vector<uint8_t> got(100);
  REQUIRE(r.mem.read_block(kBufs, got.data(), got.size()));
  CHECK(got == f);
  CHECK((r.byte(kRxRing + 8) | r.byte(kRxRing + 9) << 8) == 104);
  CHECK((r.byte(kRxRing + 12) & (kRxDd | kRxEop)) == (kRxDd | kRxEop));
  // The FCS is the CRC-32 of the frame, least significant byte first: that of 00 01 .. 63 with
  // our destination address, checked with the residue property (CRC over frame+FCS is 2144DF1Ch).
  std::vector<uint8_t> with_fcs(104);
  REQUIRE(r.mem.read_block(kBufs, with_fcs.data(), with_fcs.size()));
  uint32_t crc = 0xffffffffu;
  for (uint8_t b : with_fcs) {
    crc ^= b;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  CHECK(~crc == 0x2144df1cu);
  CHECK((r.nic.read_reg(kIcr) & kIntRxt0) != 0);
  // A short frame is padded to 60 bytes (64 with the FCS).
  r.nic.receive(frame_to(kMac, 42));
  CHECK((r.byte(kRxRing + 16 + 8) | r.byte(kRxRing + 16 + 9) << 8) == 64);
  // Broadcast with BAM.
  r.nic.receive(frame_to({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 60));
  CHECK(r.nic.read_reg(kRdh) == 3);
  // Multicast through the table: MO=00 indexes with address bits 47:36.
  const std::array<uint8_t, 6> mc{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
  r.nic.receive(frame_to(mc, 60));
  CHECK(r.nic.read_reg(kRdh) == 3);
  const unsigned hash = (0x00 >> 4) | (0xfbu << 4);
  r.nic.write_reg(kMta + 4 * (hash >> 5), 1u << (hash & 31));
  r.nic.receive(frame_to(mc, 60));
  CHECK(r.nic.read_reg(kRdh) == 4);
  // A frame longer than 1518 bytes needs LPE; with it, it spans two 2 KiB buffers.
  r.nic.receive(frame_to(kMac, 3000));
  CHECK(r.nic.read_reg(kRdh) == 4);
  r.nic.write_reg(kRctl, kRctlEn | kRctlLpe);
  CHECK(r.nic.read_reg(kRdh) == 4);
  r.nic.receive(frame_to(kMac, 3000));
  CHECK(r.nic.read_reg(kRdh) == 6);
  CHECK((r.byte(kRxRing + 16 * 4 + 12) & kRxEop) == 0);
  CHECK((r.byte(kRxRing + 16 * 5 + 12) & kRxEop) != 0);
  CHECK((r.byte(kRxRing + 16 * 4 + 8) | r.byte(kRxRing + 16 * 4 + 9) << 8) == 2048);
  CHECK((r.byte(kRxRing + 16 * 5 + 8) | r.byte(kRxRing + 16 * 5 + 9) << 8) == 3004 - 2048);
  // One descriptor left (6): a frame needing two is refused whole, with RXO, and the head stays.
  (void)r.nic.read_reg(kIcr);
  CHECK(!r.nic.can_receive(3000));
  CHECK(r.nic.can_receive(100));
  r.nic.receive(frame_to(kMac, 3000));
  CHECK(r.nic.read_reg(kRdh) == 6);
  CHECK((r.nic.read_reg(kIcr) & kIntRxo) != 0);
  // The last descriptor taken: free descriptors fell to the threshold (half the ring).
  r.nic.receive(frame_to(kMac, 60));
  CHECK((r.nic.read_reg(kIcr) & kIntRxdmt0) != 0);
  CHECK(!r.nic.can_receive(60));  // head == tail: none left
  // Giving descriptors back tells the network.
  const unsigned before = r.wire.ready;
  r.nic.write_reg(kRdt, 3);
  CHECK(r.wire.ready == before + 1);
}

TEST_CASE("e1000: receive into bad places", "[devices][e1000]") {
  Rig r;
  r.rx_ring(8, 4, kRctlEn | kRctlSecrc);
  // A buffer outside RAM: the descriptor comes back with RXE and the ring moves on.
  r.put_desc(kRxRing, 0xfff00000u, 0);
  r.nic.receive(frame_to(kMac, 60));
  CHECK(r.nic.read_reg(kRdh) == 1);
  CHECK((r.byte(kRxRing + 12) & kRxDd) != 0);
  CHECK(r.byte(kRxRing + 13) == kRxErrRxe);
  CHECK((r.byte(kRxRing + 8) | r.byte(kRxRing + 9) << 8) == 60);  // SECRC: no FCS
  // A head outside the ring: nothing is written.
  r.nic.write_reg(kRdh, 200);
  CHECK(!r.nic.can_receive(60));
  r.nic.receive(frame_to(kMac, 60));
  CHECK(r.nic.read_reg(kRdh) == 200);
  // A ring outside RAM: the frame is lost, nothing else happens.
  r.nic.write_reg(kRdbal, 0xfffff000u);
  r.nic.write_reg(kRdh, 0);
  r.nic.receive(frame_to(kMac, 60));
  // Receiver off: nothing.
  r.nic.write_reg(kRdbal, kRxRing);
  r.nic.write_reg(kRctl, 0);
  CHECK(!r.nic.can_receive(60));
}

TEST_CASE("e1000: checksum offload and TCP segmentation", "[devices][e1000]") {
  Rig r;
  r.tx_ring(8);
  // Ethernet + IPv4 (20) + TCP (20) header, then 2500 bytes of payload.
  std::vector<uint8_t> pkt(14 + 20 + 20 + 2500);
  std::iota(pkt.begin(), pkt.end(), uint8_t(7));
  std::copy(kMac.begin(), kMac.end(), pkt.begin());
  pkt[12] = 0x08, pkt[13] = 0x00;
  uint8_t* ip = pkt.data() + 14;
  ip[0] = 0x45, ip[1] = 0, ip[6] = 0x40, ip[7] = 0, ip[8] = 64, ip[9] = 6;
  ip[4] = 0x12, ip[5] = 0x34;  // identification
  ip[10] = ip[11] = 0;
  const uint8_t src[4] = {10, 0, 2, 15}, dst[4] = {10, 0, 2, 2};
  std::memcpy(ip + 12, src, 4), std::memcpy(ip + 16, dst, 4);
  uint8_t* tcp = ip + 20;
  tcp[4] = 0x01, tcp[5] = 0x02, tcp[6] = 0x03, tcp[7] = 0x04;  // sequence number
  tcp[12] = 0x50, tcp[13] = 0x19;                              // FIN|PSH|ACK
  // The driver seeds the TCP checksum with the pseudo-header sum without the length (TSO).
  uint8_t pseudo[12] = {};
  std::memcpy(pseudo, src, 4), std::memcpy(pseudo + 4, dst, 4);
  pseudo[9] = 6;
  const uint16_t seed = ones_sum(pseudo, 12);
  tcp[16] = uint8_t(seed >> 8), tcp[17] = uint8_t(seed);
  REQUIRE(r.mem.write_block(kBufs, pkt.data(), pkt.size()));
  // Context: IPCSS 14, IPCSO 24, IPCSE 33, TUCSS 34, TUCSO 50, TUCSE 0; TUCMD TCP|IP|TSE|DEXT;
  // HDRLEN 54, MSS 1000.
  const uint64_t ctx_lo = 14 | 24u << 8 | 33u << 16 | uint64_t(34 | 50u << 8) << 32;
  r.put_desc(kTxRing, ctx_lo, 2500u | uint32_t(kTucmdTcp | kTucmdIp | kTucmdTse | kTxDext) << 24,
             54u << 8 | 1000u << 16);
  // One data descriptor: DTYP 1, EOP|TSE|DEXT|RS, POPTS IXSM|TXSM.
  r.put_desc(
      kTxRing + 16, kBufs,
      uint32_t(pkt.size()) | kDtypData << 20 | uint32_t(kTxEop | kTxTse | kTxDext | kTxRs) << 24,
      uint32_t(kPoptsIxsm | kPoptsTxsm) << 8);
  r.nic.write_reg(kTdt, 2);
  REQUIRE(r.wire.frames.size() == 3);
  const size_t sizes[3] = {54 + 1000, 54 + 1000, 54 + 500};
  for (unsigned i = 0; i < 3; i++) {
    INFO("segment " << i);
    const auto& s = r.wire.frames[i];
    REQUIRE(s.size() == sizes[i]);
    const uint8_t* sip = s.data() + 14;
    const uint8_t* st = sip + 20;
    CHECK((sip[2] << 8 | sip[3]) == int(s.size() - 14));  // total length
    CHECK((sip[4] << 8 | sip[5]) == 0x1234 + int(i));     // identification
    CHECK(ones_sum(sip, 20) == 0xffff);                   // IP header checksum
    const uint32_t seq = uint32_t(st[4] << 24 | st[5] << 16 | st[6] << 8 | st[7]);
    CHECK(seq == 0x01020304u + 1000 * i);
    CHECK((st[13] & 0x09) == (i == 2 ? 0x09 : 0));  // FIN/PSH only on the last
    // The TCP checksum verifies over the pseudo-header with the segment's TCP length.
    const uint16_t l4len = uint16_t(s.size() - 34);
    uint8_t ph[12] = {};
    std::memcpy(ph, src, 4), std::memcpy(ph + 4, dst, 4);
    ph[9] = 6, ph[10] = uint8_t(l4len >> 8), ph[11] = uint8_t(l4len);
    CHECK(ones_sum(st, l4len, ones_sum(ph, 12)) == 0xffff);
    CHECK(std::equal(s.begin() + 54, s.end(), pkt.begin() + 54 + 1000 * i));
  }
  // Plain checksum offload (no TSE): UDP over IPv4 with the full pseudo-header seeded.
  std::vector<uint8_t> u(14 + 20 + 8 + 31);
  std::iota(u.begin(), u.end(), uint8_t(3));
  uint8_t* uip = u.data() + 14;
  uip[0] = 0x45, uip[9] = 17, uip[2] = 0, uip[3] = uint8_t(u.size() - 14);
  uip[10] = uip[11] = 0;
  std::memcpy(uip + 12, src, 4), std::memcpy(uip + 16, dst, 4);
  uint8_t* udp = uip + 20;
  udp[4] = 0, udp[5] = 39;
  uint8_t uph[12] = {};
  std::memcpy(uph, src, 4), std::memcpy(uph + 4, dst, 4);
  uph[9] = 17, uph[11] = 39;
  const uint16_t useed = ones_sum(uph, 12);
  udp[6] = uint8_t(useed >> 8), udp[7] = uint8_t(useed);
  REQUIRE(r.mem.write_block(kBufs + 0x4000, u.data(), u.size()));
  const uint64_t uctx = 14 | 24u << 8 | 33u << 16 | uint64_t(34 | 40u << 8) << 32;
  r.put_desc(kTxRing + 32, uctx, uint32_t(kTucmdIp | kTxDext) << 24);
  r.put_desc(kTxRing + 48, kBufs + 0x4000,
             uint32_t(u.size()) | kDtypData << 20 | uint32_t(kTxEop | kTxDext) << 24,
             uint32_t(kPoptsIxsm | kPoptsTxsm) << 8);
  r.nic.write_reg(kTdt, 4);
  REQUIRE(r.wire.frames.size() == 4);
  const auto& s = r.wire.frames[3];
  CHECK(ones_sum(s.data() + 14, 20) == 0xffff);
  uint8_t vph[12] = {};
  std::memcpy(vph, src, 4), std::memcpy(vph + 4, dst, 4);
  vph[9] = 17, vph[11] = 39;
  CHECK(ones_sum(s.data() + 34, 39, ones_sum(vph, 12)) == 0xffff);
}

TEST_CASE("e1000: software reset restores the registers and the address", "[devices][e1000]") {
  Rig r;
  r.nic.write_reg(kIms, kIntLsc);
  r.nic.write_reg(kRal0, 0);
  r.nic.write_reg(kCtrl, kCtrlRst);
  CHECK((r.nic.read_reg(kCtrl) & kCtrlRst) == 0);
  CHECK(r.nic.read_reg(kIms) == 0);
  CHECK(r.nic.read_reg(kRal0) == 0x12005452u);
  CHECK(r.nic.read_reg(kRah0) == (0x5634u | kRahAv));
}

TEST_CASE("e1000: a hostile guest's random registers and rings", "[devices][e1000]") {
  // Random ring bases (in and out of RAM), lengths, heads, tails and descriptor contents, with
  // frames arriving in between: every doorbell returns, and the device touches only RAM.
  Rig r;
  uint64_t seed = 0x0e1000;
  auto next = [&] { return test::splitmix64(seed); };
  for (uint32_t i = 0; i < kRam; i += 8) {
    const uint64_t v = next();
    r.mem.write_block(i, &v, 8);
  }
  constexpr uint32_t kRegs[] = {kTdbal, kTdlen, kTdh, kTdt,  kTctl, kRdbal,
                                kRdlen, kRdh,   kRdt, kRctl, kIms,  kIcs};
  for (int round = 0; round < 20000; round++) {
    const uint64_t v = next();
    const uint32_t reg = kRegs[v % std::size(kRegs)];
    uint32_t value = uint32_t(v >> 32);
    if (reg == kTdbal || reg == kRdbal)
      value = (v >> 40) & 1 ? value : value % kRam;  // mostly in RAM
    if (reg == kTdlen || reg == kRdlen) value %= 0x2000;
    if (reg == kTdh || reg == kTdt || reg == kRdh || reg == kRdt) value %= 300;
    if (reg == kTctl) value |= kTctlEn;
    r.nic.write_reg(reg, value);
    if (round % 7 == 0) r.nic.receive(frame_to(kMac, 14 + (v >> 20) % 2000));
    (void)r.nic.read_reg(kIcr);
  }
  SUCCEED("every access returned");
}

TEST_CASE("e1000: state survives serialize and restore", "[devices][e1000]") {
  Rig a;
  a.rx_ring(8, 5);
  a.nic.write_reg(kIms, kIntRxt0);
  a.nic.receive(frame_to(kMac, 80));
  devices::StateWriter w;
  a.nic.serialize(w);
  Rig b;
  devices::StateReader rd(w.out);
  b.nic.serialize(rd);
  CHECK(rd.at_end());
  for (uint32_t reg : {kRdh, kRdt, kRdlen, kRctl, kIms, kGprc})
    CHECK(b.nic.read_reg(reg) == a.nic.read_reg(reg));
  CHECK(b.nic.read_reg(kIcr) == (kIntRxt0 | kIntRxdmt0));  // 4 of 8 descriptors left: the threshold
  CHECK(a.nic.read_reg(kIcr) == (kIntRxt0 | kIntRxdmt0));
}
