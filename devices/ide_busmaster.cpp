#include "devices/ide_busmaster.h"

#include <algorithm>
#include <vector>

namespace devices {

uint8_t IdeBusMaster::read8(unsigned off) const {
  const Regs& r = regs_[(off >> 3) & 1];
  switch (off & 7) {
    case 0: return r.cmd;
    case 2: return r.status;
    case 4: case 5: case 6: case 7: return uint8_t(r.prd >> (8 * (off & 3)));
    default: return 0;
  }
}

uint32_t IdeBusMaster::read(unsigned off, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= uint32_t(read8((off + i) & 15)) << (8 * i);
  return v;
}

int IdeBusMaster::write8(unsigned off, uint8_t v) {
  const unsigned ch = (off >> 3) & 1;
  Regs& r = regs_[ch];
  switch (off & 7) {
    case 0: {
      const bool was = r.cmd & kCmdStart;
      r.cmd = v & (kCmdStart | kCmdToMemory);
      // Clearing start aborts whatever the engine was doing; active follows start.
      if (!(v & kCmdStart)) r.status &= uint8_t(~kStActive);
      if ((v & kCmdStart) && !was) {
        r.status |= kStActive;
        return int(ch);
      }
      return -1;
    }
    case 2:
      // Error and interrupt are write-one-to-clear; the drive-capable bits are plain storage.
      r.status = uint8_t((r.status & ~(kStDrive0Dma | kStDrive1Dma) & ~(v & (kStError | kStIrq))) |
                         (v & (kStDrive0Dma | kStDrive1Dma)));
      return -1;
    case 4: case 5: case 6: case 7: {
      const unsigned sh = 8 * (off & 3);
      r.prd = ((r.prd & ~(0xffu << sh)) | (uint32_t(v) << sh)) & ~3u;  // dword aligned
      return -1;
    }
    default: return -1;
  }
}

int IdeBusMaster::write(unsigned off, unsigned size, uint32_t value) {
  int started = -1;
  for (unsigned i = 0; i < size; i++) {
    const int s = write8((off + i) & 15, uint8_t(value >> (8 * i)));
    if (s >= 0) started = s;
  }
  return started;
}

IdeBusMaster::Result IdeBusMaster::transfer(unsigned ch, mmu::PhysMemory& mem, bool to_memory, uint64_t bytes,
                                            const Chunk& chunk) {
  Result res;
  const uint32_t table = regs_[ch & 1].prd;
  std::vector<uint8_t> buf;
  for (uint32_t i = 0; i < kMaxPrds; i++) {
    // The table may not cross a 64 KiB boundary: the entry address wraps inside its page.
    const uint32_t at = (table & 0xffff0000u) | ((table + i * 8) & 0xffffu);
    uint8_t prd[8];
    if (!mem.read_block(at, prd, 8)) {
      res.bad_address = true;
      return res;
    }
    const uint32_t base = (uint32_t(prd[0]) | uint32_t(prd[1]) << 8 | uint32_t(prd[2]) << 16 |
                           uint32_t(prd[3]) << 24) & ~1u;
    uint32_t count = (uint32_t(prd[4]) | uint32_t(prd[5]) << 8) & ~1u;
    if (count == 0) count = 0x10000;
    const bool eot = prd[7] & 0x80;
    // A region may not cross a 64 KiB boundary either; the PIIX's address counter only
    // increments its low 16 bits, so the region wraps within its page.
    uint32_t done = 0;
    while (done < count && res.moved < bytes) {
      const uint32_t addr = (base & 0xffff0000u) | ((base + done) & 0xffffu);
      const uint32_t len = uint32_t(std::min<uint64_t>({count - done, 0x10000u - (addr & 0xffffu), bytes - res.moved}));
      buf.resize(len);
      if (to_memory) {
        if (!chunk(buf.data(), len)) return res.device_failed = true, res;
        if (!mem.write_block(addr, buf.data(), len)) return res.bad_address = true, res;
      } else {
        if (!mem.read_block(addr, buf.data(), len)) return res.bad_address = true, res;
        if (!chunk(buf.data(), len)) return res.device_failed = true, res;
      }
      done += len;
      res.moved += len;
    }
    if (res.moved >= bytes) {
      res.table_left = done < count || !eot;
      return res;
    }
    if (eot) return res;
  }
  return res;  // a table without EOT: it ends where its 64 KiB page of descriptors ends
}

void IdeBusMaster::serialize(Serializer& s) {
  for (Regs& r : regs_) {
    s.io(r.cmd);
    s.io(r.status);
    s.io(r.prd);
  }
  if (s.loading())
    for (Regs& r : regs_) {
      r.cmd &= kCmdStart | kCmdToMemory;
      r.prd &= ~3u;
    }
}

}  // namespace devices
