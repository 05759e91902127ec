// -drive, -hdc, -hdd and -fdb: QEMU's spellings map onto the IDE slots and floppy drives, and
// every unknown key or value ends in one error line naming it.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>

#include "frontend/cli.h"

namespace {

using frontend::CliResult;
using machine::DriveConfig;

struct Images {
  std::filesystem::path dir;
  std::string a, b;
  Images() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ghost86-drive-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    a = (dir / "a.img").string(), b = (dir / "b,c.img").string();
    std::ofstream(a) << std::string(512, 'a');
    std::ofstream(b) << std::string(512, 'b');
  }
  ~Images() { std::filesystem::remove_all(dir); }
};

CliResult parse(const std::vector<std::string>& args) {
  frontend::Features f;
  f.disks = f.floppy = f.cdrom = f.snapshot_overlay = true;
  f.default_bios = "/usr/share/seabios/bios.bin";  // only its name: the CLI does not open it
  return frontend::parse_command_line(args, f);
}

DriveConfig only_drive(const CliResult& r) {
  INFO(r.message);
  REQUIRE(r.action == CliResult::Action::Run);
  REQUIRE(r.config.drives.size() == 1);
  return r.config.drives[0];
}

void check_error(const CliResult& r, const std::string& text) {
  INFO(r.message);
  CHECK(r.action == CliResult::Action::Exit);
  CHECK(r.exit_code == 1);
  CHECK(r.message.find('\n') == std::string::npos);
  CHECK(r.message.find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("drive option: -drive keys map onto the drive's slot, format and mode", "[frontend][cli][drive]") {
  const Images img;
  SECTION("defaults: IDE, the first free slot, format detected, read-write") {
    const DriveConfig d = only_drive(parse({"-drive", "file=" + img.a}));
    CHECK(d.file == img.a);
    CHECK(d.iface == DriveConfig::Interface::Ide);
    CHECK(d.index == 0);
    CHECK(d.format == DriveConfig::Format::Auto);
    CHECK_FALSE(d.cdrom);
    CHECK_FALSE(d.readonly);
    CHECK_FALSE(d.snapshot.has_value());
  }
  SECTION("every key") {
    const DriveConfig d = only_drive(parse(
        {"-drive",
         "file=" + img.a +
             ",format=qcow2,if=ide,index=3,media=disk,readonly=on,snapshot=off,id=d0,cache=none"}));
    CHECK(d.index == 3);
    CHECK(d.format == DriveConfig::Format::Qcow2);
    CHECK(d.readonly);
    CHECK(d.snapshot == false);
    CHECK(d.id == "d0");
  }
  SECTION("cache= is accepted with a note that it is ignored") {
    const CliResult r = parse({"-drive", "file=" + img.a + ",cache=writethrough"});
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].find("cache=writethrough is ignored") != std::string::npos);
  }
  SECTION("a doubled comma is a comma in the file name, as in QEMU") {
    std::string escaped;
    for (char c : img.b) escaped += c == ',' ? std::string(",,") : std::string(1, c);
    CHECK(only_drive(parse({"-drive", "file=" + escaped + ",format=raw"})).file == img.b);
  }
  SECTION("bus and unit give the index: bus=1,unit=1 is the secondary slave") {
    CHECK(only_drive(parse({"-drive", "file=" + img.a + ",bus=1,unit=1"})).index == 3);
  }
  SECTION("media=cdrom is read-only and may be empty") {
    const DriveConfig d = only_drive(parse({"-drive", "if=ide,index=2,media=cdrom"}));
    CHECK(d.cdrom);
    CHECK(d.readonly);
    CHECK(d.file.empty());
  }
  SECTION("floppies and the slots -hda/-cdrom leave free") {
    const CliResult r = parse({"-hda", img.a, "-cdrom", img.a, "-drive", "file=" + img.a, "-drive",
                               "file=" + img.a + ",if=floppy", "-drive", "file=" + img.a});
    REQUIRE(r.action == CliResult::Action::Run);
    REQUIRE(r.config.drives.size() == 3);
    CHECK(r.config.drives[0].index == 1);  // primary slave: -hda has the master
    CHECK(r.config.drives[1].iface == DriveConfig::Interface::Floppy);
    CHECK(r.config.drives[1].index == 0);
    CHECK(r.config.drives[2].index == 3);  // -cdrom is the secondary master
  }
  SECTION("-hdc, -hdd and -fdb") {
    const CliResult r = parse({"-hdc", img.a, "-hdd", img.a, "-fdb", img.a});
    REQUIRE(r.action == CliResult::Action::Run);
    REQUIRE(r.config.drives.size() == 3);
    CHECK(r.config.drives[0].index == 2);
    CHECK(r.config.drives[0].option == "-hdc");
    CHECK(r.config.drives[1].index == 3);
    CHECK(r.config.drives[2].iface == DriveConfig::Interface::Floppy);
    CHECK(r.config.drives[2].index == 1);
  }
  SECTION("if=none defines a drive that is attached nowhere") {
    const DriveConfig d = only_drive(parse({"-drive", "file=" + img.a + ",if=none,id=x"}));
    CHECK(d.iface == DriveConfig::Interface::None);
  }
}

TEST_CASE("drive option: -drive refuses unknown keys and values, and slot conflicts, with one line",
          "[frontend][cli][drive]") {
  const Images img;
  const std::string f = "file=" + img.a;
  check_error(parse({"-drive", f + ",aio=native"}), "ghost86: -drive: unknown parameter 'aio'");
  check_error(parse({"-drive", f + ",if=scsi"}), "ghost86: -drive: if=scsi: not supported");
  check_error(parse({"-drive", f + ",if=sd"}), "if=sd");
  check_error(parse({"-drive", f + ",format=vmdk"}), "ghost86: -drive: format=vmdk: not supported");
  check_error(parse({"-drive", f + ",format=qed,if=virtio"}), "format=qed");
  check_error(parse({"-drive", f + ",media=tape"}), "media=tape");
  check_error(parse({"-drive", f + ",readonly=maybe"}), "readonly=maybe");
  check_error(parse({"-drive", f + ",snapshot=2"}), "snapshot=2");
  check_error(parse({"-drive", f + ",cache=sometimes"}), "cache=sometimes");
  check_error(parse({"-drive", f + ",index=4"}), "index=4");
  check_error(parse({"-drive", f + ",if=floppy,index=2"}), "index=2");
  check_error(parse({"-drive", f + ",if=floppy,media=cdrom"}), "media=cdrom needs if=ide");
  check_error(parse({"-drive", f + ",if=virtio,media=cdrom"}), "media=cdrom needs if=ide");
  check_error(parse({"-drive", f + ",if=virtio,index=29"}), "index=29");
  check_error(parse({"-drive", "if=virtio"}), "file= is missing");
  check_error(parse({"-drive", f + ",if=virtio,index=1", "-drive", f + ",if=virtio,index=1"}),
              "ghost86: -drive: virtio index=1 is already used by -drive");
  check_error(parse({"-drive", f + ",index=1,unit=1"}), "index= cannot be combined");
  check_error(parse({"-drive", f + ",id=1x"}), "id=1x");
  check_error(parse({"-drive", f + ",file=" + img.a}), "'file' given twice");
  check_error(parse({"-drive", img.a}), "expected KEY=VALUE");
  check_error(parse({"-drive", "if=ide"}), "file= is missing");
  check_error(parse({"-drive", "file=" + (img.dir / "missing.img").string()}),
              "ghost86: -drive: cannot open");
  check_error(parse({"-hda", img.a, "-drive", f + ",index=0"}),
              "ghost86: -drive: index=0 (primary master) is already used by -hda");
  check_error(parse({"-cdrom", img.a, "-hdc", img.a}),
              "ghost86: -hdc: index=2 (secondary master) is already used by -cdrom");
  check_error(parse({"-fda", img.a, "-drive", f + ",if=floppy,index=0"}),
              "floppy index=0 is already used by -fda");
  check_error(parse({"-drive", f + ",id=x", "-drive", f + ",id=x"}), "id 'x' is used twice");
  check_error(parse({"-hda", img.a, "-hdb", img.a, "-hdc", img.a, "-hdd", img.a, "-drive", f}),
              "no free IDE slot");
}

TEST_CASE("drive option: if=virtio and -device virtio-blk-pci", "[frontend][cli][drive]") {
  const Images img;
  const std::string f = "file=" + img.a;
  SECTION("if=virtio drives take virtio indexes, IDE slots stay free") {
    const CliResult r = parse({"-hda", img.a, "-drive", f + ",if=virtio,index=2,readonly=on",
                               "-drive", f + ",if=virtio,format=raw,snapshot=on"});
    REQUIRE(r.action == CliResult::Action::Run);
    REQUIRE(r.config.drives.size() == 2);
    CHECK(r.config.drives[0].iface == DriveConfig::Interface::Virtio);
    CHECK(r.config.drives[0].index == 2);
    CHECK(r.config.drives[0].readonly);
    CHECK(r.config.drives[1].index == 0);  // the first free one
    CHECK(r.config.drives[1].format == DriveConfig::Format::Raw);
    CHECK(r.config.drives[1].snapshot == std::optional<bool>(true));
  }
  SECTION("-device virtio-blk-pci takes an if=none drive, with a serial") {
    const CliResult r = parse({"-device", "virtio-blk-pci,drive=d0,serial=ABC", "-drive",
                               f + ",if=none,id=d0"});
    const DriveConfig d = only_drive(r);
    CHECK(d.iface == DriveConfig::Interface::Virtio);
    CHECK(d.serial == "ABC");
    CHECK(d.index == 0);
    CHECK(r.config.debug_exit.empty());
  }
  SECTION("refusals name the problem in one line") {
    check_error(parse({"-device", "virtio-blk-pci,drive=d0"}),
                "ghost86: -device: virtio-blk-pci: drive 'd0' does not exist");
    check_error(parse({"-drive", f + ",id=d0", "-device", "virtio-blk-pci,drive=d0"}),
                "drive 'd0' is already attached");
    check_error(parse({"-drive", f + ",if=none,id=d0", "-device", "virtio-blk-pci,drive=d0",
                       "-device", "virtio-blk-pci,drive=d0"}),
                "drive 'd0' is already attached");
    check_error(parse({"-drive", f + ",if=none,id=d0", "-device", "virtio-blk-pci"}),
                "drive= is needed");
    check_error(parse({"-drive", f + ",if=none,id=d0", "-device", "virtio-blk-pci,drive=d0,num-queues=2"}),
                "virtio-blk-pci has no property 'num-queues'");
    check_error(parse({"-drive", f + ",if=none,id=d0,media=cdrom", "-device", "virtio-blk-pci,drive=d0"}),
                "is a CD-ROM");
  }
}
