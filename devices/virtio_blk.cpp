#include "devices/virtio_blk.h"

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace devices {

namespace {

using Buffers = std::span<const Virtqueue::Buffer>;

// Copies `len` bytes between `host` and the concatenation of `bufs`, starting `skip` bytes into
// it; false if a buffer leaves RAM or the buffers end first.
bool copy_guest(mmu::PhysMemory& mem, Buffers bufs, uint64_t skip, uint8_t* host, uint64_t len,
                bool to_guest) {
  for (const Virtqueue::Buffer& b : bufs) {
    if (len == 0) break;
    if (skip >= b.len) {
      skip -= b.len;
      continue;
    }
    if (b.addr > std::numeric_limits<uint64_t>::max() - b.len) return false;  // wraps around
    const uint64_t n = std::min<uint64_t>(b.len - skip, len);
    if (!(to_guest ? mem.write_block(b.addr + skip, host, n)
                   : mem.read_block(b.addr + skip, host, n)))
      return false;
    host += n, len -= n, skip = 0;
  }
  return len == 0;
}

uint64_t total(Buffers bufs) {
  uint64_t n = 0;
  for (const Virtqueue::Buffer& b : bufs) n += b.len;
  return n;
}

}  // namespace

VirtioBlk::VirtioBlk(mmu::PhysMemory& mem, machine::Clock& clock, std::unique_ptr<DiskImage> image,
                     std::string serial)
    : VirtioPci(mem, 2, 0x010000, 1,
                kFeatureSizeMax | kFeatureSegMax | kFeatureBlkSize | kFeatureFlush |
                    (image->writable() ? 0 : kFeatureRo)),
      clock_(clock),
      timer_(clock.add_timer([this] { serve(); })),
      image_(std::move(image)),
      serial_(std::move(serial)) {}

// The configuration layout (§5.2.4): capacity (le64, sectors) at 0, size_max (le32) at 8,
// seg_max (le32) at 12, geometry at 16 (not offered: zero), blk_size (le32) at 20.
uint8_t VirtioBlk::device_config(unsigned off) const {
  auto byte = [](uint64_t v, unsigned i) { return uint8_t(v >> (8 * i)); };
  if (off < 8) return byte(capacity(), off);
  if (off < 12) return byte(kSizeMax, off - 8);
  if (off < 16) return byte(kSegMax, off - 12);
  if (off >= 20 && off < 24) return byte(kSector, off - 20);
  return 0;
}

void VirtioBlk::device_reset() { clock_.cancel(timer_); }

void VirtioBlk::queue_notified(unsigned) {
  if (!clock_.armed(timer_)) clock_.arm(timer_, clock_.now_ns() + kLatencyNs);
}

// Every available request, in order. A chain that cannot carry a request (no readable header,
// no writable status byte, a readable buffer after a writable one) is a driver error the device
// cannot answer in the chain: it asks for a reset instead (§2.1.2).
void VirtioBlk::serve() {
  if (!driver_ok() || needs_reset()) return;
  Virtqueue& q = queue(0);
  bool any = false;
  while (auto chain = q.pop(mem_)) {
    const auto& bufs = chain->buffers;
    const auto first_out = std::find_if(bufs.begin(), bufs.end(),
                                        [](const Virtqueue::Buffer& b) { return b.device_writes; });
    const Buffers in(bufs.begin(), first_out), out(first_out, bufs.end());
    const uint64_t out_len = total(out);
    if (total(in) < kHeaderBytes || out_len == 0 ||
        std::any_of(first_out, bufs.end(), [](const auto& b) { return !b.device_writes; })) {
      device_error();
      break;
    }
    uint32_t written = 0;
    uint8_t status = execute(in, out, out_len - 1, written);
    if (status != kStatusOk) written = 0;
    // The status byte is the last writable one; if even it is outside RAM, nothing is said.
    if (copy_guest(mem_, out, out_len - 1, &status, 1, true))
      written++;
    else
      written = 0;
    q.push(mem_, chain->head, written);
    any = true;
  }
  if (any) used(0);
}

uint8_t VirtioBlk::execute(Buffers in, Buffers out, uint64_t out_len, uint32_t& written) {
  std::array<uint8_t, kHeaderBytes> hdr;
  if (!copy_guest(mem_, in, 0, hdr.data(), hdr.size(), false)) return kStatusIoErr;
  uint32_t type = 0;
  uint64_t sector = 0;
  for (unsigned i = 0; i < 4; i++) type |= uint32_t(hdr[i]) << (8 * i);
  for (unsigned i = 0; i < 8; i++) sector |= uint64_t(hdr[8 + i]) << (8 * i);
  switch (type) {
    case kTypeIn:
      if (transfer(true, sector, out, 0, out_len) != kStatusOk) return kStatusIoErr;
      written = uint32_t(out_len);
      return kStatusOk;
    case kTypeOut:
      // §5.2.6.2: a device offering VIRTIO_BLK_F_RO fails writes and writes nothing.
      if (!image_->writable()) return kStatusIoErr;
      return transfer(false, sector, in, kHeaderBytes, total(in) - kHeaderBytes);
    case kTypeFlush: image_->flush(); return kStatusOk;
    case kTypeGetId: {
      // The serial, NUL-padded to 20 bytes (not terminated when it fills them).
      std::array<uint8_t, kIdBytes> id{};
      std::copy_n(serial_.begin(), std::min<size_t>(serial_.size(), kIdBytes), id.begin());
      const uint64_t n = std::min<uint64_t>(out_len, kIdBytes);
      if (!copy_guest(mem_, out, 0, id.data(), n, true)) return kStatusIoErr;
      written = uint32_t(n);
      return kStatusOk;
    }
    default: return kStatusUnsupp;
  }
}

// Moves `len` bytes (whole sectors, inside the capacity) between the image at `sector` and
// `bufs` from `skip` on, a piece at a time so that no guest-given length sizes a host buffer.
uint8_t VirtioBlk::transfer(bool to_guest, uint64_t sector, Buffers bufs, uint64_t skip,
                            uint64_t len) {
  if (len % kSector != 0 || sector > capacity() || len / kSector > capacity() - sector)
    return kStatusIoErr;
  constexpr uint64_t kPiece = 64 * 1024;
  std::vector<uint8_t> buf(std::min(len, kPiece));
  for (uint64_t done = 0; done < len;) {
    const uint64_t n = std::min(len - done, kPiece);
    const uint64_t at = sector * kSector + done;
    const bool ok = to_guest ? image_->read(at, buf.data(), n) &&
                                   copy_guest(mem_, bufs, skip + done, buf.data(), n, true)
                             : copy_guest(mem_, bufs, skip + done, buf.data(), n, false) &&
                                   image_->write(at, buf.data(), n);
    if (!ok) return kStatusIoErr;
    done += n;
  }
  return kStatusOk;
}

}  // namespace devices
