// A split virtqueue (Virtual I/O Device (VIRTIO) Version 1.0, §2.4): the descriptor table, the
// driver's available ring and the device's used ring, all in guest RAM at addresses the driver
// chose. Everything is read and written through the bounds-checked DMA API; a chain longer than
// the queue (a descriptor loop), a descriptor index outside the table, or any address outside
// RAM marks the queue broken (§2.1.2: the device then needs a reset) instead of being followed.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "devices/device.h"
#include "mmu/phys_memory.h"

namespace devices {

class Virtqueue {
 public:
  static constexpr uint16_t kMaxSize = 256;
  static constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;  // §2.4.5
  static constexpr uint16_t kAvailNoInterrupt = 1;                             // §2.4.7

  struct Buffer {
    uint64_t addr;
    uint32_t len;
    bool device_writes;
  };
  struct Chain {
    uint16_t head;
    std::vector<Buffer> buffers;
  };

  // Layout, as the transport learned it.
  struct Config {
    uint16_t size = kMaxSize;  // a power of two up to kMaxSize
    bool ready = false;
    uint64_t desc = 0, avail = 0, used = 0;
  };
  Config& config() { return cfg_; }
  const Config& config() const { return cfg_; }

  // Whether the driver has made a chain available.
  bool has_work(const mmu::PhysMemory& mem) const;
  // Takes the next available chain; none when the ring is empty or the chain is bad (then the
  // queue is broken and stays so until reset).
  std::optional<Chain> pop(mmu::PhysMemory& mem);
  // Returns a chain to the driver with the number of bytes written into it.
  void push(mmu::PhysMemory& mem, uint16_t head, uint32_t written);
  // Whether the driver wants an interrupt for used buffers now.
  bool wants_interrupt(mmu::PhysMemory& mem) const;
  bool broken() const { return s_.broken; }

  void reset() {
    cfg_ = {};
    s_ = {};
  }
  void serialize(Serializer& s);

 private:
  bool avail_idx(mmu::PhysMemory& mem, uint16_t& idx);
  Config cfg_;
  struct State {
    uint16_t last_avail = 0, used_idx = 0;
    bool broken = false;
  } s_;
};

}  // namespace devices
