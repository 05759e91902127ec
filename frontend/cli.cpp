#include "frontend/cli.h"

#include "frontend/drive_option.h"
#include "frontend/net_option.h"
#include "frontend/step_option.h"
#include "frontend/control/listener.h"
#include "frontend/gdb/server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>

#include "cpu/cpu_model.h"

#ifndef GHOST86_VERSION
#define GHOST86_VERSION "0.1.0"
#endif

namespace frontend {
namespace {

using machine::Accel;
using machine::DebugExitConfig;
using machine::DisplayKind;
using machine::MachineConfig;
using machine::SerialConfig;

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kMinRam = 1 * kMiB;
// A 32-bit PC: the top 512 MiB of the 4 GiB space hold the PCI hole, APICs and the BIOS.
constexpr uint64_t kMaxRam = 3584 * kMiB;
constexpr uint64_t kRamAlign = 8192;            // QEMU rounds -m up to this
constexpr size_t kMaxSerialPorts = 4;           // COM1..COM4, as in QEMU
constexpr uint16_t kQemuDebugExitBase = 0x501;  // QEMU's isa-debug-exit defaults
constexpr uint16_t kQemuDebugExitSize = 0x02;
constexpr std::string_view kDemoFirmware = "demo";  // -bios demo: the built-in ROM

// One row per option: drives CLI11 registration, the pre-scan, feature gating and help text.
struct OptionSpec {
  std::string_view name;  // QEMU's spelling, without dashes
  std::string_view arg;   // value placeholder for help; empty for flags
  std::string_view help;
  bool Features::*needs = nullptr;  // feature the option cannot work without
  std::string_view missing = {};    // "<what> is/are" for the not-supported message
};

constexpr std::array kOptions = {
    OptionSpec{"m", "SIZE", "Guest RAM: MiB, or with a K/M/G/T suffix (1M..3584M, default 128M)"},
    OptionSpec{"bios", "FILE", "Firmware image, or 'demo' for the built-in demo ROM (default: SeaBIOS)"},
    OptionSpec{"hda", "FILE", "Primary master hard disk image (a bare argument also means -hda)",
               &Features::disks, "hard disk images are"},
    OptionSpec{"hdb", "FILE", "Primary slave hard disk image", &Features::disks,
               "hard disk images are"},
    OptionSpec{"hdc", "FILE", "Secondary master hard disk image", &Features::disks, "hard disk images are"},
    OptionSpec{"hdd", "FILE", "Secondary slave hard disk image", &Features::disks, "hard disk images are"},
    OptionSpec{"cdrom", "FILE", "CD-ROM image (secondary master)", &Features::cdrom, "CD-ROM images are"},
    OptionSpec{"fda", "FILE", "Floppy disk A image", &Features::floppy, "floppy disk images are"},
    OptionSpec{"fdb", "FILE", "Floppy disk B image", &Features::floppy, "floppy disk images are"},
    OptionSpec{"drive", "OPTS",
               "Add a drive: file=F[,format=raw|qcow2][,if=ide|floppy|virtio|none][,index=N][,media=disk|cdrom]"
               "[,readonly=on|off][,snapshot=on|off][,id=ID][,cache=M]",
               &Features::disks, "drives are"},
    OptionSpec{"boot", "ORDER",
               "Boot order of a (floppy), c (hard disk), d (CD-ROM); or order=..."},
    OptionSpec{"kernel", "FILE", "Linux kernel to boot directly", &Features::kernel,
               "direct kernel boot is"},
    OptionSpec{"initrd", "FILE", "Initial ramdisk for -kernel", &Features::kernel,
               "direct kernel boot is"},
    OptionSpec{"append", "STR", "Kernel command line for -kernel", &Features::kernel,
               "direct kernel boot is"},
    OptionSpec{"serial", "DEV", "Next COM port: stdio, file:PATH or none (repeatable)"},
    OptionSpec{"display", "TYPE", "Display: none, or sdl[,scale=fit|N] (a window scaled to fit, or N times)"},
    OptionSpec{"vnc", "DISPLAY", "VNC server: :N (TCP port 5900+N), HOST:N, unix:PATH or none"},
    OptionSpec{"nographic", "", "No display; COM1 on stdio unless -serial is given"},
    OptionSpec{"snapshot", "", "Write disk changes to a temporary overlay, not the images",
               &Features::snapshot_overlay, "snapshot overlays are"},
    OptionSpec{"no-reboot", "", "Exit instead of rebooting"},
    OptionSpec{"perfmap", "", "Name translated blocks in /tmp/perf-PID.map for perf (as QEMU's -perfmap)"},
    OptionSpec{"device", "DEV", "Add a device: isa-debug-exit[,iobase=N][,iosize=N], e1000 or virtio-net-pci,netdev=ID[,mac=MAC], virtio-blk-pci,drive=ID[,serial=S]"},
    OptionSpec{"netdev", "user,id=ID", "User-mode network: user,id=ID[,net=ADDR/PREFIX][,hostfwd=[tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT]..."},
    OptionSpec{"nic", "user|none", "Network card on a user network: user[,model=e1000|virtio-net-pci][,mac=MAC][,net=..][,hostfwd=..]"},
    OptionSpec{"net", "none", "No network (the default; -net nic/user are not supported, use -nic)"},
    OptionSpec{"global", "DRV.PROP=VAL",
               "Set a device property: isa-serial.timing=fast (default: characters leave at once) or "
               "baud (at the programmed baud rate)"},
    OptionSpec{"accel", "NAME", "CPU engine: jit (alias tcg) or interp"},
    OptionSpec{"machine", "TYPE", "Machine type: pc or pc-i440fx-* (both the i440FX PC, the only one)"},
    OptionSpec{"M", "TYPE", "Same as -machine"},
    OptionSpec{"cpu", "MODEL", "Processor model CPUID reports: pentium, pentium2, pentium3 or qemu32"},
    OptionSpec{"smp", "N", "Number of processors: 1 (more are refused)"},
    OptionSpec{"name", "NAME", "Guest name, shown in the window title"},
    OptionSpec{"vga", "TYPE", "VGA adapter: std (default) or none"},
    OptionSpec{"rtc", "base=B", "RTC start: base=utc, localtime (the same here) or YYYY-MM-DD[THH:MM:SS] (UTC)"},
    OptionSpec{"s", "", "Start a gdb server on tcp::1234", &Features::gdb, "the gdb stub is"},
    OptionSpec{"gdb", "DEV", "gdb server on tcp::PORT or tcp:HOST:PORT, or none", &Features::gdb, "the gdb stub is"},
    OptionSpec{"S", "", "Do not start the CPU until a monitor, QMP or gdb (-s) continues it"},
    OptionSpec{"qmp", "DEV", "QMP control socket: unix:PATH,server,wait=off, tcp:HOST:PORT,server,wait=off or stdio"},
    OptionSpec{"monitor", "DEV", "Human monitor: stdio, none, or a socket as for -qmp"},
    OptionSpec{"max-insns", "N", "Stop after N guest instructions (0 = unlimited)"},
    OptionSpec{"jit-cache-mb", "N", "Size of the JIT's code buffer in MiB (default 64; emptied whole when full)"},
    OptionSpec{"report", "", "At exit, print 'icount=N hash=H' (machine-state hash) on stderr"},
    OptionSpec{"checkpoint-every", "N", "Print the --report line every N guest instructions"},
    OptionSpec{"debugcon", "DEV", "Debug console (ports E9h/402h): stdio, file:PATH or none"},
    OptionSpec{"step", "KIND:ARG",
               "Script step, in order: screen[@S]:REGEX, serial[@S]:REGEX, needle[@S]:PATH (wait, within S virtual seconds), type:TEXT, key:ctrl-alt-delete (keyboard), send:TEXT (COM1), mouse:DX,DY[,BUTTON], click:BUTTON, qmp:JSON, savevm:FILE, sleep:SECONDS"},
    OptionSpec{"until-serial", "REGEX", "Stop with status 0 once COM1 output matches REGEX"},
    OptionSpec{"until-screen", "REGEX", "Stop with status 0 once the VGA text screen matches REGEX"},
    OptionSpec{"timeout", "SECONDS", "Give up after SECONDS of virtual time (exit status 3)"},
    OptionSpec{"wall-timeout", "SECONDS", "Give up after SECONDS of host time, a guard for CI (exit status 4)"},
    OptionSpec{"screendump", "FILE", "At exit, write the text screen (FILE.txt) or the picture (FILE.png)"},
    OptionSpec{"loadvm", "FILE", "Start from the snapshot in FILE"},
    OptionSpec{"savevm", "FILE", "At exit, write a snapshot of the machine to FILE"},
    OptionSpec{"savevm-at", "ICOUNT:FILE", "Write a snapshot to FILE when ICOUNT guest instructions have run"},
    OptionSpec{"record", "FILE", "Record host input, network frames and state checks to FILE (replay with -replay FILE)"},
    OptionSpec{"replay", "FILE", "Run from the log in FILE instead of host input, checking the state as recorded"},
    OptionSpec{"record-every", "N", "With -record: a state check every N guest instructions (default 100000000)"},
    OptionSpec{"d", "ITEMS", "Log to stderr: comma-separated int, exec, in_asm, out_asm, jit (as QEMU's -d)"},
    OptionSpec{"version", "", "Print the version and exit"},
    OptionSpec{"help", "", "Print this help and exit"},
};

// Our own options keep GNU spelling in help and messages; QEMU's use a single dash.
bool gnu_style(std::string_view name) {
  return name == "help" || name == "version" || name == "max-insns" || name == "jit-cache-mb" || name == "step" ||
         name == "until-serial" || name == "until-screen" || name == "timeout" || name == "wall-timeout" || name == "screendump" ||
         name == "report" || name == "checkpoint-every" || name == "savevm-at" || name == "record-every";
}

std::string spelled(std::string_view name) {
  return (gnu_style(name) ? "--" : "-") + std::string(name);
}

const OptionSpec* find_option(std::string_view name) {
  if (name == "h") name = "help";
  for (const OptionSpec& spec : kOptions) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// Thrown with the finished message; parse_command_line turns it into a CliResult.
struct UsageError {
  std::string message;
};

template <typename... Args>
[[noreturn]] void fail(std::string_view option, fmt::format_string<Args...> problem,
                       Args&&... args) {
  throw UsageError{fmt::format("ghost86: {}: {}", spelled(option),
                               fmt::format(problem, std::forward<Args>(args)...))};
}

std::string os_reason(int err) { return std::generic_category().message(err); }

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (size_t pos = 0;;) {
    const size_t next = text.find(sep, pos);
    parts.push_back(text.substr(pos, next - pos));
    if (next == std::string_view::npos) return parts;
    pos = next + 1;
  }
}

struct KeyValue {
  std::string_view key;
  std::optional<std::string_view> value;  // absent for a bare word
};

KeyValue key_value(std::string_view field) {
  const size_t eq = field.find('=');
  if (eq == std::string_view::npos) return {field, std::nullopt};
  return {field.substr(0, eq), field.substr(eq + 1)};
}

// ---- Pre-scan -------------------------------------------------------------------------------

// QEMU options ghost86 does not implement: refused by name and reason rather than as unknown.
struct Unsupported {
  std::string_view name;
  std::string_view reason;
};

constexpr std::array kUnsupported = {
    Unsupported{"enable-kvm", "KVM is not supported: ghost86 runs guests on its own engine (leave it out, or use -accel tcg)"},
    Unsupported{"usb", "USB is not supported (the PC has no USB controller)"},
    Unsupported{"usbdevice", "USB is not supported (the PC has no USB controller)"},
    Unsupported{"audiodev", "sound is not supported"},
    Unsupported{"soundhw", "sound is not supported"},
    Unsupported{"spice", "SPICE is not supported (use -display sdl or none)"},
    Unsupported{"mon", "-mon is not supported (use -qmp or -monitor)"},
    Unsupported{"chardev", "character devices are not supported (use -serial or -debugcon)"},
    Unsupported{"parallel", "parallel ports are not supported"},
    Unsupported{"k", "keyboard layouts are not supported (the keyboard is US)"},
    Unsupported{"full-screen", "full-screen windows are not supported"},
    Unsupported{"daemonize", "daemon mode is not supported"},
    Unsupported{"pidfile", "PID files are not supported"},
    Unsupported{"option-rom", "option ROMs are not supported"},
    Unsupported{"fw_cfg", "extra fw_cfg items are not supported"},
    Unsupported{"object", "QOM objects are not supported"},
    Unsupported{"numa", "NUMA is not supported"},
    Unsupported{"mem-path", "file-backed guest memory is not supported"},
    Unsupported{"mem-prealloc", "file-backed guest memory is not supported"},
    Unsupported{"incoming", "migration is not supported"},
    Unsupported{"icount", "ghost86 always counts instructions for time; -icount is not needed"},
    Unsupported{"watchdog", "watchdog devices are not supported"},
    Unsupported{"tpmdev", "TPM devices are not supported"},
    Unsupported{"sandbox", "seccomp sandboxing is not supported"},
    Unsupported{"semihosting", "semihosting is not supported"},
    Unsupported{"L", "firmware search paths are not supported (give -bios a path)"},
};

void refuse_unsupported(std::string_view name) {
  for (const Unsupported& u : kUnsupported)
    if (u.name == name) throw UsageError{fmt::format("ghost86: -{}: {}", name, u.reason)};
}

struct Scan {
  std::vector<std::string> tokens;  // "--name" [value] in command-line order, for CLI11
  bool help = false;
  bool version = false;
};

// QEMU takes the word after a valued option verbatim, even "" or "-x", and accepts -name and
// --name alike; CLI11 would read "-x" as an option and rejects single-dash long names. So options
// are recognised here and rewritten to "--name" "value" pairs, which CLI11 stores untouched.
// Like QEMU, help/version act when reached: later arguments are not examined.
Scan prescan(const std::vector<std::string>& args) {
  Scan scan;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.empty() || word[0] != '-') {  // QEMU: a bare argument is the -hda image
      scan.tokens.insert(scan.tokens.end(), {"--hda", word});
      continue;
    }
    std::string_view body(word);
    body.remove_prefix(body.starts_with("--") ? 2 : 1);
    const auto [name, inline_value] = key_value(body);  // GNU-style --name=value, as a bonus
    const OptionSpec* spec = find_option(name);
    if (spec == nullptr) refuse_unsupported(name);
    if (spec == nullptr) {
      const std::string_view typed = std::string_view(word).substr(0, word.find('='));
      throw UsageError{fmt::format("ghost86: {}: unknown option (see --help)", typed)};
    }
    if (spec->name == "help" || spec->name == "version") {
      (spec->name == "help" ? scan.help : scan.version) = true;
      return scan;
    }
    std::string canonical = "--" + std::string(spec->name);
    if (spec->arg.empty()) {
      if (inline_value) fail(spec->name, "takes no value");
      scan.tokens.push_back(std::move(canonical));
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      fail(spec->name, "missing argument (expected {})", spec->arg);
    }
    scan.tokens.push_back(std::move(canonical));
    scan.tokens.push_back(std::move(value));
  }
  return scan;
}

// ---- CLI11 app and help ---------------------------------------------------------------------

// Shows options as users type them (-bios, -m) rather than as registered (--bios, --m).
class QemuSpellingFormatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option* opt, bool) const override {
    std::string out;
    for (const std::string& name : opt->get_lnames()) {
      if (!out.empty()) out += ", ";
      out += name == "h" ? "-h" : spelled(name);
    }
    return out;
  }
  std::string make_usage(const CLI::App* app, std::string) const override {
    return fmt::format("Usage: {} [options] [disk_image]\n", app->get_name());
  }
};

std::string help_line(const OptionSpec& spec, const Features& available) {
  std::string line(spec.help);
  if (spec.needs != nullptr && !(available.*spec.needs)) line += " [not supported yet]";
  return line;
}

// Every option is registered under "--<qemu name>"; the pre-scan produces exactly that form.
void define_options(CLI::App& app, const Features& available) {
  app.set_help_flag();  // the pre-scan handles -h/--help
  for (const OptionSpec& spec : kOptions) {
    std::string names = "--" + std::string(spec.name);
    if (spec.name == "help") names = "--h," + names;
    CLI::Option* opt = spec.arg.empty() ? app.add_flag(names) : app.add_option(names);
    opt->description(help_line(spec, available));
    if (!spec.arg.empty()) opt->option_text(std::string(spec.arg))->take_all();
  }
  app.formatter(std::make_shared<QemuSpellingFormatter>());
  app.get_formatter()->column_width(24);
  app.footer(
      "Options use QEMU's spelling; -bios and --bios are the same.\n"
      "Repeated options: the last one wins, except -serial, -device and -drive, which add\n"
      "ports, devices and drives, -qmp and -monitor, which add control sockets, -global,\n"
      "applied in order, -accel, where the first one wins, and drive images (-hda...),\n"
      "allowed once each.");
}

std::string trim_trailing_newlines(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// ---- Values as CLI11 collected them ---------------------------------------------------------

class Given {
 public:
  explicit Given(const CLI::App& app) : app_(app) {}
  const std::vector<std::string>& all(std::string_view name) const {
    return option(name).results();
  }
  bool has(std::string_view name) const { return option(name).count() > 0; }
  std::optional<std::string> last(std::string_view name) const {
    const auto& values = all(name);
    if (values.empty()) return std::nullopt;
    return values.back();
  }

 private:
  const CLI::Option& option(std::string_view name) const {
    return *app_.get_option("--" + std::string(name));
  }
  const CLI::App& app_;
};

// ---- Value parsers --------------------------------------------------------------------------

template <typename T>
std::optional<T> parse_whole(std::string_view text, int base = 10) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Decimal or 0x-hex. A leading 0 is refused: QEMU would read "010" as octal, we would not.
std::optional<uint64_t> parse_number(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X"))
    return parse_whole<uint64_t>(text.substr(2), 16);
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  return parse_whole<uint64_t>(text);
}

// QEMU size syntax: N[.F][suffix], suffix B/K/M/G/T/P/E in any case, none meaning MiB.
std::optional<uint64_t> parse_size_bytes(std::string_view text) {
  const size_t digits_end = text.find_first_not_of("0123456789.");
  const std::string_view number = text.substr(0, digits_end);
  const std::string_view suffix =
      digits_end == std::string_view::npos ? "" : text.substr(digits_end);
  static constexpr std::string_view kSuffixes = "BKMGTPE";
  unsigned shift = 20;
  if (!suffix.empty()) {
    const size_t index =
        suffix.size() == 1
            ? kSuffixes.find(static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0]))))
            : std::string_view::npos;
    if (index == std::string_view::npos) return std::nullopt;
    shift = 10 * static_cast<unsigned>(index);
  }
  const size_t dot = number.find('.');
  const auto whole = parse_whole<uint64_t>(number.substr(0, dot));
  if (!whole || *whole > (~0ull >> shift)) return std::nullopt;
  uint64_t bytes = *whole << shift;
  if (dot != std::string_view::npos) {
    // Fractions ("1.5G") as in QEMU. Digits past 18 are below a byte even for E; computed by
    // hand because strtod would follow the locale's decimal separator.
    const std::string_view frac = number.substr(dot + 1).substr(0, 18);
    const auto digits = parse_whole<uint64_t>(frac);
    if (!digits || number.find('.', dot + 1) != std::string_view::npos) return std::nullopt;
    const long double fraction = *digits / std::pow(10.0L, static_cast<int>(frac.size()));
    bytes += static_cast<uint64_t>(std::ldexp(fraction, static_cast<int>(shift)));
  }
  return bytes;
}

// QEMU's -m: "[size=]N[suffix][,slots=N][,maxmem=SIZE]".
uint64_t parse_ram_size(std::string_view text) {
  std::string_view size;
  const auto fields = split(text, ',');
  for (size_t i = 0; i < fields.size(); ++i) {
    const KeyValue kv = key_value(fields[i]);
    if (!kv.value && i == 0) {
      size = kv.key;
    } else if (kv.value && kv.key == "size") {
      size = *kv.value;
    } else if (kv.key == "slots" || kv.key == "maxmem") {
      fail("m", "'{}' (memory hotplug) is not supported", kv.key);
    } else {
      fail("m", "unknown parameter '{}' (expected size=, or just a size)", fields[i]);
    }
  }
  const auto bytes = parse_size_bytes(size);
  if (!bytes) fail("m", "invalid size '{}' (expected e.g. 128, 512M, 1G)", size);
  if (*bytes < kMinRam || *bytes > kMaxRam) {
    fail("m", "size '{}' is out of range (1M to 3584M for a 32-bit PC)", size);
  }
  return (*bytes + kRamAlign - 1) / kRamAlign * kRamAlign;
}

std::string parse_boot_order(std::string_view text) {
  std::string_view order;
  const auto fields = split(text, ',');
  for (size_t i = 0; i < fields.size(); ++i) {
    const KeyValue kv = key_value(fields[i]);
    if (!kv.value && i == 0) {
      order = kv.key;
    } else if (kv.value && kv.key == "order") {
      order = *kv.value;
    } else if (kv.key == "once") {
      fail("boot", "once= is not supported yet (use order=)");
    } else {
      fail("boot", "'{}' is not supported (expected an order such as cd, or order=cd)", fields[i]);
    }
  }
  if (order.empty()) fail("boot", "empty boot order (expected letters a, c, d)");
  for (size_t i = 0; i < order.size(); ++i) {
    const char dev = order[i];
    if (dev != 'a' && dev != 'c' && dev != 'd') {
      fail("boot", "invalid boot device '{}' (expected a, c or d)", dev);
    }
    if (order.find(dev) != i) fail("boot", "boot device '{}' given twice", dev);
  }
  return std::string(order);
}

DebugExitConfig parse_device(std::string_view text) {
  const auto fields = split(text, ',');
  std::string_view driver = fields[0];
  if (driver.starts_with("driver=")) driver.remove_prefix(7);
  if (driver != "isa-debug-exit") {
    fail("device", "unknown device '{}' (supported: isa-debug-exit, e1000, virtio-net-pci, virtio-blk-pci)", driver);
  }
  DebugExitConfig dev{.enabled = true, .iobase = kQemuDebugExitBase, .iosize = kQemuDebugExitSize};
  for (size_t i = 1; i < fields.size(); ++i) {
    const KeyValue kv = key_value(fields[i]);
    if (kv.key != "iobase" && kv.key != "iosize") {
      fail("device", "isa-debug-exit has no property '{}' (expected iobase, iosize)", kv.key);
    }
    const auto n = kv.value ? parse_number(*kv.value) : std::nullopt;
    if (!n) {
      fail("device", "isa-debug-exit: bad {} '{}' (expected decimal or 0x-hex)", kv.key,
           kv.value.value_or(""));
    }
    if (*n > 0xffff || (kv.key == "iosize" && *n == 0)) {
      fail("device", "isa-debug-exit: {} {} is out of range", kv.key, *kv.value);
    }
    (kv.key == "iobase" ? dev.iobase : dev.iosize) = static_cast<uint16_t>(*n);
  }
  if (uint32_t{dev.iobase} + dev.iosize > 0x10000) {
    fail("device", "isa-debug-exit: ports {:#x}+{:#x} run past 0xffff", dev.iobase, dev.iosize);
  }
  return dev;
}

// ---- Files ----------------------------------------------------------------------------------

// The image must exist, be readable and not be a directory; the OS says why not.
void check_readable(std::string_view option, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    fail(option, "cannot open '{}': {}", path, os_reason(err));
  }
  struct stat st {};
  const bool is_dir = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  ::close(fd);
  if (is_dir) fail(option, "cannot open '{}': {}", path, os_reason(EISDIR));
}

// A serial log is created or truncated later; check now that this can succeed.
void check_creatable(std::string_view option, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail(option, "cannot write '{}': {}", path, os_reason(EISDIR));
    if (::access(path.c_str(), W_OK) != 0) {
      const int err = errno;
      fail(option, "cannot write '{}': {}", path, os_reason(err));
    }
    return;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int err = 0;
  if (::stat(dir.c_str(), &st) != 0) {
    err = errno;
  } else if (!S_ISDIR(st.st_mode)) {
    err = ENOTDIR;
  } else if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    err = errno;
  }
  if (err != 0) fail(option, "cannot create '{}' in '{}': {}", path, dir, os_reason(err));
}

// ---- Building the config --------------------------------------------------------------------

void check_feature_gates(const Given& given, const Features& available) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.needs != nullptr && !(available.*spec.needs) && given.has(spec.name)) {
      fail(spec.name, "{} not supported yet", spec.missing);
    }
  }
}

// A drive may be given once, as QEMU refuses two images for one drive slot.
std::string image_option(const Given& given, std::string_view name) {
  const auto& paths = given.all(name);
  if (paths.empty()) return {};
  if (paths.size() > 1) fail(name, "given more than once (a bare argument counts as -hda)");
  check_readable(name, paths[0]);
  return paths[0];
}

// -hdc, -hdd, -fdb and -drive become cfg.drives, placed in the slots the other images leave.
void apply_drives(const Given& given, MachineConfig& cfg, std::vector<std::string>& notes) {
  using Interface = machine::DriveConfig::Interface;
  const std::array<std::tuple<std::string_view, Interface, int>, 3> fixed = {
      {{"hdc", Interface::Ide, 2}, {"hdd", Interface::Ide, 3}, {"fdb", Interface::Floppy, 1}}};
  for (const auto& [name, iface, index] : fixed) {
    machine::DriveConfig d;
    d.file = image_option(given, name);
    if (d.file.empty()) continue;
    d.iface = iface, d.index = index, d.option = spelled(name);
    cfg.drives.push_back(std::move(d));
  }
  for (const std::string& text : given.all("drive")) {
    machine::DriveConfig d;
    try {
      d = parse_drive(text, notes);
    } catch (const std::invalid_argument& e) {
      fail("drive", "{}", e.what());
    }
    if (!d.file.empty()) check_readable("drive", d.file);
    cfg.drives.push_back(std::move(d));
  }
  for (const std::string& text : given.all("device")) {
    try {
      if (is_drive_device(text)) parse_drive_device(text, cfg);
    } catch (const std::invalid_argument& e) {
      fail("device", "{}", e.what());
    }
  }
  try {
    place_drives(cfg);
  } catch (const std::invalid_argument& e) {
    throw UsageError{fmt::format("ghost86: {}", e.what())};
  }
}

void apply_kernel(const Given& given, MachineConfig& cfg) {
  if (auto kernel = given.last("kernel")) {
    check_readable("kernel", *kernel);
    cfg.kernel = *kernel;
  }
  if (given.has("initrd") && !given.has("kernel")) fail("initrd", "only allowed with -kernel");
  if (given.has("append") && !given.has("kernel")) fail("append", "only allowed with -kernel");
  if (auto initrd = given.last("initrd")) {
    // Comma-separated "file args" items, as QEMU takes Multiboot modules.
    for (size_t start = 0; start <= initrd->size();) {
      const size_t comma = std::min(initrd->find(',', start), initrd->size());
      const std::string item = initrd->substr(start, comma - start);
      if (!item.empty()) check_readable("initrd", item.substr(0, item.find(' ')));
      start = comma + 1;
    }
    cfg.initrd = *initrd;
  }
  cfg.append = given.last("append").value_or("");
}

SerialConfig port(SerialConfig::Kind kind, std::string path = {}) {
  SerialConfig config;
  config.kind = kind;
  config.path = std::move(path);
  return config;
}

// A character backend, for -serial or -debugcon (`option`, named in errors).
SerialConfig parse_serial(std::string_view text, const Features& available, std::string_view option = "serial") {
  if (text == "none") return port(SerialConfig::Kind::None);
  const bool is_file = text.starts_with("file:");
  if (text != "stdio" && !is_file) {
    fail(option, "unknown backend '{}' (expected stdio, file:PATH or none)", text);
  }
  if (!available.serial) fail(option, "serial ports are not supported yet (only -serial none)");
  if (!is_file) return port(SerialConfig::Kind::Stdio);
  const std::string path(text.substr(5));
  if (path.empty()) fail(option, "file: needs a path, e.g. file:{}.log", option);
  check_creatable(option, path);
  return port(SerialConfig::Kind::File, path);
}

std::vector<SerialConfig> parse_serials(const Given& given, const Features& available) {
  std::vector<SerialConfig> ports;
  for (const std::string& text : given.all("serial"))
    ports.push_back(parse_serial(text, available));
  if (ports.size() > kMaxSerialPorts) fail("serial", "at most {} serial ports", kMaxSerialPorts);
  const auto on_stdio = std::count_if(ports.begin(), ports.end(), [](const SerialConfig& p) {
    return p.kind == SerialConfig::Kind::Stdio;
  });
  if (on_stdio > 1) fail("serial", "stdio can back only one serial port");
  return ports;
}

DisplayKind parse_display(std::string_view text, const Features& available) {
  const auto fields = split(text, ',');
  if (fields[0] == "none" && fields.size() > 1) fail("display", "display options ('{}') are not supported", fields[1]);
  if (fields[0] == "none") return DisplayKind::None;
  if (fields[0] != "sdl") fail("display", "unknown display '{}' (expected none or sdl)", fields[0]);
  if (!available.sdl) fail("display", "this build has no SDL display (SDL2 was not found; use -display none)");
  return DisplayKind::Sdl;
}

// -serial, -display and -nographic interact: -nographic puts COM1 on stdio unless -serial says
// otherwise, as in QEMU. Without any of them the display is graphical when SDL is available and
// there is a desktop to show it on, again as in QEMU.
void apply_console(const Given& given, const Features& available, MachineConfig& cfg) {
  cfg.serial = parse_serials(given, available);
  cfg.display = available.sdl && available.desktop ? DisplayKind::Sdl : DisplayKind::None;
  if (auto display = given.last("display")) cfg.display = parse_display(*display, available);
  if (!given.has("nographic")) return;
  if (given.has("display") && cfg.display == DisplayKind::Sdl) {
    fail("nographic", "cannot be combined with -display sdl");
  }
  cfg.display = DisplayKind::None;
  if (cfg.serial.empty()) {
    if (!available.serial) {
      fail("nographic", "needs a serial console, which is not supported yet (use -display none)");
    }
    cfg.serial.push_back(port(SerialConfig::Kind::Stdio));
  }
}

Accel parse_accel(std::string_view text, const Features& available) {
  const auto fields = split(text, ',');
  if (fields.size() > 1) fail("accel", "accelerator options ('{}') are not supported", fields[1]);
  if (text == "interp") return Accel::Interp;
  if (text != "jit" && text != "tcg") {
    fail("accel", "unknown accelerator '{}' (expected jit, tcg or interp)", text);
  }
  if (!available.jit) fail("accel", "the JIT is not supported yet on this host (use -accel interp)");
  return Accel::Jit;
}

// As in QEMU, the first of several -accel options is used once it can work; all are checked.
Accel choose_accel(const Given& given, const Features& available) {
  std::optional<Accel> chosen;
  for (const std::string& text : given.all("accel")) {
    const Accel accel = parse_accel(text, available);
    if (!chosen) chosen = accel;
  }
  return chosen.value_or(available.jit ? Accel::Jit : Accel::Interp);
}

std::string parse_debug_items(std::string_view text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    if (item != "int" && item != "exec" && item != "in_asm" && item != "out_asm" && item != "jit")
      fail("d", "unknown log item '{}' (expected int, exec, in_asm, out_asm, jit)", item);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return std::string(text);
}

// Seconds, e.g. 30 or 2.5.
double parse_seconds(std::string_view option, std::string_view text) {
  char* end = nullptr;
  const std::string str(text);
  const double sec = std::strtod(str.c_str(), &end);
  if (str.empty() || end != str.c_str() + str.size() || !(sec > 0) || sec > 1e7)
    fail(option, "invalid time '{}' (expected seconds, e.g. 30 or 2.5)", text);
  return sec;
}

// Seconds of virtual time for a step ("sleep:0.5", "screen@10:...").
uint64_t step_seconds(std::string_view text, std::string_view what) {
  const std::string arg(text);
  char* end = nullptr;
  const double sec = std::strtod(arg.c_str(), &end);
  if (arg.empty() || end != arg.c_str() + arg.size() || !(sec >= 0) || sec > 1e7)
    fail("step", "{}: expected seconds of virtual time, e.g. 0.5", what);
  return uint64_t(sec * 1e9);
}

machine::AutomationStep parse_step(std::string_view text) {
  using Kind = machine::AutomationStep::Kind;
  const size_t colon = text.find(':');
  std::string_view kind = text.substr(0, colon);
  if (colon == std::string_view::npos)
    fail("step", "'{}': expected KIND:ARG with KIND screen, serial, needle, type, key, send, mouse, click, qmp, savevm or sleep", text);
  machine::AutomationStep step;
  step.arg = std::string(text.substr(colon + 1));
  // screen@S: / serial@S:, a wait that fails the run unless it matches within S seconds.
  if (const size_t at = kind.find('@'); at != std::string_view::npos) {
    step.limit_ns = step_seconds(kind.substr(at + 1), text.substr(0, colon));
    kind = kind.substr(0, at);
    if (kind != "screen" && kind != "serial" && kind != "needle")
      fail("step", "'{}': only screen, serial and needle steps take a limit (@SECONDS)", text.substr(0, colon));
  }
  if (kind == "screen") {
    step.kind = Kind::Screen;
  } else if (kind == "serial") {
    step.kind = Kind::Serial;
  } else if (kind == "type") {
    step.kind = Kind::Type;
  } else if (kind == "send") {
    step.kind = Kind::Send;
  } else if (kind == "sleep") {
    step.kind = Kind::Sleep;
    step.ns = step_seconds(step.arg, "sleep:" + step.arg);
  } else {
    bool known = false;
    try {
      known = parse_device_step(kind, step);
    } catch (const std::invalid_argument& e) {
      fail("step", "'{}': {}", text, e.what());
    }
    if (!known) fail("step", "unknown step kind '{}' (expected screen, serial, needle, type, key, send, mouse, click, qmp, savevm or sleep)", kind);
  }
  return step;
}

uint64_t parse_max_insns(std::string_view text) {
  const auto n = parse_whole<uint64_t>(text);
  if (!n) fail("max-insns", "invalid count '{}' (expected a whole number, 0 = unlimited)", text);
  return *n;
}

machine::MachineConfig::SaveAt parse_savevm_at(const std::string& text) {
  const size_t colon = text.find(':');
  const auto n = parse_whole<uint64_t>(std::string_view(text).substr(0, colon));
  if (colon == std::string::npos || !n || colon + 1 == text.size())
    fail("savevm-at", "'{}': expected ICOUNT:FILE (a whole number of instructions, a file name)", text);
  const std::string path = text.substr(colon + 1);
  check_creatable("savevm-at", path);
  return {*n, path};
}

uint64_t parse_checkpoint_every(std::string_view text) {
  const auto n = parse_whole<uint64_t>(text);
  if (!n || !*n) fail("checkpoint-every", "invalid count '{}' (expected a whole number above 0)", text);
  return *n;
}

// -record, -replay, --record-every (machine/record_replay.h); the log itself is checked when
// the machine exists.
void apply_record_replay(const Given& given, MachineConfig& cfg) {
  if (given.has("record") && given.has("replay")) fail("replay", "cannot be combined with -record");
  if (auto f = given.last("record")) {
    check_creatable("record", *f);
    cfg.record = *f;
  }
  if (auto f = given.last("replay")) {
    check_readable("replay", *f);
    cfg.replay = *f;
  }
  if (auto n = given.last("record-every")) {
    const auto every = parse_whole<uint64_t>(*n);
    if (!every || !*every) fail("record-every", "invalid count '{}' (expected a whole number above 0)", *n);
    if (!given.has("record")) fail("record-every", "needs -record");
    cfg.record_every = *every;
  }
}

// -global DRIVER.PROPERTY=VALUE, as QEMU's: a property of every device of that kind.
void apply_global(std::string_view text, MachineConfig& cfg) {
  const auto [name, value] = key_value(text);
  const size_t dot = name.find('.');
  if (!value || dot == std::string_view::npos)
    fail("global", "'{}': expected DRIVER.PROPERTY=VALUE, e.g. isa-serial.timing=baud", text);
  const std::string_view driver = name.substr(0, dot), property = name.substr(dot + 1);
  if (driver != "isa-serial") fail("global", "unknown driver '{}' (supported: isa-serial)", driver);
  if (property != "timing") fail("global", "isa-serial has no property '{}' (expected timing)", property);
  if (*value == "fast")
    cfg.serial_timing = machine::SerialTiming::Fast;
  else if (*value == "baud")
    cfg.serial_timing = machine::SerialTiming::Baud;
  else
    fail("global", "isa-serial.timing: bad value '{}' (expected fast or baud)", *value);
}

// ---- Machine, processor, clock --------------------------------------------------------------

// -machine TYPE or type=TYPE: the i440FX PC under any of its QEMU names.
void parse_machine(std::string_view option, std::string_view text) {
  const auto fields = split(text, ',');
  for (size_t i = 0; i < fields.size(); ++i) {
    const KeyValue kv = key_value(fields[i]);
    if (!(i == 0 && !kv.value) && kv.key != "type")
      fail(option, "property '{}' is not supported (only the machine type)", kv.key);
    const std::string_view type = kv.value.value_or(kv.key);
    if (type != "pc" && !type.starts_with("pc-i440fx-"))
      fail(option, "machine type '{}' is not supported (only pc, also called pc-i440fx-*)", type);
  }
}

// -smp N[,cpus=N][,sockets=S][,dies=D][,cores=C][,threads=T][,maxcpus=M]: all must come to one.
void parse_smp(std::string_view text) {
  uint64_t cpus = 1;
  const auto fields = split(text, ',');
  for (size_t i = 0; i < fields.size(); ++i) {
    const KeyValue kv = key_value(fields[i]);
    const std::string_view key = !kv.value && i == 0 ? "cpus" : kv.key;
    static constexpr std::array kKeys = {"cpus", "sockets", "dies", "cores", "threads", "maxcpus"};
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      fail("smp", "unknown parameter '{}' (expected cpus, sockets, dies, cores, threads, maxcpus)", key);
    const auto n = parse_whole<uint64_t>(kv.value.value_or(kv.key));
    if (!n || *n == 0) fail("smp", "{}: '{}' is not a count above 0", key, kv.value.value_or(kv.key));
    cpus = std::max(cpus, *n);
  }
  if (cpus > 1) fail("smp", "{} processors asked for: only 1 is supported (no SMP yet)", cpus);
}

// YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (QEMU's -rtc base=), as seconds since 1970-01-01 UTC.
std::optional<int64_t> parse_rtc_date(std::string_view text) {
  if (text.size() != 10 && text.size() != 19) return std::nullopt;
  auto field = [&](size_t at, size_t len) { return parse_whole<int>(text.substr(at, len)); };
  const auto y = field(0, 4), mo = field(5, 2), d = field(8, 2);
  if (!y || !mo || !d || text[4] != '-' || text[7] != '-') return std::nullopt;
  int h = 0, mi = 0, s = 0;
  if (text.size() == 19) {
    const auto hh = field(11, 2), mm = field(14, 2), ss = field(17, 2);
    if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59)
      return std::nullopt;
    h = *hh, mi = *mm, s = *ss;
  }
  const std::chrono::year_month_day date{std::chrono::year{*y}, std::chrono::month{unsigned(*mo)},
                                         std::chrono::day{unsigned(*d)}};
  if (!date.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  return int64_t(days) * 86400 + h * 3600 + mi * 60 + s;
}

// -rtc base=utc|localtime|DATE[,clock=vm][,driftfix=none]. Nothing is read from the host:
// without a DATE the RTC starts at its fixed default, and as the machine knows no time zone,
// localtime is the same as utc.
std::optional<int64_t> parse_rtc(std::string_view text) {
  std::optional<int64_t> epoch;
  for (std::string_view field : split(text, ',')) {
    const auto [key, value] = key_value(field);
    if (key == "base" && value) {
      if (*value == "utc" || *value == "localtime") continue;
      epoch = parse_rtc_date(*value);
      if (!epoch) fail("rtc", "base={}: expected utc, localtime or a date as 2006-06-17 or 2006-06-17T16:01:21", *value);
      if (*epoch < -2208988800 || *epoch > 7258118399) fail("rtc", "base={}: the RTC counts years 1900 to 2199 only", *value);
    } else if (key == "clock" && value) {
      if (*value != "vm") fail("rtc", "clock={} is not supported: the RTC runs on virtual time (clock=vm)", *value);
    } else if (key == "driftfix" && value) {
      if (*value != "none") fail("rtc", "driftfix={} is not supported (no tick is ever lost in virtual time)", *value);
    } else {
      fail("rtc", "unknown parameter '{}' (expected base=, clock= or driftfix=)", field);
    }
  }
  return epoch;
}

// -name NAME or guest=NAME[,process=P][,debug-threads=on|off].
std::string parse_name(std::string_view text) {
  const auto fields = split(text, ',');
  std::string name;
  for (size_t i = 0; i < fields.size(); ++i) {
    const KeyValue kv = key_value(fields[i]);
    if (i == 0 && !kv.value) {
      name = kv.key;
    } else if (kv.key == "guest" && kv.value) {
      name = *kv.value;
    } else if ((kv.key != "process" && kv.key != "debug-threads") || !kv.value) {
      fail("name", "unknown parameter '{}' (expected a name, or guest=NAME)", fields[i]);
    }
  }
  return name;
}

// The machine and processor options, applied in one place.
void apply_machine_options(const Given& given, MachineConfig& cfg) {
  for (std::string_view option : {"machine", "M"})
    for (const std::string& m : given.all(option)) parse_machine(option, m);
  if (auto model = given.last("cpu")) {
    if (!cpu::find_cpu_model(*model)) {
      if (model->find(',') != std::string::npos)
        fail("cpu", "'{}': feature flags are not supported (only a model name)", *model);
      fail("cpu", "unknown model '{}' (expected pentium, pentium2, pentium3 or qemu32)", *model);
    }
    cfg.cpu_model = *model;
  }
  if (auto smp = given.last("smp")) parse_smp(*smp);
  if (auto name = given.last("name")) cfg.name = parse_name(*name);
  if (auto vga = given.last("vga")) {
    if (*vga != "std" && *vga != "none") fail("vga", "unknown VGA type '{}' (expected std or none)", *vga);
    cfg.vga = *vga == "std";
  }
  if (auto rtc = given.last("rtc")) cfg.rtc_epoch = parse_rtc(*rtc);
}

// The firmware, as QEMU chooses it: -bios FILE, else SeaBIOS. "-bios demo" is the built-in demo
// ROM (MachineConfig's empty path), which boots no disk. A -kernel boot runs no firmware code
// (the kernel is entered directly), so without -bios it keeps the small demo image mapped.
void apply_firmware(const Given& given, const Features& available, MachineConfig& cfg) {
  const auto bios = given.last("bios");
  if (bios && *bios != kDemoFirmware) {
    check_readable("bios", *bios);
    cfg.bios_path = *bios;
    return;
  }
  if (!bios && !cfg.kernel.empty()) return;
  std::string_view drive;
  for (std::string_view name : {"hda", "hdb", "hdc", "hdd", "cdrom", "fda", "fdb", "drive"})
    if (drive.empty() && given.has(name)) drive = name;
  if (bios) {
    if (!drive.empty() && cfg.kernel.empty())
      fail("bios", "the demo firmware cannot boot -{} (leave out -bios to use SeaBIOS)", drive);
    return;
  }
  if (available.default_bios.empty())
    fail("bios", "no firmware: SeaBIOS is not installed (apt install seabios), give -bios FILE or -bios demo");
  cfg.bios_path = available.default_bios;
}

// -netdev, -nic, -net and the network cards among the -device options (frontend/net_option.h).
void apply_network(const Given& given, MachineConfig& cfg, std::vector<std::string>& notes) {
  std::string_view option;
  try {
    for (const std::string& v : given.all(option = "net")) parse_net(v);
    for (const std::string& v : given.all(option = "netdev")) parse_netdev(v, cfg);
    for (const std::string& v : given.all(option = "nic")) parse_nic(v, cfg);
    for (const std::string& v : given.all(option = "device"))
      if (is_net_device(v)) parse_net_device(v, cfg);
    option = "device";
    check_networks(cfg, notes);
  } catch (const std::invalid_argument& e) {
    fail(option, "{}", e.what());
  }
}

// -monitor none is no monitor, as in QEMU.
bool has_monitor(const Given& given) {
  for (const std::string& m : given.all("monitor"))
    if (m != "none") return true;
  return false;
}

// -gdb DEV (the last one) or -s: where the gdb stub listens, or empty for none.
std::string gdb_endpoint(const Given& given) {
  std::string spec = given.has("s") ? "tcp::1234" : "";
  if (auto g = given.last("gdb")) spec = *g == "none" ? spec : *g;
  if (spec.empty()) return spec;
  try {
    gdb::parse_gdb_spec(spec);
  } catch (const std::runtime_error& e) {
    throw UsageError{fmt::format("ghost86: {}", e.what())};
  }
  return spec;
}

// -qmp and -monitor: checked now, opened when the machine starts. Only one of them can have
// stdio, and not while a COM port has it.
control::ControlOptions control_options(const Given& given, const MachineConfig& cfg) {
  control::ControlOptions out;
  bool stdio_taken = false;
  for (const SerialConfig& s : cfg.serial) stdio_taken |= s.kind == SerialConfig::Kind::Stdio;
  const auto take = [&](std::string_view option, const std::string& spec) {
    if (spec == "stdio") {
      if (stdio_taken) fail(option, "stdio is already in use (by -serial stdio, -nographic or another monitor)");
      stdio_taken = true;
      return;
    }
    try {
      control::parse_socket_spec(spec, spelled(option));
    } catch (const std::runtime_error& e) {
      throw UsageError{fmt::format("ghost86: {}", e.what())};
    }
  };
  for (const std::string& q : given.all("qmp")) take("qmp", q), out.qmp.push_back(q);
  out.gdb = gdb_endpoint(given);
  for (const std::string& m : given.all("monitor"))
    if (m != "none") take("monitor", m), out.monitor.push_back(m);
  return out;
}

// -display sdl,OPTIONS (checked whatever the display, as -display is) and -vnc.
DisplayOptions display_options(const Given& given, const Features& available) {
  DisplayOptions out;
  std::string_view option;
  try {
    if (auto d = given.last("display"); d && d->starts_with("sdl,"))
      option = "display", out.sdl = parse_sdl_options(std::string_view(*d).substr(4));
    if (auto v = given.last("vnc")) {
      option = "vnc", out.vnc = parse_vnc(*v);
      if (out.vnc && !available.vnc) fail("vnc", "this build has no VNC server (libvncserver was not found)");
    }
  } catch (const std::invalid_argument& e) {
    fail(option, "{}", e.what());
  }
  return out;
}

MachineConfig build_config(const Given& given, const Features& available, std::vector<std::string>& notes) {
  check_feature_gates(given, available);
  MachineConfig cfg;
  if (auto m = given.last("m")) cfg.ram_bytes = parse_ram_size(*m);
  cfg.hda = image_option(given, "hda");
  cfg.hdb = image_option(given, "hdb");
  cfg.cdrom = image_option(given, "cdrom");
  cfg.fda = image_option(given, "fda");
  apply_drives(given, cfg, notes);
  apply_kernel(given, cfg);
  if (auto boot = given.last("boot")) cfg.boot_order = parse_boot_order(*boot);
  apply_console(given, available, cfg);
  for (const std::string& dev : given.all("device"))
    if (!is_net_device(dev) && !is_drive_device(dev)) cfg.debug_exit.push_back(parse_device(dev));
  apply_network(given, cfg, notes);
  for (const std::string& g : given.all("global")) apply_global(g, cfg);
  cfg.accel = choose_accel(given, available);
  cfg.snapshot = given.has("snapshot");
  cfg.no_reboot = given.has("no-reboot");
  cfg.perfmap = given.has("perfmap");
  cfg.gdb_stub = !gdb_endpoint(given).empty();
  cfg.start_stopped = given.has("S");
  // Without a gdb stub or a monitor nothing could ever start the CPU.
  if (cfg.start_stopped && !cfg.gdb_stub && !given.has("qmp") && !has_monitor(given))
    fail("S", "needs -qmp, -monitor, -s or -gdb, or nothing can start the CPU");
  if (auto n = given.last("max-insns")) cfg.max_insns = parse_max_insns(*n);
  if (auto n = given.last("jit-cache-mb")) {
    const auto mb = parse_whole<uint32_t>(*n);
    if (!mb || *mb < 1 || *mb > 2048) fail("jit-cache-mb", "invalid size '{}' (expected 1 to 2048 MiB)", *n);
    cfg.jit_cache_mb = *mb;
  }
  cfg.report = given.has("report");
  if (auto n = given.last("checkpoint-every")) cfg.checkpoint_every = parse_checkpoint_every(*n);
  if (auto d = given.last("d")) cfg.debug_log = parse_debug_items(*d);
  if (auto dev = given.last("debugcon")) {
    Features all = available;
    all.serial = true;  // the debug console needs no UART
    cfg.debugcon = parse_serial(*dev, all, "debugcon");
  }
  for (const std::string& step : given.all("step")) cfg.steps.push_back(parse_step(step));
  if (auto re = given.last("until-serial")) cfg.until_serial = *re;
  if (auto re = given.last("until-screen")) cfg.until_screen = *re;
  if (auto t = given.last("timeout")) cfg.timeout_ns = uint64_t(parse_seconds("timeout", *t) * 1e9);
  if (auto f = given.last("screendump")) {
    if (!f->ends_with(".txt") && !f->ends_with(".png"))
      fail("screendump", "'{}': expected a .txt (text grid) or .png (picture) file name", *f);
    check_creatable("screendump", *f);  // now, not after the whole run
    cfg.screendump = *f;
  }
  if (auto f = given.last("loadvm")) cfg.loadvm = *f;  // checked whole when the machine exists
  if (auto f = given.last("savevm")) {
    check_creatable("savevm", *f);
    cfg.savevm = *f;
  }
  for (const std::string& at : given.all("savevm-at")) cfg.savevm_at.push_back(parse_savevm_at(at));
  apply_record_replay(given, cfg);
  apply_machine_options(given, cfg);
  apply_firmware(given, available, cfg);
  return cfg;
}

// Messages must stay one line even when they quote a user's value containing newlines.
std::string one_line(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

CliResult exit_with(int code, std::string message) {
  CliResult result;
  result.action = CliResult::Action::Exit;
  result.exit_code = code;
  result.message = std::move(message);
  return result;
}

}  // namespace

CliResult parse_command_line(const std::vector<std::string>& args, const Features& available) {
  try {
    CLI::App app{"ghost86 " GHOST86_VERSION ": an x86 PC emulator with QEMU-style options",
                 "ghost86"};
    define_options(app, available);
    const Scan scan = prescan(args);
    if (scan.help) return exit_with(0, trim_trailing_newlines(app.help()));
    if (scan.version) return exit_with(0, "ghost86 " GHOST86_VERSION);
    std::vector<std::string> reversed(scan.tokens.rbegin(), scan.tokens.rend());
    app.parse(reversed);  // CLI11 consumes its vector from the back
    CliResult result;
    result.action = CliResult::Action::Run;
    result.config = build_config(Given(app), available, result.notes);
    result.control = control_options(Given(app), result.config);
    result.display = display_options(Given(app), available);
    if (auto t = Given(app).last("wall-timeout")) result.wall_timeout_s = parse_seconds("wall-timeout", *t);
    return result;
  } catch (const UsageError& e) {
    return exit_with(1, one_line(e.message));
  } catch (const std::exception& e) {  // CLI::Error included; the pre-scan should prevent those
    return exit_with(1, one_line(fmt::format("ghost86: {}", e.what())));
  } catch (...) {
    return exit_with(1, "ghost86: internal error while parsing the command line");
  }
}

}  // namespace frontend
