// Bus-master IDE (Intel PIIX3 datasheet, "Bus Master IDE function"): per channel a command
// register (start, direction), a status register (active, error, interrupt, drive DMA capable)
// and a pointer to a table of physical region descriptors (PRDs). The registers sit in the
// 16-byte I/O window of the IDE function's BAR4: channel 0 at +0, channel 1 at +8.
//
// The controller moves a whole command's data at once when it completes; transfer() walks the
// PRD table for it. Every guest value is checked: descriptors are read with the bounds-checked
// DMA API, the walk stays inside one 64 KiB page of table (at most 8192 entries), and a region
// outside RAM ends the transfer with the error bit.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/device.h"
#include "mmu/phys_memory.h"

namespace devices {

class IdeBusMaster {
 public:
  static constexpr uint8_t kCmdStart = 0x01, kCmdToMemory = 0x08;
  static constexpr uint8_t kStActive = 0x01, kStError = 0x02, kStIrq = 0x04;
  static constexpr uint8_t kStDrive0Dma = 0x20, kStDrive1Dma = 0x40;
  static constexpr uint32_t kMaxPrds = 0x10000 / 8;

  struct Regs {
    uint8_t cmd = 0, status = 0;
    uint32_t prd = 0;
  };

  // Register access at `off` (0-15) within the window; `size` 1, 2 or 4.
  uint32_t read(unsigned off, unsigned size) const;
  // Returns the channel whose start bit went from 0 to 1, or -1.
  int write(unsigned off, unsigned size, uint32_t value);

  Regs& regs(unsigned ch) { return regs_[ch & 1]; }
  bool started(unsigned ch) const { return regs_[ch & 1].cmd & kCmdStart; }

  // Moves up to `bytes` between RAM and the device along the channel's PRD table. `chunk` is
  // called for each piece (at most 64 KiB) with a buffer to fill (to memory) or to consume.
  // It returns false when the device side fails, which stops the walk.
  struct Result {
    uint64_t moved = 0;
    bool bad_address = false;  // a region or the table itself left RAM
    bool device_failed = false;
    bool table_left = false;    // the table describes more than `bytes`
  };
  using Chunk = std::function<bool(uint8_t* data, uint32_t len)>;
  Result transfer(unsigned ch, mmu::PhysMemory& mem, bool to_memory, uint64_t bytes, const Chunk& chunk);

  void reset() { regs_[0] = regs_[1] = Regs{}; }
  void serialize(Serializer& s);

 private:
  uint8_t read8(unsigned off) const;
  int write8(unsigned off, uint8_t v);
  Regs regs_[2];
};

}  // namespace devices
