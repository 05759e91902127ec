// virtio-blk (Virtual I/O Device (VIRTIO) Version 1.0, §5.2) on the PCI transport: one request
// queue over a disk image, in 512-byte sectors. A request is a chain whose driver-readable part
// starts with the 16-byte header (type, reserved, sector) and whose device-writable part ends with
// the status byte (§5.2.6); the data lies between them, so the buffers may be cut anywhere.
// Requests are served at a fixed virtual time after the notification that made them available,
// as IDE commands are, so a run completes them at the same instruction count every time.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "devices/disk_image.h"
#include "devices/virtio_pci.h"
#include "machine/clock.h"

namespace devices {

class VirtioBlk : public VirtioPci {
 public:
  // Feature bits (§5.2.3).
  static constexpr uint64_t kFeatureSizeMax = 1ull << 1, kFeatureSegMax = 1ull << 2,
                            kFeatureRo = 1ull << 5, kFeatureBlkSize = 1ull << 6,
                            kFeatureFlush = 1ull << 9;
  // Request types and status values (§5.2.6; GET_ID as Linux and QEMU define it).
  static constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8;
  static constexpr uint8_t kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupp = 2;
  static constexpr uint32_t kSector = 512, kHeaderBytes = 16, kIdBytes = 20;
  // Limits in the configuration: a request's data fits the queue with its header and status
  // descriptors (no indirect descriptors are offered), and no one buffer exceeds 1 MiB.
  static constexpr uint32_t kSegMax = Virtqueue::kMaxSize - 2, kSizeMax = 1u << 20;
  static constexpr uint64_t kLatencyNs = 20'000;

  // `serial` is the GET_ID string (at most 20 bytes are returned).
  VirtioBlk(mmu::PhysMemory& mem, machine::Clock& clock, std::unique_ptr<DiskImage> image,
            std::string serial = {});

  const char* name() const override { return "virtio-blk"; }
  DiskImage* image() { return image_.get(); }
  uint64_t capacity() const { return image_->size() / kSector; }

 protected:
  void queue_notified(unsigned q) override;
  uint8_t device_config(unsigned off) const override;
  void device_reset() override;

 private:
  using Buffers = std::span<const Virtqueue::Buffer>;
  void serve();
  // Carries out one request whose readable part is `in` and writable part `out` (the status byte
  // excluded); the status, and in `written` the bytes placed in `out`.
  uint8_t execute(Buffers in, Buffers out, uint64_t out_len, uint32_t& written);
  uint8_t transfer(bool to_guest, uint64_t sector, Buffers bufs, uint64_t skip, uint64_t len);

  machine::Clock& clock_;
  machine::Clock::TimerId timer_;
  std::unique_ptr<DiskImage> image_;
  std::string serial_;
};

}  // namespace devices
