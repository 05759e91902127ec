// The 82540EM's receive path (8254x manual §3.2): address filtering, then the frame (with its
// FCS unless RCTL.SECRC strips it) written into the buffers of as many legacy descriptors as it
// needs, each written back with DD, the last with EOP.
#include <zlib.h>

#include <algorithm>

#include "devices/e1000.h"
#include "devices/e1000_regs.h"

namespace devices {

using namespace e1000;

namespace {

constexpr size_t kMinFrame = 60;  // without FCS: shorter frames are padded, as on the wire
constexpr size_t kFcs = 4;
constexpr size_t kMaxRxLong = 16384;  // RCTL.LPE: the largest frame the receiver takes

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24);
}

}  // namespace

// RCTL.BSIZE with BSEX (§13.4.22): 2048/1024/512/256 bytes, or x16 with BSEX (BSIZE 00 reserved).
uint32_t E1000::rx_buffer_size() const {
  const unsigned bsize = (reg(kRctl) >> kRctlBsizeShift) & 3;
  if (reg(kRctl) & kRctlBsex) return bsize == 0 ? 2048 : 32768u >> bsize;
  return 2048u >> bsize;
}

// Descriptors owned by the hardware: from head up to, not including, tail. A head or tail
// outside the ring gives none: the receiver stalls rather than guess.
uint32_t E1000::rx_free_descriptors() const {
  const uint32_t n = reg(kRdlen) / kDescBytes, head = reg(kRdh), tail = reg(kRdt);
  if (n == 0 || head >= n || tail >= n) return 0;
  return (tail + n - head) % n;
}

// Unicast against the 16 receive addresses, multicast through the 4096-bit table indexed by
// 12 bits of the address that RCTL.MO picks, broadcast with BAM; UPE/MPE take every unicast or
// multicast frame (§3.2.4, §13.5.1).
bool E1000::accepts(std::span<const uint8_t> frame) const {
  const uint8_t* dst = frame.data();
  const uint32_t rctl = reg(kRctl);
  const bool multicast = dst[0] & 1;
  if (!multicast) {
    if (rctl & kRctlUpe) return true;
    const uint32_t lo = le32(dst), hi = uint32_t(dst[4] | dst[5] << 8);
    for (unsigned i = 0; i < 16; i++) {
      const uint32_t rah = reg(kRah0 + 8 * i);
      if ((rah & kRahAv) && reg(kRal0 + 8 * i) == lo && (rah & 0xffff) == hi) return true;
    }
    return false;
  }
  if (std::all_of(dst, dst + 6, [](uint8_t b) { return b == 0xff; }))
    return (rctl & (kRctlBam | kRctlMpe)) != 0;
  if (rctl & kRctlMpe) return true;
  constexpr unsigned kShift[4] = {4, 3, 2, 0};
  const unsigned mo = (rctl >> kRctlMoShift) & 3;
  const unsigned hash = ((dst[4] >> kShift[mo]) | (unsigned(dst[5]) << (8 - kShift[mo]))) & 0xfff;
  return (reg(kMta + 4 * (hash >> 5)) >> (hash & 31)) & 1;
}

bool E1000::can_receive(size_t len) const {
  if (!(reg(kRctl) & kRctlEn) || !(command() & pci::kCmdMaster)) return false;
  const size_t bytes = std::max(len, kMinFrame) + ((reg(kRctl) & kRctlSecrc) ? 0 : kFcs);
  const uint32_t need = uint32_t((bytes + rx_buffer_size() - 1) / rx_buffer_size());
  return rx_free_descriptors() >= need;
}

void E1000::receive(std::span<const uint8_t> in) {
  if (!(reg(kRctl) & kRctlEn) || !(command() & pci::kCmdMaster) || in.size() < 14) return;
  if (!accepts(in)) return;
  const size_t limit = (reg(kRctl) & kRctlLpe) ? kMaxRxLong : kMaxRxNormal;
  if (in.size() > limit) return;  // too long: dropped, as the MAC drops it
  std::vector<uint8_t> frame(in.begin(), in.end());
  if (frame.size() < kMinFrame) frame.resize(kMinFrame, 0);
  if (!(reg(kRctl) & kRctlSecrc)) {
    const uint32_t fcs = uint32_t(crc32(0, frame.data(), unsigned(frame.size())));
    for (unsigned i = 0; i < 4; i++) frame.push_back(uint8_t(fcs >> (8 * i)));
  }
  const uint32_t bufsize = rx_buffer_size();
  const uint32_t need = uint32_t((frame.size() + bufsize - 1) / bufsize);
  if (rx_free_descriptors() < need) {  // no room: the frame is lost (§3.2.7)
    reg(kRnbc)++;
    set_cause(kIntRxo);
    return;
  }
  const uint32_t n = reg(kRdlen) / kDescBytes;
  const uint64_t ring = uint64_t(reg(kRdbah)) << 32 | reg(kRdbal);
  size_t done = 0;
  for (uint32_t i = 0; i < need; i++) {
    const uint64_t at = ring + uint64_t(reg(kRdh)) * kDescBytes;
    uint8_t d[kDescBytes];
    if (!mem_.read_block(at, d, sizeof d)) return;  // a ring outside RAM: master abort, frame lost
    const uint64_t buf = uint64_t(le32(d + 4)) << 32 | le32(d);
    const uint32_t chunk = uint32_t(std::min<size_t>(bufsize, frame.size() - done));
    const bool ok = mem_.write_block(buf, frame.data() + done, chunk);
    done += chunk;
    const bool last = done == frame.size();
    d[8] = uint8_t(chunk), d[9] = uint8_t(chunk >> 8);
    d[10] = d[11] = 0;                                       // packet checksum: not computed
    d[12] = uint8_t(kRxDd | kRxIxsm | (last ? kRxEop : 0));  // IXSM: checksums not checked
    d[13] = ok ? 0 : kRxErrRxe;                              // a buffer outside RAM: data error
    d[14] = d[15] = 0;
    mem_.write_block(at, d, sizeof d);
    reg(kRdh) = (reg(kRdh) + 1) % n;
  }
  count(kGprc, kGorcl, frame.size());
  reg(kTpr)++;
  if (in[0] == 0xff && in[1] == 0xff) reg(kBprc)++;
  uint32_t causes = kIntRxt0;
  // RDMTS: free descriptors at or below 1/2, 1/4 or 1/8 of the ring.
  const unsigned rdmts = (reg(kRctl) >> kRctlRdmtsShift) & 3;
  if (rx_free_descriptors() <= (n >> (rdmts + 1))) causes |= kIntRxdmt0;
  set_cause(causes);
}

}  // namespace devices
