#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "machine/pc_machine.h"

namespace {

// A 64 KiB firmware image whose reset vector (offset FFF0h) runs `code`.
std::string write_rom(const std::vector<uint8_t>& code, size_t size = 0x10000) {
  std::vector<uint8_t> rom(size, 0xf4);
  std::copy(code.begin(), code.end(), rom.end() - 16);
  // Test cases run as parallel processes: each image gets a name of its own.
  static int serial = 0;
  auto path = std::filesystem::temp_directory_path() /
              ("ghost86-test-rom-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".bin");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(rom.data()), std::streamsize(rom.size()));
  return path.string();
}

}  // namespace

TEST_CASE("firmware runs from the reset vector and exits through isa-debug-exit", "[machine]") {
  machine::MachineConfig cfg;
  // mov al,'O'; out E9h,al; mov al,'K'; out 402h... (DX form); mov al,3; out F4h,al
  cfg.bios_path = write_rom({0xb0, 'O', 0xe6, 0xe9, 0xba, 0x02, 0x04, 0xb0, 'K', 0xee, 0xb0, 0x03, 0xe6, 0xf4});
  cfg.debug_exit.push_back({true, 0xf4, 4});
  std::string out;
  machine::PcMachine pc(cfg, [&](char c) { out += c; });
  machine::RunResult r = pc.run();
  CHECK(out == "OK");
  CHECK(r.kind == machine::RunResult::Kind::DebugExit);
  CHECK(r.exit_status == 7);  // (3 << 1) | 1, as QEMU's isa-debug-exit
}

TEST_CASE("a halted guest with nothing to wake it stops the machine", "[machine]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom({0xf4});
  machine::PcMachine pc(cfg, [](char) {});
  CHECK(pc.run().kind == machine::RunResult::Kind::HaltedForever);
}

TEST_CASE("an instruction limit stops a guest that never ends", "[machine]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom({0xeb, 0xfe});  // jmp $
  cfg.max_insns = 1000;
  machine::PcMachine pc(cfg, [](char) {});
  machine::RunResult r = pc.run();
  CHECK(r.kind == machine::RunResult::Kind::InsnLimit);
  CHECK(pc.cpu().s.icount == 1000);
}

TEST_CASE("bad firmware is refused with a clear message", "[machine]") {
  machine::MachineConfig cfg;
  cfg.bios_path = "/nonexistent/bios.bin";
  CHECK_THROWS_WITH(machine::PcMachine(cfg, [](char) {}), Catch::Contains("/nonexistent/bios.bin"));
  cfg.bios_path = write_rom({0xf4}, 1000);
  CHECK_THROWS_WITH(machine::PcMachine(cfg, [](char) {}), Catch::Contains("not a multiple of 64 KiB"));
}

TEST_CASE("the same configuration gives the same run", "[machine][determinism]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom({0xb0, 'x', 0xe6, 0xe9, 0xeb, 0xfa});  // print forever
  cfg.max_insns = 5000;
  std::string a, b;
  machine::PcMachine p1(cfg, [&](char c) { a += c; });
  p1.run();
  machine::PcMachine p2(cfg, [&](char c) { b += c; });
  p2.run();
  CHECK(a == b);
  // Each loop is mov, out, jmp: the OUTs are instructions 1, 4, 7, ... below 5000.
  CHECK(a.size() == 1667);
  CHECK(p1.cpu().s.eip == p2.cpu().s.eip);
  CHECK(p1.state_hash() == p2.state_hash());
  // And the hash does see a difference in RAM.
  p2.memory().ram()[0x1234] ^= 1;
  CHECK(p1.state_hash() != p2.state_hash());
}

TEST_CASE("output watches: a match stops the run, a timeout is reported", "[machine]") {
  machine::MachineConfig cfg;
  // Prints "x" on COM1 (3F8h) forever: mov dx,3F8h; mov al,'x'; out dx,al; jmp back
  cfg.bios_path = write_rom({0xba, 0xf8, 0x03, 0xb0, 'x', 0xee, 0xeb, 0xfb});
  cfg.until_serial = "xxx";
  {
    machine::PcMachine pc(cfg, [](char) {});
    CHECK(pc.run().kind == machine::RunResult::Kind::Matched);
  }
  cfg.until_serial = "y";
  cfg.timeout_ns = 1'000'000;  // 1 ms of virtual time
  machine::PcMachine pc(cfg, [](char) {});
  const machine::RunResult r = pc.run();
  CHECK(r.kind == machine::RunResult::Kind::Timeout);
  CHECK(pc.cpu().s.icount == 1'000'000);  // 1 ns per instruction
}
