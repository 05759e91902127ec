// Network cards on the PC: their PCI slots, and for -kernel boots (no firmware) the interrupt
// routing SeaBIOS would have set up, so that a kernel probing PCI itself finds their IRQs.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "machine/pc_machine.h"

namespace {

// A Multiboot v1 kernel (a.out kludge, flags bit 16) that halts: loaded at 1 MiB, entered at
// 1 MiB + 32 (Multiboot specification 0.6.96 §3.1).
std::string write_multiboot_kernel() {
  std::vector<uint8_t> k(64, 0xf4);
  const uint32_t magic = 0x1badb002, flags = 0x00010000;
  const uint32_t words[] = {magic, flags, uint32_t(-(magic + flags)), 0x100000, 0x100000, 0, 0, 0x100020};
  std::memcpy(k.data(), words, sizeof words);
  const auto path = std::filesystem::temp_directory_path() /
                    ("ghost86-test-mb-" + std::to_string(::getpid()) + ".bin");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(k.data()), std::streamsize(k.size()));
  return path.string();
}

uint32_t cfg_read(machine::PcMachine& pc, unsigned slot, unsigned reg, unsigned size) {
  pc.bus().io_write(0xcf8, 4, 0x80000000u | slot << 11 | (reg & 0xfc));
  return pc.bus().io_read(uint16_t(0xcfc + (reg & 3)), size);
}

}  // namespace

TEST_CASE("network cards sit in slots 3 and up, routed as SeaBIOS routes them for -kernel", "[machine][net]") {
  machine::MachineConfig cfg;
  cfg.kernel = write_multiboot_kernel();
  cfg.nics.resize(2);
  cfg.nics[1].mac[5] = 0x57;
  machine::PcMachine pc(cfg, [](char) {});
  std::filesystem::remove(cfg.kernel);
  CHECK(cfg_read(pc, 3, 0x00, 4) == 0x100e8086u);
  CHECK(cfg_read(pc, 4, 0x00, 4) == 0x100e8086u);
  CHECK(cfg_read(pc, 5, 0x00, 2) == 0xffff);  // nothing further
  // INTA# of slot 3 is PIRQC, of slot 4 PIRQD (the PIIX swizzle), both routed to IRQ 11 as
  // SeaBIOS routes PIRQA-D (10, 10, 11, 11); the interrupt line registers say so.
  CHECK(cfg_read(pc, 1, 0x60, 4) == 0x0b0b0a0au);
  CHECK(cfg_read(pc, 3, 0x3c, 1) == 11);
  CHECK(cfg_read(pc, 4, 0x3c, 1) == 11);
  // Both IRQs are level-triggered in the ELCR, as PCI interrupts are.
  CHECK((pc.bus().io_read(0x4d1, 1) & 0x0c) == 0x0c);
}
