// FERR# on the PC board: with CR0.NE = 0 an unmasked x87 exception reaches the CPU as IRQ 13
// through the slave 8259, and the handler clears it with a write to port F0h.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "machine/pc_machine.h"

namespace {

// Real-mode firmware (assembled from the listing below) at F000:0000, entered from the reset
// vector:
//   set up DS = SS = 0, SP = 7000h; IVT[75h] = F000:handler; byte [600h] = 0
//   initialise both 8259s (vectors 08h and 70h), unmask IRQ 2 and IRQ 13 only
//   fninit; fldcw 037Bh (ZE unmasked); fld1; fldz; fdivp st1, st0 (#Z pending); sti
//   fld1 (waiting: FERR#); wait for [600h] = 1; out E9h 'D'; out F4h 1; hlt
// handler: out F0h; fnclex; [600h] = 1; out E9h 'I'; EOI slave and master; iret
const uint8_t kCode[] = {
    0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x70, 0xc7, 0x06, 0xd4, 0x01, 0x64,
    0x00, 0xc7, 0x06, 0xd6, 0x01, 0x00, 0xf0, 0xc6, 0x06, 0x00, 0x06, 0x00, 0xb0, 0x11, 0xe6,
    0x20, 0xe6, 0xa0, 0xb0, 0x08, 0xe6, 0x21, 0xb0, 0x70, 0xe6, 0xa1, 0xb0, 0x04, 0xe6, 0x21,
    0xb0, 0x02, 0xe6, 0xa1, 0xb0, 0x01, 0xe6, 0x21, 0xe6, 0xa1, 0xb0, 0xfb, 0xe6, 0x21, 0xb0,
    0xdf, 0xe6, 0xa1, 0xdb, 0xe3, 0xc7, 0x06, 0x04, 0x06, 0x7b, 0x03, 0xd9, 0x2e, 0x04, 0x06,
    0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0xfb, 0xd9, 0xe8, 0x80, 0x3e, 0x00, 0x06, 0x01, 0x75,
    0xf9, 0xb0, 0x44, 0xe6, 0xe9, 0xb0, 0x01, 0xe6, 0xf4, 0xf4, 0xe6, 0xf0, 0xdb, 0xe2, 0xc6,
    0x06, 0x00, 0x06, 0x01, 0xb0, 0x49, 0xe6, 0xe9, 0xb0, 0x20, 0xe6, 0xa0, 0xe6, 0x20, 0xcf};

std::string write_rom() {
  std::vector<uint8_t> rom(0x10000, 0xf4);
  std::copy(std::begin(kCode), std::end(kCode), rom.begin());
  const uint8_t reset[] = {0xea, 0x00, 0x00, 0x00, 0xf0};  // jmp F000:0000
  std::copy(std::begin(reset), std::end(reset), rom.begin() + 0xfff0);
  auto path = std::filesystem::temp_directory_path() /
              ("ghost86-test-irq13-" + std::to_string(::getpid()) + ".bin");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(rom.data()), std::streamsize(rom.size()));
  return path.string();
}

}  // namespace

TEST_CASE("an unmasked x87 exception with CR0.NE = 0 raises IRQ 13, cleared through port F0h",
          "[machine][fpu]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom();
  cfg.debug_exit.push_back({true, 0xf4, 4});
  cfg.max_insns = 1000000;
  std::string out;
  machine::PcMachine pc(cfg, [&](char c) { out += c; });
  const machine::RunResult r = pc.run();
  std::filesystem::remove(cfg.bios_path);
  CHECK(out == "ID");
  CHECK(r.kind == machine::RunResult::Kind::DebugExit);
  CHECK(!pc.board().pic().intr_pending());
}
