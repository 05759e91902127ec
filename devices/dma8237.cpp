#include "devices/dma8237.h"

#include <algorithm>

#include "devices/byte_ports.h"

namespace devices {
namespace {

// Register numbers within one chip (port offset on the first chip, offset / 2 on the second).
constexpr unsigned kRegStatusCommand = 8, kRegRequest = 9, kRegSingleMask = 10, kRegMode = 11,
                   kRegClearFlipFlop = 12, kRegMasterClear = 13, kRegClearMask = 14, kRegAllMask = 15;
constexpr uint8_t kCmdDisable = 0x04;
constexpr uint8_t kModeAutoinit = 0x10, kModeDecrement = 0x20;

// Page register (offset from 80h) of each channel, as the AT wires them.
constexpr std::array<uint8_t, 8> kPageOf = {0x7, 0x3, 0x1, 0x2, 0xf, 0xb, 0x9, 0xa};

}  // namespace

void Dma8237::reset() { s_ = State{}; }

void Dma8237::serialize(Serializer& s) {
  for (Controller& c : s_.ctl) {
    for (Channel& k : c.ch) {
      s.io(k.base_addr);
      s.io(k.base_count);
      s.io(k.cur_addr);
      s.io(k.cur_count);
      s.io(k.mode);
    }
    s.io(c.command);
    s.io(c.status);
    s.io(c.mask);
    s.io(c.flip_flop);
  }
  s.io(s_.page);
}

unsigned Dma8237::page_index(unsigned channel) { return kPageOf[channel & 7]; }

uint32_t Dma8237::phys_address(unsigned channel, uint16_t addr) const {
  const uint32_t page = s_.page[page_index(channel)];
  if (channel < 4) return page << 16 | addr;
  return (page & 0xfe) << 16 | uint32_t(addr) << 1;
}

uint32_t Dma8237::port_read(uint16_t port, unsigned size) {
  return read_bytewise(port, size, [this](uint16_t p) -> uint8_t {
    if (p <= 0x0f) return read_reg(0, p);
    if (p >= 0x80 && p <= 0x8f) return s_.page[p - 0x80];
    if (p >= 0xc0 && p <= 0xdf && !(p & 1)) return read_reg(1, (p - 0xc0u) >> 1);
    return 0xff;
  });
}

void Dma8237::port_write(uint16_t port, unsigned size, uint32_t value) {
  write_bytewise(port, size, value, [this](uint16_t p, uint8_t v) {
    if (p <= 0x0f)
      write_reg(0, p, v);
    else if (p >= 0x80 && p <= 0x8f)
      s_.page[p - 0x80] = v;
    else if (p >= 0xc0 && p <= 0xdf && !(p & 1))
      write_reg(1, (p - 0xc0u) >> 1, v);
  });
}

uint8_t Dma8237::read_reg(unsigned chip, unsigned reg) {
  Controller& c = s_.ctl[chip];
  if (reg < 8) {
    const Channel& k = c.ch[reg >> 1];
    const uint16_t v = (reg & 1) ? k.cur_count : k.cur_addr;
    const bool high = c.flip_flop;
    c.flip_flop = !c.flip_flop;
    return uint8_t(high ? v >> 8 : v);
  }
  switch (reg) {
    case kRegStatusCommand: {  // reading the status clears the TC bits
      const uint8_t v = c.status;
      c.status &= 0xf0;
      return v;
    }
    case kRegAllMask: return uint8_t(0xf0 | c.mask);  // readable on the PIIX, harmless elsewhere
    default: return 0;  // temporary register (memory-to-memory only) and write-only registers
  }
}

void Dma8237::write_reg(unsigned chip, unsigned reg, uint8_t v) {
  Controller& c = s_.ctl[chip];
  if (reg < 8) {  // base and current registers are written together
    Channel& k = c.ch[reg >> 1];
    uint16_t& base = (reg & 1) ? k.base_count : k.base_addr;
    base = c.flip_flop ? uint16_t((base & 0x00ff) | v << 8) : uint16_t((base & 0xff00) | v);
    ((reg & 1) ? k.cur_count : k.cur_addr) = base;
    c.flip_flop = !c.flip_flop;
    return;
  }
  switch (reg) {
    case kRegStatusCommand: c.command = v; break;
    case kRegRequest:
      c.status = uint8_t(v & 4 ? c.status | 0x10 << (v & 3) : c.status & ~(0x10 << (v & 3)));
      break;
    case kRegSingleMask:
      c.mask = uint8_t(v & 4 ? c.mask | 1 << (v & 3) : c.mask & ~(1 << (v & 3)));
      break;
    case kRegMode: c.ch[v & 3].mode = v; break;
    case kRegClearFlipFlop: c.flip_flop = false; break;
    case kRegMasterClear:
      c.command = 0;
      c.status = 0;
      c.flip_flop = false;
      c.mask = 0x0f;
      break;
    case kRegClearMask: c.mask = 0; break;
    case kRegAllMask: c.mask = v & 0x0f; break;
  }
}

Dma8237::Xfer Dma8237::mode_xfer(unsigned channel) const {
  return Xfer((s_.ctl[(channel >> 2) & 1].ch[channel & 3].mode >> 2) & 3);
}

bool Dma8237::masked(unsigned channel) const { return s_.ctl[(channel >> 2) & 1].mask >> (channel & 3) & 1; }

uint32_t Dma8237::current_address(unsigned channel) const {
  return phys_address(channel & 7, s_.ctl[(channel >> 2) & 1].ch[channel & 3].cur_addr);
}

uint16_t Dma8237::current_count(unsigned channel) const {
  return s_.ctl[(channel >> 2) & 1].ch[channel & 3].cur_count;
}

void Dma8237::move(Xfer x, uint32_t phys, uint8_t* data, uint32_t len) {
  if (x == Xfer::ToMemory) {
    mem_.write_block(phys, data, len);  // outside RAM: the bus drops the cycles
  } else if (x == Xfer::FromMemory) {
    if (!mem_.read_block(phys, data, len)) std::fill(data, data + len, uint8_t(0xff));
  }
}

Dma8237::Result Dma8237::transfer(unsigned channel, std::span<uint8_t> buf) {
  Result r;
  if (channel >= 8 || channel == 4) return r;  // channel 4 is the cascade
  Controller& c = s_.ctl[channel >> 2];
  Channel& k = c.ch[channel & 3];
  if ((c.command & kCmdDisable) || (c.mask >> (channel & 3) & 1)) return r;
  const unsigned unit = channel >= 4 ? 2 : 1;
  const Xfer x = Xfer((k.mode >> 2) & 3);
  const bool dec = k.mode & kModeDecrement;
  while (buf.size() - r.bytes >= unit) {
    const uint32_t left = uint32_t(k.cur_count) + 1;
    uint32_t units = std::min<uint32_t>(left, uint32_t((buf.size() - r.bytes) / unit));
    // Incrementing runs stop where the address register wraps; decrementing goes unit by unit
    // because memory order is the reverse of the device's.
    units = dec ? 1 : std::min<uint32_t>(units, 0x10000u - k.cur_addr);
    move(x, phys_address(channel, k.cur_addr), buf.data() + r.bytes, units * unit);
    k.cur_addr = uint16_t(dec ? k.cur_addr - units : k.cur_addr + units);
    k.cur_count = uint16_t(k.cur_count - units);
    r.bytes += units * unit;
    if (units == left) {
      r.tc = true;
      c.status = uint8_t((c.status | 1 << (channel & 3)) & ~(0x10 << (channel & 3)));
      if (k.mode & kModeAutoinit) {
        k.cur_addr = k.base_addr;
        k.cur_count = k.base_count;
      } else {
        c.mask |= uint8_t(1 << (channel & 3));
      }
      break;
    }
  }
  return r;
}

}  // namespace devices
