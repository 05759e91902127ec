// The 82540EM's transmit path (8254x manual §3.3): legacy descriptors with their optional
// checksum insertion, and the extended context and data descriptors with IP/TCP/UDP checksum
// offload and TCP segmentation (TSO, §3.5), as drivers use them.
#include <algorithm>

#include "devices/e1000.h"
#include "devices/e1000_regs.h"
#include "devices/inet_checksum.h"

namespace devices {

using namespace e1000;

namespace {

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24);
}

// Big-endian header fields, touched only when they lie inside the frame.
void put_be16(std::vector<uint8_t>& f, size_t at, uint16_t v) {
  if (at + 2 > f.size()) return;
  f[at] = uint8_t(v >> 8), f[at + 1] = uint8_t(v);
}
uint16_t get_be16(const std::vector<uint8_t>& f, size_t at) {
  return at + 2 > f.size() ? 0 : uint16_t(f[at] << 8 | f[at + 1]);
}
uint32_t get_be32(const std::vector<uint8_t>& f, size_t at) {
  return at + 4 > f.size() ? 0
                           : uint32_t(f[at] << 24 | f[at + 1] << 16 | f[at + 2] << 8 | f[at + 3]);
}
void put_be32(std::vector<uint8_t>& f, size_t at, uint32_t v) {
  put_be16(f, at, uint16_t(v >> 16));
  put_be16(f, at + 2, uint16_t(v));
}

// Sums bytes [start, end] (`end` inclusive; 0 means the end of the frame) with `extra` and stores
// the checksum at `at`. A range outside the frame inserts nothing.
void insert_checksum(std::vector<uint8_t>& f, size_t start, size_t end, size_t at,
                     uint32_t extra = 0) {
  const size_t stop = end ? std::min(end + 1, f.size()) : f.size();
  if (start >= stop || at + 2 > f.size()) return;
  put_be16(f, at, inet_fold(inet_sum(std::span(f).subspan(start, stop - start), extra)));
}

}  // namespace

// The ring from head to tail, at most once around; a head or tail outside the ring, or a
// descriptor outside RAM, stops the engine until software fixes it (§3.4).
void E1000::transmit_ring() {
  if (!(reg(kTctl) & kTctlEn) || !(command() & pci::kCmdMaster)) return;
  const uint32_t n = reg(kTdlen) / kDescBytes;
  if (n == 0 || reg(kTdh) >= n || reg(kTdt) >= n) return;
  const uint64_t ring = uint64_t(reg(kTdbah)) << 32 | reg(kTdbal);
  bool progressed = false;
  for (uint32_t i = 0; i < n && reg(kTdh) != reg(kTdt); i++) {
    if (!transmit_one(ring + uint64_t(reg(kTdh)) * kDescBytes)) break;
    reg(kTdh) = (reg(kTdh) + 1) % n;
    progressed = true;
  }
  if (progressed && reg(kTdh) == reg(kTdt)) set_cause(kIntTxqe);
}

bool E1000::transmit_one(uint64_t at) {
  uint8_t d[kDescBytes];
  if (!mem_.read_block(at, d, sizeof d)) return false;
  const uint64_t addr = uint64_t(le32(d + 4)) << 32 | le32(d);
  const uint32_t dw2 = le32(d + 8);
  const uint8_t cmd = d[11];
  if (!(cmd & kTxDext)) {  // legacy (§3.3.3): length, CSO, CMD, STA, CSS
    append_tx(addr, dw2 & 0xffff);
    if (cmd & kTxEop) {
      if (!s_.tx_overflow && s_.tx.size() <= kMaxTxFrame) {
        if (cmd & kTxIc) insert_checksum(s_.tx, d[13], 0, d[10]);
        send_frame(s_.tx);
      }
      s_.tx.clear();
      s_.tx_overflow = false;
    }
  } else if (((dw2 >> 20) & 0xf) == kDtypContext) {  // §3.3.6
    s_.ctx.ipcss = d[0], s_.ctx.ipcso = d[1], s_.ctx.ipcse = le16(d + 2);
    s_.ctx.tucss = d[4], s_.ctx.tucso = d[5], s_.ctx.tucse = le16(d + 6);
    s_.ctx.paylen = dw2 & 0xfffff, s_.ctx.tucmd = cmd, s_.ctx.hdrlen = d[13],
    s_.ctx.mss = le16(d + 14);
  } else if (((dw2 >> 20) & 0xf) == kDtypData) {  // §3.3.7
    if (s_.tx.empty() &&
        !s_.tx_overflow) {  // the first descriptor's TSE and POPTS hold for the frame
      s_.tx_tse = cmd & kTxTse;
      s_.tx_popts = d[13];
    }
    append_tx(addr, dw2 & 0xfffff);
    if (cmd & kTxEop) end_of_packet(s_.tx_tse, s_.tx_popts);
  }
  if (cmd & kTxRs) {  // report status: DD written back into the descriptor (§3.3.3.2)
    d[12] |= kTxDd;
    mem_.write_block(at + 12, d + 12, 1);
    set_cause(kIntTxdw);
  }
  return true;
}

// Gathers a buffer; a frame that grows past kMaxTxBytes, or whose buffer is outside RAM, is
// dropped at its end.
void E1000::append_tx(uint64_t addr, uint32_t len) {
  if (len == 0 || s_.tx_overflow) return;
  if (s_.tx.size() + len > kMaxTxBytes) {
    s_.tx_overflow = true;
    return;
  }
  const size_t old = s_.tx.size();
  s_.tx.resize(old + len);
  if (!mem_.read_block(addr, s_.tx.data() + old, len)) s_.tx_overflow = true;
}

void E1000::end_of_packet(bool tse, uint8_t popts) {
  std::vector<uint8_t> frame;
  frame.swap(s_.tx);
  const bool dropped = s_.tx_overflow;
  s_.tx_overflow = false;
  if (dropped) return;
  const bool ip_csum = popts & kPoptsIxsm, l4_csum = popts & kPoptsTxsm;
  const Context& c = s_.ctx;
  if (!tse || !(c.tucmd & kTucmdTse) || c.mss == 0 || c.hdrlen == 0 || c.hdrlen >= frame.size()) {
    if (frame.size() <= kMaxTxFrame) send_segment(frame, ip_csum, l4_csum, false);
    return;
  }
  // TCP segmentation (§3.5): the header, then MSS bytes of payload per frame, each with its IP
  // length and identification, TCP sequence number and flags (FIN and PSH only on the last)
  // or UDP length made right, and its checksums inserted.
  const size_t hdr = c.hdrlen, payload = frame.size() - hdr;
  const uint16_t ip_id = get_be16(frame, c.ipcss + 4u);
  const uint32_t seq = get_be32(frame, c.tucss + 4u);
  unsigned index = 0;
  for (size_t off = 0; off < payload; off += c.mss, index++) {
    const size_t len = std::min<size_t>(c.mss, payload - off);
    const bool last = off + len == payload;
    std::vector<uint8_t> seg(frame.begin(), frame.begin() + ptrdiff_t(hdr));
    seg.insert(seg.end(), frame.begin() + ptrdiff_t(hdr + off),
               frame.begin() + ptrdiff_t(hdr + off + len));
    if (c.tucmd & kTucmdIp) {  // IPv4: total length, identification
      put_be16(seg, c.ipcss + 2u, uint16_t(seg.size() - c.ipcss));
      put_be16(seg, c.ipcss + 4u, uint16_t(ip_id + index));
    } else {  // IPv6: payload length
      put_be16(seg, c.ipcss + 4u, uint16_t(seg.size() - c.ipcss - 40));
    }
    if (c.tucmd & kTucmdTcp) {
      put_be32(seg, c.tucss + 4u, uint32_t(seq + off));
      if (!last && c.tucss + 13u < seg.size()) seg[c.tucss + 13u] &= uint8_t(~0x09);  // FIN, PSH
    } else {
      put_be16(seg, c.tucss + 4u, uint16_t(seg.size() - c.tucss));
    }
    send_segment(seg, ip_csum, l4_csum, true);
  }
}

// Checksum insertion with the context's offsets (§3.3.6): the IP header checksum over
// IPCSS..IPCSE, and the TCP/UDP checksum over TUCSS..TUCSE, which software seeded with the
// pseudo-header sum (without the length for TSO, which the device then adds per segment).
void E1000::send_segment(std::vector<uint8_t>& f, bool ip_csum, bool l4_csum, bool tse) {
  const Context& c = s_.ctx;
  if (ip_csum) {
    put_be16(f, c.ipcso, 0);
    insert_checksum(f, c.ipcss, c.ipcse, c.ipcso);
  }
  if (l4_csum && c.tucss < f.size()) {
    const uint32_t length = tse ? uint32_t(f.size() - c.tucss) : 0;
    insert_checksum(f, c.tucss, c.tucse, c.tucso, length);
  }
  send_frame(f);
}

void E1000::send_frame(std::span<const uint8_t> frame) {
  count(kGptc, kGotcl, frame.size());
  reg(kTpt)++;
  if (backend_) backend_->transmit(frame);
}

}  // namespace devices
