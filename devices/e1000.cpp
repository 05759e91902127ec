#include "devices/e1000.h"

#include "devices/e1000_regs.h"

namespace devices {

using namespace e1000;

namespace {

constexpr PciId kId{.vendor = E1000::kVendor,
                    .device = E1000::kDevice,
                    .class_code = 0x020000,
                    .revision = 0x03,
                    .header_type = 0x00,
                    .int_pin = 1,
                    .subsys_vendor = E1000::kSubsysVendor,
                    .subsys_id = E1000::kSubsysId};

// The PHY is the 82540EM's integrated one, at MDIO address 1, with the M88E1011's registers
// (PHY identifier 0141h/0C2xh). Power-on values: IEEE 802.3 clause 22 for 0-15 (link up,
// auto-negotiation complete, 1000BASE-T full duplex with a partner that offers the same).
constexpr unsigned kPhyAddr = 1;
constexpr unsigned kPhyCtrl = 0, kPhyStatus = 1, kPhy1000tStatus = 10, kPhySpecStatus = 0x11;
constexpr uint16_t kPhyCtrlReset = 1u << 15, kPhyCtrlRestartAn = 1u << 9;
constexpr std::array<uint16_t, 32> kPhyDefaults = [] {
  std::array<uint16_t, 32> p{};
  p[kPhyCtrl] = 0x1140;         // auto-negotiation on, full duplex, 1000 Mb/s
  p[kPhyStatus] = 0x796d;       // link up, AN complete, AN able, extended status, 10/100 abilities
  p[2] = 0x0141;                // PHY identifier (Marvell OUI)
  p[3] = 0x0c20;                // M88E1011, revision 0
  p[4] = 0x0de1;                // advertised: pause, 100/10 full/half
  p[5] = 0x45e1;                // partner: the same, acknowledged
  p[6] = 0x0001;                // partner is AN able
  p[9] = 0x0e00;                // 1000BASE-T control: advertise 1000 full/half
  p[kPhy1000tStatus] = 0x3c00;  // receivers OK, partner 1000 full/half
  p[15] = 0x3000;               // extended status: 1000BASE-T full/half
  p[0x10] = 0x0068;             // PHY specific control
  p[kPhySpecStatus] = 0xac00;   // 1000 Mb/s, full duplex, resolved, link
  p[0x14] = 0x0d60;             // extended PHY specific control
  return p;
}();

}  // namespace

E1000::E1000(mmu::PhysMemory& mem, const std::array<uint8_t, 6>& mac)
    : PciDevice(kId), mem_(mem), mac_(mac), eeprom_(mac, kDevice, kSubsysId, kSubsysVendor) {
  init16(pci::kCommand, 0,
         pci::kCmdIo | pci::kCmdMemory | pci::kCmdMaster | pci::kCmdParity | pci::kCmdSerr |
             pci::kCmdIntxDisable);
  init8(pci::kCacheLine, 0, 0xff);
  init8(pci::kLatency, 0, 0xff);
  declare_bar(0, Space::Memory, kMmioSize, nullptr, this, "e1000-mmio");
  declare_bar(1, Space::Io, kIoSize, this, nullptr, "e1000-io");
  reset_registers();
}

void E1000::reset() {
  PciDevice::reset();
  s_.ioaddr = 0;
  eeprom_.reset();
  reset_registers();
}

// Power-on values (§13.4) and the receive address the EEPROM loads into RAL0/RAH0 (§5.6.1).
void E1000::reset_registers() {
  std::fill(s_.regs.begin(), s_.regs.end(), 0);
  s_.phy = kPhyDefaults;
  s_.ctx = {};
  s_.tx.clear();
  s_.tx_overflow = s_.tx_tse = false;
  s_.tx_popts = 0;
  reg(kCtrl) = kCtrlSlu | 0x0201;  // link up, 1000 Mb/s, full duplex
  reg(kStatus) = kStatusFd | kStatusLu | kStatusSpeed1000 | kStatusAsdv1000;
  reg(kPba) = 0x00100030;    // 48 KiB receive, 16 KiB transmit packet buffer
  reg(0x0e00) = 0x07068302;  // LEDCTL
  reg(kRal0) = uint32_t(mac_[0] | mac_[1] << 8 | mac_[2] << 16 | mac_[3] << 24);
  reg(kRah0) = uint32_t(mac_[4] | mac_[5] << 8) | kRahAv;
  update_irq();
}

void E1000::serialize(Serializer& s) {
  PciDevice::serialize(s);
  s.bytes(s_.regs.data(), s_.regs.size() * sizeof(uint32_t));
  s.bytes(s_.phy.data(), sizeof s_.phy);
  s.io(s_.ioaddr);
  s.io(s_.ctx);
  uint32_t n = uint32_t(s_.tx.size());
  s.io(n);
  if (s.loading()) s_.tx.resize(std::min<size_t>(n, kMaxTxBytes));
  if (!s_.tx.empty()) s.bytes(s_.tx.data(), s_.tx.size());  // an empty vector's data() may be null
  s.io(s_.tx_overflow), s.io(s_.tx_tse), s.io(s_.tx_popts);
  eeprom_.serialize(s);
  if (s.loading()) update_irq();
}

void E1000::set_cause(uint32_t bits) {
  reg(kIcr) |= bits & kIntAll;
  update_irq();
}

// INTA# is asserted while any cause is set and enabled (§7.4); reading ICR clears the causes.
void E1000::update_irq() { set_intx((reg(kIcr) & reg(kIms)) != 0); }

void E1000::count(uint32_t packets_reg, uint32_t octets_reg, uint64_t bytes) {
  reg(packets_reg)++;
  uint64_t octets = (uint64_t(reg(octets_reg + 4)) << 32 | reg(octets_reg)) + bytes;
  reg(octets_reg) = uint32_t(octets);
  reg(octets_reg + 4) = uint32_t(octets >> 32);
}

uint32_t E1000::read_reg(uint32_t off) {
  off &= (kMmioSize - 1) & ~3u;
  switch (off) {
    case kEecd: return eeprom_.eecd();
    case kIcr: {
      const uint32_t v = reg(kIcr);
      reg(kIcr) = 0;
      update_irq();
      return v;
    }
    case kIcs:
    case kImc: return 0;  // write-only
    default: break;
  }
  if (off >= kStatsFirst && off <= kStatsLast) {  // statistics clear on read
    const uint32_t v = reg(off);
    reg(off) = 0;
    return v;
  }
  return reg(off);
}

void E1000::write_reg(uint32_t off, uint32_t v) {
  off &= (kMmioSize - 1) & ~3u;
  switch (off) {
    case kCtrl:
      if (v & kCtrlRst) {  // software reset (§13.4.1): the registers, not the PCI function
        eeprom_.reset();
        reset_registers();
        return;
      }
      reg(kCtrl) = v & ~(kCtrlRst | kCtrlPhyRst);
      return;
    case kStatus: return;  // read-only
    case kEecd: eeprom_.write_eecd(v); return;
    case kEerd:
      // A read through EERD completes at once (§13.4.4).
      if (v & kEerdStart) {
        const unsigned addr = (v >> 8) & 0xff;
        reg(kEerd) = uint32_t(eeprom_.word(addr)) << 16 | addr << 8 | kEerdDone;
      }
      return;
    case kMdic: mdic_write(v); return;
    case kIcr:
      reg(kIcr) &= ~v;
      update_irq();
      return;  // write one to clear
    case kIcs: set_cause(v); return;
    case kIms:
      reg(kIms) |= v & kIntAll;
      update_irq();
      return;
    case kImc:
      reg(kIms) &= ~v;
      update_irq();
      return;
    case kRdlen:
    case kTdlen: reg(off) = v & 0x000fff80; return;  // a multiple of 128 bytes (8 descriptors)
    case kRdbal:
    case kTdbal: reg(off) = v & ~0xfu; return;
    case kRdh:
    case kTdh: reg(off) = v & 0xffff; return;
    case kRdt:
      reg(kRdt) = v & 0xffff;
      if (backend_) backend_->frontend_ready();  // descriptors for frames held back
      return;
    case kTdt:
      reg(kTdt) = v & 0xffff;
      transmit_ring();
      return;
    case kTctl:
      reg(kTctl) = v;
      transmit_ring();
      return;
    case kRctl:
      reg(kRctl) = v;
      if (backend_) backend_->frontend_ready();
      return;
    default: break;
  }
  if (off >= kStatsFirst && off <= kStatsLast) return;  // read-only counters
  reg(off) = v;
}

// MDI control (§13.4.7): one PHY register read or write, completed at once. An access to
// another PHY address sets the error bit.
void E1000::mdic_write(uint32_t v) {
  const unsigned r = (v >> 16) & 0x1f, phy = (v >> 21) & 0x1f;
  const uint32_t op = v & (3u << 26);
  uint32_t out = v & ~(kMdicReady | kMdicError);
  if (phy != kPhyAddr || (op != kMdicOpRead && op != kMdicOpWrite)) {
    out |= kMdicError;
  } else if (op == kMdicOpRead) {
    out = (out & ~0xffffu) | s_.phy[r];
  } else {
    phy_write(r, uint16_t(v));
  }
  reg(kMdic) = out | kMdicReady;
  if (v & kMdicIe) set_cause(kIntMdac);
}

void E1000::phy_write(unsigned r, uint16_t v) {
  switch (r) {
    case kPhyCtrl:
      // Reset and restart-auto-negotiation complete at once; the link stays up.
      s_.phy[kPhyCtrl] = v & ~(kPhyCtrlReset | kPhyCtrlRestartAn);
      return;
    case kPhyStatus:
    case 2:
    case 3:
    case 5:
    case 6:
    case kPhy1000tStatus:
    case 15:
    case kPhySpecStatus: return;  // read-only
    default: s_.phy[r] = v;
  }
}

uint32_t E1000::mmio_read(uint32_t offset, unsigned size) {
  const uint32_t v = read_reg(offset);
  const unsigned shift = (offset & 3) * 8;
  return size >= 4 ? v : (v >> shift) & ((1u << (8 * size)) - 1);
}

void E1000::mmio_write(uint32_t offset, unsigned size, uint32_t value) {
  if (size < 4) {  // a narrow write merges into the register as stored
    const unsigned shift = (offset & 3) * 8;
    const uint32_t mask = ((1u << (8 * size)) - 1) << shift;
    value = (reg(offset & ~3u) & ~mask) | ((value << shift) & mask);
  }
  write_reg(offset, value);
}

// IOADDR (+0) selects a register, IODATA (+4) reads or writes it (§13.3.1).
uint32_t E1000::port_read(uint16_t port, unsigned size) {
  const unsigned off = port & (kIoSize - 1);
  uint32_t v = 0;
  if (off < 4)
    v = s_.ioaddr >> (8 * off);
  else if (off < 8)
    v = read_reg(s_.ioaddr) >> (8 * (off - 4));
  return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void E1000::port_write(uint16_t port, unsigned size, uint32_t value) {
  const unsigned off = port & (kIoSize - 1);
  if (off == 0 && size == 4)
    s_.ioaddr = value & (kMmioSize - 4);
  else if (off == 4 && size == 4)
    write_reg(s_.ioaddr, value);
}

}  // namespace devices
