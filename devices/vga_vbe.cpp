// The Bochs VBE ("DISPI") interface of the VGA: mode registers behind ports 1CEh/1CFh, the
// linear framebuffer in BAR0 and 64 KiB banks at A0000h.
#include <algorithm>

#include "devices/vga.h"

namespace devices {
namespace {

using namespace vga;

constexpr bool valid_bpp(unsigned bpp) { return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32; }
constexpr unsigned bytes_per_pixel(unsigned bpp) { return (bpp + 7) / 8; }

}  // namespace

uint16_t Vga::vbe_read(unsigned index) const {
  if (index >= kVbeRegs) return 0;
  // With GETCAPS set, the mode registers report the largest values accepted.
  if (r_.vbe[kVbeEnable] & kVbeGetCaps) {
    if (index == kVbeXres) return kVbeMaxXres;
    if (index == kVbeYres) return kVbeMaxYres;
    if (index == kVbeBpp) return kVbeMaxBpp;
  }
  if (index == kVbeVideoMemory64k) return uint16_t(kVramBytes >> 16);
  return r_.vbe[index];
}

void Vga::vbe_write(unsigned index, uint16_t v) {
  auto& vbe = r_.vbe;
  switch (index) {
    case kVbeId:
      if (v >= kVbeId0 && v <= kVbeId5) vbe[kVbeId] = v;
      break;
    case kVbeXres:
    case kVbeYres:
    case kVbeBpp: {
      // The geometry changes only while the extension is off; nonsense values are ignored.
      if (vbe_enabled()) break;
      if (index == kVbeBpp && v == 0) v = 8;
      const bool ok = index == kVbeXres   ? v > 0 && v <= kVbeMaxXres && v % 8 == 0
                      : index == kVbeYres ? v > 0 && v <= kVbeMaxYres
                                          : valid_bpp(v);
      if (ok) vbe[index] = v;
      break;
    }
    case kVbeEnable: vbe_enable(v); break;
    case kVbeBank:
      if (uint32_t(v) << 16 < kVramBytes) vbe[kVbeBank] = v;
      break;
    case kVbeVirtWidth:
      if (v >= vbe[kVbeXres] && uint64_t(v) * bytes_per_pixel(vbe[kVbeBpp]) * vbe[kVbeYres] <= kVramBytes) {
        vbe[kVbeVirtWidth] = v;
        vbe_fit_virtual();
      }
      break;
    case kVbeXOffset:
    case kVbeYOffset:
      vbe[index] = v;  // vbe_mode() keeps the visible window inside VRAM
      break;
    default: break;  // VIRT_HEIGHT and VIDEO_MEMORY_64K are read-only
  }
}

void Vga::vbe_enable(uint16_t v) {
  auto& vbe = r_.vbe;
  const uint16_t kept = v & (kVbeEnabled | kVbeGetCaps | kVbe8BitDac | kVbeLfb | kVbeNoClear);
  if ((v & kVbeEnabled) && !vbe_enabled()) {
    const unsigned bpp = valid_bpp(vbe[kVbeBpp]) ? vbe[kVbeBpp] : 8;
    vbe[kVbeBpp] = uint16_t(bpp);
    const uint64_t bytes = uint64_t(vbe[kVbeXres]) * vbe[kVbeYres] * bytes_per_pixel(bpp);
    if (vbe[kVbeXres] == 0 || vbe[kVbeYres] == 0 || bytes > kVramBytes) {
      vbe[kVbeEnable] = kept & ~kVbeEnabled;  // a mode that does not fit stays off
      return;
    }
    vbe[kVbeVirtWidth] = vbe[kVbeXres];
    vbe[kVbeXOffset] = vbe[kVbeYOffset] = 0;
    vbe[kVbeBank] = 0;
    vbe_fit_virtual();
    if (!(v & kVbeNoClear)) std::fill_n(vram_.data(), size_t(bytes), 0);
  }
  vbe[kVbeEnable] = kept;
}

void Vga::vbe_fit_virtual() {
  auto& vbe = r_.vbe;
  const uint32_t pitch = std::max(1u, uint32_t(vbe[kVbeVirtWidth]) * bytes_per_pixel(vbe[kVbeBpp]));
  vbe[kVbeVirtHeight] = uint16_t(std::min<uint32_t>(kVramBytes / pitch, 0xffff));
}

Vga::VbeMode Vga::vbe_mode() const {
  const auto& vbe = r_.vbe;
  VbeMode m{};
  m.bpp = valid_bpp(vbe[kVbeBpp]) ? vbe[kVbeBpp] : 8;
  const unsigned bpp_bytes = bytes_per_pixel(m.bpp);
  m.xres = std::min<unsigned>(vbe[kVbeXres], kVbeMaxXres);
  m.pitch = std::max<unsigned>(vbe[kVbeVirtWidth], m.xres) * bpp_bytes;
  m.yres = std::min<unsigned>({vbe[kVbeYres], kVbeMaxYres, m.pitch ? unsigned(kVramBytes / m.pitch) : 0u});
  if (m.pitch == 0 || m.xres == 0 || m.yres == 0) return VbeMode{0, 0, m.bpp, 0, 0};
  const uint64_t start = uint64_t(vbe[kVbeYOffset]) * m.pitch + uint64_t(vbe[kVbeXOffset]) * bpp_bytes;
  const uint64_t span = uint64_t(m.yres - 1) * m.pitch + uint64_t(m.xres) * bpp_bytes;
  // Panning past the end of VRAM shows the start instead of reading outside it.
  m.start = start + span <= kVramBytes ? uint32_t(start) : 0;
  return m;
}

int64_t Vga::vbe_bank_offset(uint32_t offset) const {
  // The bank window is the first 64 KiB at A0000h.
  if (offset >= 0x10000) return -1;
  const uint64_t at = (uint64_t(r_.vbe[kVbeBank]) << 16) + offset;
  return at < kVramBytes ? int64_t(at) : -1;
}

}  // namespace devices
