#include "devices/vga.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

namespace devices {
namespace {

using namespace vga;

// Power-on registers: the 80x25 colour text mode (mode 3), so a machine without a VGA BIOS
// still shows what a guest writes to B8000h. Values from the public mode 3 register tables.
constexpr uint8_t kMode3Misc = 0x67;
constexpr std::array<uint8_t, kSeqRegs> kMode3Seq{0x03, 0x00, 0x03, 0x00, 0x02};
constexpr std::array<uint8_t, kCrtcRegs> kMode3Crtc{0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00,
                                                    0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
                                                    0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff};
constexpr std::array<uint8_t, kGfxRegs> kMode3Gfx{0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff};
constexpr std::array<uint8_t, kAttrRegs> kMode3Attr{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14,
                                                    0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
                                                    0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00};

// The EGA's 64 colours in the first DAC entries: bits 0-2 are 2/3 blue, green, red and bits
// 3-5 add 1/3 of each (6-bit DAC values).
constexpr std::array<uint8_t, 64 * 3> make_ega_dac() {
  std::array<uint8_t, 64 * 3> d{};
  for (unsigned i = 0; i < 64; i++) {
    const unsigned primary[3] = {(i >> 2) & 1, (i >> 1) & 1, i & 1};  // R, G, B
    const unsigned secondary[3] = {(i >> 5) & 1, (i >> 4) & 1, (i >> 3) & 1};
    for (unsigned c = 0; c < 3; c++) d[i * 3 + c] = uint8_t(primary[c] * 0x2a + secondary[c] * 0x15);
  }
  return d;
}
constexpr auto kEgaDac = make_ega_dac();

constexpr uint8_t expand(bool bit) { return bit ? 0xff : 0x00; }

}  // namespace

Vga::Vga(const machine::Clock& clock)
    : PciDevice(PciId{.vendor = 0x1234, .device = 0x1111, .class_code = 0x030000, .revision = 2}),
      clock_(clock),
      vram_(kVramBytes) {
  declare_bar(0, Space::Memory, kVramBytes, nullptr, &lfb_, "vga-lfb");
  // Prefetchable 32-bit memory (bit 3), as the framebuffer has no side effects.
  init32(pci::kBar0, 0x08, ~(kVramBytes - 1));
  // The legacy ports need I/O decode too, and firmware only takes a VGA with both enabled.
  init16(pci::kCommand, 0, pci::kCmdIo | pci::kCmdMemory);
  reset();
}

void Vga::reset() {
  PciDevice::reset();
  r_ = VgaRegs{};
  r_.misc = kMode3Misc;
  r_.seq = kMode3Seq;
  r_.crtc = kMode3Crtc;
  r_.gfx = kMode3Gfx;
  r_.attr = kMode3Attr;
  r_.attr_index = 0x20;
  std::copy(kEgaDac.begin(), kEgaDac.end(), r_.dac.begin());
  r_.vbe[kVbeId] = kVbeId5;
  r_.vbe[kVbeXres] = 640;
  r_.vbe[kVbeYres] = 480;
  r_.vbe[kVbeBpp] = 8;
  vram_.clear();
}

void Vga::serialize(Serializer& s) {
  PciDevice::serialize(s);
  s.io(r_);
  // VRAM up to its last non-zero 4 KiB block: most guests never touch the VBE memory.
  // Whole blocks are compared at a time, and loading starts from fresh zero pages instead of
  // writing zeros: both would otherwise touch all 16 MiB at every snapshot and state hash.
  constexpr uint32_t kBlock = 0x1000;
  uint32_t used = 0;
  if (!s.loading()) {
    static constexpr uint8_t kZero[kBlock] = {};
    const std::vector<uint8_t> touched = vram_.touched_pages();
    for (used = uint32_t(vram_.size()); used >= kBlock; used -= kBlock)
      if (touched[used / kBlock - 1] && std::memcmp(vram_.data() + used - kBlock, kZero, kBlock) != 0) break;
  }
  s.io(used);
  if (used > vram_.size() || used % kBlock)
    throw std::runtime_error("vga: VRAM size in the snapshot is too large");
  if (s.loading()) vram_.clear();
  s.bytes(vram_.data(), used);
  if (s.loading()) {
    // A damaged snapshot must not leave an index that reaches past a table.
    r_.attr_flip &= 1;
    r_.dac_reading &= 1;
    if (r_.dac_step > 2) r_.dac_step = 0;
    r_.seq_index &= 7;
    r_.gfx_index &= 15;
  }
}

// --- Ports --------------------------------------------------------------------------------

bool Vga::port_decoded(uint16_t port) const {
  // The CRTC and input status 1 answer at 3Bxh (monochrome) or 3Dxh (colour) by Misc bit 0.
  const bool colour = r_.misc & 1;
  if (port >= 0x3b0 && port < 0x3c0) return !colour;
  if (port >= 0x3d0 && port < 0x3e0) return colour;
  return true;
}

uint32_t Vga::port_read(uint16_t port, unsigned size) {
  if (port == kVbeIndexPort) return r_.vbe_index & (size == 1 ? 0xff : 0xffff);
  if (port == kVbeDataPort) return vbe_read(r_.vbe_index) & (size == 1 ? 0xff : 0xffff);
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++) v |= uint32_t(read_byte(uint16_t(port + i))) << (8 * i);
  return v;
}

void Vga::port_write(uint16_t port, unsigned size, uint32_t value) {
  if (port == kVbeIndexPort) {
    r_.vbe_index = uint16_t(size == 1 ? (r_.vbe_index & 0xff00) | (value & 0xff) : value & 0xffff);
    return;
  }
  if (port == kVbeDataPort) return vbe_write(r_.vbe_index, uint16_t(value));
  // A word write to an index port sets the index and then the data register, as on the ISA bus.
  for (unsigned i = 0; i < size && i < 4; i++) write_byte(uint16_t(port + i), uint8_t(value >> (8 * i)));
}

uint8_t Vga::read_byte(uint16_t port) {
  if (port < kPortBase || port >= kPortBase + kPortCount || !port_decoded(port)) return 0xff;
  switch (port) {
    case 0x3c0: return r_.attr_index;
    case 0x3c1: return (r_.attr_index & 0x1f) < kAttrRegs ? r_.attr[r_.attr_index & 0x1f] : 0;
    case 0x3c2: return 0x00;  // input status 0: no pending CRT interrupt
    case 0x3c3: return r_.vga_enable;
    case 0x3c4: return r_.seq_index;
    case 0x3c5: return r_.seq_index < kSeqRegs ? r_.seq[r_.seq_index] : 0;
    case 0x3c6: return r_.dac_mask;
    case 0x3c7: return r_.dac_reading ? 0x03 : 0x00;
    case 0x3c8: return r_.dac_write_index;
    case 0x3c9: return read_dac();
    case 0x3ca: return r_.feature;
    case 0x3cc: return r_.misc;
    case 0x3ce: return r_.gfx_index;
    case 0x3cf: return r_.gfx_index < kGfxRegs ? r_.gfx[r_.gfx_index] : 0;
    case 0x3b4:
    case 0x3d4: return r_.crtc_index;
    case 0x3b5:
    case 0x3d5: return r_.crtc_index < kCrtcRegs ? r_.crtc[r_.crtc_index] : 0;
    case 0x3ba:
    case 0x3da: return input_status1();
    default: return 0xff;
  }
}

void Vga::write_byte(uint16_t port, uint8_t v) {
  if (port < kPortBase || port >= kPortBase + kPortCount || !port_decoded(port)) return;
  switch (port) {
    case 0x3c0: write_attr(v); break;
    case 0x3c2: r_.misc = v; break;
    case 0x3c3: r_.vga_enable = v & 1; break;
    case 0x3c4: r_.seq_index = v & 7; break;
    case 0x3c5:
      if (r_.seq_index < kSeqRegs) r_.seq[r_.seq_index] = v;
      break;
    case 0x3c6: r_.dac_mask = v; break;
    case 0x3c7:
      r_.dac_read_index = v;
      r_.dac_step = 0;
      r_.dac_reading = 1;
      break;
    case 0x3c8:
      r_.dac_write_index = v;
      r_.dac_step = 0;
      r_.dac_reading = 0;
      break;
    case 0x3c9: write_dac(v); break;
    case 0x3ce: r_.gfx_index = v & 15; break;
    case 0x3cf:
      if (r_.gfx_index < kGfxRegs) r_.gfx[r_.gfx_index] = v;
      break;
    case 0x3b4:
    case 0x3d4: r_.crtc_index = v; break;
    case 0x3b5:
    case 0x3d5: write_crtc(v); break;
    case 0x3ba:
    case 0x3da: r_.feature = v; break;
    default: break;  // 3C1h, 3CAh and 3CCh are read-only on the VGA
  }
}

uint8_t Vga::input_status1() {
  r_.attr_flip = 0;  // reading input status 1 returns 3C0h to index state
  // A fixed frame in virtual time: display enable is low in horizontal and vertical blanking,
  // vertical retrace lasts two lines. Deterministic, and polling loops see every edge.
  const uint64_t t = clock_.now_ns() % kFrameNs;
  const uint64_t line = t / kLineNs, in_line = t % kLineNs;
  const bool vretrace = line >= kRetraceStart && line < kRetraceStart + kRetraceLines;
  const bool blank = line >= kActiveLines || in_line >= kLineActiveNs;
  return uint8_t((blank ? 0x01 : 0) | (vretrace ? 0x08 : 0));
}

void Vga::write_crtc(uint8_t v) {
  const uint8_t i = r_.crtc_index;
  if (i >= kCrtcRegs) return;
  // CR11 bit 7 protects CR0-CR7, except the line compare bit 8 in CR7 bit 4.
  if ((r_.crtc[0x11] & 0x80) && i <= 7) {
    if (i == 7) r_.crtc[7] = uint8_t((r_.crtc[7] & ~0x10) | (v & 0x10));
    return;
  }
  r_.crtc[i] = v;
}

void Vga::write_attr(uint8_t v) {
  if (!r_.attr_flip) {
    r_.attr_index = v & 0x3f;
    r_.attr_flip = 1;
    return;
  }
  r_.attr_flip = 0;
  const unsigned i = r_.attr_index & 0x1f;
  if (i >= kAttrRegs) return;
  if (i < 16) {
    // The palette is writable only while the screen is off its source (PAS = 0).
    if (!(r_.attr_index & 0x20)) r_.attr[i] = v & 0x3f;
    return;
  }
  r_.attr[i] = v;
}

uint8_t Vga::read_dac() {
  const uint8_t v = r_.dac[r_.dac_read_index * 3u + r_.dac_step];
  if (++r_.dac_step == 3) {
    r_.dac_step = 0;
    r_.dac_read_index++;
  }
  return v;
}

void Vga::write_dac(uint8_t v) {
  const bool wide = r_.vbe[kVbeEnable] & kVbe8BitDac;
  r_.dac_latch[r_.dac_step] = wide ? v : v & 0x3f;
  if (++r_.dac_step == 3) {
    std::copy(r_.dac_latch.begin(), r_.dac_latch.end(), r_.dac.begin() + r_.dac_write_index * 3u);
    r_.dac_step = 0;
    r_.dac_write_index++;
  }
}

uint32_t Vga::dac_rgb(uint8_t index) const {
  const bool wide = r_.vbe[kVbeEnable] & kVbe8BitDac;
  uint32_t rgb = 0;
  for (unsigned c = 0; c < 3; c++) {
    const uint8_t v = r_.dac[index * 3u + c];
    const uint32_t v8 = wide ? v : uint32_t(((v & 0x3f) << 2) | ((v & 0x3f) >> 4));
    rgb = rgb << 8 | v8;
  }
  return rgb;
}

// --- Memory -------------------------------------------------------------------------------

int32_t Vga::window_offset(uint32_t offset) const {
  // GR6 bits 3-2: A0000h/128K, A0000h/64K, B0000h/32K, B8000h/32K.
  static constexpr uint32_t kBase[4] = {0x00000, 0x00000, 0x10000, 0x18000};
  static constexpr uint32_t kSize[4] = {0x20000, 0x10000, 0x08000, 0x08000};
  const unsigned map = (r_.gfx[6] >> 2) & 3;
  if (offset < kBase[map] || offset - kBase[map] >= kSize[map]) return -1;
  return int32_t(offset - kBase[map]);
}

uint8_t Vga::planar_read(uint32_t addr) {
  unsigned plane;
  if (r_.seq[4] & 0x08) {  // chain 4: the low two address bits pick the plane
    plane = addr & 3;
    addr &= ~3u;
  } else if (r_.gfx[5] & 0x10) {  // odd/even: address bit 0 picks plane 0/1 (or 2/3)
    plane = (r_.gfx[4] & 2) | (addr & 1);
    addr &= ~1u;
  } else {
    plane = r_.gfx[4] & 3;
  }
  const uint32_t base = (addr & (kPlaneBytes - 1)) * 4;
  std::copy_n(vram_.data() + base, 4, r_.latch.begin());
  if (!(r_.gfx[5] & 0x08)) return r_.latch[plane];
  // Read mode 1: a bit is 1 where every plane enabled in Colour Don't Care matches Colour Compare.
  uint8_t differ = 0;
  for (unsigned p = 0; p < 4; p++)
    if (r_.gfx[7] >> p & 1) differ |= uint8_t(r_.latch[p] ^ expand(r_.gfx[2] >> p & 1));
  return uint8_t(~differ);
}

void Vga::planar_write(uint32_t addr, uint8_t v) {
  unsigned planes = r_.seq[2] & 0x0f;
  if (r_.seq[4] & 0x08) {
    planes &= 1u << (addr & 3);
    addr &= ~3u;
  } else if (!(r_.seq[4] & 0x04)) {  // odd/even writes: even addresses to planes 0/2, odd to 1/3
    planes &= (addr & 1) ? 0x0a : 0x05;
    addr &= ~1u;
  }
  if (!planes) return;
  const uint32_t base = (addr & (kPlaneBytes - 1)) * 4;
  const unsigned mode = r_.gfx[5] & 3;
  const uint8_t rotated = std::rotr(v, r_.gfx[3] & 7);
  const unsigned func = (r_.gfx[3] >> 3) & 3;
  const uint8_t set_reset = r_.gfx[0], enable_sr = r_.gfx[1];
  const uint8_t mask = mode == 3 ? uint8_t(r_.gfx[8] & rotated) : r_.gfx[8];
  for (unsigned p = 0; p < 4; p++) {
    if (!(planes >> p & 1)) continue;
    const uint8_t latch = r_.latch[p];
    uint8_t d;
    switch (mode) {
      case 0: d = (enable_sr >> p & 1) ? expand(set_reset >> p & 1) : rotated; break;
      case 1: vram_[base + p] = latch; continue;  // the latches as they are
      case 2: d = expand(v >> p & 1); break;
      default: d = expand(set_reset >> p & 1); break;
    }
    switch (func) {
      case 1: d &= latch; break;
      case 2: d |= latch; break;
      case 3: d ^= latch; break;
      default: break;
    }
    vram_[base + p] = uint8_t((d & mask) | (latch & ~mask));
  }
}

uint8_t Vga::mem_read(uint32_t offset) {
  if (vbe_enabled()) {
    const int64_t at = vbe_bank_offset(offset);
    return at < 0 ? 0xff : vram_[size_t(at)];
  }
  const int32_t at = window_offset(offset);
  return at < 0 ? 0xff : planar_read(uint32_t(at));
}

void Vga::mem_write(uint32_t offset, uint8_t value) {
  if (vbe_enabled()) {
    const int64_t at = vbe_bank_offset(offset);
    if (at >= 0) vram_[size_t(at)] = value;
    return;
  }
  const int32_t at = window_offset(offset);
  if (at >= 0) planar_write(uint32_t(at), value);
}

uint32_t Vga::LegacyWindow::mmio_read(uint32_t offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++) v |= uint32_t(v_.mem_read(offset + i)) << (8 * i);
  return v;
}

void Vga::LegacyWindow::mmio_write(uint32_t offset, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size && i < 4; i++) v_.mem_write(offset + i, uint8_t(value >> (8 * i)));
}

uint32_t Vga::LinearWindow::mmio_read(uint32_t offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++)
    if (offset + i < v_.vram_.size()) v |= uint32_t(v_.vram_[offset + i]) << (8 * i);
  return v;
}

void Vga::LinearWindow::mmio_write(uint32_t offset, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size && i < 4; i++)
    if (offset + i < v_.vram_.size()) v_.vram_[offset + i] = uint8_t(value >> (8 * i));
}

}  // namespace devices
