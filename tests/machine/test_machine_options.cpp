// The machine side of -cpu, -rtc base= and -vga none.
#include <catch2/catch.hpp>

#include "machine/pc_machine.h"

namespace {

uint8_t cmos(machine::PcMachine& pc, uint8_t reg) {
  pc.bus().io_write(0x70, 1, reg);
  return uint8_t(pc.bus().io_read(0x71, 1));
}

uint32_t pci_read(machine::PcMachine& pc, unsigned dev, unsigned reg) {
  pc.bus().io_write(0xcf8, 4, 0x80000000u | dev << 11 | reg);
  return pc.bus().io_read(0xcfc, 4);
}

}  // namespace

TEST_CASE("machine options: -cpu sets the signature in EDX at RESET", "[machine][options]") {
  machine::MachineConfig cfg;
  cfg.cpu_model = "pentium";
  machine::PcMachine pc(cfg, [](char) {});
  CHECK(pc.cpu().s.regs[cpu::EDX] == 0x543);  // family 5, model 4, stepping 3
  cfg.cpu_model = "pentium4";
  CHECK_THROWS_WITH(machine::PcMachine(cfg, [](char) {}), "-cpu: unknown model 'pentium4'");
}

TEST_CASE("machine options: -rtc base= sets the time the RTC starts at", "[machine][options]") {
  machine::MachineConfig cfg;
  cfg.rtc_epoch = 1150560081;  // 2006-06-17 16:01:21 UTC, a Saturday
  machine::PcMachine pc(cfg, [](char) {});
  // BCD, 24-hour (register B after power-on).
  CHECK(cmos(pc, 0x00) == 0x21);
  CHECK(cmos(pc, 0x02) == 0x01);
  CHECK(cmos(pc, 0x04) == 0x16);
  CHECK(cmos(pc, 0x06) == 7);  // day of week, Sunday = 1
  CHECK(cmos(pc, 0x07) == 0x17);
  CHECK(cmos(pc, 0x08) == 0x06);
  CHECK(cmos(pc, 0x09) == 0x06);
  CHECK(cmos(pc, 0x32) == 0x20);
}

TEST_CASE("machine options: -vga none leaves no VGA on the buses", "[machine][options]") {
  machine::MachineConfig cfg;
  machine::PcMachine with(cfg, [](char) {});
  CHECK(pci_read(with, 2, 0) == 0x11111234);  // 00:02.0: the Bochs/QEMU standard VGA
  cfg.vga = false;
  machine::PcMachine without(cfg, [](char) {});
  CHECK(pci_read(without, 2, 0) == 0xffffffff);  // no function there
  CHECK(without.bus().io_read(0x3cc, 1) == 0xff);  // the misc output register does not answer
}
