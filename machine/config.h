// MachineConfig: everything that defines a machine before it starts. Guest-visible state is a
// pure function of this, the images, and the input log (DESIGN.md §2.1).
#pragma once

#include <array>
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

// How the UARTs time characters (-global isa-serial.timing=): Fast sends each one after a short
// fixed time, Baud takes its real time on the line at the programmed rate (devices/uart.h).
enum class SerialTiming { Fast, Baud };

struct DebugExitConfig {
  bool enabled = false;
  uint16_t iobase = 0xf4;
  uint16_t iosize = 0x04;
};

// One step of a headless script (--step KIND:ARG), run in order before the --until conditions
// apply: wait until the text screen or COM1's output matches a regular expression, type text on
// the keyboard, send text to COM1's receiver (a serial console), or let virtual time pass.
struct AutomationStep {
  // Needle: wait for the screen to match a stored picture (machine/needle.h); Key: press a key
  // combination; Mouse: move the PS/2 mouse and click; Command: a control (QMP) command;
  // Savevm: write a snapshot.
  enum class Kind { Screen, Serial, Type, Send, Sleep, Needle, Key, Mouse, Command, Savevm } kind = Kind::Sleep;
  std::string arg;  // the regular expression, the text, the needle or snapshot path, the command
  uint64_t ns = 0;  // for Sleep
  // For Screen, Serial and Needle: fail the run (RunResult::Kind::Timeout) unless the match
  // comes within this much virtual time of the step's start; 0: no limit of its own.
  uint64_t limit_ns = 0;
  std::vector<uint16_t> keys{};  // for Key: set-2 key codes, pressed in order, released in reverse
  int dx = 0, dy = 0;          // for Mouse: relative movement (y grows upwards, as PS/2 counts)
  uint8_t buttons = 0;         // for Mouse: clicked after the move (devices::Ps2Mouse bits)
};

// Debian's SeaBIOS (package seabios): the default firmware, as QEMU's; its VGA BIOS sits next to it.
inline constexpr const char* kSeabiosPath = "/usr/share/seabios/bios.bin";

// A drive from -drive (or -hdc, -hdd, -fdb), QEMU's way: an IDE slot (index 0-3: primary
// master, primary slave, secondary master, secondary slave), a floppy drive (0 A:, 1 B:) or a
// virtio-blk device (if=virtio, or an if=none drive that -device virtio-blk-pci took; the index
// orders them).
struct DriveConfig {
  enum class Interface { Ide, Floppy, Virtio, None };  // None: defined but attached nowhere
  enum class Format { Auto, Raw, Qcow2 };      // Auto: detected by magic
  std::string file;                            // empty: a drive with no medium
  Format format = Format::Auto;
  Interface iface = Interface::Ide;
  int index = -1;  // the slot; -1 until placed (the first free one)
  bool cdrom = false;
  bool readonly = false;
  std::optional<bool> snapshot;  // unset: as -snapshot says
  std::string id;
  std::string serial;              // virtio-blk: what GET_ID answers (-device ...,serial=)
  std::string option = "-drive";  // how it was given, for messages
};

// -netdev user / -nic user: a user-mode network (libslirp, machine/net/) with its guest-side
// subnet and the host ports it forwards into the guest.
struct HostForward {
  bool udp = false;
  std::string host_addr;  // empty: any
  uint16_t host_port = 0;
  std::string guest_addr;  // empty: the first DHCP address (x.x.x.15)
  uint16_t guest_port = 0;
};
struct NetdevConfig {
  std::string id;
  uint32_t net = 0x0a000200;  // 10.0.2.0/24, as QEMU
  unsigned prefix = 24;
  std::vector<HostForward> hostfwd;
};
// A network card (-device e1000 or -nic) and the netdev it is connected to.
struct NicConfig {
  std::string model = "e1000";
  std::string netdev;
  std::array<uint8_t, 6> mac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};  // QEMU's first address
};

struct MachineConfig {
  uint64_t ram_bytes = 128ull << 20;
  std::string bios_path;  // empty: the built-in demo ROM (-bios demo; the CLI defaults to SeaBIOS)
  std::string hda, hdb, cdrom, fda, kernel, initrd, append;
  std::vector<DriveConfig> drives;  // placed in slots -hda/-hdb/-cdrom/-fda leave free
  std::string boot_order = "cad";
  std::vector<SerialConfig> serial;  // COM1.. in order
  SerialTiming serial_timing = SerialTiming::Fast;
  // Where the debug console (ports E9h and 402h, SeaBIOS's log) goes. Unset: nowhere, as in QEMU.
  std::optional<SerialConfig> debugcon;
  DisplayKind display = DisplayKind::None;
  bool snapshot = false;
  bool no_reboot = false;
  Accel accel = Accel::Interp;
  uint32_t jit_cache_mb = 64;  // the JIT's code buffer
  std::vector<DebugExitConfig> debug_exit;
  bool gdb_stub = false;     // -s
  bool start_stopped = false;  // -S
  // Virtual time: nanoseconds of guest time per retired instruction.
  uint32_t ns_per_insn = 1;
  // Stop after this many retired instructions (0 = no limit); a guard against stuck guests.
  uint64_t max_insns = 0;
  // --report: print "icount=N hash=H" at exit; --checkpoint-every N: print it each time the
  // instruction count reaches a multiple of N (0 = never).
  bool report = false;
  uint64_t checkpoint_every = 0;
  // Headless automation: stop when COM1 output or the VGA text screen matches a regular
  // expression (ECMAScript syntax), give up after `timeout_ns` of virtual time, and write the
  // text screen to a file at exit.
  std::vector<AutomationStep> steps;
  // A needle step that has not matched when its limit passes writes the screen as the needle's
  // new picture instead of failing (ghost86 test --update-needles).
  bool update_needles = false;
  std::string until_serial, until_screen, screendump;
  uint64_t timeout_ns = 0;
  // Diagnostic log items for stderr, as QEMU's -d: "int", "exec", "in_asm", comma-separated.
  std::string debug_log;
  // -perfmap: name every translated block in /tmp/perf-PID.map, so that `perf report` can
  // attribute host samples to guest code.
  bool perfmap = false;
  // -cpu: a processor model name CPUID reports (cpu/cpu_model.h); empty: the default P6.
  std::string cpu_model;
  // -rtc base=: seconds since 1970-01-01 00:00:00 UTC the RTC shows at power-on; unset: the
  // RTC's fixed default. Never the host's clock.
  std::optional<int64_t> rtc_epoch;
  // -vga none: no VGA adapter on the buses (the device model stays, unwired).
  bool vga = true;
  // Snapshots (README.md "Snapshots"): -loadvm starts from one; -savevm writes one when the run
  // ends, --savevm-at ICOUNT:FILE when the instruction count reaches ICOUNT (in order).
  struct SaveAt {
    uint64_t icount = 0;
    std::string path;
  };
  std::string loadvm, savevm;
  std::vector<SaveAt> savevm_at;
  // -record FILE: log host input and a state check every `record_every` instructions;
  // -replay FILE: run from such a log instead of host input (machine/record_replay.h).
  std::string record, replay;
  uint64_t record_every = 100'000'000;
  // -name: the guest's name, shown in the window title.
  std::string name;
  // Networks and the cards on them (-netdev, -nic, -device e1000); none by default.
  std::vector<NetdevConfig> netdevs;
  std::vector<NicConfig> nics;
};

}  // namespace machine
