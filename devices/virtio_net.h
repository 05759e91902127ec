// virtio-net (Virtual I/O Device (VIRTIO) Version 1.0, §5.1) on the PCI transport: receive
// queue 0, transmit queue 1, the MAC address in the device configuration (VIRTIO_NET_F_MAC), no
// offloads. Each frame travels behind a virtio_net_hdr: 12 bytes with the modern interface, 10
// with the legacy one (§5.1.6, "Legacy Interface").
#pragma once

#include <array>

#include "devices/net_link.h"
#include "devices/virtio_pci.h"

namespace devices {

class VirtioNet : public VirtioPci, public NetFrontend {
 public:
  static constexpr uint64_t kFeatureMac = 1ull << 5;
  static constexpr unsigned kRxQueue = 0, kTxQueue = 1;
  static constexpr size_t kMaxFrame = 65535 + 14;

  VirtioNet(mmu::PhysMemory& mem, const std::array<uint8_t, 6>& mac);
  void set_backend(NetBackend* b) { backend_ = b; }

  const char* name() const override { return "virtio-net"; }

  bool can_receive(size_t len) const override;
  void receive(std::span<const uint8_t> frame) override;

 protected:
  void queue_notified(unsigned q) override;
  uint8_t device_config(unsigned off) const override { return off < 6 ? mac_[off] : 0; }

 private:
  size_t header_bytes() const { return modern() ? 12 : 10; }
  void transmit();

  NetBackend* backend_ = nullptr;
  std::array<uint8_t, 6> mac_;
};

}  // namespace devices
