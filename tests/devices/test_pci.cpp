#include <catch2/catch.hpp>

#include "devices/pci.h"
#include "devices/piix3.h"
#include "tests/devices/pci_harness.h"

using pcitest::Board;

namespace {

// A function with one 32-byte I/O BAR (BAR0), one 4 KB memory BAR (BAR1) and INTA#.
struct TestFunction : devices::PciDevice, devices::PortDevice, mmu::MmioHandler {
  TestFunction()
      : PciDevice({.vendor = 0x1234, .device = 0x5678, .class_code = 0xff0000, .revision = 7, .int_pin = 1}) {
    declare_bar(0, Space::Io, 32, this, nullptr, "test io");
    declare_bar(1, Space::Memory, 4096, nullptr, this, "test mem");
    init8(devices::pci::kCacheLine, 0, 0xff);
  }
  const char* name() const override { return "test"; }
  uint32_t port_read(uint16_t port, unsigned) override { return 0x100u + port; }
  void port_write(uint16_t, unsigned, uint32_t) override {}
  uint32_t mmio_read(uint32_t, unsigned) override { return 0; }
  void mmio_write(uint32_t, unsigned, uint32_t) override {}
};

}  // namespace

TEST_CASE("PCI mechanism #1: the address register", "[devices][pci]") {
  Board b;
  // Firmware probes for the host bridge by writing the enable bit and reading it back.
  b.out(0xcf8, 4, 0x80000000u);
  CHECK(b.in(0xcf8, 4) == 0x80000000u);
  // Bits 30:24 and 1:0 are reserved and read as zero.
  b.out(0xcf8, 4, 0xffffffffu);
  CHECK(b.in(0xcf8, 4) == 0x80fffffcu);
  // Byte accesses to CF8h-CFBh are not the address register: it keeps its value.
  b.out(0xcf8, 1, 0x00);
  CHECK(b.in(0xcf8, 4) == 0x80fffffcu);
}

TEST_CASE("PCI mechanism #1: byte, word and dword data accesses at any offset", "[devices][pci]") {
  Board b;
  TestFunction f;
  b.host.attach(3, 0, &f);
  CHECK(b.cfg_read(3, 0, 0x00, 4) == 0x56781234u);
  CHECK(b.cfg_read(3, 0, 0x01, 1) == 0x12);  // vendor ID, high byte, at CFDh
  CHECK(b.cfg_read(3, 0, 0x02, 2) == 0x5678);  // device ID at CFEh
  CHECK(b.cfg_read(3, 0, 0x03, 1) == 0x56);
  CHECK(b.cfg_read(3, 0, 0x08, 4) == 0xff000007u);  // revision 7, class FFh
  // A dword at CFEh reaches only the two bytes of the window; the rest is not config space.
  b.out(0xcf8, 4, Board::address(0, 3, 0, 0));
  CHECK(b.in(0xcfe, 4) == 0xffff5678u);
  // Cache line size is read/write: a byte write at offset 0Ch lands in its lane only.
  b.cfg_write(3, 0, 0x0c, 1, 0x10);
  CHECK(b.cfg_read(3, 0, 0x0c, 4) == 0x00000010u);
}

TEST_CASE("PCI: absent functions, disabled cycles and other buses read all ones", "[devices][pci]") {
  Board b;
  TestFunction f;
  b.host.attach(3, 0, &f);
  CHECK(b.cfg_read(4, 0, 0x00, 2) == 0xffff);  // vendor FFFFh: nothing there
  CHECK(b.cfg_read(3, 1, 0x00, 4) == 0xffffffffu);
  b.out(0xcf8, 4, Board::address(1, 3, 0, 0));  // bus 1: no bridge leads there
  CHECK(b.in(0xcfc, 4) == 0xffffffffu);
  b.out(0xcf8, 4, Board::address(0, 3, 0, 0) & 0x7fffffffu);  // enable bit clear
  CHECK(b.in(0xcfc, 2) == 0xffff);
  b.out(0xcfc, 4, 0);  // ignored
  CHECK(b.cfg_read(3, 0, 0x00, 4) == 0x56781234u);
}

TEST_CASE("PCI: read-only header fields stay read-only", "[devices][pci]") {
  Board b;
  TestFunction f;
  b.host.attach(3, 0, &f);
  b.cfg_write(3, 0, 0x00, 4, 0);
  b.cfg_write(3, 0, 0x08, 4, 0);
  b.cfg_write(3, 0, 0x3c, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x00, 4) == 0x56781234u);
  CHECK(b.cfg_read(3, 0, 0x08, 4) == 0xff000007u);
  // Interrupt line is software's; the pin (INTA# = 1) is the device's; MIN_GNT/MAX_LAT are 0.
  CHECK(b.cfg_read(3, 0, 0x3c, 4) == 0x000001ffu);
  // Command: only I/O, memory (a BAR of each) and Interrupt Disable exist on this function.
  b.cfg_write(3, 0, 0x04, 2, 0xffff);
  CHECK(b.cfg_read(3, 0, 0x04, 2) == 0x0403);
  // Status: writing ones to it sets nothing.
  b.cfg_write(3, 0, 0x06, 2, 0xffff);
  CHECK(b.cfg_read(3, 0, 0x06, 2) == 0x0000);
}

TEST_CASE("PCI: BAR sizing reads back the size mask", "[devices][pci]") {
  Board b;
  TestFunction f;
  b.host.attach(3, 0, &f);
  // I/O BAR: bit 0 says I/O; a 32-byte decoder keeps bits 4:2 at zero.
  CHECK(b.cfg_read(3, 0, 0x10, 4) == 0x00000001u);
  b.cfg_write(3, 0, 0x10, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x10, 4) == 0xffffffe1u);
  // Memory BAR: 32-bit, not prefetchable (bits 3:0 zero), 4 KB.
  b.cfg_write(3, 0, 0x14, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x14, 4) == 0xfffff000u);
  // Unimplemented BARs read zero even after all ones.
  b.cfg_write(3, 0, 0x18, 4, 0xffffffffu);
  CHECK(b.cfg_read(3, 0, 0x18, 4) == 0);
  // Size as firmware computes it: ~(value & mask) + 1, truncated to 32 bits.
  CHECK(((~(b.cfg_read(3, 0, 0x10, 4) & ~3u)) + 1) == 32u);
}

TEST_CASE("PCI: BARs map when decoding is enabled and follow the guest", "[devices][pci]") {
  Board b;
  TestFunction f;
  b.host.attach(3, 0, &f);
  b.cfg_write(3, 0, 0x10, 4, 0xc000);
  b.cfg_write(3, 0, 0x14, 4, 0xfebf0000u);
  CHECK(b.mapper.io.empty());  // command register still 0
  CHECK(b.in(0xc000, 1) == 0xff);
  b.cfg_write(3, 0, 0x04, 2, devices::pci::kCmdIo | devices::pci::kCmdMemory);
  REQUIRE(b.mapper.io.count(0xc000));
  CHECK(b.mapper.io.at(0xc000).size == 32);
  CHECK(b.mapper.mem.count(0xfebf0000u));
  CHECK(b.in(0xc004, 1) == 0x100u + 0xc004);  // the device sees absolute ports
  // Moving the BAR moves the mapping.
  b.cfg_write(3, 0, 0x10, 4, 0xc040);
  CHECK(!b.mapper.io.count(0xc000));
  CHECK(b.mapper.io.count(0xc040));
  // Sizing with decode on is harmless: the all-ones range is refused or out of space.
  b.cfg_write(3, 0, 0x10, 4, 0xffffffffu);
  b.cfg_write(3, 0, 0x14, 4, 0xffffffffu);
  CHECK(b.mapper.io.empty());
  CHECK(b.mapper.mem.empty());
  // Disabling decode unmaps.
  b.cfg_write(3, 0, 0x10, 4, 0xc040);
  b.cfg_write(3, 0, 0x04, 2, 0);
  CHECK(b.mapper.io.empty());
}

TEST_CASE("PCI: hostile BAR values never map outside the address spaces", "[devices][pci]") {
  Board b;
  TestFunction f;
  b.host.attach(3, 0, &f);
  b.mapper.reserved_io.emplace_back(0x60, 0x10);  // the keyboard controller lives here
  b.cfg_write(3, 0, 0x04, 2, devices::pci::kCmdIo | devices::pci::kCmdMemory);
  b.cfg_write(3, 0, 0x10, 4, 0x12340);  // above 64K ports
  CHECK(b.mapper.io.empty());
  b.cfg_write(3, 0, 0x10, 4, 0xffe0);  // the last 32 ports: fits exactly
  CHECK(b.mapper.io.count(0xffe0));
  b.cfg_write(3, 0, 0x10, 4, 0x60);  // over an ISA device: refused, stays unmapped
  CHECK(b.mapper.io.empty());
  b.cfg_write(3, 0, 0x10, 4, 0);  // address 0 means unassigned
  CHECK(b.mapper.io.empty());
  // Every offset, every size, every pattern: no crash, vendor ID intact.
  for (unsigned reg = 0; reg < 256; reg++)
    for (unsigned size : {1u, 2u, 4u}) {
      b.cfg_write(3, 0, reg, size, 0xa5a5a5a5u);
      b.cfg_read(3, 0, reg, size);
    }
  CHECK(b.cfg_read(3, 0, 0, 4) == 0x56781234u);
}

TEST_CASE("PCI: INTx reaches an ISA IRQ through the PIIX3 PIRQ routes", "[devices][pci]") {
  Board b;
  pcitest::IrqLog pic;
  devices::Piix3Isa isa(pic, nullptr);
  b.host.attach(1, 0, &isa);
  b.host.set_irq_router(&isa);
  TestFunction f3, f4;
  b.host.attach(3, 0, &f3);
  b.host.attach(4, 0, &f4);
  // Slot 3 INTA# drives PIRQC and slot 4 INTA# PIRQD: the board rotates the pins by slot,
  // slot 1 INTA# being PIRQA. Route PIRQC to IRQ 11 and PIRQD to IRQ 11 too (shared).
  CHECK(devices::PciHost::pirq_of(3, 1) == 2);
  CHECK(devices::PciHost::pirq_of(4, 1) == 3);
  CHECK(devices::PciHost::pirq_of(1, 1) == 0);
  b.cfg_write(1, 0, 0x62, 1, 11);
  b.cfg_write(1, 0, 0x63, 1, 11);
  f3.set_intx(true);
  CHECK(pic.level[11]);
  CHECK(b.cfg_read(3, 0, 0x06, 2) & devices::pci::kStsIntx);  // interrupt status
  f4.set_intx(true);
  f3.set_intx(false);
  CHECK(pic.level[11]);  // still held by slot 4
  f4.set_intx(false);
  CHECK(!pic.level[11]);
  // Re-routing moves a held line; Interrupt Disable masks it.
  f3.set_intx(true);
  b.cfg_write(1, 0, 0x62, 1, 10);
  CHECK(!pic.level[11]);
  CHECK(pic.level[10]);
  b.cfg_write(3, 0, 0x04, 2, devices::pci::kCmdIntxDisable);
  CHECK(!pic.level[10]);
  b.cfg_write(3, 0, 0x04, 2, 0);
  CHECK(pic.level[10]);
  // Disabled routing (bit 7) or a reserved IRQ number drives nothing.
  b.cfg_write(1, 0, 0x62, 1, 0x80 | 10);
  CHECK(!pic.level[10]);
  for (unsigned bad : {0u, 1u, 2u, 8u, 13u}) {
    b.cfg_write(1, 0, 0x62, 1, bad);
    CHECK(!pic.level[bad]);
  }
}

TEST_CASE("PCI: serialize round trip restores configuration, mappings and PIRQ levels", "[devices][pci]") {
  Board b;
  pcitest::IrqLog pic;
  devices::Piix3Isa isa(pic, nullptr);
  TestFunction f;
  b.host.attach(1, 0, &isa);
  b.host.set_irq_router(&isa);
  b.host.attach(3, 0, &f);
  b.cfg_write(3, 0, 0x10, 4, 0xc000);
  b.cfg_write(3, 0, 0x04, 2, devices::pci::kCmdIo);
  b.cfg_write(1, 0, 0x62, 1, 11);
  f.set_intx(true);
  b.out(0xcf8, 4, Board::address(0, 3, 0, 0x10));

  auto save = [&] {
    devices::StateWriter w;
    b.host.serialize(w);
    f.serialize(w);
    isa.serialize(w);
    return w.out;
  };
  const std::vector<uint8_t> saved = save();

  f.set_intx(false);
  b.cfg_write(3, 0, 0x10, 4, 0xd000);
  b.cfg_write(1, 0, 0x62, 1, 0x80);
  CHECK(b.mapper.io.count(0xd000));

  devices::StateReader r(saved);
  b.host.serialize(r);
  f.serialize(r);
  isa.serialize(r);
  CHECK(r.at_end());
  CHECK(b.in(0xcf8, 4) == Board::address(0, 3, 0, 0x10));
  CHECK(b.in(0xcfc, 4) == 0xc001u);
  CHECK(b.mapper.io.count(0xc000));
  CHECK(!b.mapper.io.count(0xd000));
  CHECK(b.host.pirq_levels() == 1u << 2);
  CHECK(save() == saved);
  // A truncated state is refused.
  std::vector<uint8_t> cut(saved.begin(), saved.begin() + 3);
  devices::StateReader bad(cut);
  CHECK_THROWS(b.host.serialize(bad));
}

TEST_CASE("PCI: reset restores power-on values and unmaps", "[devices][pci]") {
  Board b;
  TestFunction f;
  b.host.attach(3, 0, &f);
  b.cfg_write(3, 0, 0x10, 4, 0xc000);
  b.cfg_write(3, 0, 0x04, 2, 1);
  CHECK(!b.mapper.io.empty());
  f.reset();
  b.host.reset();
  CHECK(b.mapper.io.empty());
  CHECK(b.in(0xcf8, 4) == 0);
  CHECK(b.cfg_read(3, 0, 0x10, 4) == 1);
  CHECK_THROWS(b.host.attach(3, 0, &f));   // slot taken
  CHECK_THROWS(b.host.attach(32, 0, &f));  // no such slot
}
