#include "devices/pci.h"

#include <algorithm>
#include <stdexcept>

namespace devices {

namespace {

constexpr uint32_t ones(unsigned size) { return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }

}  // namespace

// ---- PciDevice ---------------------------------------------------------------------------

PciDevice::PciDevice(const PciId& id) {
  bar_window_.fill(-1);
  init16(pci::kVendorId, id.vendor);
  init16(pci::kDeviceId, id.device);
  init8(pci::kRevision, id.revision);
  init8(pci::kClassCode, uint8_t(id.class_code));
  init16(pci::kClassCode + 1, uint16_t(id.class_code >> 8));
  init8(pci::kHeaderType, id.header_type);
  init16(pci::kSubsysVendor, id.subsys_vendor);
  init16(pci::kSubsysId, id.subsys_id);
  init8(pci::kIntPin, id.int_pin);
  // Interrupt line: scratch for software (the BIOS records the routing there).
  init8(pci::kIntLine, 0, 0xff);
  // The error bits of the status register are cleared by writing ones (PCI 2.3 §6.2.3).
  init16(pci::kStatus, 0, 0, pci::kStsErrorBits);
  // Interrupt Disable is writable only when there is a pin for it to gate.
  init16(pci::kCommand, 0, id.int_pin ? pci::kCmdIntxDisable : 0);
}

PciDevice::~PciDevice() {
  if (host_) {
    unmap_all();
    host_->detach(this);
  }
}

void PciDevice::init8(unsigned off, uint8_t value, uint8_t wmask, uint8_t w1c) {
  off &= 0xff;
  defaults_[off] = cfg_.bytes[off] = value;
  wmask_[off] = wmask;
  w1c_[off] = w1c;
}

void PciDevice::init16(unsigned off, uint16_t value, uint16_t wmask, uint16_t w1c) {
  for (unsigned i = 0; i < 2; i++) init8(off + i, uint8_t(value >> (8 * i)), uint8_t(wmask >> (8 * i)), uint8_t(w1c >> (8 * i)));
}

void PciDevice::init32(unsigned off, uint32_t value, uint32_t wmask, uint32_t w1c) {
  for (unsigned i = 0; i < 4; i++) init8(off + i, uint8_t(value >> (8 * i)), uint8_t(wmask >> (8 * i)), uint8_t(w1c >> (8 * i)));
}

void PciDevice::declare_bar(unsigned bar, Space space, uint32_t size, PortDevice* io, mmu::MmioHandler* mmio,
                            std::string name) {
  const uint32_t min = space == Space::Io ? 4 : 16;
  if (bar >= pci::kNumBars || size < min || (size & (size - 1)) || bar_window_[bar] >= 0)
    throw std::invalid_argument(name + ": bad BAR declaration");
  // The low bits report the space (and hold the address's alignment); the rest is the
  // address, writable above the size (PCI 2.3 §6.2.5.1). I/O BARs keep bits 31:16 writable
  // too: firmware sizes every BAR as a 32-bit value.
  const uint32_t type = space == Space::Io ? 1u : 0u;
  init32(pci::kBar0 + 4 * bar, type, ~(size - 1) & ~(min - 1));
  bar_window_[bar] = int(add_window(space, size, io, mmio, std::move(name)));
  // Enabling decode is then the guest's choice.
  const uint16_t bit = space == Space::Io ? pci::kCmdIo : pci::kCmdMemory;
  wmask_[pci::kCommand] |= uint8_t(bit);
}

unsigned PciDevice::add_window(Space space, uint32_t size, PortDevice* io, mmu::MmioHandler* mmio, std::string name) {
  windows_.push_back(Window{space, size, io, mmio, std::move(name)});
  return unsigned(windows_.size() - 1);
}

void PciDevice::place_window(unsigned id, bool enabled, uint32_t base) {
  if (id >= windows_.size()) return;
  Window& w = windows_[id];
  PciMapper* m = host_ ? host_->mapper() : nullptr;
  // Address 0 means "not assigned"; a range must lie inside its address space.
  const uint64_t limit = w.space == Space::Io ? 0x10000 : 0x100000000ull;
  const bool want = enabled && m && (w.io || w.mmio) && base != 0 && uint64_t(base) + w.size <= limit;
  if (w.mapped && want && w.base == base) return;
  const bool was = w.mapped;
  if (w.mapped) {
    if (w.space == Space::Io)
      m->unmap_io(uint16_t(w.base), w.size, w.io);
    else
      m->unmap_mmio(w.base, w.size, w.mmio);
    w.mapped = false;
  }
  if (want) {
    w.mapped = w.space == Space::Io ? m->map_io(uint16_t(base), w.size, w.io, w.name)
                                    : m->map_mmio(base, w.size, w.mmio, w.name);
    w.base = base;
  }
  if (was || w.mapped) window_changed(id);
}

int64_t PciDevice::window_base(unsigned id) const {
  return id < windows_.size() && windows_[id].mapped ? int64_t(windows_[id].base) : -1;
}

void PciDevice::refresh_mappings() {
  const uint16_t cmd = command();
  for (unsigned bar = 0; bar < pci::kNumBars; bar++) {
    const int id = bar_window_[bar];
    if (id < 0) continue;
    const bool io = windows_[id].space == Space::Io;
    const uint32_t base = cfg32(pci::kBar0 + 4 * bar) & (io ? ~3u : ~15u);
    place_window(unsigned(id), (cmd & (io ? pci::kCmdIo : pci::kCmdMemory)) != 0, base);
  }
  update_windows();
}

void PciDevice::unmap_all() {
  for (unsigned id = 0; id < windows_.size(); id++) place_window(id, false, 0);
}

void PciDevice::attached(PciHost* host, unsigned devfn) {
  host_ = host;
  devfn_ = devfn;
  refresh_mappings();
}

uint32_t PciDevice::config_read(unsigned off, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++) v |= uint32_t(cfg_.bytes[(off + i) & 0xff]) << (8 * i);
  return v;
}

void PciDevice::config_write(unsigned off, unsigned size, uint32_t value) {
  const bool intx_before = intx_output();
  size = std::min(size, 4u);
  for (unsigned i = 0; i < size; i++) {
    const unsigned o = (off + i) & 0xff;
    const uint8_t v = uint8_t(value >> (8 * i)), old = cfg_.bytes[o];
    const uint8_t next = uint8_t(((old & ~wmask_[o]) | (v & wmask_[o])) & ~(v & w1c_[o]));
    cfg_.bytes[o] = filter_write(o, old, next);
  }
  config_written(off & 0xff, size);
  refresh_mappings();
  if (host_ && intx_output() != intx_before) host_->intx_changed();
}

void PciDevice::reset() {
  const bool intx_before = intx_output();
  cfg_.bytes = defaults_;
  refresh_mappings();
  if (host_ && intx_before) host_->intx_changed();
}

void PciDevice::serialize(Serializer& s) {
  s.io(cfg_);
  if (s.loading()) refresh_mappings();
}

void PciDevice::set_intx(bool level) {
  const bool before = intx_output();
  uint8_t& st = cfg_.bytes[pci::kStatus];
  st = uint8_t(level ? st | pci::kStsIntx : st & ~pci::kStsIntx);
  if (host_ && intx_output() != before) host_->intx_changed();
}

bool PciDevice::intx_output() const {
  return (cfg_.bytes[pci::kStatus] & pci::kStsIntx) && !(command() & pci::kCmdIntxDisable) &&
         cfg_.bytes[pci::kIntPin] >= 1 && cfg_.bytes[pci::kIntPin] <= 4;
}

// ---- PciHost -----------------------------------------------------------------------------

PciHost::~PciHost() {
  for (PciDevice* d : attached_) d->host_ = nullptr;
}

void PciHost::attach(unsigned slot, unsigned fn, PciDevice* dev) {
  if (!dev || slot >= 32 || fn >= 8 || fns_[slot * 8 + fn] || dev->host_)
    throw std::invalid_argument("PCI: cannot attach a function at this address");
  fns_[slot * 8 + fn] = dev;
  attached_.push_back(dev);
  dev->attached(this, slot * 8 + fn);
}

void PciHost::detach(PciDevice* dev) {
  attached_.erase(std::remove(attached_.begin(), attached_.end(), dev), attached_.end());
  fns_[dev->devfn_] = nullptr;
}

void PciHost::set_mapper(PciMapper* m) {
  for (PciDevice* d : attached_) d->unmap_all();
  mapper_ = m;
  for (PciDevice* d : attached_) d->refresh_mappings();
}

void PciHost::reset() { s_ = State{}; }

void PciHost::serialize(Serializer& s) {
  s.io(s_.address);
  s.io(s_.pirq_level);
}

PciDevice* PciHost::target() const {
  // Enable bit set and bus 0: there are no bridges to other buses (type 1 cycles go nowhere).
  if (!(s_.address & 0x80000000u) || ((s_.address >> 16) & 0xff) != 0) return nullptr;
  return fns_[(s_.address >> 8) & 0xff];
}

uint32_t PciHost::port_read(uint16_t port, unsigned size) {
  if (port >= kDataPort) {
    // The data window is one dword; bytes beyond CFFh belong to other ports.
    const unsigned lane = port - kDataPort, n = std::min(size, 4 - lane);
    uint32_t v = ones(size);
    if (PciDevice* d = target()) {
      v &= ~ones(n);
      v |= d->config_read((s_.address & 0xfc) + lane, n);
    }
    return v;
  }
  if (port == kAddressPort && size == 4) return s_.address;
  uint32_t v = 0;
  for (unsigned i = 0; i < size; i++) {
    const uint16_t p = uint16_t(port + i);
    const uint32_t b = legacy_ && p < kDataPort ? legacy_->port_read(p, 1) & 0xff : 0xff;
    v |= b << (8 * i);
  }
  return v;
}

void PciHost::port_write(uint16_t port, unsigned size, uint32_t value) {
  if (port >= kDataPort) {
    const unsigned lane = port - kDataPort, n = std::min(size, 4 - lane);
    if (PciDevice* d = target()) d->config_write((s_.address & 0xfc) + lane, n, value);
    return;
  }
  if (port == kAddressPort && size == 4) {
    // Bits 30:24 and 1:0 are reserved and read as zero (PCI 2.3 §3.2.2.3.2).
    s_.address = value & 0x80fffffcu;
    return;
  }
  for (unsigned i = 0; i < size; i++) {
    const uint16_t p = uint16_t(port + i);
    if (legacy_ && p < kDataPort) legacy_->port_write(p, 1, (value >> (8 * i)) & 0xff);
  }
}

void PciHost::intx_changed() {
  uint8_t level = 0;
  for (PciDevice* d : attached_)
    if (d->intx_output()) level |= uint8_t(1u << pirq_of(d->slot(), d->cfg8(pci::kIntPin)));
  const uint8_t diff = level ^ s_.pirq_level;
  s_.pirq_level = level;
  for (unsigned p = 0; p < 4; p++)
    if (router_ && (diff >> p & 1)) router_->set_pirq(p, level >> p & 1);
}

}  // namespace devices
