#include <catch2/catch.hpp>

#include <vector>

#include "devices/i440fx.h"
#include "tests/devices/pci_harness.h"

using pcitest::Board;

namespace {

struct Machine {
  mmu::PhysMemory mem{2 << 20};
  Board b;
  devices::I440fx nb{mem};
  Machine() {
    std::vector<uint8_t> rom(0x20000, 0xea);
    mem.add_rom(0xe0000, rom, "bios (low)");
    b.host.attach(0, 0, &nb);
  }
};

}  // namespace

TEST_CASE("i440FX: identity and header defaults", "[devices][i440fx]") {
  Machine m;
  CHECK(m.b.cfg_read(0, 0, 0x00, 4) == 0x12378086u);  // 8086:1237
  CHECK(m.b.cfg_read(0, 0, 0x04, 2) == 0x0006);       // PCICMD: memory + bus master
  CHECK(m.b.cfg_read(0, 0, 0x06, 2) == 0x0280);       // PCISTS
  CHECK(m.b.cfg_read(0, 0, 0x08, 4) == 0x06000002u);  // host bridge, revision 02h
  CHECK(m.b.cfg_read(0, 0, 0x0e, 1) == 0x00);
  CHECK(m.b.cfg_read(0, 0, 0x2c, 4) == 0x11001af4u);  // QEMU subsystem ID
  CHECK(m.b.cfg_read(0, 0, 0x72, 1) == 0x02);         // SMRAM: C_BASE_SEG = 010b
  for (unsigned r = 0x59; r <= 0x5f; r++) CHECK(m.b.cfg_read(0, 0, r, 1) == 0);
  m.b.cfg_write(0, 0, 0x00, 4, 0);
  m.b.cfg_write(0, 0, 0x04, 2, 0);
  CHECK(m.b.cfg_read(0, 0, 0x00, 4) == 0x12378086u);
  CHECK(m.b.cfg_read(0, 0, 0x04, 2) == 0x0006);
}

TEST_CASE("i440FX: PAM registers steer the BIOS area", "[devices][i440fx]") {
  Machine m;
  // At reset every PAM field is 0: reads of F0000h come from the ROM.
  CHECK(m.mem.read(0xf0000, 1) == 0xea);
  // The firmware's sequence: dword writes at 58h/5Ch, F0000h write-and-read enabled (30h),
  // C0000h-EFFFFh read/write (33h), copy, then F0000h read-only (10h).
  m.b.cfg_write(0, 0, 0x58, 4, 0x33333000u);
  m.b.cfg_write(0, 0, 0x5c, 4, 0x33333333u);
  CHECK(m.b.cfg_read(0, 0, 0x59, 1) == 0x30);
  CHECK(m.b.cfg_read(0, 0, 0x5f, 1) == 0x33);
  CHECK(m.mem.read(0xf0000, 1) == 0x00);  // RAM now, not yet copied
  m.mem.write(0xf0000, 4, 0xcafef00d);
  m.mem.write(0xc8000, 4, 0x12345678);
  CHECK(m.mem.read(0xf0000, 4) == 0xcafef00du);
  m.b.cfg_write(0, 0, 0x59, 1, 0x10);
  m.mem.write(0xf0000, 4, 0);  // read-only now
  CHECK(m.mem.read(0xf0000, 4) == 0xcafef00du);
  // Reserved PAM bits stay zero.
  m.b.cfg_write(0, 0, 0x59, 1, 0xff);
  CHECK(m.b.cfg_read(0, 0, 0x59, 1) == 0x30);
  m.b.cfg_write(0, 0, 0x5a, 1, 0xff);
  CHECK(m.b.cfg_read(0, 0, 0x5a, 1) == 0x33);
  // PAM2 low field covers C8000h-CBFFFh: back to the (empty) bus.
  m.b.cfg_write(0, 0, 0x5b, 1, 0x30);
  CHECK(m.mem.read(0xc8000, 4) == 0xffffffffu);
  CHECK(m.mem.read(0xcc000, 1) == 0x00);
  // Reset goes back to ROM.
  m.nb.reset();
  CHECK(m.mem.read(0xf0000, 1) == 0xea);
}

TEST_CASE("i440FX: SMRAM lock freezes D_OPEN and G_SMRAME", "[devices][i440fx]") {
  Machine m;
  m.b.cfg_write(0, 0, 0x72, 1, 0xef);  // all but D_LCK; reserved bit 7 and C_BASE_SEG stay
  CHECK(m.b.cfg_read(0, 0, 0x72, 1) == 0x6a);  // D_OPEN | D_CLS | G_SMRAME | 010b, no lock yet
  m.b.cfg_write(0, 0, 0x72, 1, 0x5a);  // set D_LCK with D_OPEN: D_OPEN is forced off
  CHECK(m.b.cfg_read(0, 0, 0x72, 1) == 0x1a);
  m.b.cfg_write(0, 0, 0x72, 1, 0x62);  // try to reopen and unlock
  CHECK(m.b.cfg_read(0, 0, 0x72, 1) == 0x3a);  // only D_CLS changed
  m.nb.reset();
  CHECK(m.b.cfg_read(0, 0, 0x72, 1) == 0x02);
}

TEST_CASE("i440FX: serialize round trip re-applies PAM", "[devices][i440fx]") {
  Machine m;
  m.b.cfg_write(0, 0, 0x59, 1, 0x30);
  m.mem.write(0xf0000, 1, 0x55);
  devices::StateWriter w;
  m.nb.serialize(w);
  m.nb.reset();
  CHECK(m.mem.read(0xf0000, 1) == 0xea);
  devices::StateReader r(w.out);
  m.nb.serialize(r);
  CHECK(r.at_end());
  CHECK(m.mem.read(0xf0000, 1) == 0x55);
  CHECK(m.b.cfg_read(0, 0, 0x59, 1) == 0x30);
}
