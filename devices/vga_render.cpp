#include "devices/vga_render.h"

#include <algorithm>
#include <array>

namespace devices {
namespace {

using namespace vga;

// Code page 437 as Unicode code points (0x00 shown as a space, 0x01-0x1F and 0x7F as the
// glyphs the VGA font draws for them).
constexpr std::array<char16_t, 256> kCp437 = {
    0x0020, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022, 0x25d8, 0x25cb, 0x25d9, 0x2642,
    0x2640, 0x266a, 0x266b, 0x263c, 0x25ba, 0x25c4, 0x2195, 0x203c, 0x00b6, 0x00a7, 0x25ac, 0x21a8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221f, 0x2194, 0x25b2, 0x25bc, 0x0020, 0x0021, 0x0022, 0x0023,
    0x0024, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003a, 0x003b,
    0x003c, 0x003d, 0x003e, 0x003f, 0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, 0x0050, 0x0051, 0x0052, 0x0053,
    0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005a, 0x005b, 0x005c, 0x005d, 0x005e, 0x005f,
    0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006a, 0x006b,
    0x006c, 0x006d, 0x006e, 0x006f, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007a, 0x007b, 0x007c, 0x007d, 0x007e, 0x2302, 0x00c7, 0x00fc, 0x00e9, 0x00e2,
    0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
    0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6, 0x00dc, 0x00a2,
    0x00a3, 0x00a5, 0x20a7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
    0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb, 0x2591, 0x2592, 0x2593, 0x2502,
    0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
    0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566,
    0x2560, 0x2550, 0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
    0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580, 0x03b1, 0x00df, 0x0393, 0x03c0,
    0x03a3, 0x03c3, 0x00b5, 0x03c4, 0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
    0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248, 0x00b0, 0x2219, 0x00b7, 0x221a,
    0x207f, 0x00b2, 0x25a0, 0x00a0,
};

// The CRTC's view of the screen (FreeVGA, CRT controller registers).
struct Crtc {
  unsigned char_clocks;   // per line (CR01 + 1)
  unsigned lines;         // displayed lines after double scanning
  unsigned scan_per_row;  // CR09 maximum scan line + 1
  unsigned start;         // start address (CR0C:CR0D)
  unsigned pitch;         // counter units per row (2 x CR13)
  unsigned preset;        // preset row scan (CR08) of the first row
  unsigned line_compare;  // the split screen starts after this scan line (in displayed lines)
  enum Mode { Byte, Word, Dword } mode;
  bool wrap15;            // word mode takes MA0 from counter bit 15 instead of 13
  bool sub13, sub14;      // MA13/MA14 replaced by row scan bits 0/1 (CGA interlace)

  explicit Crtc(const VgaRegs& r) {
    const auto& c = r.crtc;
    const unsigned dbl = (c[0x09] & 0x80) ? 2 : 1;
    char_clocks = std::min(c[0x01] + 1u, 256u);
    const unsigned vde = c[0x12] | (c[0x07] & 0x02) << 7 | (c[0x07] & 0x40) << 3;
    lines = (vde + 1) / dbl;
    scan_per_row = (c[0x09] & 0x1f) + 1u;
    start = unsigned(c[0x0c]) << 8 | c[0x0d];
    pitch = 2u * c[0x13];
    preset = c[0x08] & 0x1f;
    line_compare = (c[0x18] | (c[0x07] & 0x10) << 4 | (c[0x09] & 0x40) << 3) / dbl;
    mode = (c[0x14] & 0x40) ? Dword : (c[0x17] & 0x40) ? Byte : Word;
    wrap15 = c[0x17] & 0x20;
    sub13 = !(c[0x17] & 0x01);
    sub14 = !(c[0x17] & 0x02);
  }

  // The plane offset the display fetches for counter value `n` on row scan line `scan`.
  uint32_t address(uint32_t n, unsigned scan) const {
    uint32_t a;
    switch (mode) {
      case Dword: a = n << 2 | (n >> 14 & 3); break;
      case Word: a = n << 1 | (n >> (wrap15 ? 15 : 13) & 1); break;
      default: a = n; break;
    }
    if (sub13) a = (a & ~(1u << 13)) | (scan & 1) << 13;
    if (sub14) a = (a & ~(1u << 14)) | (scan >> 1 & 1) << 14;
    return a & (kPlaneBytes - 1);
  }

  // Where displayed line `y` fetches from: the counter at the start of its row and the row
  // scan line. Below the line compare the screen restarts at address 0 with no preset.
  struct Fetch {
    uint32_t row_start;
    unsigned scan;
    bool split;
  };
  Fetch fetch(unsigned y) const {
    const bool split = y > line_compare;
    const unsigned l = split ? y - line_compare - 1 : y + preset;
    return {(split ? 0 : start) + (l / scan_per_row) * pitch, l % scan_per_row, split};
  }
};

bool text_mode(const Vga& v) { return !v.vbe_enabled() && !(v.regs().gfx[6] & 1); }

// A 4-bit pixel through the attribute controller's palette to an 8-bit DAC index.
uint8_t attr_colour(const VgaRegs& r, unsigned c) {
  c &= r.attr[0x12] & 0x0f;  // colour plane enable
  const uint8_t pal = r.attr[c];
  const uint8_t sel = r.attr[0x14];
  const unsigned low = (r.attr[0x10] & 0x80) ? (pal & 0x0f) | (sel & 3u) << 4 : pal & 0x3fu;
  return uint8_t(low | (sel & 0x0cu) << 4);
}

uint32_t dac(const Vga& v, uint8_t index) { return v.dac_rgb(index & v.regs().dac_mask); }

// Horizontal PEL panning (AR13) in pixels; the split screen ignores it when AR10 bit 5 says so.
unsigned pel_pan(const VgaRegs& r, bool nine_dot, bool colour256, bool split) {
  if (split && (r.attr[0x10] & 0x20)) return 0;
  const unsigned p = r.attr[0x13] & 0x0f;
  if (nine_dot) return p >= 8 ? 0 : p + 1;
  return colour256 ? (p & 7) >> 1 : p & 7;
}

void render_text(const Vga& v, const Crtc& crtc, VgaFrame& f) {
  const VgaRegs& r = v.regs();
  const auto vram = v.vram();
  const unsigned cw = (r.seq[1] & 1) ? 8 : 9, ch = crtc.scan_per_row;
  const unsigned cols = crtc.char_clocks, rows = std::min(crtc.lines / ch, 256u);
  f.width = cols * cw;
  f.height = rows * ch;
  f.pixels.assign(size_t(f.width) * f.height, 0);
  // Character map select (SR3): map A serves attribute bit 3 set, map B bit 3 clear.
  static constexpr uint32_t kFontBase[8] = {0x0000, 0x4000, 0x8000, 0xc000, 0x2000, 0x6000, 0xa000, 0xe000};
  const uint8_t sr3 = r.seq[3];
  const uint32_t map_a = kFontBase[((sr3 >> 2) & 3) | ((sr3 >> 3) & 4)];
  const uint32_t map_b = kFontBase[(sr3 & 3) | ((sr3 >> 2) & 4)];
  const bool blink = r.attr[0x10] & 0x08, line_graphics = r.attr[0x10] & 0x04;
  const bool cursor_on = !(r.crtc[0x0a] & 0x20);
  const uint32_t cursor = uint32_t(r.crtc[0x0e]) << 8 | r.crtc[0x0f];
  const unsigned cur_first = r.crtc[0x0a] & 0x1f, cur_last = r.crtc[0x0b] & 0x1f;
  std::vector<uint32_t> line((cols + 1) * cw);
  for (unsigned y = 0; y < f.height; y++) {
    const Crtc::Fetch at = crtc.fetch(y);
    // One character more than shown, for panning.
    for (unsigned col = 0; col <= cols; col++) {
      const uint32_t n = at.row_start + col;
      const uint32_t a = crtc.address(n, 0) * 4;
      const uint8_t code = vram[a], attr = vram[a + 1];
      const uint32_t font = (attr & 0x08) ? map_a : map_b;
      const uint32_t fg = dac(v, attr_colour(r, attr & 0x0f));
      const uint32_t bg = dac(v, attr_colour(r, blink ? (attr >> 4) & 7 : attr >> 4));
      const uint8_t glyph = vram[((font + code * 32u + at.scan) & (kPlaneBytes - 1)) * 4 + 2];
      unsigned bits = unsigned(glyph) << 1;
      // The ninth column repeats the eighth for the box-drawing characters C0h-DFh.
      if (line_graphics && code >= 0xc0 && code <= 0xdf) bits |= glyph & 1;
      if (cursor_on && (n & 0xffff) == cursor && at.scan >= cur_first && at.scan <= cur_last) bits = 0x1ff;
      uint32_t* out = &line[col * cw];
      for (unsigned x = 0; x < cw; x++) out[x] = (bits >> (8 - x) & 1) ? fg : bg;
    }
    const unsigned pan = pel_pan(r, cw == 9, false, at.split);
    std::copy_n(line.begin() + pan, f.width, f.pixels.begin() + size_t(y) * f.width);
  }
}

void render_graphics(const Vga& v, const Crtc& crtc, VgaFrame& f) {
  const VgaRegs& r = v.regs();
  const auto vram = v.vram();
  const bool colour256 = r.gfx[5] & 0x40, cga = r.gfx[5] & 0x20;
  const unsigned clocks = crtc.char_clocks;
  const unsigned px_per_clock = colour256 ? 4 : 8;
  // Repeated scan lines of a row show the same memory unless the CGA interlace substitutes
  // address bits: then one output line per row.
  const bool collapse = !crtc.sub13 && !crtc.sub14 && crtc.line_compare >= crtc.lines;
  const unsigned step = collapse ? crtc.scan_per_row : 1;
  f.width = clocks * px_per_clock;
  f.height = std::min(crtc.lines / step, 2048u);
  f.pixels.assign(size_t(f.width) * f.height, 0);
  std::vector<uint32_t> line((clocks + 1) * px_per_clock);
  for (unsigned y = 0; y < f.height; y++) {
    const Crtc::Fetch at = crtc.fetch(y * step);
    for (unsigned c = 0; c <= clocks; c++) {
      const uint32_t a = crtc.address(at.row_start + c, at.scan) * 4;
      const uint8_t p0 = vram[a], p1 = vram[a + 1], p2 = vram[a + 2], p3 = vram[a + 3];
      uint32_t* px = &line[c * px_per_clock];
      if (colour256) {
        px[0] = dac(v, p0), px[1] = dac(v, p1), px[2] = dac(v, p2), px[3] = dac(v, p3);
      } else if (cga) {
        // Shift register interleave: 2-bit pixels, four from plane 0, then four from plane 1.
        for (unsigned i = 0; i < 8; i++) {
          const uint8_t b = i < 4 ? p0 : p1;
          px[i] = dac(v, attr_colour(r, (b >> (6 - 2 * (i & 3))) & 3));
        }
      } else {
        for (unsigned i = 0; i < 8; i++) {
          const unsigned bit = 7 - i;
          const unsigned colour = (p0 >> bit & 1) | (p1 >> bit & 1) << 1 | (p2 >> bit & 1) << 2 | (p3 >> bit & 1) << 3;
          px[i] = dac(v, attr_colour(r, colour));
        }
      }
    }
    const unsigned pan = pel_pan(r, false, colour256, at.split);
    std::copy_n(line.begin() + pan, f.width, f.pixels.begin() + size_t(y) * f.width);
  }
}

void render_vbe(const Vga& v, VgaFrame& f) {
  const Vga::VbeMode m = v.vbe_mode();
  const auto vram = v.vram();
  f.width = m.xres;
  f.height = m.yres;
  f.pixels.assign(size_t(f.width) * f.height, 0);
  const unsigned bytes = (m.bpp + 7) / 8;
  auto expand5 = [](uint32_t x) { return (x << 3) | (x >> 2); };
  auto expand6 = [](uint32_t x) { return (x << 2) | (x >> 4); };
  for (unsigned y = 0; y < m.yres; y++) {
    const uint8_t* line = vram.data() + m.start + size_t(y) * m.pitch;
    uint32_t* out = &f.pixels[size_t(y) * f.width];
    for (unsigned x = 0; x < m.xres; x++) {
      const uint8_t* p = line + size_t(x) * bytes;
      switch (m.bpp) {
        case 8: out[x] = dac(v, p[0]); break;
        case 15: {
          const uint32_t w = p[0] | p[1] << 8;
          out[x] = expand5(w >> 10 & 31) << 16 | expand5(w >> 5 & 31) << 8 | expand5(w & 31);
          break;
        }
        case 16: {
          const uint32_t w = p[0] | p[1] << 8;
          out[x] = expand5(w >> 11 & 31) << 16 | expand6(w >> 5 & 63) << 8 | expand5(w & 31);
          break;
        }
        default: out[x] = uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]; break;  // 24/32: B, G, R
      }
    }
  }
}

}  // namespace

std::string cp437_to_utf8(uint8_t c) {
  const char32_t cp = kCp437[c];
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xc0 | cp >> 6);
    s += char(0x80 | (cp & 0x3f));
  } else {
    s += char(0xe0 | cp >> 12);
    s += char(0x80 | (cp >> 6 & 0x3f));
    s += char(0x80 | (cp & 0x3f));
  }
  return s;
}

std::vector<std::string> vga_text_lines(const Vga& v) {
  std::vector<std::string> lines;
  if (!text_mode(v)) return lines;
  const Crtc crtc(v.regs());
  const auto vram = v.vram();
  const unsigned rows = std::min(crtc.lines / crtc.scan_per_row, 256u);
  for (unsigned row = 0; row < rows; row++) {
    const uint32_t row_start = crtc.fetch(row * crtc.scan_per_row).row_start;
    std::string line;
    size_t used = 0;  // length up to the last non-blank character
    for (unsigned col = 0; col < crtc.char_clocks; col++) {
      const uint8_t code = vram[crtc.address(row_start + col, 0) * 4];
      line += cp437_to_utf8(code);
      if (code != 0 && code != ' ' && code != 0xff) used = line.size();
    }
    line.resize(used);
    lines.push_back(std::move(line));
  }
  return lines;
}

VgaFrame vga_render(const Vga& v) {
  VgaFrame f;
  if (v.vbe_enabled()) {
    render_vbe(v, f);
    return f;
  }
  const Crtc crtc(v.regs());
  if (text_mode(v))
    render_text(v, crtc, f);
  else
    render_graphics(v, crtc, f);
  // The screen is dark while the sequencer turns it off or the palette is being loaded.
  const VgaRegs& r = v.regs();
  if ((r.seq[1] & 0x20) || !(r.attr_index & 0x20)) std::fill(f.pixels.begin(), f.pixels.end(), 0);
  return f;
}

}  // namespace devices
