// MachineConfig: everything that defines a machine before it starts. Guest-visible state is a
// pure function of this, the images, and the input log (DESIGN.md §2.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace machine {

enum class Accel { Jit, Interp };
enum class DisplayKind { None, Sdl };

struct SerialConfig {
  enum class Kind { None, Stdio, File } kind = Kind::None;
  std::string path;  // for File
};

struct DebugExitConfig {
  bool enabled = false;
  uint16_t iobase = 0xf4;
  uint16_t iosize = 0x04;
};

struct MachineConfig {
  uint64_t ram_bytes = 128ull << 20;
  std::string bios_path;  // empty: the built-in demo ROM
  std::string hda, hdb, cdrom, fda, kernel, initrd, append;
  std::string boot_order = "cad";
  std::vector<SerialConfig> serial;  // COM1.. in order
  // Where the debug console (ports E9h and 402h, SeaBIOS's log) goes. Unset: stdio for the
  // built-in firmware, nowhere otherwise.
  std::optional<SerialConfig> debugcon;
  DisplayKind display = DisplayKind::None;
  bool snapshot = false;
  bool no_reboot = false;
  Accel accel = Accel::Interp;
  std::vector<DebugExitConfig> debug_exit;
  bool gdb_stub = false;     // -s
  bool start_stopped = false;  // -S
  // Virtual time: nanoseconds of guest time per retired instruction.
  uint32_t ns_per_insn = 1;
  // Stop after this many retired instructions (0 = no limit); a guard against stuck guests.
  uint64_t max_insns = 0;
  // Headless automation: stop when COM1 output or the VGA text screen matches a regular
  // expression (ECMAScript syntax), give up after `timeout_ns` of virtual time, and write the
  // text screen to a file at exit.
  std::string until_serial, until_screen, screendump;
  uint64_t timeout_ns = 0;
  // Diagnostic log items for stderr, as QEMU's -d: "int", "exec", "in_asm", comma-separated.
  std::string debug_log;
};

}  // namespace machine
