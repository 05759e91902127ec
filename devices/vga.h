// A standard VGA on PCI with the Bochs VBE extensions, as firmware knows it from QEMU's "stdvga"
// (1234:1111, class 0300h). References: FreeVGA's register and memory descriptions (sequencer,
// CRTC, graphics and attribute controllers, DAC, the write/read pipeline) and the Bochs VBE
// "DISPI" interface (index port 1CEh, data port 1CFh).
//
// Integrator: attach as a PCI function; register ports 3B0h-3DFh (48 ports) and 1CEh-1CFh; map
// the legacy window legacy_window() at A0000h (128 KiB). BAR0 is the 16 MiB linear framebuffer.
//
// VRAM layout: the planar 256 KiB interleave the four planes, so planar address a of plane p is
// byte 4a + p (one dword load fills all four latches). VBE modes use the same VRAM linearly.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "devices/pci.h"
#include "machine/clock.h"
#include "mmu/phys_memory.h"
#include "mmu/zeroed_buffer.h"

namespace devices {

namespace vga {
constexpr uint32_t kVramBytes = 16u << 20;   // BAR0 and VBE memory
constexpr uint32_t kPlaneBytes = 1u << 16;   // 64 KiB per plane
constexpr uint32_t kLegacyBase = 0xa0000, kLegacySize = 0x20000;
constexpr uint16_t kPortBase = 0x3b0, kPortCount = 0x30;
constexpr uint16_t kVbeIndexPort = 0x1ce, kVbeDataPort = 0x1cf;
constexpr unsigned kSeqRegs = 5, kCrtcRegs = 0x19, kGfxRegs = 9, kAttrRegs = 0x15;

// Bochs VBE (DISPI) registers and values.
constexpr unsigned kVbeId = 0, kVbeXres = 1, kVbeYres = 2, kVbeBpp = 3, kVbeEnable = 4, kVbeBank = 5;
constexpr unsigned kVbeVirtWidth = 6, kVbeVirtHeight = 7, kVbeXOffset = 8, kVbeYOffset = 9;
constexpr unsigned kVbeVideoMemory64k = 0xa, kVbeRegs = 0xb;
constexpr uint16_t kVbeId0 = 0xb0c0, kVbeId5 = 0xb0c5;
constexpr uint16_t kVbeEnabled = 0x01, kVbeGetCaps = 0x02, kVbe8BitDac = 0x20, kVbeLfb = 0x40, kVbeNoClear = 0x80;
constexpr uint16_t kVbeMaxXres = 2560, kVbeMaxYres = 1600, kVbeMaxBpp = 32;

// Display timing in virtual time (a 70 Hz, 449-line frame as in the 400-line modes), used for
// the status bits of input status 1.
constexpr uint64_t kFrameNs = 1'000'000'000 / 70;
constexpr unsigned kFrameLines = 449, kActiveLines = 400, kRetraceStart = 412, kRetraceLines = 2;
constexpr uint64_t kLineNs = kFrameNs / kFrameLines;
constexpr uint64_t kLineActiveNs = kLineNs * 640 / 800;
}  // namespace vga

// Every guest-visible register; VRAM is held separately.
struct VgaRegs {
  uint8_t misc = 0;         // 3C2h write, 3CCh read
  uint8_t feature = 0;      // 3BAh/3DAh write, 3CAh read
  uint8_t vga_enable = 1;   // 3C3h
  uint8_t seq_index = 0;
  std::array<uint8_t, vga::kSeqRegs> seq{};
  uint8_t crtc_index = 0;
  std::array<uint8_t, vga::kCrtcRegs> crtc{};
  uint8_t gfx_index = 0;
  std::array<uint8_t, vga::kGfxRegs> gfx{};
  uint8_t attr_index = 0;   // with bit 5, palette address source
  uint8_t attr_flip = 0;    // 0: the next 3C0h write is an index
  std::array<uint8_t, vga::kAttrRegs> attr{};
  uint8_t dac_mask = 0xff;
  uint8_t dac_read_index = 0, dac_write_index = 0, dac_step = 0;
  uint8_t dac_reading = 0;  // 3C7h state: the last index written was the read index
  std::array<uint8_t, 3> dac_latch{};
  std::array<uint8_t, 256 * 3> dac{};
  std::array<uint8_t, 4> latch{};
  uint16_t vbe_index = 0;
  std::array<uint16_t, vga::kVbeRegs> vbe{};
};

class Vga : public PciDevice, public PortDevice {
 public:
  explicit Vga(const machine::Clock& clock);

  const char* name() const override { return "vga"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // The A0000h-BFFFFh window (offsets relative to A0000h) and the linear framebuffer.
  mmu::MmioHandler* legacy_window() { return &legacy_; }
  mmu::MmioHandler* lfb() { return &lfb_; }

  // For renderers and tests.
  const VgaRegs& regs() const { return r_; }
  std::span<const uint8_t> vram() const { return vram_.span(); }
  std::span<uint8_t> vram() { return vram_.span(); }
  bool vbe_enabled() const { return r_.vbe[vga::kVbeEnable] & vga::kVbeEnabled; }
  // The VBE mode's geometry, already validated against VRAM (bytes per pixel rounded up).
  struct VbeMode {
    unsigned xres, yres, bpp, pitch;
    uint32_t start;  // byte offset of the visible top-left pixel
  };
  VbeMode vbe_mode() const;
  // The DAC entry as 8-bit RGB, honouring the 6/8-bit DAC width.
  uint32_t dac_rgb(uint8_t index) const;

  // CPU accesses to the legacy window, one byte (offset relative to A0000h).
  uint8_t mem_read(uint32_t offset);
  void mem_write(uint32_t offset, uint8_t value);

 private:
  class LegacyWindow : public mmu::MmioHandler {
   public:
    explicit LegacyWindow(Vga& v) : v_(v) {}
    uint32_t mmio_read(uint32_t offset, unsigned size) override;
    void mmio_write(uint32_t offset, unsigned size, uint32_t value) override;

   private:
    Vga& v_;
  };
  class LinearWindow : public mmu::MmioHandler {
   public:
    explicit LinearWindow(Vga& v) : v_(v) {}
    uint32_t mmio_read(uint32_t offset, unsigned size) override;
    void mmio_write(uint32_t offset, unsigned size, uint32_t value) override;

   private:
    Vga& v_;
  };

  uint8_t read_byte(uint16_t port);
  void write_byte(uint16_t port, uint8_t value);
  bool port_decoded(uint16_t port) const;
  uint8_t input_status1();
  void write_crtc(uint8_t value);
  void write_attr(uint8_t value);
  uint8_t read_dac();
  void write_dac(uint8_t value);

  // Planar pipeline (vga.cpp): which plane offset a window offset reaches, or -1 if unmapped.
  int32_t window_offset(uint32_t offset) const;
  uint8_t planar_read(uint32_t addr);
  void planar_write(uint32_t addr, uint8_t value);

  // VBE (vga_vbe.cpp).
  uint16_t vbe_read(unsigned index) const;
  void vbe_write(unsigned index, uint16_t value);
  void vbe_enable(uint16_t value);
  void vbe_fit_virtual();
  int64_t vbe_bank_offset(uint32_t offset) const;

  const machine::Clock& clock_;
  VgaRegs r_;
  mmu::ZeroedBuffer vram_;
  LegacyWindow legacy_{*this};
  LinearWindow lfb_{*this};
};

}  // namespace devices
