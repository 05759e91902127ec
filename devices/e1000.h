// Intel 82540EM Gigabit Ethernet controller (8086:100E), the e1000 NIC of QEMU's pc machine, as the
// 8254x Software Developer's Manual describes it: PCI function with a 128 KiB register window
// (BAR0) and the IOADDR/IODATA pair in an I/O window (BAR1), the serial EEPROM, an MDIO PHY,
// legacy receive descriptors, legacy and extended transmit descriptors with checksum offload and
// TCP segmentation, and interrupt causes with a mask.
//
// Everything a guest supplies is checked: rings are walked at most once around per doorbell,
// head and tail values outside the ring stop the engine, descriptors and buffers are moved with
// the bounds-checked DMA API (a buffer outside RAM ends its frame with an error), and frames are
// bounded in size. Receive and transmit complete at once (the interrupt moderation timers are
// accepted and ignored), so the device needs no timers.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "devices/e1000_eeprom.h"
#include "devices/e1000_regs.h"
#include "devices/net_link.h"
#include "devices/pci.h"
#include "mmu/phys_memory.h"

namespace devices {

class E1000 : public PciDevice, public mmu::MmioHandler, public PortDevice, public NetFrontend {
 public:
  static constexpr uint16_t kVendor = 0x8086, kDevice = 0x100e;
  static constexpr uint16_t kSubsysVendor = 0x8086, kSubsysId = 0x001e;  // PRO/1000 MT Desktop
  // Largest frame assembled for transmission: a TSO payload of 64 KiB plus its headers.
  static constexpr size_t kMaxTxBytes = 0x10000 + 256;
  // Largest frame without TSO (§3.3.1: 16288 bytes) and what goes on the wire with LPE clear.
  static constexpr size_t kMaxTxFrame = 16288, kMaxRxNormal = 1522 - 4;

  E1000(mmu::PhysMemory& mem, const std::array<uint8_t, 6>& mac);

  void set_backend(NetBackend* b) { backend_ = b; }
  const std::array<uint8_t, 6>& mac() const { return mac_; }

  const char* name() const override { return "e1000"; }
  void reset() override;
  void serialize(Serializer& s) override;

  // BAR0.
  uint32_t mmio_read(uint32_t offset, unsigned size) override;
  void mmio_write(uint32_t offset, unsigned size, uint32_t value) override;
  // BAR1: IOADDR at +0, IODATA at +4 (§13.3).
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // NetFrontend.
  bool can_receive(size_t len) const override;
  void receive(std::span<const uint8_t> frame) override;

  // Register access by byte offset, as the guest sees it (reads have their side effects).
  uint32_t read_reg(uint32_t off);
  void write_reg(uint32_t off, uint32_t v);
  const E1000Eeprom& eeprom() const { return eeprom_; }

 private:
  uint32_t& reg(uint32_t off) { return s_.regs[(off & (e1000::kMmioSize - 1)) >> 2]; }
  uint32_t reg(uint32_t off) const { return s_.regs[(off & (e1000::kMmioSize - 1)) >> 2]; }
  void reset_registers();
  void set_cause(uint32_t bits);
  void update_irq();
  void mdic_write(uint32_t v);
  void phy_write(unsigned r, uint16_t v);
  void count(uint32_t packets_reg, uint32_t octets_reg, uint64_t bytes);

  // Receive (e1000_rx.cpp).
  bool accepts(std::span<const uint8_t> frame) const;
  uint32_t rx_buffer_size() const;
  uint32_t rx_free_descriptors() const;
  // Transmit (e1000_tx.cpp).
  void transmit_ring();
  bool transmit_one(uint64_t desc_addr);
  void append_tx(uint64_t addr, uint32_t len);
  void end_of_packet(bool tse, uint8_t popts);
  void send_segment(std::vector<uint8_t>& frame, bool ip_csum, bool l4_csum, bool tse);
  void send_frame(std::span<const uint8_t> frame);

  mmu::PhysMemory& mem_;
  NetBackend* backend_ = nullptr;
  std::array<uint8_t, 6> mac_;
  E1000Eeprom eeprom_;

  // Guest-visible state.
  struct Context {  // the last transmit context descriptor (§3.3.6)
    uint8_t ipcss = 0, ipcso = 0, tucss = 0, tucso = 0, tucmd = 0, hdrlen = 0;
    uint16_t ipcse = 0, tucse = 0, mss = 0;
    uint32_t paylen = 0;
  };
  struct State {
    std::vector<uint32_t> regs = std::vector<uint32_t>(e1000::kMmioSize / 4);
    std::array<uint16_t, 32> phy{};
    uint32_t ioaddr = 0;
    Context ctx;
    std::vector<uint8_t> tx;   // the frame being gathered from data descriptors
    bool tx_overflow = false;  // it outgrew kMaxTxBytes: dropped at its end
    bool tx_tse = false;       // its first data descriptor asked for segmentation
    uint8_t tx_popts = 0;
  } s_;
};

}  // namespace devices
