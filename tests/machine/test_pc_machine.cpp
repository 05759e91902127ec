#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "machine/pc_machine.h"
#include "tests/machine/rom_image.h"

using test::write_rom;

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
  cfg.until_serial = "[y]";
  cfg.timeout_ns = 1'000'000;  // 1 ms of virtual time
  machine::PcMachine pc(cfg, [](char) {});
  const machine::RunResult r = pc.run();
  CHECK(r.kind == machine::RunResult::Kind::Timeout);
  // Virtual time is 1 ns per instruction plus 720 ns per ISA port access: a loop of MOV, OUT,
  // JMP takes 723 ns, and the run stops at the first instruction boundary at or past 1 ms.
  CHECK(pc.clock().now_ns() >= 1'000'000);
  CHECK(pc.clock().now_ns() < 1'000'000 + 723);
  CHECK(pc.cpu().s.icount < 1'000'000 / 723 * 3 + 4);
}

// Firmware that copies every byte the 8042 receives (port 60h) to COM1. The controller starts
// with translation off, so the keyboard's set-2 codes arrive unchanged.
const std::vector<uint8_t> kKeyEchoRom = {
    0xe4, 0x64,        // 0: in al, 64h
    0xa8, 0x01,        // 2: test al, 1 (output buffer full)
    0x74, 0xfa,        // 4: jz 0
    0xe4, 0x60,        // 6: in al, 60h
    0xba, 0xf8, 0x03,  // 8: mov dx, 3F8h
    0xee,              // 11: out dx, al
    0xeb, 0xf2,        // 12: jmp 0
};

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST_CASE("script steps: typed text reaches the keyboard as set-2 make and break codes", "[machine][automation]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom(kKeyEchoRom);
  const std::string out = cfg.bios_path + ".com1";
  cfg.serial.push_back({machine::SerialConfig::Kind::File, out});
  machine::AutomationStep sleep{machine::AutomationStep::Kind::Sleep, "", 3'000'000};
  machine::AutomationStep type{machine::AutomationStep::Kind::Type, "aB\\n"};
  cfg.steps = {sleep, type};
  cfg.max_insns = 60'000'000;
  {
    machine::PcMachine pc(cfg, [](char) {});
    CHECK(pc.run().kind == machine::RunResult::Kind::InsnLimit);
  }
  // a: 1C, F0 1C; Shift+b: 12, 32, F0 32, F0 12; Enter: 5A, F0 5A.
  CHECK(read_text(out) == std::string("\x1c\xf0\x1c\x12\x32\xf0\x32\xf0\x12\x5a\xf0\x5a"));
  std::filesystem::remove(out);
}

TEST_CASE("script steps: a key combination goes down in order and up in reverse", "[machine][automation]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom(kKeyEchoRom);
  const std::string out = cfg.bios_path + ".com1";
  cfg.serial.push_back({machine::SerialConfig::Kind::File, out});
  machine::AutomationStep combo{machine::AutomationStep::Kind::Key, "ctrl-alt-delete"};
  combo.keys = {0x14, 0x11, 0xe071};  // left Ctrl, left Alt, Delete (an E0 key)
  cfg.steps = {{machine::AutomationStep::Kind::Sleep, "", 3'000'000}, combo};
  cfg.max_insns = 60'000'000;
  {
    machine::PcMachine pc(cfg, [](char) {});
    CHECK(pc.run().kind == machine::RunResult::Kind::InsnLimit);
  }
  // Set-2 make codes 14, 11, E0 71; break codes E0 F0 71, F0 11, F0 14 (IBM PS/2 scan code set 2).
  CHECK(read_text(out) == std::string("\x14\x11\xe0\x71\xe0\xf0\x71\xf0\x11\xf0\x14"));
  std::filesystem::remove(out);
}

TEST_CASE("script steps: each waits for its condition, then the final condition applies", "[machine][automation]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom(kKeyEchoRom);
  using Kind = machine::AutomationStep::Kind;
  // The firmware echoes keys to COM1: the serial step sees the first key only after it is typed,
  // and --until-serial must not match the bytes the step consumed.
  cfg.steps = {{Kind::Type, "a"}, {Kind::Serial, "\x1c"}, {Kind::Type, "b"}};
  cfg.until_serial = std::string(1, 0x32);  // the set-2 make code of B
  cfg.timeout_ns = 100'000'000;
  machine::PcMachine pc(cfg, [](char) {});
  CHECK(pc.run().kind == machine::RunResult::Kind::Matched);
  // Matched when "b" is released (F0 32): the final condition applies once typing is done.
  CHECK(pc.cpu().s.icount < 20'000'000);

  cfg.until_serial = "\x1c\xf0\x1c";  // consumed by the step: never matches afterwards
  machine::PcMachine pc2(cfg, [](char) {});
  CHECK(pc2.run().kind == machine::RunResult::Kind::Timeout);
}

namespace {

// A 64 KiB firmware image with `code` at F000:0000 and `handler` at F000:0100, entered by a far
// jump at the reset vector.
std::string write_program(const std::vector<uint8_t>& code, const std::vector<uint8_t>& handler) {
  std::vector<uint8_t> rom(0x10000, 0xf4);
  std::copy(code.begin(), code.end(), rom.begin());
  std::copy(handler.begin(), handler.end(), rom.begin() + 0x100);
  const uint8_t reset[] = {0xea, 0x00, 0x00, 0x00, 0xf0};  // jmp F000:0000
  std::copy(std::begin(reset), std::end(reset), rom.begin() + 0xfff0);
  static int serial = 0;
  auto path = std::filesystem::temp_directory_path() /
              ("ghost86-test-prog-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".bin");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(rom.data()), std::streamsize(rom.size()));
  return path.string();
}

// Real mode, IF = 0: DS = SS = 0, SP = 7000h, IVT entry 2 (NMI) -> F000:0100, then `rest`.
std::vector<uint8_t> nmi_prologue(std::vector<uint8_t> rest) {
  std::vector<uint8_t> code = {0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x70,  // xor ax,ax ...
                               0xc7, 0x06, 0x08, 0x00, 0x00, 0x01,                    // mov [8],0100h
                               0xc7, 0x06, 0x0a, 0x00, 0x00, 0xf0};                   // mov [0Ah],F000h
  for (const uint8_t b : rest) code.push_back(b);  // (insert() trips a GCC 12 -Warray-bounds false positive)
  return code;
}

}  // namespace

TEST_CASE("NMI wakes HLT with IF = 0 and is taken again after the handler's IRET", "[machine][nmi]") {
  machine::MachineConfig cfg;
  // hlt; print B; hlt; print C; hlt. Handler: print N; iret.
  cfg.bios_path = write_program(nmi_prologue({0xf4, 0xb0, 'B', 0xe6, 0xe9, 0xf4, 0xb0, 'C', 0xe6, 0xe9, 0xf4}),
                                {0xb0, 'N', 0xe6, 0xe9, 0xcf});
  std::string out;
  machine::PcMachine pc(cfg, [&](char c) { out += c; });
  CHECK(pc.run().kind == machine::RunResult::Kind::HaltedForever);
  CHECK(out.empty());
  REQUIRE(pc.raise_nmi());
  CHECK(pc.run().kind == machine::RunResult::Kind::HaltedForever);
  CHECK(out == "NB");
  REQUIRE(pc.raise_nmi());
  pc.run();
  CHECK(out == "NBNC");
}

TEST_CASE("a second NMI waits while the NMI handler runs", "[machine][nmi]") {
  machine::MachineConfig cfg;
  // Handler: print N; hlt; print I; iret. A second NMI must not wake the HLT in the handler.
  cfg.bios_path = write_program(nmi_prologue({0xf4, 0xb0, 'B', 0xe6, 0xe9, 0xf4}),
                                {0xb0, 'N', 0xe6, 0xe9, 0xf4, 0xb0, 'I', 0xe6, 0xe9, 0xcf});
  std::string out;
  machine::PcMachine pc(cfg, [&](char c) { out += c; });
  pc.run();
  REQUIRE(pc.raise_nmi());
  pc.run();
  CHECK(out == "N");
  REQUIRE(pc.raise_nmi());
  CHECK(pc.run().kind == machine::RunResult::Kind::HaltedForever);
  CHECK(out == "N");
  CHECK(pc.cpu().s.nmi_pending == 1);  // latched for after the IRET
}

TEST_CASE("port 70h bit 7 masks NMI", "[machine][nmi]") {
  machine::MachineConfig cfg;
  // mov al,80h; out 70h,al; hlt
  cfg.bios_path = write_program(nmi_prologue({0xb0, 0x80, 0xe6, 0x70, 0xf4}), {0xb0, 'N', 0xe6, 0xe9, 0xcf});
  std::string out;
  machine::PcMachine pc(cfg, [&](char c) { out += c; });
  pc.run();
  CHECK_FALSE(pc.raise_nmi());
  CHECK(pc.run().kind == machine::RunResult::Kind::HaltedForever);
  CHECK(out.empty());
}

TEST_CASE("HLT with IF = 0 runs into --timeout when one is given", "[machine]") {
  machine::MachineConfig cfg;
  cfg.bios_path = write_rom({0xf4});
  cfg.timeout_ns = 1'000'000;
  machine::PcMachine pc(cfg, [](char) {});
  const machine::RunResult r = pc.run();
  CHECK(r.kind == machine::RunResult::Kind::Timeout);
  CHECK(pc.cpu().s.icount == 1'000'000);
}

// Firmware that echoes COM1 input back, waiting for the transmitter before each byte.
TEST_CASE("script steps: send feeds COM1's receiver without overrunning it", "[machine][automation]") {
  const std::vector<uint8_t> echo = {
      0xba, 0xfd, 0x03,  // 0: mov dx, 3FDh
      0xec,              // 3: in al, dx
      0xa8, 0x01,        // 4: test al, 1 (data ready)
      0x74, 0xfb,        // 6: jz 3
      0xba, 0xf8, 0x03,  // 8: mov dx, 3F8h
      0xec,              // 11: in al, dx
      0x88, 0xc4,        // 12: mov ah, al
      0xba, 0xfd, 0x03,  // 14: mov dx, 3FDh
      0xec,              // 17: in al, dx
      0xa8, 0x20,        // 18: test al, 20h (transmitter holding register empty)
      0x74, 0xfb,        // 20: jz 17
      0x88, 0xe0,        // 22: mov al, ah
      0xba, 0xf8, 0x03,  // 24: mov dx, 3F8h
      0xee,              // 27: out dx, al
      0xeb, 0xe2,        // 28: jmp 0
  };
  machine::MachineConfig cfg;
  cfg.bios_path = write_program(echo, {});
  using Kind = machine::AutomationStep::Kind;
  // Forty bytes in a row: with the FIFO off the receiver holds one character at a time.
  cfg.steps = {{Kind::Send, "0123456789abcdefghijklmnopqrstuvwxyz!?\\n"}};
  cfg.until_serial = "0123456789abcdefghijklmnopqrstuvwxyz!\\?\r";
  cfg.timeout_ns = 200'000'000;
  machine::PcMachine pc(cfg, [](char) {});
  CHECK(pc.run().kind == machine::RunResult::Kind::Matched);
}

TEST_CASE("script steps: a mouse step moves and clicks the PS/2 mouse", "[machine][automation]") {
  // The echo firmware, after enabling the 8042's auxiliary port (A8h) and the mouse's data
  // reporting (D4h, then F4h to the mouse).
  std::vector<uint8_t> rom = {0xb0, 0xa8, 0xe6, 0x64, 0xb0, 0xd4, 0xe6, 0x64, 0xb0, 0xf4, 0xe6, 0x60};
  rom.insert(rom.end(), kKeyEchoRom.begin(), kKeyEchoRom.end());
  machine::MachineConfig cfg;
  cfg.bios_path = write_program(rom, {});
  const std::string out = cfg.bios_path + ".com1";
  cfg.serial.push_back({machine::SerialConfig::Kind::File, out});
  machine::AutomationStep mouse{machine::AutomationStep::Kind::Mouse, "5,-3,left"};
  mouse.dx = 5, mouse.dy = -3, mouse.buttons = 1;
  cfg.steps = {{machine::AutomationStep::Kind::Sleep, "", 3'000'000}, mouse};
  cfg.max_insns = 60'000'000;
  {
    machine::PcMachine pc(cfg, [](char) {});
    CHECK(pc.run().kind == machine::RunResult::Kind::InsnLimit);
  }
  // FA acknowledges F4. Then 3-byte stream packets (byte 0: Y sign 20h, X sign 10h, always 08h,
  // buttons): the move (+5, -3), the left button down, and up.
  CHECK(read_text(out) == std::string("\xfa\x28\x05\xfd\x09\x00\x00\x08\x00\x00", 10));
  std::filesystem::remove(out);
}
