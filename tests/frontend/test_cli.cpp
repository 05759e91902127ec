// Command-line parsing: QEMU's spellings and semantics map onto MachineConfig, and every bad
// command line ends in one error line naming the option, with exit code 1.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/cli.h"

namespace {

namespace fs = std::filesystem;
using frontend::CliResult;
using frontend::Features;
using frontend::parse_command_line;
using machine::Accel;
using machine::DisplayKind;
using machine::SerialConfig;

constexpr uint64_t kMiB = 1ull << 20;

Features all_features() {
  Features f;
  f.jit = f.disks = f.floppy = f.cdrom = f.kernel = f.serial = f.sdl = f.gdb = f.snapshot_overlay =
      f.desktop = true;
  f.default_bios = "/usr/share/seabios/bios.bin";  // only its name: the CLI does not open it
  return f;
}

CliResult parse(const std::vector<std::string>& args, const Features& f = all_features()) {
  return parse_command_line(args, f);
}

// The common shape of every error: Exit, code 1, one line, "ghost86: <option>: ...".
void check_error(const CliResult& r, const std::string& option) {
  INFO("message: " << r.message);
  CHECK(r.action == CliResult::Action::Exit);
  CHECK(r.exit_code == 1);
  CHECK(r.message.find('\n') == std::string::npos);
  CHECK(r.message.rfind("ghost86: " + option + ": ", 0) == 0);
}

void check_runs(const CliResult& r) {
  INFO("message: " << r.message);
  REQUIRE(r.action == CliResult::Action::Run);
  CHECK(r.message.empty());
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A private directory with a few images in it, removed (permissions restored) afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ghost86_cli_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(path_, ec)) {
      fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name, const std::string& contents = "x") const {
    const fs::path p = path_ / name;
    std::ofstream(p) << contents;
    return p.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }
  std::string dir() const { return path_.string(); }

 private:
  fs::path path_;
};

// Root (or CAP_DAC_OVERRIDE) reads and writes regardless of mode bits.
bool modes_are_enforced(const std::string& mode000_file) {
  const int fd = ::open(mode000_file.c_str(), O_RDONLY);
  if (fd < 0) return true;
  ::close(fd);
  return false;
}

}  // namespace

TEST_CASE("cli: no arguments give the default machine", "[frontend][cli]") {
  const CliResult r = parse({});
  check_runs(r);
  CHECK(r.config.ram_bytes == 128 * kMiB);
  CHECK(r.config.bios_path == "/usr/share/seabios/bios.bin");  // SeaBIOS, as QEMU
  CHECK(r.config.boot_order == "cad");
  CHECK(r.config.serial.empty());
  CHECK(r.config.debug_exit.empty());
  CHECK(r.config.max_insns == 0);
  CHECK_FALSE(r.config.gdb_stub);
  CHECK(r.until_serial.empty());
  SECTION("accel and display follow what the build has") {
    CHECK(r.config.accel == Accel::Jit);
    CHECK(r.config.display == DisplayKind::Sdl);  // QEMU's default is graphical
    Features none;
    none.default_bios = "bios.bin";
    const CliResult bare = parse({}, none);
    check_runs(bare);
    CHECK(bare.config.accel == Accel::Interp);
    CHECK(bare.config.display == DisplayKind::None);
    Features headless = all_features();
    headless.desktop = false;  // SDL built in, but no desktop to show a window on
    CHECK(parse({}, headless).config.display == DisplayKind::None);
    CHECK(parse({"-display", "sdl"}, headless).config.display == DisplayKind::Sdl);
  }
}

TEST_CASE("cli: the firmware is SeaBIOS unless -bios says otherwise", "[frontend][cli]") {
  TempDir tmp;
  const std::string img = tmp.file("disk.img"), rom = tmp.file("rom.bin");
  CHECK(parse({"-cdrom", img, "-boot", "d"}).config.bios_path == "/usr/share/seabios/bios.bin");
  CHECK(parse({"-bios", rom, "-hda", img}).config.bios_path == rom);
  SECTION("-bios demo is the built-in ROM, which boots no disk") {
    const CliResult r = parse({"-bios", "demo"});
    check_runs(r);
    CHECK(r.config.bios_path.empty());
    for (const char* drive : {"-hda", "-hdb", "-cdrom", "-fda"}) {
      const CliResult bad = parse({"-bios", "demo", drive, img});
      check_error(bad, "-bios");
      CHECK(contains(bad.message, drive));
    }
  }
  SECTION("-kernel runs no firmware: without -bios the demo image stays mapped") {
    CHECK(parse({"-kernel", img}).config.bios_path.empty());
    CHECK(parse({"-kernel", img, "-hda", img}).config.bios_path.empty());
    CHECK(parse({"-kernel", img, "-bios", rom}).config.bios_path == rom);
  }
  SECTION("without SeaBIOS installed, a machine needs -bios") {
    Features f = all_features();
    f.default_bios.clear();
    for (const std::vector<std::string>& args : {std::vector<std::string>{}, {"-hda", img}, {"-cdrom", img}}) {
      const CliResult r = parse(args, f);
      check_error(r, "-bios");
      CHECK(contains(r.message, "SeaBIOS is not installed"));
    }
    check_runs(parse({"-bios", "demo"}, f));
    check_runs(parse({"-kernel", img, "-hda", img}, f));
  }
}

TEST_CASE("cli: --wall-timeout takes host seconds", "[frontend][cli]") {
  CHECK(parse({}).wall_timeout_s == 0);
  const CliResult r = parse({"--wall-timeout", "2.5"});
  check_runs(r);
  CHECK(r.wall_timeout_s == 2.5);
  CHECK(r.config.timeout_ns == 0);  // not virtual time
  for (const char* bad : {"0", "-1", "x", ""}) check_error(parse({"--wall-timeout", bad}), "--wall-timeout");
}

TEST_CASE("cli: output files are checked before the run, under their own option", "[frontend][cli]") {
  TempDir tmp;
  const std::string missing_dir = tmp.path("missing");
  const CliResult dcon = parse({"-debugcon", "file:" + missing_dir + "/x"});
  check_error(dcon, "-debugcon");
  CHECK(contains(dcon.message, "cannot create"));
  check_error(parse({"-debugcon", "file:"}), "-debugcon");
  check_error(parse({"-debugcon", "tcp:1234"}), "-debugcon");
  const CliResult dump = parse({"--screendump", missing_dir + "/x.png"});
  check_error(dump, "--screendump");
  CHECK(contains(dump.message, "cannot create"));
  check_runs(parse({"--screendump", tmp.path("screen.txt")}));
}

TEST_CASE("cli: -m takes QEMU sizes, a bare number meaning MiB", "[frontend][cli]") {
  const std::vector<std::pair<std::string, uint64_t>> cases = {
      {"512", 512 * kMiB},    {"1G", 1024 * kMiB},       {"1g", 1024 * kMiB},
      {"512M", 512 * kMiB},   {"size=512M", 512 * kMiB}, {"262144K", 256 * kMiB},
      {"1.5G", 1536 * kMiB},  {"1", 1 * kMiB},           {"3584", 3584 * kMiB},
      {"3.5G", 3584 * kMiB},  {"1048576B", 1 * kMiB},    {"0.5G", 512 * kMiB},
      {"1025K", 1032 * 1024},  // rounded up to 8 KiB, as QEMU does
  };
  for (const auto& [text, bytes] : cases) {
    INFO("-m " << text);
    const CliResult r = parse({"-m", text});
    check_runs(r);
    CHECK(r.config.ram_bytes == bytes);
  }
  SECTION("--m, -m=N and repetition (last wins)") {
    CHECK(parse({"--m", "256"}).config.ram_bytes == 256 * kMiB);
    CHECK(parse({"-m=64"}).config.ram_bytes == 64 * kMiB);
    CHECK(parse({"-m", "64", "-m", "256"}).config.ram_bytes == 256 * kMiB);
  }
}

TEST_CASE("cli: bad -m values are one-line errors", "[frontend][cli]") {
  CHECK(parse({"-m", "abc"}).message ==
        "ghost86: -m: invalid size 'abc' (expected e.g. 128, 512M, 1G)");
  for (const std::string text :
       {"abc", "0", "5000G", "12Q", "", "0.5", "3585", "4G", "-5", "1.2.3", "1,slots=2",
        "size=", "1G,maxmem=2G", "99999999999999999999", "17179869184T", "1 G"}) {
    INFO("-m '" << text << "'");
    check_error(parse({"-m", text}), "-m");
  }
  CHECK(contains(parse({"-m", "5000G"}).message, "out of range"));
  CHECK(contains(parse({"-m", "0"}).message, "out of range"));
}

TEST_CASE("cli: file options set their paths", "[frontend][cli]") {
  TempDir tmp;
  const std::string img = tmp.file("disk.img");
  const std::vector<std::pair<std::string, std::string machine::MachineConfig::*>> cases = {
      {"-bios", &machine::MachineConfig::bios_path}, {"-hda", &machine::MachineConfig::hda},
      {"-hdb", &machine::MachineConfig::hdb},        {"-cdrom", &machine::MachineConfig::cdrom},
      {"-fda", &machine::MachineConfig::fda},        {"-kernel", &machine::MachineConfig::kernel},
  };
  for (const auto& [option, field] : cases) {
    INFO(option);
    const CliResult r = parse({option, img});
    check_runs(r);
    CHECK(r.config.*field == img);
  }
  SECTION("-initrd and -append go with -kernel") {
    const CliResult r = parse({"-kernel", img, "-initrd", img, "-append", "console=ttyS0 quiet"});
    check_runs(r);
    CHECK(r.config.initrd == img);
    CHECK(r.config.append == "console=ttyS0 quiet");
  }
  SECTION("a bare argument is the -hda image, as in QEMU") {
    const CliResult r = parse({img, "-m", "64"});
    check_runs(r);
    CHECK(r.config.hda == img);
  }
  SECTION("double-dash spellings work too") {
    const CliResult r = parse({"--hdb", img, "--bios=" + img});
    check_runs(r);
    CHECK(r.config.hdb == img);
    CHECK(r.config.bios_path == img);
  }
}

TEST_CASE("cli: values are taken verbatim, even when they look like options", "[frontend][cli]") {
  TempDir tmp;
  const std::string k = tmp.file("vmlinuz");
  for (const std::string text : {"-quiet --foo", "", "[a,b]", "a=b,c", "--"}) {
    INFO("-append '" << text << "'");
    const CliResult r = parse({"-kernel", k, "-append", text});
    check_runs(r);
    CHECK(r.config.append == text);
  }
}

TEST_CASE("cli: missing and unreadable files name the option, path and reason",
          "[frontend]"
          "[cli]") {
  TempDir tmp;
  const std::string missing = tmp.path("nope.img");
  const std::string k = tmp.file("vmlinuz");
  const std::vector<std::vector<std::string>> cases = {
      {"-bios", missing},
      {"-hda", missing},
      {"-hdb", missing},
      {"-cdrom", missing},
      {"-fda", missing},
      {"-kernel", missing},
      {"-kernel", k, "-initrd", missing},
  };
  for (const auto& args : cases) {
    const std::string& option = args[args.size() - 2];
    INFO(option);
    const CliResult r = parse(args);
    check_error(r, option);
    CHECK(contains(r.message, missing));
    CHECK(contains(r.message, "No such file or directory"));
  }
  SECTION("a bare argument is checked as -hda") { check_error(parse({missing}), "-hda"); }
  SECTION("a directory is not an image") {
    const CliResult r = parse({"-hda", tmp.dir()});
    check_error(r, "-hda");
    CHECK(contains(r.message, "Is a directory"));
  }
  SECTION("mode 000") {
    const std::string locked = tmp.file("locked.img");
    REQUIRE(::chmod(locked.c_str(), 0) == 0);
    if (!modes_are_enforced(locked)) {
      WARN("running as root: mode 000 files stay readable, unreadable-file check skipped");
    } else {
      const CliResult r = parse({"-bios", locked});
      check_error(r, "-bios");
      CHECK(contains(r.message, locked));
      CHECK(contains(r.message, "Permission denied"));
    }
  }
  SECTION("the message stays on one line when the path has a newline") {
    check_error(parse({"-bios", tmp.path("a\nb")}), "-bios");
  }
}

TEST_CASE("cli: a drive can be given only once", "[frontend][cli]") {
  TempDir tmp;
  const std::string a = tmp.file("a.img"), b = tmp.file("b.img");
  check_error(parse({"-hda", a, "-hda", b}), "-hda");
  check_error(parse({a, b}), "-hda");
  check_error(parse({a, "-hda", b}), "-hda");
  check_error(parse({"-cdrom", a, "-cdrom", b}), "-cdrom");
}

TEST_CASE("cli: -boot", "[frontend][cli]") {
  for (const auto& [text, order] : std::vector<std::pair<std::string, std::string>>{
           {"c", "c"}, {"d", "d"}, {"cd", "cd"}, {"dca", "dca"}, {"order=dc", "dc"}}) {
    INFO("-boot " << text);
    const CliResult r = parse({"-boot", text});
    check_runs(r);
    CHECK(r.config.boot_order == order);
  }
  for (const std::string text : {"", "x", "n", "b", "cc", "order=", "once=d", "menu=on", "c,q"}) {
    INFO("-boot '" << text << "'");
    check_error(parse({"-boot", text}), "-boot");
  }
}

TEST_CASE("cli: -serial fills COM ports in order", "[frontend][cli]") {
  TempDir tmp;
  const std::string log = tmp.path("com2.log");
  const CliResult r = parse({"-serial", "none", "-serial", "file:" + log, "-serial", "stdio"});
  check_runs(r);
  REQUIRE(r.config.serial.size() == 3);
  CHECK(r.config.serial[0].kind == SerialConfig::Kind::None);
  CHECK(r.config.serial[1].kind == SerialConfig::Kind::File);
  CHECK(r.config.serial[1].path == log);
  CHECK(r.config.serial[2].kind == SerialConfig::Kind::Stdio);
  SECTION("an existing, writable log file is fine") {
    const std::string existing = tmp.file("old.log");
    check_runs(parse({"-serial", "file:" + existing}));
  }
}

TEST_CASE("cli: -global isa-serial.timing chooses the UARTs' character timing", "[frontend][cli]") {
  CliResult r = parse({});
  check_runs(r);
  CHECK(r.config.serial_timing == machine::SerialTiming::Fast);  // QEMU's behaviour by default
  r = parse({"-global", "isa-serial.timing=baud"});
  check_runs(r);
  CHECK(r.config.serial_timing == machine::SerialTiming::Baud);
  r = parse({"-global", "isa-serial.timing=baud", "--global=isa-serial.timing=fast"});  // in order
  check_runs(r);
  CHECK(r.config.serial_timing == machine::SerialTiming::Fast);
  for (const std::string text : {"isa-serial.timing=slow", "isa-serial.timing", "isa-serial.speed=fast",
                                 "e1000.timing=baud", "timing=baud", "isa-serial.timing="}) {
    INFO("-global '" << text << "'");
    check_error(parse({"-global", text}), "-global");
  }
}

TEST_CASE("cli: bad -serial values", "[frontend][cli]") {
  TempDir tmp;
  for (const std::string text : {"pty", "file:", "", "tcp::4444", "stdio,x"}) {
    INFO("-serial '" << text << "'");
    check_error(parse({"-serial", text}), "-serial");
  }
  SECTION("the log's directory must exist") {
    const std::string path = tmp.path("no_dir/com1.log");
    const CliResult r = parse({"-serial", "file:" + path});
    check_error(r, "-serial");
    CHECK(contains(r.message, path));
    CHECK(contains(r.message, "No such file or directory"));
  }
  SECTION("a directory is not a log file") {
    check_error(parse({"-serial", "file:" + tmp.dir()}), "-serial");
  }
  SECTION("the log's directory must be writable") {
    const std::string locked = tmp.path("locked");
    REQUIRE(::mkdir(locked.c_str(), 0) == 0);
    if (::access(locked.c_str(), W_OK) == 0) {
      WARN("running as root: mode 000 directories stay writable, check skipped");
    } else {
      const CliResult r = parse({"-serial", "file:" + locked + "/com1.log"});
      check_error(r, "-serial");
      CHECK(contains(r.message, "Permission denied"));
    }
  }
  SECTION("at most four ports, and stdio only once") {
    check_error(parse({"-serial", "none", "-serial", "none", "-serial", "none", "-serial", "none",
                       "-serial", "none"}),
                "-serial");
    check_error(parse({"-serial", "stdio", "-serial", "stdio"}), "-serial");
  }
}

TEST_CASE("cli: -display and -nographic", "[frontend][cli]") {
  CHECK(parse({"-display", "none"}).config.display == DisplayKind::None);
  CHECK(parse({"-display", "sdl"}).config.display == DisplayKind::Sdl);
  check_error(parse({"-display", "gtk"}), "-display");
  check_error(parse({"-display", "sdl,gl=on"}), "-display");

  SECTION("-nographic: no display, COM1 on stdio") {
    const CliResult r = parse({"-nographic"});
    check_runs(r);
    CHECK(r.config.display == DisplayKind::None);
    REQUIRE(r.config.serial.size() == 1);
    CHECK(r.config.serial[0].kind == SerialConfig::Kind::Stdio);
  }
  SECTION("-nographic leaves an explicit -serial alone") {
    TempDir tmp;
    const CliResult r = parse({"-nographic", "-serial", "file:" + tmp.path("out.log")});
    check_runs(r);
    REQUIRE(r.config.serial.size() == 1);
    CHECK(r.config.serial[0].kind == SerialConfig::Kind::File);
  }
  SECTION("-nographic conflicts with -display sdl") {
    check_error(parse({"-nographic", "-display", "sdl"}), "-nographic");
    check_runs(parse({"-nographic", "-display", "none"}));
  }
}

TEST_CASE("cli: flags", "[frontend][cli]") {
  const CliResult r = parse({"-snapshot", "-no-reboot", "-s", "-S"});
  check_runs(r);
  CHECK(r.config.snapshot);
  CHECK(r.config.no_reboot);
  CHECK(r.config.gdb_stub);
  CHECK(r.config.start_stopped);
  const CliResult none = parse({});
  CHECK_FALSE(none.config.snapshot);
  CHECK_FALSE(none.config.no_reboot);
  CHECK_FALSE(none.config.start_stopped);
  SECTION("repeating a flag is harmless") { check_runs(parse({"-s", "-s", "--no-reboot"})); }
  SECTION("-S alone would never start") { check_error(parse({"-S"}), "-S"); }
  SECTION("flags take no value") { check_error(parse({"-snapshot=on"}), "-snapshot"); }
}

TEST_CASE("cli: -qmp and -monitor", "[frontend][cli]") {
  SECTION("sockets and stdio, in order") {
    const CliResult r = parse({"-qmp", "unix:/tmp/q.sock,server,wait=off", "-qmp", "tcp:localhost:4444,server=on,nowait",
                               "-monitor", "stdio"});
    check_runs(r);
    CHECK(r.control.qmp == std::vector<std::string>{"unix:/tmp/q.sock,server,wait=off", "tcp:localhost:4444,server=on,nowait"});
    CHECK(r.control.monitor == std::vector<std::string>{"stdio"});
  }
  SECTION("-monitor none is no monitor") {
    const CliResult r = parse({"-monitor", "none"});
    check_runs(r);
    CHECK(r.control.monitor.empty());
    check_error(parse({"-monitor", "none", "-S"}), "-S");
  }
  SECTION("-S waits for a monitor or QMP to continue") {
    CHECK(parse({"-qmp", "unix:/tmp/q.sock,server,wait=off", "-S"}).config.start_stopped);
    CHECK(parse({"-monitor", "stdio", "-S"}).config.start_stopped);
  }
  SECTION("bad specs name the option") {
    for (const std::string bad : {"unix:/tmp/q.sock", "unix:,server", "tcp:4444,server", "pty", "file:/tmp/x,server",
                                  "unix:/tmp/q.sock,server,colour=blue"}) {
      INFO(bad);
      check_error(parse({"-qmp", bad}), "-qmp");
      check_error(parse({"-monitor", bad}), "-monitor");
    }
  }
  SECTION("stdio has one user") {
    check_error(parse({"-serial", "stdio", "-monitor", "stdio"}), "-monitor");
    check_error(parse({"-nographic", "-qmp", "stdio"}), "-qmp");
    check_error(parse({"-qmp", "stdio", "-monitor", "stdio"}), "-monitor");
  }
}

TEST_CASE("cli: -device isa-debug-exit", "[frontend][cli]") {
  SECTION("QEMU's defaults: iobase 0x501, iosize 2") {
    const CliResult r = parse({"-device", "isa-debug-exit"});
    check_runs(r);
    REQUIRE(r.config.debug_exit.size() == 1);
    CHECK(r.config.debug_exit[0].enabled);
    CHECK(r.config.debug_exit[0].iobase == 0x501);
    CHECK(r.config.debug_exit[0].iosize == 2);
  }
  SECTION("hex and decimal properties, several devices") {
    const CliResult r = parse({"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-device",
                               "driver=isa-debug-exit,iobase=1280,iosize=1"});
    check_runs(r);
    REQUIRE(r.config.debug_exit.size() == 2);
    CHECK(r.config.debug_exit[0].iobase == 0xf4);
    CHECK(r.config.debug_exit[0].iosize == 4);
    CHECK(r.config.debug_exit[1].iobase == 1280);
    CHECK(r.config.debug_exit[1].iosize == 1);
  }
  SECTION("errors") {
    const CliResult unknown = parse({"-device", "ne2k_pci"});
    check_error(unknown, "-device");
    CHECK(contains(unknown.message, "unknown device"));
    for (const std::string text :
         {"", "help", "isa-debug-exit,iobase=zz", "isa-debug-exit,iobase=", "isa-debug-exit,iobase",
          "isa-debug-exit,iobase=0x", "isa-debug-exit,iobase=010", "isa-debug-exit,iobase=-1",
          "isa-debug-exit,iobase=0x10000", "isa-debug-exit,iosize=0",
          "isa-debug-exit,iobase=0xfffe,iosize=4", "isa-debug-exit,foo=1"}) {
      INFO("-device '" << text << "'");
      check_error(parse({"-device", text}), "-device");
    }
    CHECK(contains(parse({"-device", "isa-debug-exit,iobase=zz"}).message, "iobase"));
  }
}

TEST_CASE("cli: -accel", "[frontend][cli]") {
  CHECK(parse({"-accel", "jit"}).config.accel == Accel::Jit);
  CHECK(parse({"-accel", "tcg"}).config.accel == Accel::Jit);
  CHECK(parse({"-accel", "interp"}).config.accel == Accel::Interp);
  CHECK(parse({"-accel", "interp", "-accel", "tcg"}).config.accel == Accel::Interp);
  check_error(parse({"-accel", "kvm"}), "-accel");
  check_error(parse({"-accel", "tcg,thread=single"}), "-accel");
  check_error(parse({"-accel", "interp", "-accel", "kvm"}), "-accel");
}

TEST_CASE("cli: -machine/-M take the i440FX PC under its QEMU names", "[frontend][cli]") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-M", "pc"}, {"-machine", "pc"}, {"-machine", "pc-i440fx-7.2"}, {"-M", "pc-i440fx-2.0"},
           {"-machine", "type=pc"}}) {
    INFO(args[0] << " " << args[1]);
    check_runs(parse(args));
  }
  const CliResult q35 = parse({"-machine", "q35"});
  check_error(q35, "-machine");
  CHECK(contains(q35.message, "'q35'"));
  check_error(parse({"-M", "isapc"}), "-M");
  check_error(parse({"-M", "pc-q35-7.2"}), "-M");
  const CliResult prop = parse({"-machine", "pc,accel=kvm"});
  check_error(prop, "-machine");
  CHECK(contains(prop.message, "'accel'"));
}

TEST_CASE("cli: -cpu names a model CPUID reports", "[frontend][cli]") {
  CHECK(parse({}).config.cpu_model.empty());
  for (const char* model : {"pentium", "pentium2", "pentium3", "qemu32"}) {
    const CliResult r = parse({"-cpu", model});
    check_runs(r);
    CHECK(r.config.cpu_model == model);
  }
  const CliResult unknown = parse({"-cpu", "486"});
  check_error(unknown, "-cpu");
  CHECK(contains(unknown.message, "'486'"));
  const CliResult flags = parse({"-cpu", "pentium3,+sse2"});
  check_error(flags, "-cpu");
  CHECK(contains(flags.message, "feature flags"));
}

TEST_CASE("cli: -smp takes one processor", "[frontend][cli]") {
  for (const char* ok : {"1", "cpus=1", "1,sockets=1,cores=1,threads=1", "1,maxcpus=1"}) check_runs(parse({"-smp", ok}));
  for (const char* many : {"2", "cpus=4", "1,sockets=2", "1,maxcpus=2"}) {
    INFO(many);
    const CliResult r = parse({"-smp", many});
    check_error(r, "-smp");
    CHECK(contains(r.message, "only 1 is supported"));
  }
  check_error(parse({"-smp", "0"}), "-smp");
  check_error(parse({"-smp", "1,books=1"}), "-smp");
}

TEST_CASE("cli: -name, -vga, -rtc", "[frontend][cli]") {
  CHECK(parse({"-name", "web server"}).config.name == "web server");
  CHECK(parse({"-name", "guest=db,process=qemu-db,debug-threads=on"}).config.name == "db");
  check_error(parse({"-name", "db,colour=red"}), "-name");
  CHECK(parse({}).config.vga);
  CHECK(parse({"-vga", "std"}).config.vga);
  CHECK_FALSE(parse({"-vga", "none"}).config.vga);
  check_error(parse({"-vga", "cirrus"}), "-vga");
  // Seconds since 1970-01-01 00:00:00 UTC (POSIX time of those dates).
  CHECK_FALSE(parse({}).config.rtc_epoch);
  CHECK_FALSE(parse({"-rtc", "base=utc"}).config.rtc_epoch);
  CHECK_FALSE(parse({"-rtc", "base=localtime,clock=vm,driftfix=none"}).config.rtc_epoch);
  CHECK(parse({"-rtc", "base=2006-06-17T16:01:21"}).config.rtc_epoch == 1150560081);
  CHECK(parse({"-rtc", "base=2006-06-17"}).config.rtc_epoch == 1150502400);
  CHECK(parse({"-rtc", "base=2000-02-29T23:59:59"}).config.rtc_epoch == 951868799);
  for (const char* bad : {"base=2006-02-30", "base=2006-06-17T24:00:00", "base=yesterday", "base=1899-12-31",
                          "clock=host", "driftfix=slew", "base"}) {
    INFO(bad);
    check_error(parse({"-rtc", bad}), "-rtc");
  }
}

TEST_CASE("cli: QEMU options ghost86 lacks are refused by name", "[frontend][cli]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-enable-kvm"}, "KVM is not supported"}, {{"-usb"}, "USB is not supported"},
      {{"-usbdevice", "tablet"}, "USB is not supported"}, {{"-audiodev", "none,id=a0"}, "sound"},
      {{"-mon", "chardev=m0"}, "-mon is not supported"}, {{"-vnc", ":0"}, "VNC"},
  };
  for (const auto& [args, reason] : cases) {
    INFO(args[0]);
    const CliResult r = parse(args);
    check_error(r, args[0]);
    CHECK(contains(r.message, reason));
  }
  CHECK(contains(parse({"--frobnicate"}).message, "unknown option"));
}

TEST_CASE("cli: --max-insns", "[frontend][cli]") {
  CHECK(parse({"--max-insns", "1000"}).config.max_insns == 1000);
  CHECK(parse({"-max-insns", "0"}).config.max_insns == 0);
  CHECK(parse({"--max-insns=18446744073709551615"}).config.max_insns == UINT64_MAX);
  for (const std::string text : {"abc", "-1", "", "1e6", "10M", "18446744073709551616"}) {
    INFO("--max-insns '" << text << "'");
    check_error(parse({"--max-insns", text}), "--max-insns");
  }
}

TEST_CASE("cli: --report and --checkpoint-every", "[frontend][cli]") {
  CHECK_FALSE(parse({}).config.report);
  CHECK(parse({"--report"}).config.report);
  CHECK(parse({}).config.checkpoint_every == 0);
  CHECK(parse({"--checkpoint-every", "1000000"}).config.checkpoint_every == 1000000);
  check_error(parse({"--report=1"}), "--report");
  for (const std::string text : {"0", "abc", "-5", "", "1e6"}) {
    INFO("--checkpoint-every '" << text << "'");
    check_error(parse({"--checkpoint-every", text}), "--checkpoint-every");
  }
}

TEST_CASE("cli: unknown options and missing values", "[frontend][cli]") {
  check_error(parse({"-bogus"}), "-bogus");
  check_error(parse({"--bogus=1"}), "--bogus");
  check_error(parse({"-m512"}), "-m512");  // QEMU has no glued form either
  check_error(parse({"-"}), "-");
  check_error(parse({"--"}), "--");
  CHECK(contains(parse({"-bogus"}).message, "unknown option"));
  for (const std::string option :
       {"-m", "-bios", "-hda", "-hdb", "-cdrom", "-fda", "-boot", "-kernel", "-initrd", "-append",
        "-serial", "-display", "-device", "-accel", "--max-insns", "--checkpoint-every"}) {
    INFO(option);
    const CliResult r = parse({option});
    check_error(r, option);
    CHECK(contains(r.message, "missing argument"));
  }
}

TEST_CASE("cli: options whose feature is missing are refused, not ignored", "[frontend][cli]") {
  TempDir tmp;
  const std::string img = tmp.file("x.img");
  const Features none;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-hda", img}, "-hda"},
      {{img}, "-hda"},
      {{"-hdb", img}, "-hdb"},
      {{"-fda", img}, "-fda"},
      {{"-cdrom", img}, "-cdrom"},
      {{"-kernel", img}, "-kernel"},
      {{"-initrd", img}, "-initrd"},
      {{"-append", "quiet"}, "-append"},
      {{"-serial", "stdio"}, "-serial"},
      {{"-serial", "file:" + tmp.path("log")}, "-serial"},
      {{"-nographic"}, "-nographic"},
      {{"-s"}, "-s"},
      {{"-snapshot"}, "-snapshot"},
      {{"-accel", "jit"}, "-accel"},
      {{"-accel", "tcg"}, "-accel"},
  };
  for (const auto& [args, option] : cases) {
    INFO(option);
    const CliResult r = parse(args, none);
    check_error(r, option);
    CHECK(contains(r.message, "not supported yet"));
  }
  SECTION("a build without SDL says so") {
    const CliResult r = parse({"-display", "sdl"}, none);
    check_error(r, "-display");
    CHECK(contains(r.message, "SDL2 was not found"));
  }
  SECTION("the feature check comes before the file check") {
    const CliResult r = parse({"-hda", tmp.path("missing.img")}, none);
    CHECK(contains(r.message, "not supported yet"));
  }
  SECTION("what needs no feature still works") {
    const CliResult r =
        parse({"-serial", "none", "-display", "none", "-accel", "interp", "-no-reboot", "-m", "32",
               "-bios", img, "-boot", "c", "-device", "isa-debug-exit"},
              none);
    check_runs(r);
    CHECK(r.config.accel == Accel::Interp);
    CHECK(r.config.display == DisplayKind::None);
    CHECK(r.config.ram_bytes == 32 * kMiB);
  }
  SECTION("-nographic is fine without serial support when -serial says where COM1 goes") {
    check_runs(parse({"-nographic", "-serial", "none", "-bios", "demo"}, none));
  }
}

TEST_CASE("cli: -initrd and -append need -kernel", "[frontend][cli]") {
  TempDir tmp;
  check_error(parse({"-initrd", tmp.file("initrd")}), "-initrd");
  check_error(parse({"-append", "quiet"}), "-append");
}

TEST_CASE("cli: --help and --version exit 0", "[frontend][cli]") {
  for (const std::string flag : {"-h", "--help", "-help"}) {
    INFO(flag);
    const CliResult r = parse({flag});
    CHECK(r.action == CliResult::Action::Exit);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.message, "Usage: ghost86"));
  }
  SECTION("help lists every option, one line each") {
    const std::string help = parse({"--help"}).message;
    for (const std::string option :
         {"-m",         "-bios",       "-hda",       "-hdb",    "-cdrom",  "-fda",
          "-boot",      "-kernel",     "-initrd",    "-append", "-serial", "-display",
          "-nographic", "-snapshot",   "-no-reboot", "-device", "-accel",  "-s",
          "-S",         "--max-insns", "--version",  "--help", "--report", "--checkpoint-every",
          "-qmp",       "-monitor"}) {
      INFO(option);
      bool listed = false;
      std::istringstream lines(help);
      for (std::string line; std::getline(lines, line);) {
        const std::string name = "  " + option;
        if (line.rfind(name, 0) == 0 && line.size() > name.size() + 10 &&
            (line[name.size()] == ' ' || line[name.size()] == ',')) {
          listed = true;
        }
        if (line.find("-h, --help") != std::string::npos && option == "--help") listed = true;
      }
      CHECK(listed);
    }
    CHECK(contains(parse({"--help"}, Features{}).message, "not supported yet"));
  }
  SECTION("help acts where it stands, like QEMU") {
    CHECK(parse({"--help", "-bogus"}).exit_code == 0);
    CHECK(parse({"-m", "abc", "-h"}).exit_code == 0);
  }
  for (const std::string flag : {"--version", "-version"}) {
    INFO(flag);
    const CliResult r = parse({flag});
    CHECK(r.action == CliResult::Action::Exit);
    CHECK(r.exit_code == 0);
    CHECK(r.message.rfind("ghost86 ", 0) == 0);
    CHECK(r.message.size() > 8);
    CHECK(r.message.find('\n') == std::string::npos);
  }
}

TEST_CASE("cli: a full QEMU-style command line", "[frontend][cli]") {
  TempDir tmp;
  const std::string bios = tmp.file("bios.bin"), disk = tmp.file("disk.img");
  const CliResult r =
      parse({"-m", "size=256M", "-bios", bios, "-hda", disk, "-boot", "order=c", "-nographic",
             "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-accel", "tcg",
             "--max-insns", "5000000"});
  check_runs(r);
  CHECK(r.config.ram_bytes == 256 * kMiB);
  CHECK(r.config.bios_path == bios);
  CHECK(r.config.hda == disk);
  CHECK(r.config.boot_order == "c");
  CHECK(r.config.display == DisplayKind::None);
  REQUIRE(r.config.serial.size() == 1);
  CHECK(r.config.serial[0].kind == SerialConfig::Kind::Stdio);
  CHECK(r.config.no_reboot);
  REQUIRE(r.config.debug_exit.size() == 1);
  CHECK(r.config.debug_exit[0].iobase == 0xf4);
  CHECK(r.config.accel == Accel::Jit);
  CHECK(r.config.max_insns == 5000000);
}

TEST_CASE("cli: --step keeps the order of its steps", "[frontend][cli]") {
  const CliResult r = parse({"--step", "screen:A:.>", "--step", "type:dir\\n", "--step", "sleep:0.25",
                             "--step", "serial:login"});
  check_runs(r);
  using Kind = machine::AutomationStep::Kind;
  REQUIRE(r.config.steps.size() == 4);
  CHECK(r.config.steps[0].kind == Kind::Screen);
  CHECK(r.config.steps[0].arg == "A:.>");  // only the first colon separates
  CHECK(r.config.steps[1].kind == Kind::Type);
  CHECK(r.config.steps[1].arg == "dir\\n");
  CHECK(r.config.steps[2].kind == Kind::Sleep);
  CHECK(r.config.steps[2].ns == 250'000'000);
  CHECK(r.config.steps[3].kind == Kind::Serial);
}

TEST_CASE("cli: bad --step values are one-line errors", "[frontend][cli]") {
  for (const std::string text : {"screen", "wait:x", "sleep:abc", "sleep:-1", "sleep:"}) {
    INFO("--step '" << text << "'");
    check_error(parse({"--step", text}), "--step");
  }
}

TEST_CASE("cli: -gdb and -s", "[frontend][cli]") {
  // QEMU's spellings: -s is -gdb tcp::1234; the last -gdb wins; -gdb none is no stub.
  CHECK(parse({"-s"}).control.gdb == "tcp::1234");
  const CliResult r = parse({"-gdb", "tcp:127.0.0.1:4321", "-S"});
  check_runs(r);
  CHECK(r.control.gdb == "tcp:127.0.0.1:4321");
  CHECK(r.config.gdb_stub);
  CHECK(r.config.start_stopped);
  CHECK(parse({"-gdb", "none"}).control.gdb.empty());
  CHECK_FALSE(parse({"-gdb", "none"}).config.gdb_stub);
  check_error(parse({"-gdb", "none", "-S"}), "-S");
  for (const std::string bad : {"tcp:", "tcp::", "tcp::99999", "tcp::12ab", "unix:/tmp/g.sock", "1234",
                                "tcp::1234,server"}) {
    INFO(bad);
    check_error(parse({"-gdb", bad}), "-gdb");
  }
  Features none = all_features();
  none.gdb = false;
  check_error(parse({"-gdb", "tcp::1234"}, none), "-gdb");
}
