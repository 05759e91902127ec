#include "devices/virtqueue.h"

namespace devices {

bool Virtqueue::avail_idx(mmu::PhysMemory& mem, uint16_t& idx) {
  if (!cfg_.ready || s_.broken) return false;
  if (!mem.read_block(cfg_.avail + 2, &idx, 2)) {
    s_.broken = true;
    return false;
  }
  return true;
}

bool Virtqueue::has_work(const mmu::PhysMemory& mem) const {
  uint16_t idx = 0;
  return cfg_.ready && !s_.broken && mem.read_block(cfg_.avail + 2, &idx, 2) &&
         idx != s_.last_avail;
}

std::optional<Virtqueue::Chain> Virtqueue::pop(mmu::PhysMemory& mem) {
  uint16_t idx = 0;
  if (!avail_idx(mem, idx) || idx == s_.last_avail) return std::nullopt;
  // More entries made available than the ring holds: the driver's index is corrupt.
  if (uint16_t(idx - s_.last_avail) > cfg_.size) {
    s_.broken = true;
    return std::nullopt;
  }
  Chain chain;
  if (!mem.read_block(cfg_.avail + 4 + 2ull * (s_.last_avail % cfg_.size), &chain.head, 2) ||
      chain.head >= cfg_.size) {
    s_.broken = true;
    return std::nullopt;
  }
  s_.last_avail++;
  uint16_t i = chain.head;
  for (unsigned n = 0;; n++) {
    struct {
      uint64_t addr;
      uint32_t len;
      uint16_t flags, next;
    } d;
    // A chain visits each descriptor at most once; indirect tables were not offered.
    if (n >= cfg_.size || !mem.read_block(cfg_.desc + 16ull * i, &d, 16) ||
        (d.flags & kDescIndirect)) {
      s_.broken = true;
      return std::nullopt;
    }
    chain.buffers.push_back({d.addr, d.len, (d.flags & kDescWrite) != 0});
    if (!(d.flags & kDescNext)) break;
    if (d.next >= cfg_.size) {
      s_.broken = true;
      return std::nullopt;
    }
    i = d.next;
  }
  return chain;
}

void Virtqueue::push(mmu::PhysMemory& mem, uint16_t head, uint32_t written) {
  if (!cfg_.ready || s_.broken) return;
  const uint32_t elem[2] = {head, written};
  const uint16_t next = uint16_t(s_.used_idx + 1);
  if (!mem.write_block(cfg_.used + 4 + 8ull * (s_.used_idx % cfg_.size), elem, 8) ||
      !mem.write_block(cfg_.used + 2, &next, 2)) {
    s_.broken = true;
    return;
  }
  s_.used_idx = next;
}

bool Virtqueue::wants_interrupt(mmu::PhysMemory& mem) const {
  uint16_t flags = 0;
  if (!mem.read_block(cfg_.avail, &flags, 2)) return true;
  return !(flags & kAvailNoInterrupt);
}

void Virtqueue::serialize(Serializer& s) {
  s.io(cfg_.size), s.io(cfg_.ready), s.io(cfg_.desc), s.io(cfg_.avail), s.io(cfg_.used);
  s.io(s_.last_avail), s.io(s_.used_idx), s.io(s_.broken);
  if (s.loading() && (cfg_.size == 0 || cfg_.size > kMaxSize || (cfg_.size & (cfg_.size - 1))))
    cfg_.size = kMaxSize;
}

}  // namespace devices
