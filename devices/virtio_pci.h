// The virtio PCI transport (Virtual I/O Device (VIRTIO) Version 1.0, §4.1), transitional: the
// legacy register block in an I/O BAR (BAR0, §4.1.4.8) and the modern structures, found through
// vendor-specific capabilities, in a memory BAR (BAR4: common configuration, ISR status,
// device configuration and queue notifications). Interrupts are INTx, with the ISR status byte
// (no MSI-X). A device type derives from it and handles its queues and configuration.
#pragma once

#include <array>
#include <cstdint>

#include "devices/pci.h"
#include "devices/virtqueue.h"

namespace devices {

class VirtioPci : public PciDevice, public mmu::MmioHandler, public PortDevice {
 public:
  static constexpr uint16_t kVendor = 0x1af4;
  static constexpr uint64_t kFeatureVersion1 = 1ull << 32;
  static constexpr uint8_t kStatusAck = 1, kStatusDriver = 2, kStatusDriverOk = 4,
                           kStatusFeaturesOk = 8;
  static constexpr uint8_t kStatusNeedsReset = 0x40, kStatusFailed = 0x80;
  static constexpr unsigned kMaxQueues = 2;
  // BAR4 layout of the modern structures.
  static constexpr uint32_t kCommonOff = 0x0000, kIsrOff = 0x1000, kDeviceOff = 0x2000,
                            kNotifyOff = 0x3000;
  static constexpr uint32_t kModernBarSize = 0x4000, kNotifyMultiplier = 4, kLegacyBarSize = 0x40;
  static constexpr uint32_t kLegacyConfigOff = 0x14;

  // `type` is the virtio device ID (1 network, 2 block); the transitional PCI device ID is
  // 0FFFh + type (§4.1.2.3), the subsystem ID the type.
  VirtioPci(mmu::PhysMemory& mem, uint16_t type, uint32_t class_code, unsigned num_queues,
            uint64_t features);

  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t mmio_read(uint32_t offset, unsigned size) override;
  void mmio_write(uint32_t offset, unsigned size, uint32_t value) override;
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  uint8_t status() const { return s_.status; }
  uint8_t isr() const { return s_.isr; }
  uint64_t driver_features() const { return s_.driver_features; }

 protected:
  // A queue's notification (the driver made buffers available).
  virtual void queue_notified(unsigned q) = 0;
  // Device configuration space, byte by byte (§5.x.4).
  virtual uint8_t device_config(unsigned off) const = 0;
  // The device was reset by the driver (status 0) or by the machine.
  virtual void device_reset() {}
  virtual void device_serialize(Serializer&) {}

  bool driver_ok() const { return s_.status & kStatusDriverOk; }
  // The device met an error it cannot report through a queue (§2.1.2): it sets
  // DEVICE_NEEDS_RESET and, once the driver is running, interrupts with a configuration change.
  void device_error();
  bool needs_reset() const { return s_.status & kStatusNeedsReset; }
  // The modern interface is in use (VIRTIO_F_VERSION_1 negotiated).
  bool modern() const { return s_.driver_features & kFeatureVersion1; }
  Virtqueue& queue(unsigned q) { return queues_[q % kMaxQueues]; }
  const Virtqueue& queue(unsigned q) const { return queues_[q % kMaxQueues]; }
  // Used buffers were returned on `q`: interrupts the driver unless it asked not to be.
  void used(unsigned q);

  mmu::PhysMemory& mem_;

 private:
  uint32_t common_read(uint32_t off, unsigned size);
  void common_write(uint32_t off, unsigned size, uint32_t v);
  uint32_t legacy_read(uint32_t off, unsigned size);
  void legacy_write(uint32_t off, unsigned size, uint32_t v);
  uint32_t config_read(uint32_t off, unsigned size) const;
  void write_status(uint8_t v);
  uint8_t read_isr();
  void notify(uint32_t q);
  void reset_transport();

  unsigned num_queues_;
  uint64_t features_;
  std::array<Virtqueue, kMaxQueues> queues_;
  struct State {
    uint8_t status = 0, isr = 0;
    uint32_t device_feature_select = 0, driver_feature_select = 0;
    uint64_t driver_features = 0;
    uint16_t queue_select = 0;
  } s_;
};

}  // namespace devices
