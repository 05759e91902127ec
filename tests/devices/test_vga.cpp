#include <catch2/catch.hpp>

#include "devices/vga.h"
#include "devices/vga_render.h"

namespace {

using namespace devices;

struct Rig {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  Vga vga{clock};

  void out(uint16_t port, uint8_t v) { vga.port_write(port, 1, v); }
  uint8_t in(uint16_t port) { return uint8_t(vga.port_read(port, 1)); }
  void seq(uint8_t i, uint8_t v) { out(0x3c4, i), out(0x3c5, v); }
  void gfx(uint8_t i, uint8_t v) { out(0x3ce, i), out(0x3cf, v); }
  void crtc(uint8_t i, uint8_t v) { out(0x3d4, i), out(0x3d5, v); }
  void vbe(uint16_t i, uint16_t v) {
    vga.port_write(vga::kVbeIndexPort, 2, i);
    vga.port_write(vga::kVbeDataPort, 2, v);
  }
  uint16_t vbe_get(uint16_t i) {
    vga.port_write(vga::kVbeIndexPort, 2, i);
    return uint16_t(vga.port_read(vga::kVbeDataPort, 2));
  }
  uint8_t plane(unsigned p, uint32_t offset) const { return vga.vram()[offset * 4 + p]; }
  // Sequential planar access at A0000h/64K (as in mode 12h).
  void planar_setup() {
    seq(2, 0x0f);
    seq(4, 0x06);
    gfx(5, 0x00);
    gfx(6, 0x05);
  }
};

}  // namespace

TEST_CASE("VGA registers read back and decode by the colour/mono select", "[vga]") {
  Rig r;
  r.out(0x3c2, 0x67);
  CHECK(r.in(0x3cc) == 0x67);
  r.seq(2, 0x0a);
  CHECK(r.in(0x3c5) == 0x0a);
  CHECK(r.in(0x3c4) == 2);
  // A word write to an index port is index then data.
  r.vga.port_write(0x3ce, 2, 0x5508);
  CHECK(r.in(0x3cf) == 0x55);
  r.crtc(0x0e, 0x12);
  CHECK(r.in(0x3d5) == 0x12);
  CHECK(r.in(0x3b5) == 0xff);  // colour mode: the mono CRTC ports do not answer
  r.out(0x3c2, 0x66);
  CHECK(r.in(0x3d5) == 0xff);
  r.out(0x3b4, 0x0e);
  CHECK(r.in(0x3b5) == 0x12);
  r.out(0x3c2, 0x67);
  // CR11 bit 7 protects CR0-CR7, except CR7 bit 4.
  r.crtc(0x11, 0x8e);
  r.crtc(0x00, 0x12);
  CHECK(r.in(0x3d5) == 0x5f);
  r.crtc(0x07, 0x00);
  CHECK(r.in(0x3d5) == 0x0f);  // 1Fh with bit 4 cleared
  r.crtc(0x11, 0x0e);
  r.crtc(0x00, 0x12);
  CHECK(r.in(0x3d5) == 0x12);
  // Out-of-range indices go nowhere.
  r.crtc(0x40, 0x99);
  CHECK(r.in(0x3d5) == 0);
}

TEST_CASE("VGA attribute controller flip-flop", "[vga]") {
  Rig r;
  r.in(0x3da);
  r.out(0x3c0, 0x01);  // index 1, PAS = 0: palette writable
  r.out(0x3c0, 0x2a);
  CHECK(r.in(0x3c0) == 0x01);
  CHECK(r.in(0x3c1) == 0x2a);
  r.out(0x3c0, 0x10);  // back in index state: this selects register 10h
  r.out(0x3c0, 0x41);
  CHECK(r.vga.regs().attr[0x10] == 0x41);
  // A read of input status 1 in the middle resets to the index state.
  r.out(0x3c0, 0x12);
  r.in(0x3da);
  r.out(0x3c0, 0x13);
  r.out(0x3c0, 0x05);
  CHECK(r.vga.regs().attr[0x12] == 0x0f);
  CHECK(r.vga.regs().attr[0x13] == 0x05);
  // With PAS set the palette is locked.
  r.out(0x3c0, 0x21);
  r.out(0x3c0, 0x3f);
  CHECK(r.vga.regs().attr[1] == 0x2a);
}

TEST_CASE("VGA DAC auto-increments through R, G, B", "[vga]") {
  Rig r;
  r.out(0x3c8, 5);
  for (uint8_t v : {1, 2, 3, 4, 5, 0x7f}) r.out(0x3c9, v);
  CHECK(r.in(0x3c8) == 7);
  CHECK(r.in(0x3c7) == 0);
  r.out(0x3c7, 5);
  CHECK(r.in(0x3c7) == 3);
  std::vector<uint8_t> got;
  for (int i = 0; i < 6; i++) got.push_back(r.in(0x3c9));
  CHECK(got == std::vector<uint8_t>{1, 2, 3, 4, 5, 0x3f});  // six bits wide
  CHECK(r.vga.dac_rgb(5) == 0x04080c);
  // Index 255 wraps to 0.
  r.out(0x3c8, 255);
  for (int i = 0; i < 4; i++) r.out(0x3c9, 9);
  CHECK(r.in(0x3c8) == 0);
}

TEST_CASE("VGA write modes 0-3 and read modes 0-1", "[vga]") {
  Rig r;
  r.planar_setup();
  // Mode 0 with set/reset on planes 0-1 (values 1, 0) and bit mask F0h over zero latches.
  r.gfx(1, 0x03);
  r.gfx(0, 0x01);
  r.gfx(8, 0xf0);
  r.vga.mem_read(0x10);
  r.vga.mem_write(0x10, 0xaa);
  CHECK(r.plane(0, 0x10) == 0xf0);
  CHECK(r.plane(1, 0x10) == 0x00);
  CHECK(r.plane(2, 0x10) == 0xa0);
  CHECK(r.plane(3, 0x10) == 0xa0);
  // Mode 0 with rotate 1 and XOR against latches of 0Fh.
  r.gfx(1, 0x00);
  r.gfx(8, 0xff);
  r.vga.mem_write(0x20, 0x0f);
  r.vga.mem_read(0x20);
  r.gfx(3, 0x19);
  r.vga.mem_write(0x20, 0x81);
  for (unsigned p = 0; p < 4; p++) CHECK(r.plane(p, 0x20) == 0xcf);  // ror(81h) = C0h ^ 0Fh
  r.gfx(3, 0x00);
  // Mode 1 copies the latches.
  r.vga.mem_read(0x10);
  r.gfx(5, 0x01);
  r.vga.mem_write(0x30, 0x00);
  CHECK(r.plane(0, 0x30) == 0xf0);
  CHECK(r.plane(2, 0x30) == 0xa0);
  // Mode 2: data bits 0-3 fill the planes, under bit mask 3Ch, latches CFh.
  r.vga.mem_read(0x20);
  r.gfx(5, 0x02);
  r.gfx(8, 0x3c);
  r.vga.mem_write(0x40, 0x05);
  CHECK(r.plane(0, 0x40) == 0xff);
  CHECK(r.plane(1, 0x40) == 0xc3);
  CHECK(r.plane(2, 0x40) == 0xff);
  CHECK(r.plane(3, 0x40) == 0xc3);
  // Mode 3: set/reset 1010b as data, bit mask F0h AND data 3Ch = 30h, latches CFh.
  r.vga.mem_read(0x20);
  r.gfx(5, 0x03);
  r.gfx(0, 0x0a);
  r.gfx(8, 0xf0);
  r.vga.mem_write(0x50, 0x3c);
  CHECK(r.plane(0, 0x50) == 0xcf);
  CHECK(r.plane(1, 0x50) == 0xff);
  CHECK(r.plane(2, 0x50) == 0xcf);
  CHECK(r.plane(3, 0x50) == 0xff);
  // Map mask limits the planes written.
  r.gfx(5, 0x00);
  r.gfx(8, 0xff);
  r.seq(2, 0x04);
  r.vga.mem_write(0x60, 0x77);
  CHECK(r.plane(2, 0x60) == 0x77);
  CHECK(r.plane(0, 0x60) == 0x00);
  // Read mode 0 returns the plane of Read Map Select.
  r.gfx(4, 2);
  CHECK(r.vga.mem_read(0x10) == 0xa0);
  // Read mode 1 at 40h (planes FF, C3, FF, C3) against colour 0101b.
  r.gfx(5, 0x08);
  r.gfx(2, 0x05);
  r.gfx(7, 0x0f);
  CHECK(r.vga.mem_read(0x40) == 0x3c);
  r.gfx(7, 0x05);  // planes 1 and 3 don't care
  CHECK(r.vga.mem_read(0x40) == 0xff);
  r.gfx(7, 0x00);
  CHECK(r.vga.mem_read(0x40) == 0xff);
}

TEST_CASE("VGA memory map select places the window", "[vga]") {
  Rig r;
  r.planar_setup();
  r.gfx(4, 0);
  r.gfx(6, 0x09);  // B0000h, 32K
  r.vga.mem_write(0x10000 + 3, 0x42);
  CHECK(r.plane(0, 3) == 0x42);
  CHECK(r.vga.mem_read(0x00003) == 0xff);  // A0000h is not decoded now
  r.vga.mem_write(0x00004, 0x42);
  CHECK(r.plane(0, 4) == 0x00);
}

TEST_CASE("VGA chain-4 addressing and a mode 13h picture", "[vga]") {
  Rig r;
  // Mode 13h registers.
  r.out(0x3c2, 0x63);
  const uint8_t seq[] = {0x03, 0x01, 0x0f, 0x00, 0x0e};
  const uint8_t crtc[] = {0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff};
  const uint8_t gfx[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff};
  for (uint8_t i = 0; i < 5; i++) r.seq(i, seq[i]);
  r.crtc(0x11, 0x0e);
  for (uint8_t i = 0; i < 25; i++) r.crtc(i, crtc[i]);
  for (uint8_t i = 0; i < 9; i++) r.gfx(i, gfx[i]);
  r.in(0x3da);
  for (uint8_t i = 0; i < 16; i++) r.out(0x3c0, i), r.out(0x3c0, i);
  r.out(0x3c0, 0x30), r.out(0x3c0, 0x41);
  r.out(0x3c0, 0x20);  // palette source back to the display
  for (uint32_t i = 0; i < 5; i++) r.vga.mem_write(i, uint8_t(0x11 * (i + 1)));
  r.vga.mem_write(320, 0x99);
  // CPU byte a goes to plane a & 3, at plane offset a & ~3.
  CHECK(r.plane(0, 0) == 0x11);
  CHECK(r.plane(1, 0) == 0x22);
  CHECK(r.plane(2, 0) == 0x33);
  CHECK(r.plane(3, 0) == 0x44);
  CHECK(r.plane(0, 4) == 0x55);
  CHECK(r.plane(1, 4) == 0x00);
  for (uint32_t i = 0; i < 5; i++) CHECK(r.vga.mem_read(i) == 0x11 * (i + 1));

  const VgaFrame f = vga_render(r.vga);
  REQUIRE(f.width == 320);
  REQUIRE(f.height == 200);
  CHECK(f.pixels[1] == r.vga.dac_rgb(0x22));
  CHECK(f.pixels[4] == r.vga.dac_rgb(0x55));
  CHECK(f.pixels[320] == r.vga.dac_rgb(0x99));
  CHECK(vga_text_lines(r.vga).empty());
}

TEST_CASE("VGA odd/even text addressing and the text grid", "[vga]") {
  Rig r;  // powers up in 80x25 colour text
  auto put = [&](unsigned row, unsigned col, uint8_t ch, uint8_t attr) {
    const uint32_t a = 0x18000 + (row * 80 + col) * 2;
    r.vga.mem_write(a, ch);
    r.vga.mem_write(a + 1, attr);
  };
  put(0, 0, 'H', 0x07);
  put(0, 1, 'i', 0x1f);
  // Even bytes land in plane 0, odd bytes in plane 1, both at the even offset.
  CHECK(r.plane(0, 0) == 'H');
  CHECK(r.plane(1, 0) == 0x07);
  CHECK(r.plane(0, 2) == 'i');
  CHECK(r.plane(1, 2) == 0x1f);
  CHECK(r.plane(0, 1) == 0);
  CHECK(r.vga.mem_read(0x18002) == 'i');
  CHECK(r.vga.mem_read(0x18003) == 0x1f);

  const std::string hello = "Hello, world";
  for (unsigned i = 0; i < hello.size(); i++) put(1, i, uint8_t(hello[i]), 0x07);
  put(3, 5, 0x8e, 0x07);  // Ä
  put(3, 6, 0xea, 0x07);  // Ω
  put(3, 7, 0xc9, 0x07);  // ╔
  put(24, 79, '!', 0x07);
  auto lines = vga_text_lines(r.vga);
  REQUIRE(lines.size() == 25);
  CHECK(lines[0] == "Hi");
  CHECK(lines[1] == "Hello, world");
  CHECK(lines[2].empty());
  CHECK(lines[3] == "     \u00c4\u03a9\u2554");
  CHECK(lines[24] == std::string(79, ' ') + "!");

  // The start address (in characters) scrolls the display by a row.
  r.crtc(0x0c, 0);
  r.crtc(0x0d, 80);
  lines = vga_text_lines(r.vga);
  CHECK(lines[0] == "Hello, world");
  // 40 columns: CR01 and the offset register.
  r.crtc(0x0d, 0);
  r.crtc(0x11, 0x0e);
  r.crtc(0x01, 39);
  r.crtc(0x13, 20);
  lines = vga_text_lines(r.vga);
  CHECK(lines.size() == 25);
  CHECK(lines[0] == "Hi");
  CHECK(lines[2] == "Hello, world");  // row 1 of 80 columns starts at character 80 = row 2 of 40
}

TEST_CASE("VGA renders text with the font from plane 2", "[vga]") {
  Rig r;
  // Glyph 1, scan line 0: one pixel at the left and one at the right of the eight.
  r.vga.vram()[(1 * 32 + 0) * 4 + 2] = 0x81;
  r.vga.mem_write(0x18000, 1);
  r.vga.mem_write(0x18001, 0x1e);
  const VgaFrame f = vga_render(r.vga);
  REQUIRE(f.width == 720);
  REQUIRE(f.height == 400);
  const uint32_t fg = r.vga.dac_rgb(0x3e), bg = r.vga.dac_rgb(0x01);
  CHECK(fg != bg);
  CHECK(f.pixels[0] == fg);
  CHECK(f.pixels[1] == bg);
  CHECK(f.pixels[7] == fg);
  CHECK(f.pixels[8] == bg);  // ninth column blank outside C0h-DFh
  CHECK(f.pixels[720] == bg);
  // The cursor (lines 13-14 at location 0) draws in the foreground colour.
  CHECK(f.pixels[13 * 720 + 3] == fg);
  // 8-dot characters.
  r.seq(1, 0x01);
  CHECK(vga_render(r.vga).width == 640);
}

TEST_CASE("VGA retrace and display-enable bits follow virtual time", "[vga]") {
  Rig r;
  auto status = [&](uint64_t ns) {
    r.icount = ns;
    return r.in(0x3da);
  };
  CHECK((status(10) & 0x09) == 0x00);
  CHECK((status(vga::kLineActiveNs + 5) & 0x09) == 0x01);
  CHECK((status(vga::kRetraceStart * vga::kLineNs + 10) & 0x09) == 0x09);
  CHECK((status((vga::kRetraceStart + vga::kRetraceLines) * vga::kLineNs + 10) & 0x09) == 0x01);
  CHECK((status(vga::kFrameNs + 10) & 0x09) == 0x00);
  // A loop polling for retrace finds it within one frame, and at the same time every run.
  uint64_t t = 0;
  while (!(status(t) & 0x08)) t += 1000;
  CHECK(t < vga::kFrameNs);
  CHECK(t == (vga::kRetraceStart * vga::kLineNs + 999) / 1000 * 1000);
}

TEST_CASE("VGA Bochs VBE mode set, linear framebuffer and banks", "[vga][vbe]") {
  Rig r;
  r.vbe(vga::kVbeId, 0xb0c4);
  CHECK(r.vbe_get(vga::kVbeId) == 0xb0c4);
  r.vbe(vga::kVbeId, 0x1234);
  CHECK(r.vbe_get(vga::kVbeId) == 0xb0c4);
  CHECK(r.vbe_get(vga::kVbeVideoMemory64k) == 256);
  r.vbe(vga::kVbeEnable, vga::kVbeGetCaps);
  CHECK(r.vbe_get(vga::kVbeXres) == vga::kVbeMaxXres);
  CHECK(r.vbe_get(vga::kVbeBpp) == 32);
  r.vbe(vga::kVbeEnable, 0);

  r.vbe(vga::kVbeXres, 800);
  r.vbe(vga::kVbeYres, 600);
  r.vbe(vga::kVbeBpp, 32);
  r.vbe(vga::kVbeXres, 10000);  // beyond the maximum: ignored
  r.vbe(vga::kVbeBpp, 12);      // no such depth: ignored
  r.vbe(vga::kVbeEnable, vga::kVbeEnabled | vga::kVbeLfb);
  CHECK(r.vbe_get(vga::kVbeXres) == 800);
  CHECK(r.vbe_get(vga::kVbeBpp) == 32);
  CHECK(r.vbe_get(vga::kVbeVirtWidth) == 800);
  CHECK(r.vbe_get(vga::kVbeVirtHeight) == vga::kVramBytes / 3200);
  CHECK(vga_text_lines(r.vga).empty());
  r.vbe(vga::kVbeXres, 640);  // no geometry change while enabled
  CHECK(r.vbe_get(vga::kVbeXres) == 800);

  r.vga.lfb()->mmio_write(4, 4, 0x00ff8040);
  CHECK(r.vga.vram()[4] == 0x40);
  CHECK(r.vga.lfb()->mmio_read(4, 2) == 0x8040);
  r.vbe(vga::kVbeBank, 1);
  r.vga.mem_write(0x10, 0xab);
  CHECK(r.vga.vram()[0x10010] == 0xab);
  CHECK(r.vga.mem_read(0x10) == 0xab);
  r.vbe(vga::kVbeBank, 0x4000);  // past the end of VRAM: ignored
  CHECK(r.vbe_get(vga::kVbeBank) == 1);

  VgaFrame f = vga_render(r.vga);
  REQUIRE(f.width == 800);
  REQUIRE(f.height == 600);
  CHECK(f.pixels[1] == 0xff8040);
  CHECK(f.pixels[0] == 0);

  // Panning by a line; a Y offset past VRAM shows the start.
  r.vga.lfb()->mmio_write(3200 + 4, 4, 0x00123456);
  r.vbe(vga::kVbeYOffset, 1);
  CHECK(vga_render(r.vga).pixels[1] == 0x123456);
  r.vbe(vga::kVbeYOffset, 0xffff);
  CHECK(vga_render(r.vga).pixels[1] == 0xff8040);

  // 16 bpp (5:6:5); enabling clears the screen unless told not to.
  r.vbe(vga::kVbeEnable, 0);
  r.vbe(vga::kVbeBpp, 16);
  r.vbe(vga::kVbeEnable, vga::kVbeEnabled | vga::kVbeLfb);
  CHECK(r.vga.vram()[4] == 0);
  r.vga.lfb()->mmio_write(2, 2, 0xf800);
  f = vga_render(r.vga);
  CHECK(f.pixels[1] == 0xff0000);
  CHECK(r.vbe_get(vga::kVbeYOffset) == 0);
  r.vbe(vga::kVbeEnable, 0);
  r.vbe(vga::kVbeEnable, vga::kVbeEnabled | vga::kVbeNoClear);
  CHECK(r.vga.vram()[3] == 0xf8);
}

TEST_CASE("VGA survives any register and memory traffic", "[vga]") {
  Rig r;
  uint32_t x = 12345;
  auto next = [&] { return x = x * 1103515245u + 12345u, x >> 8; };
  for (int i = 0; i < 200000; i++) {
    const uint32_t v = next();
    switch (v % 5) {
      case 0: r.vga.port_write(uint16_t(0x3b0 + next() % 0x30), 1 + next() % 2, next()); break;
      case 1: r.vga.port_read(uint16_t(0x3b0 + next() % 0x30), 1); break;
      case 2: r.vbe(uint16_t(next() % 12), uint16_t(next())); break;
      case 3: r.vga.legacy_window()->mmio_write(next() % vga::kLegacySize, 1, next()); break;
      default: r.vga.lfb()->mmio_read(next() % vga::kVramBytes, 1); break;
    }
    if (i % 5000 == 0) {
      vga_render(r.vga);
      vga_text_lines(r.vga);
    }
  }
  SUCCEED();
}

TEST_CASE("VGA state survives a save and restore", "[vga]") {
  Rig a, b;
  a.crtc(0x0e, 0x34);
  a.out(0x3c8, 9);
  a.out(0x3c9, 0x11);
  a.vga.mem_write(0x18000, 'Z');
  a.vbe(vga::kVbeXres, 1024);
  StateWriter w;
  a.vga.serialize(w);
  StateReader rd(w.out);
  b.vga.serialize(rd);
  CHECK(rd.at_end());
  CHECK(b.vga.regs().crtc[0x0e] == 0x34);
  CHECK(b.vga.regs().dac_step == 1);
  CHECK(b.vga.regs().vbe[vga::kVbeXres] == 1024);
  CHECK(vga_text_lines(b.vga)[0] == "Z");
}

TEST_CASE("VGA 16-colour planar picture with panning and split screen", "[vga]") {
  Rig r;
  // Mode 12h registers (640x480, 16 colours).
  r.out(0x3c2, 0xe3);
  const uint8_t seq[] = {0x03, 0x01, 0x0f, 0x00, 0x06};
  const uint8_t crtc[] = {0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0xea, 0x0c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff};
  const uint8_t gfx[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff};
  const uint8_t attr[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
                          0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00};
  for (uint8_t i = 0; i < 5; i++) r.seq(i, seq[i]);
  for (uint8_t i = 0; i < 25; i++) r.crtc(i, crtc[i]);
  for (uint8_t i = 0; i < 9; i++) r.gfx(i, gfx[i]);
  r.in(0x3da);
  for (uint8_t i = 0; i < 21; i++) r.out(0x3c0, i), r.out(0x3c0, attr[i]);
  r.out(0x3c0, 0x20);
  // Write mode 2: the data is a colour, the bit mask picks the pixels.
  r.gfx(5, 0x02);
  auto pixel = [&](uint32_t offset, uint8_t mask, uint8_t colour) {
    r.gfx(8, mask);
    r.vga.mem_read(offset);
    r.vga.mem_write(offset, colour);
  };
  pixel(0, 0x80, 12);
  pixel(1, 0x01, 9);
  pixel(80, 0xff, 5);
  VgaFrame f = vga_render(r.vga);
  REQUIRE(f.width == 640);
  REQUIRE(f.height == 480);
  CHECK(f.pixels[0] == r.vga.dac_rgb(0x3c));
  CHECK(f.pixels[1] == r.vga.dac_rgb(0));
  CHECK(f.pixels[15] == r.vga.dac_rgb(0x39));
  CHECK(f.pixels[640 + 7] == r.vga.dac_rgb(0x05));
  // PEL panning by 3 pixels.
  r.in(0x3da), r.out(0x3c0, 0x33), r.out(0x3c0, 3);
  f = vga_render(r.vga);
  CHECK(f.pixels[0] == r.vga.dac_rgb(0));
  CHECK(f.pixels[12] == r.vga.dac_rgb(0x39));
  r.in(0x3da), r.out(0x3c0, 0x33), r.out(0x3c0, 0);
  // Start at the second line; below line compare 9 the screen starts over from address 0.
  r.crtc(0x0d, 80);
  r.crtc(0x07, 0x2e);  // line compare bit 8 clear
  r.crtc(0x09, 0x00);  // line compare bit 9 clear
  r.crtc(0x18, 9);
  f = vga_render(r.vga);
  CHECK(f.pixels[0] == r.vga.dac_rgb(0x05));
  CHECK(f.pixels[9 * 640] == r.vga.dac_rgb(0));  // memory line 10, still above the split
  CHECK(f.pixels[10 * 640] == r.vga.dac_rgb(0x3c));
  CHECK(f.pixels[11 * 640] == r.vga.dac_rgb(0x05));
}

TEST_CASE("VGA snapshots hold only the VRAM in use and refuse a bad size", "[vga]") {
  Rig a, b;
  a.vga.vram()[0x12345] = 7;
  StateWriter w;
  a.vga.serialize(w);
  CHECK(w.out.size() < 0x20000);
  b.vga.vram()[0x800000] = 1;  // overwritten by the restore
  StateReader rd(w.out);
  b.vga.serialize(rd);
  CHECK(b.vga.vram()[0x12345] == 7);
  CHECK(b.vga.vram()[0x800000] == 0);
  // A damaged length is refused.
  StateWriter e;
  a.vga.serialize(e);
  const size_t at = e.out.size() - 0x13000 - 4;
  e.out[at + 3] = 0x7f;
  StateReader bad(e.out);
  CHECK_THROWS(b.vga.serialize(bad));
}
