#include "devices/ioapic.h"

namespace devices {
namespace {

// Writable bits of a redirection entry: vector, delivery mode, destination mode, polarity,
// trigger mode, mask and the destination field; delivery status and remote IRR are read-only.
constexpr uint64_t kEntryWritable = 0xff000000'0001afffull;

}  // namespace

void Ioapic::reset() {
  // Datasheet §3.2.4: after reset every entry is masked, the rest 0. Input levels are wires and
  // survive.
  const uint32_t lines = st_.lines;
  st_ = State{};
  st_.lines = lines;
  st_.redir.fill(kMasked);
}

void Ioapic::serialize(Serializer& s) {
  s.io(st_.select), s.io(st_.id), s.io(st_.redir), s.io(st_.lines);
  if (s.loading()) st_.lines &= (1u << kPins) - 1;
}

bool Ioapic::asserted(unsigned pin) const {
  const bool high = st_.lines >> pin & 1;
  return high != bool(st_.redir[pin] & kActiveLow);
}

void Ioapic::send(unsigned pin) {
  const uint64_t e = st_.redir[pin];
  const uint8_t dest = uint8_t(e >> 56);
  const bool logical = e & kLogical;
  switch (e >> 8 & 7) {
    case 0:  // fixed
    case 1:  // lowest priority: the one processor
      lapic_.deliver(uint8_t(e), e & kLevel, dest, logical);
      break;
    case 7: lapic_.deliver_extint(dest, logical); break;
    default: break;  // SMI, NMI, INIT: not wired on this board
  }
}

void Ioapic::service(unsigned pin) {
  uint64_t& e = st_.redir[pin];
  if (!(e & kLevel) || (e & (kMasked | kRemoteIrr)) || !asserted(pin)) return;
  e |= kRemoteIrr;
  send(pin);
}

void Ioapic::set_pin(unsigned pin, bool level) {
  if (pin >= kPins) return;
  const bool was = asserted(pin);
  st_.lines = level ? st_.lines | 1u << pin : st_.lines & ~(1u << pin);
  const bool now = asserted(pin);
  const uint64_t e = st_.redir[pin];
  if (e & kLevel)
    service(pin);
  else if (now && !was && !(e & kMasked))
    send(pin);
}

void Ioapic::eoi(uint8_t vector) {
  for (unsigned pin = 0; pin < kPins; pin++) {
    uint64_t& e = st_.redir[pin];
    if (uint8_t(e) != vector || !(e & kLevel)) continue;
    e &= ~kRemoteIrr;
    service(pin);
  }
}

uint32_t Ioapic::read_window() const {
  const uint32_t r = st_.select & 0xff;
  switch (r) {
    case 0x00: return st_.id;
    case 0x01: return kVersion;
    case 0x02: return st_.id;  // arbitration ID: loaded from the ID
    default: break;
  }
  if (r >= 0x10 && r < 0x10 + 2 * kPins) {
    const uint64_t e = st_.redir[(r - 0x10) / 2];
    return r & 1 ? uint32_t(e >> 32) : uint32_t(e);
  }
  return 0;
}

void Ioapic::write_window(uint32_t v) {
  const uint32_t r = st_.select & 0xff;
  if (r == 0x00) {
    st_.id = v & 0x0f000000u;
    return;
  }
  if (r < 0x10 || r >= 0x10 + 2 * kPins) return;
  const unsigned pin = (r - 0x10) / 2;
  uint64_t& e = st_.redir[pin];
  const uint64_t written = r & 1 ? (uint64_t(v) << 32) | uint32_t(e) : (e & ~0xffffffffull) | v;
  e = (written & kEntryWritable) | (e & kRemoteIrr);
  // An edge-triggered entry has no remote IRR to keep.
  if (!(e & kLevel)) e &= ~kRemoteIrr;
  // A level-triggered input already asserted when its entry is unmasked is delivered now.
  service(pin);
}

// IOREGSEL and IOWIN are 32-bit registers; the select register's low byte also takes a byte
// write.
uint32_t Ioapic::mmio_read(uint32_t offset, unsigned size) {
  uint32_t v = 0;
  if ((offset & ~3u) == kSelect)
    v = st_.select;
  else if ((offset & ~3u) == kWindow)
    v = read_window();
  v >>= 8 * (offset & 3);
  return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void Ioapic::mmio_write(uint32_t offset, unsigned size, uint32_t value) {
  if (offset == kSelect)
    st_.select = size >= 4 ? value : (st_.select & ~0xffu) | (value & 0xff);
  else if (offset == kWindow && size == 4)
    write_window(value);
}

}  // namespace devices
