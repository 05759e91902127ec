#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "devices/dma8237.h"
#include "mmu/phys_memory.h"

namespace {

struct Rig {
  mmu::PhysMemory mem{1 << 20};
  devices::Dma8237 dma{mem};
  void out(uint16_t port, uint8_t v) { dma.port_write(port, 1, v); }
  uint8_t in(uint16_t port) { return uint8_t(dma.port_read(port, 1)); }
  uint8_t ram(uint32_t a) { return mem.ram()[a]; }

  // 8-bit channel 0-3, programmed as a BIOS does: mask, clear flip-flop, mode, address, page,
  // count, unmask.
  void program8(unsigned ch, uint8_t mode, uint32_t phys, uint16_t count) {
    static constexpr uint8_t kPage[4] = {0x87, 0x83, 0x81, 0x82};
    out(0x0a, uint8_t(4 | ch));
    out(0x0c, 0);
    out(0x0b, uint8_t(mode | ch));
    out(uint16_t(ch * 2), uint8_t(phys));
    out(uint16_t(ch * 2), uint8_t(phys >> 8));
    out(kPage[ch], uint8_t(phys >> 16));
    out(uint16_t(ch * 2 + 1), uint8_t(count));
    out(uint16_t(ch * 2 + 1), uint8_t(count >> 8));
    out(0x0a, uint8_t(ch));
  }
};

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; i++) v[i] = uint8_t(i * 7 + 1);
  return v;
}

constexpr uint8_t kWriteSingle = 0x44, kReadSingle = 0x48, kAutoinit = 0x10, kDecrement = 0x20;

}  // namespace

TEST_CASE("8237 registers: flip-flop, current address and count read back", "[devices][dma]") {
  Rig r;
  r.program8(2, kWriteSingle, 0x12345, 0x01ff);
  r.out(0x0c, 0);
  CHECK(r.in(0x04) == 0x45);
  CHECK(r.in(0x04) == 0x23);
  CHECK(r.in(0x05) == 0xff);
  CHECK(r.in(0x05) == 0x01);
  CHECK(r.in(0x81) == 0x01);
  CHECK(r.dma.current_address(2) == 0x12345);
  CHECK(r.dma.mode_xfer(2) == devices::Dma8237::Xfer::ToMemory);
  CHECK_FALSE(r.dma.masked(2));
  r.out(0x0f, 0x0f);  // mask all
  CHECK(r.dma.masked(0));
  CHECK(r.dma.masked(3));
  r.out(0x0e, 0);  // clear all masks
  CHECK_FALSE(r.dma.masked(1));
  r.out(0x0d, 0);  // master clear masks everything
  CHECK(r.dma.masked(2));
}

TEST_CASE("8237 transfer into RAM stops at terminal count and masks the channel", "[devices][dma]") {
  Rig r;
  r.program8(2, kWriteSingle, 0x11000, 255);  // 256 bytes
  auto data = pattern(512);
  auto res = r.dma.transfer(2, data);
  CHECK(res.bytes == 256);
  CHECK(res.tc);
  CHECK(r.ram(0x11000) == data[0]);
  CHECK(r.ram(0x110ff) == data[255]);
  CHECK(r.ram(0x11100) == 0);
  CHECK(r.dma.masked(2));
  CHECK(r.dma.current_count(2) == 0xffff);
  CHECK(r.dma.current_address(2) == 0x11100);
  CHECK((r.in(0x08) & 0x04) != 0);  // TC bit of channel 2, cleared by the read
  CHECK((r.in(0x08) & 0x04) == 0);
  CHECK(r.dma.transfer(2, data).bytes == 0);  // masked: nothing moves
}

TEST_CASE("8237 partial transfers continue; autoinit reloads the base registers", "[devices][dma]") {
  Rig r;
  r.program8(1, kReadSingle | kAutoinit, 0x3000, 99);
  for (unsigned i = 0; i < 100; i++) r.mem.ram()[0x3000 + i] = uint8_t(i);
  std::array<uint8_t, 60> a{};
  auto res = r.dma.transfer(1, a);
  CHECK(res.bytes == 60);
  CHECK_FALSE(res.tc);
  CHECK(a[59] == 59);
  res = r.dma.transfer(1, a);
  CHECK(res.bytes == 40);
  CHECK(res.tc);
  CHECK(a[39] == 99);
  CHECK_FALSE(r.dma.masked(1));
  CHECK(r.dma.current_address(1) == 0x3000);
  CHECK(r.dma.current_count(1) == 99);
}

TEST_CASE("8237 8-bit addresses wrap within the 64 KB page; decrement runs backwards", "[devices][dma]") {
  Rig r;
  r.program8(3, kWriteSingle, 0x1fff0, 31);
  auto data = pattern(32);
  CHECK(r.dma.transfer(3, data).bytes == 32);
  CHECK(r.ram(0x1fff0) == data[0]);
  CHECK(r.ram(0x1ffff) == data[15]);
  CHECK(r.ram(0x10000) == data[16]);  // wrapped to the start of page 1, not into page 2
  CHECK(r.ram(0x20000) == 0);

  r.program8(0, kWriteSingle | kDecrement, 0x40003, 3);
  auto four = pattern(4);
  CHECK(r.dma.transfer(0, four).bytes == 4);
  CHECK(r.ram(0x40003) == four[0]);
  CHECK(r.ram(0x40000) == four[3]);
}

TEST_CASE("8237 16-bit channels count words and address 128 KB pages", "[devices][dma]") {
  Rig r;
  r.out(0xd4, 4 | 1);     // mask channel 5
  r.out(0xd8, 0);         // clear flip-flop
  r.out(0xd6, kWriteSingle | 1);
  r.out(0xc4, 0x00);      // word address 8000h: byte 10000h within the 128 KB page
  r.out(0xc4, 0x80);
  r.out(0x8b, 0x02);      // page bits 7-1: A17-A23
  r.out(0xc6, 1);         // two words
  r.out(0xc6, 0);
  r.out(0xd4, 1);
  CHECK(r.dma.current_address(5) == 0x30000);
  auto data = pattern(8);
  auto res = r.dma.transfer(5, data);
  CHECK(res.bytes == 4);
  CHECK(res.tc);
  CHECK(r.ram(0x30000) == data[0]);
  CHECK(r.ram(0x30003) == data[3]);
  CHECK(r.ram(0x30004) == 0);
  CHECK(r.dma.transfer(4, data).bytes == 0);  // the cascade channel moves nothing
}

TEST_CASE("8237 DMA outside RAM is dropped or reads as FFh, never touching the host", "[devices][dma]") {
  Rig r;
  r.program8(2, kWriteSingle, 0xff0000, 511);  // 16 MB - 64 KB: far beyond 1 MB of RAM
  auto data = pattern(512);
  auto res = r.dma.transfer(2, data);
  CHECK(res.bytes == 512);
  CHECK(res.tc);
  r.program8(2, kReadSingle, 0xfffe00, 511);
  std::vector<uint8_t> in(512, 0);
  CHECK(r.dma.transfer(2, in).bytes == 512);
  CHECK(in[0] == 0xff);
  CHECK(in[511] == 0xff);
}

TEST_CASE("8237 state survives a serialize round trip", "[devices][dma]") {
  Rig a;
  a.program8(2, kWriteSingle | kAutoinit, 0x5432, 0x1ff);
  a.out(0x0c, 0);
  a.in(0x04);  // leave the flip-flop set
  devices::StateWriter w;
  a.dma.serialize(w);
  Rig b;
  devices::StateReader rd(w.out);
  b.dma.serialize(rd);
  CHECK(rd.at_end());
  CHECK(b.dma.current_address(2) == 0x5432);
  CHECK(b.in(0x04) == 0x54);  // high byte next: the flip-flop came along
  CHECK(b.dma.current_count(2) == 0x1ff);
  devices::StateWriter w2;
  a.in(0x04);
  a.dma.serialize(w2);
  devices::StateWriter w3;
  b.dma.serialize(w3);
  CHECK(w2.out == w3.out);
}
