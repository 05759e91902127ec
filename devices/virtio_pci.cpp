#include "devices/virtio_pci.h"

namespace devices {

namespace {

constexpr unsigned kCapBase = 0x40;
constexpr uint8_t kCapVendor = 0x09;
// virtio_pci_cap cfg_type values (§4.1.4).
constexpr uint8_t kCapCommon = 1, kCapNotify = 2, kCapIsr = 3, kCapDevice = 4;
constexpr uint16_t kNoVector = 0xffff;

uint32_t pick(uint64_t v, uint32_t off, unsigned size) {
  const uint64_t x = v >> (8 * (off & 7));
  return size >= 4 ? uint32_t(x) : uint32_t(x & ((1u << (8 * size)) - 1));
}

}  // namespace

VirtioPci::VirtioPci(mmu::PhysMemory& mem, uint16_t type, uint32_t class_code, unsigned num_queues,
                     uint64_t features)
    : PciDevice(PciId{.vendor = kVendor,
                      .device = uint16_t(0x0fff + type),
                      .class_code = class_code,
                      .revision = 0,
                      .header_type = 0,
                      .int_pin = 1,
                      .subsys_vendor = kVendor,
                      .subsys_id = type}),
      mem_(mem),
      num_queues_(num_queues),
      features_(features | kFeatureVersion1) {
  init16(pci::kCommand, 0, pci::kCmdIo | pci::kCmdMemory | pci::kCmdMaster | pci::kCmdIntxDisable);
  init16(pci::kStatus, 0x0010, 0, pci::kStsErrorBits);  // capabilities list
  init8(0x34, kCapBase);
  declare_bar(0, Space::Io, kLegacyBarSize, this, nullptr, "virtio-legacy");
  declare_bar(4, Space::Memory, kModernBarSize, nullptr, this, "virtio");
  // The capabilities (§4.1.4): common, ISR, device, notify (with its multiplier), chained.
  struct Cap {
    uint8_t type;
    uint32_t off, len;
  };
  const Cap caps[] = {{kCapCommon, kCommonOff, 0x38},
                      {kCapIsr, kIsrOff, 1},
                      {kCapDevice, kDeviceOff, 0x100},
                      {kCapNotify, kNotifyOff, kNotifyMultiplier * kMaxQueues}};
  unsigned at = kCapBase;
  for (size_t i = 0; i < std::size(caps); i++) {
    const bool notify = caps[i].type == kCapNotify;
    const unsigned len = notify ? 20 : 16;
    init8(at, kCapVendor);
    init8(at + 1, uint8_t(i + 1 < std::size(caps) ? at + len : 0));
    init8(at + 2, uint8_t(len));
    init8(at + 3, caps[i].type);
    init8(at + 4, 4);  // BAR4
    init32(at + 8, caps[i].off);
    init32(at + 12, caps[i].len);
    if (notify) init32(at + 16, kNotifyMultiplier);
    at += len;
  }
}

void VirtioPci::reset() {
  PciDevice::reset();
  reset_transport();
}

void VirtioPci::reset_transport() {
  s_ = {};
  for (auto& q : queues_) q.reset();
  set_intx(false);
  device_reset();
}

void VirtioPci::serialize(Serializer& s) {
  PciDevice::serialize(s);
  // Field by field: the struct's padding is not state (and is not initialised), and the state
  // hash must not see it.
  s.io(s_.status), s.io(s_.isr), s.io(s_.device_feature_select), s.io(s_.driver_feature_select);
  s.io(s_.driver_features), s.io(s_.queue_select);
  for (auto& q : queues_) q.serialize(s);
  device_serialize(s);
  if (s.loading()) set_intx(s_.isr != 0);
}

void VirtioPci::used(unsigned q) {
  if (!queue(q).wants_interrupt(mem_)) return;
  s_.isr |= 1;
  set_intx(true);
}

void VirtioPci::device_error() {
  s_.status |= kStatusNeedsReset;
  if (!driver_ok()) return;
  s_.isr |= 2;
  set_intx(true);
}

uint8_t VirtioPci::read_isr() {
  const uint8_t v = s_.isr;
  s_.isr = 0;  // reading clears it and deasserts the line (§4.1.4.5)
  set_intx(false);
  return v;
}

// Writing 0 resets the device (§2.1); FEATURES_OK stays clear if the driver accepted features
// the device did not offer (§3.1.1).
void VirtioPci::write_status(uint8_t v) {
  if (v == 0) {
    reset_transport();
    return;
  }
  if ((v & kStatusFeaturesOk) && (s_.driver_features & ~features_))
    v &= uint8_t(~kStatusFeaturesOk);
  s_.status =
      uint8_t(v | (s_.status & kStatusNeedsReset));  // the device's bit: only a reset clears it
}

void VirtioPci::notify(uint32_t q) {
  if (q < num_queues_ && driver_ok()) queue_notified(q);
}

uint32_t VirtioPci::config_read(uint32_t off, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= uint32_t(device_config(off + i)) << (8 * i);
  return v;
}

// ---- Modern: the common configuration structure (§4.1.4.3) ----

uint32_t VirtioPci::common_read(uint32_t off, unsigned size) {
  Virtqueue::Config* q = s_.queue_select < num_queues_ ? &queue(s_.queue_select).config() : nullptr;
  switch (off & ~3u) {
    case 0x00: return s_.device_feature_select;
    case 0x04:
      return s_.device_feature_select < 2 ? uint32_t(features_ >> (32 * s_.device_feature_select))
                                          : 0;
    case 0x08: return s_.driver_feature_select;
    case 0x0c:
      return s_.driver_feature_select < 2
                 ? uint32_t(s_.driver_features >> (32 * s_.driver_feature_select))
                 : 0;
    case 0x10:  // msix_config, num_queues
      return pick(uint64_t(num_queues_) << 16 | kNoVector, off & 3, size);
    case 0x14:  // device_status, config_generation, queue_select
      return pick(uint64_t(s_.queue_select) << 16 | s_.status, off & 3, size);
    case 0x18:  // queue_size, queue_msix_vector
      return pick(uint64_t(kNoVector) << 16 | (q ? q->size : 0), off & 3, size);
    case 0x1c:  // queue_enable, queue_notify_off
      return pick(uint64_t(q ? s_.queue_select : 0) << 16 | (q && q->ready ? 1 : 0), off & 3, size);
    case 0x20: return q ? pick(q->desc, off & 7, size) : 0;
    case 0x24: return q ? pick(q->desc, off & 7, size) : 0;
    case 0x28: return q ? pick(q->avail, off & 7, size) : 0;
    case 0x2c: return q ? pick(q->avail, off & 7, size) : 0;
    case 0x30: return q ? pick(q->used, off & 7, size) : 0;
    case 0x34: return q ? pick(q->used, off & 7, size) : 0;
    default: return 0;
  }
}

void VirtioPci::common_write(uint32_t off, unsigned size, uint32_t v) {
  Virtqueue::Config* q = s_.queue_select < num_queues_ ? &queue(s_.queue_select).config() : nullptr;
  auto set_half = [&](uint64_t& field) {
    const unsigned shift = (off & 4) * 8;
    field = (field & ~(0xffffffffull << shift)) | uint64_t(v) << shift;
  };
  switch (off) {
    case 0x00: s_.device_feature_select = v; return;
    case 0x08: s_.driver_feature_select = v; return;
    case 0x0c:
      if (s_.driver_feature_select < 2) {
        const unsigned shift = 32 * s_.driver_feature_select;
        s_.driver_features = (s_.driver_features & ~(0xffffffffull << shift)) | uint64_t(v)
                                                                                    << shift;
      }
      return;
    case 0x14: write_status(uint8_t(v)); return;
    case 0x16: s_.queue_select = uint16_t(v); return;
    case 0x18:
      // A power of two up to the maximum (§2.4: sizes are powers of two); else ignored.
      if (q && !q->ready && v && v <= Virtqueue::kMaxSize && !(v & (v - 1))) q->size = uint16_t(v);
      return;
    case 0x1c:
      if (q && (v & 1)) q->ready = true;
      return;
    case 0x20:
    case 0x24:
      if (q && !q->ready) set_half(q->desc);
      return;
    case 0x28:
    case 0x2c:
      if (q && !q->ready) set_half(q->avail);
      return;
    case 0x30:
    case 0x34:
      if (q && !q->ready) set_half(q->used);
      return;
    default: (void)size; return;
  }
}

uint32_t VirtioPci::mmio_read(uint32_t offset, unsigned size) {
  if (offset < kIsrOff) return common_read(offset, size);
  if (offset < kDeviceOff) return offset == kIsrOff ? read_isr() : 0;
  if (offset < kNotifyOff) return config_read(offset - kDeviceOff, size);
  return 0;
}

void VirtioPci::mmio_write(uint32_t offset, unsigned size, uint32_t value) {
  if (offset < kIsrOff)
    common_write(offset, size, value);
  else if (offset >= kNotifyOff)
    notify((offset - kNotifyOff) / kNotifyMultiplier);
}

// ---- Legacy: the I/O register block (§4.1.4.8) ----

uint32_t VirtioPci::legacy_read(uint32_t off, unsigned size) {
  Virtqueue::Config* q = s_.queue_select < num_queues_ ? &queue(s_.queue_select).config() : nullptr;
  switch (off) {
    case 0x00: return uint32_t(features_);  // bits 0-31 only: VERSION_1 is not legacy's
    case 0x04: return uint32_t(s_.driver_features);
    case 0x08: return q ? uint32_t(q->desc >> 12) : 0;
    case 0x0c: return q ? q->size : 0;
    case 0x0e: return s_.queue_select;
    case 0x10: return 0;
    case 0x12: return s_.status;
    case 0x13: return read_isr();
    default: return off >= kLegacyConfigOff ? config_read(off - kLegacyConfigOff, size) : 0;
  }
}

void VirtioPci::legacy_write(uint32_t off, unsigned, uint32_t v) {
  Virtqueue::Config* q = s_.queue_select < num_queues_ ? &queue(s_.queue_select).config() : nullptr;
  switch (off) {
    case 0x04: s_.driver_features = v & uint32_t(features_); return;
    case 0x08:
      // The page frame of a queue laid out as §2.4.2 "Legacy Interfaces" says: descriptors, the
      // available ring, then the used ring on the next 4096-byte boundary. 0 disables it.
      if (q) {
        q->size = Virtqueue::kMaxSize;
        q->desc = uint64_t(v) << 12;
        q->avail = q->desc + 16ull * q->size;
        q->used = (q->avail + 6 + 2ull * q->size + 4095) & ~4095ull;
        q->ready = v != 0;
      }
      return;
    case 0x0e: s_.queue_select = uint16_t(v); return;
    case 0x10: notify(v & 0xffff); return;
    case 0x12: write_status(uint8_t(v)); return;
    default: return;
  }
}

uint32_t VirtioPci::port_read(uint16_t port, unsigned size) {
  return legacy_read(port & (kLegacyBarSize - 1), size);
}

void VirtioPci::port_write(uint16_t port, unsigned size, uint32_t value) {
  legacy_write(port & (kLegacyBarSize - 1), size, value);
}

}  // namespace devices
