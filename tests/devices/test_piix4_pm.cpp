#include <catch2/catch.hpp>

#include "devices/piix4_pm.h"
#include "tests/devices/pci_harness.h"

using pcitest::Board;

namespace {

struct Machine {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};  // 1 ns per instruction: icount is virtual ns
  pcitest::IrqLog pic;
  int power_offs = 0;
  Board b;
  devices::Piix4Pm pm{clock, pic, [this] { power_offs++; }};
  Machine() {
    b.host.attach(1, 3, &pm);
    b.fixed[0xb2] = &pm;
    b.fixed[0xb3] = &pm;
  }
  // What the firmware does: PM base B000h, enable the PM I/O space.
  void enable_pm(uint16_t base = 0xb000) {
    b.cfg_write(1, 3, 0x40, 4, base | 1u);
    b.cfg_write(1, 3, 0x80, 1, 0x01);
  }
};

}  // namespace

TEST_CASE("PIIX4 PM: identity and the PM base register", "[devices][piix4]") {
  Machine m;
  CHECK(m.b.cfg_read(1, 3, 0x00, 4) == 0x71138086u);  // 8086:7113
  CHECK(m.b.cfg_read(1, 3, 0x08, 4) >> 8 == 0x068000u);
  CHECK(m.b.cfg_read(1, 3, 0x3d, 1) == 1);            // INTA#
  CHECK(m.b.cfg_read(1, 3, 0x40, 4) == 1);            // PMBA: I/O indicator
  CHECK(m.b.cfg_read(1, 3, 0x58, 4) & (1u << 25));    // APMC_EN: no SMM to set up
  m.b.cfg_write(1, 3, 0x58, 4, 0);
  CHECK(m.b.cfg_read(1, 3, 0x58, 4) & (1u << 25));
  // 64-byte block: bits 5:1 are not writable.
  m.b.cfg_write(1, 3, 0x40, 4, 0xffffffffu);
  CHECK(m.b.cfg_read(1, 3, 0x40, 4) == 0x0000ffc1u);
  CHECK(m.pm.pm_base() == -1);  // PMIOSE still clear
  m.enable_pm();
  CHECK(m.pm.pm_base() == 0xb000);
  m.b.cfg_write(1, 3, 0x40, 4, 0x601);  // moved where QEMU-built tables put it
  CHECK(m.pm.pm_base() == 0x600);
  CHECK(m.b.in(0xb008, 4) == 0xffffffffu);
  m.b.cfg_write(1, 3, 0x80, 1, 0);
  CHECK(m.pm.pm_base() == -1);
}

TEST_CASE("PIIX4 PM: the PM timer counts 3.579545 MHz in virtual time", "[devices][piix4]") {
  Machine m;
  m.enable_pm();
  CHECK(m.b.in(0xb008, 4) == 0);
  m.icount = 1000000000;  // one second
  CHECK(m.b.in(0xb008, 4) == 3579545u);
  m.icount = 1000;  // 1 us = 3.58 ticks
  CHECK(m.b.in(0xb008, 4) == 3u);
  // 24 bits: after 10 s the count has wrapped twice (35795450 - 2 * 2^24).
  m.icount = 10000000000ull;
  CHECK(m.b.in(0xb008, 4) == 2241018u);
  CHECK(m.b.in(0xb008, 1) == (2241018u & 0xff));
  CHECK(m.b.in(0xb00a, 2) == (2241018u >> 16));
  m.b.out(0xb008, 4, 0);  // read-only
  CHECK(m.b.in(0xb008, 4) == 2241018u);
  // A long run does not overflow the arithmetic: ~584 years of ns still yields 24 bits.
  m.icount = ~0ull;
  CHECK(m.b.in(0xb008, 4) <= 0xffffffu);
}

TEST_CASE("PIIX4 PM: SLP_EN with the S5 type powers off", "[devices][piix4]") {
  Machine m;
  m.enable_pm();
  m.b.out(0xb004, 2, (1u << 10) | (1u << 13));  // S3 type: not a power-off
  CHECK(m.power_offs == 0);
  m.b.out(0xb004, 2, 1u << 10);  // SLP_TYP alone does nothing
  CHECK(m.b.in(0xb004, 2) == 1u << 10);
  m.b.out(0xb004, 2, (0u << 10) | (1u << 13));  // S5 (soft-off, type 0) + SLP_EN
  CHECK(m.power_offs == 1);
  CHECK((m.b.in(0xb004, 2) & (1u << 13)) == 0);  // SLP_EN is write-only
  // Byte-wise, as some guests do: the high byte carries both fields.
  m.b.out(0xb005, 1, 0x20);
  CHECK(m.power_offs == 2);
}

TEST_CASE("PIIX4 PM: timer overflow raises the SCI on IRQ 9 when enabled", "[devices][piix4]") {
  Machine m;
  m.enable_pm();
  m.b.out(0xb002, 2, devices::Piix4Pm::kTmrSts);  // TMR_EN
  m.b.out(0xb2, 1, 0xf1);  // ACPI enable through the APM port sets SCI_EN
  CHECK(m.b.in(0xb004, 2) & 1);
  CHECK(m.b.in(0xb2, 1) == 0xf1);
  CHECK(!m.pic.level[9]);
  // Bit 23 of the timer first toggles at 2^23 ticks = 2.3435 s.
  const uint64_t due = m.clock.next_event_icount();
  CHECK(due == (8388608ull * 1000000000ull + 3579544) / 3579545);
  m.icount = due - 1;
  m.clock.run_due();
  CHECK(!m.pic.level[9]);
  m.icount = due;
  m.clock.run_due();
  CHECK(m.pic.level[9]);
  CHECK(m.b.in(0xb000, 2) & devices::Piix4Pm::kTmrSts);
  m.b.out(0xb000, 2, devices::Piix4Pm::kTmrSts);  // write one to clear
  CHECK(!(m.b.in(0xb000, 2) & devices::Piix4Pm::kTmrSts));
  CHECK(!m.pic.level[9]);
  // The power button: status + SCI when enabled; SCI_EN off masks everything.
  m.b.out(0xb002, 2, devices::Piix4Pm::kPwrBtnSts);
  m.pm.press_power_button();
  CHECK(m.pic.level[9]);
  m.b.out(0xb2, 1, 0xf0);  // ACPI disable
  CHECK(!m.pic.level[9]);
}

TEST_CASE("PIIX4 PM: serialize round trip and hostile accesses", "[devices][piix4]") {
  Machine m;
  m.enable_pm();
  m.b.out(0xb004, 2, 0x0001);
  m.b.out(0xb002, 2, 0xffff);
  CHECK(m.b.in(0xb002, 2) == 0x0521);  // only TMR, GBL, PWRBTN, RTC enables exist
  devices::StateWriter w;
  m.pm.serialize(w);
  m.pm.reset();
  CHECK(m.pm.pm_base() == -1);
  devices::StateReader r(w.out);
  m.pm.serialize(r);
  CHECK(r.at_end());
  CHECK(m.pm.pm_base() == 0xb000);
  CHECK(m.b.in(0xb004, 2) == 0x0001);
  CHECK(m.b.in(0xb002, 2) == 0x0521);
  // Every port of the block, every size: unimplemented registers read 0, nothing breaks.
  for (unsigned off = 0; off < 64; off++)
    for (unsigned size : {1u, 2u, 4u}) {
      m.b.in(uint16_t(0xb000 + off), size);
      if (off != 4 && off != 5) m.b.out(uint16_t(0xb000 + off), size, 0xffffffffu);
    }
  CHECK(m.b.in(0xb030, 4) == 0);
  CHECK(m.power_offs == 0);
}
