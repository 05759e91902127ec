#include <catch2/catch.hpp>

#include "devices/piix3.h"
#include "tests/devices/pci_harness.h"

using pcitest::Board;

namespace {

struct BmRegs : devices::PortDevice {
  uint32_t port_read(uint16_t port, unsigned) override { return port & 0xff; }
  void port_write(uint16_t, unsigned, uint32_t) override {}
};

}  // namespace

TEST_CASE("PIIX3 ISA bridge: identity, defaults and PIRQ route registers", "[devices][piix3]") {
  Board b;
  pcitest::IrqLog pic;
  devices::Piix3Isa isa(pic, nullptr);
  b.host.attach(1, 0, &isa);
  CHECK(b.cfg_read(1, 0, 0x00, 4) == 0x70008086u);  // 8086:7000
  CHECK(b.cfg_read(1, 0, 0x08, 4) >> 8 == 0x060100u);  // ISA bridge
  CHECK(b.cfg_read(1, 0, 0x0e, 1) == 0x80);  // multi-function: firmware then scans 01.1-01.7
  CHECK(b.cfg_read(1, 0, 0x04, 2) == 0x0007);
  CHECK(b.cfg_read(1, 0, 0x60, 4) == 0x80808080u);  // PIRQRC[A:D]: routing disabled
  CHECK(b.cfg_read(1, 0, 0x4e, 1) == 0x03);
  CHECK(b.cfg_read(1, 0, 0x69, 1) == 0x02);
  // Bits 6:4 of a route register are reserved.
  b.cfg_write(1, 0, 0x60, 4, 0xffffffffu);
  CHECK(b.cfg_read(1, 0, 0x60, 4) == 0x8f8f8f8fu);
  // The firmware's routing: A,B -> 10, C,D -> 11.
  b.cfg_write(1, 0, 0x60, 1, 10);
  b.cfg_write(1, 0, 0x61, 1, 10);
  b.cfg_write(1, 0, 0x62, 1, 11);
  b.cfg_write(1, 0, 0x63, 1, 11);
  CHECK(isa.pirq_route(0) == 10);
  CHECK(isa.pirq_route(3) == 11);
  CHECK(isa.pirq_route(4) == -1);
  isa.set_pirq(1, true);
  CHECK(pic.level[10]);
  isa.set_pirq(7, true);  // no such PIRQ: ignored
  isa.set_irq(99, true);  // no such IRQ: ignored
}

TEST_CASE("PIIX3 ISA bridge: other sources share IRQ lines wired-OR", "[devices][piix3]") {
  pcitest::IrqLog pic;
  devices::Piix3Isa isa(pic, nullptr);
  isa.config_write(0x60, 1, 9);
  isa.set_irq(9, true);  // the SCI
  isa.set_pirq(0, true);
  isa.set_irq(9, false);
  CHECK(pic.level[9]);  // PIRQA still holds it
  isa.set_pirq(0, false);
  CHECK(!pic.level[9]);
  isa.set_pirq(0, true);
  isa.reset();
  CHECK(!pic.level[9]);
  CHECK(isa.pirq_route(0) == -1);
}

TEST_CASE("PIIX3 reset control register at CF9h", "[devices][piix3]") {
  Board b;
  pcitest::IrqLog pic;
  int resets = 0;
  bool hard = false;
  devices::Piix3Isa isa(pic, [&](bool h) { resets++, hard = h; });
  b.host.attach(1, 0, &isa);
  b.host.set_legacy_ports(&isa);
  // Reached through the PCI host's ports as byte accesses.
  b.out(0xcf9, 1, 0x02);  // choose a hard reset
  CHECK(b.in(0xcf9, 1) == 0x02);
  CHECK(resets == 0);
  b.out(0xcf9, 1, 0x06);  // and start it
  CHECK(resets == 1);
  CHECK(hard);
  b.out(0xcf9, 1, 0x04);  // soft (CPU-only)
  CHECK(resets == 2);
  CHECK(!hard);
  // The address register is unaffected by these byte accesses.
  b.out(0xcf8, 4, 0x80000800u);
  b.out(0xcf9, 1, 0x00);
  CHECK(b.in(0xcf8, 4) == 0x80000800u);
}

TEST_CASE("PIIX3 IDE function: header and the bus-master BAR hook", "[devices][piix3]") {
  Board b;
  pcitest::IrqLog pic;
  devices::Piix3Isa isa(pic, nullptr);
  BmRegs bm;
  devices::Piix3Ide ide(&bm);
  std::vector<int32_t> seen;
  ide.set_bmdma_listener([&](int32_t base) { seen.push_back(base); });
  b.host.attach(1, 0, &isa);
  b.host.attach(1, 1, &ide);
  CHECK(b.cfg_read(1, 1, 0x00, 4) == 0x70108086u);    // 8086:7010
  CHECK(b.cfg_read(1, 1, 0x08, 4) == 0x01018000u);    // IDE, prog-if 80h (bus master, legacy)
  CHECK(b.cfg_read(1, 1, 0x3d, 1) == 0);              // legacy IRQs 14/15, no INTx pin
  CHECK(b.cfg_read(1, 1, 0x20, 4) == 0x00000001u);    // BMIBA: I/O
  for (unsigned bar = 0; bar < 4; bar++) CHECK(b.cfg_read(1, 1, 0x10 + 4 * bar, 4) == 0);
  b.cfg_write(1, 1, 0x20, 4, 0xffffffffu);
  CHECK(b.cfg_read(1, 1, 0x20, 4) == 0xfffffff1u);    // 16 bytes
  // Firmware: IDETIM decode enables, then BAR and command.
  b.cfg_write(1, 1, 0x40, 2, 0x8000);
  b.cfg_write(1, 1, 0x42, 2, 0x8000);
  CHECK(ide.channel_enabled(0));
  CHECK(ide.channel_enabled(1));
  CHECK(!ide.channel_enabled(2));
  b.cfg_write(1, 1, 0x20, 4, 0xc040);
  CHECK(ide.bmdma_base() == -1);
  b.cfg_write(1, 1, 0x04, 2, 0x0005);
  CHECK(ide.bmdma_base() == 0xc040);
  CHECK(ide.bus_master_enabled());
  CHECK(b.in(0xc042, 1) == 0x42);
  REQUIRE(!seen.empty());
  CHECK(seen.back() == 0xc040);
  b.cfg_write(1, 1, 0x04, 2, 0);
  CHECK(seen.back() == -1);
  // Without a controller attached, the BAR still sizes but maps nothing.
  devices::Piix3Ide bare;
  b.host.attach(1, 2, &bare);
  b.cfg_write(1, 2, 0x20, 4, 0xc080);
  b.cfg_write(1, 2, 0x04, 2, 1);
  CHECK(bare.bmdma_base() == -1);
  CHECK(!b.mapper.io.count(0xc080));
}

TEST_CASE("PIIX3 serialize round trip", "[devices][piix3]") {
  pcitest::IrqLog pic;
  devices::Piix3Isa isa(pic, nullptr);
  isa.config_write(0x61, 1, 5);
  isa.set_pirq(1, true);
  devices::StateWriter w;
  isa.serialize(w);
  isa.reset();
  CHECK(!pic.level[5]);
  devices::StateReader r(w.out);
  isa.serialize(r);
  CHECK(r.at_end());
  CHECK(isa.pirq_route(1) == 5);
  // The restored bridge knows it drives IRQ 5: lowering PIRQB lowers it.
  pic.level[5] = true;
  isa.set_pirq(1, false);
  CHECK(!pic.level[5]);
}
