#include "frontend/drive_option.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <stdexcept>

namespace frontend {
namespace {

using machine::DriveConfig;

// virtio-blk devices take PCI slots 3-31 with the network cards.
constexpr unsigned kIdeSlots = 4, kFloppySlots = 2, kVirtioSlots = 29;
constexpr std::array<std::string_view, kIdeSlots> kIdeSlotName = {
    "primary master", "primary slave", "secondary master", "secondary slave"};

[[noreturn]] void bad(std::string why) { throw std::invalid_argument(std::move(why)); }

// QEMU's option syntax: comma-separated key=value pairs, ",," standing for a literal comma.
std::vector<std::pair<std::string, std::string>> fields(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string field;
  auto finish = [&] {
    const size_t eq = field.find('=');
    if (eq == std::string::npos) bad(fmt::format("'{}': expected KEY=VALUE", field));
    out.emplace_back(field.substr(0, eq), field.substr(eq + 1));
    field.clear();
  };
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != ',') {
      field += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == ',') {
      field += ',';
      i++;
    } else {
      finish();
    }
  }
  finish();
  return out;
}

bool on_off(const std::string& key, const std::string& value) {
  if (value == "on" || value == "yes" || value == "true") return true;
  if (value == "off" || value == "no" || value == "false") return false;
  bad(fmt::format("{}={}: expected on or off", key, value));
}

unsigned number(const std::string& key, const std::string& value, unsigned limit) {
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n >= limit)
    bad(fmt::format("{}={}: expected a number below {}", key, value, limit));
  return n;
}

}  // namespace

DriveConfig parse_drive(std::string_view text, std::vector<std::string>& notes) {
  DriveConfig d;
  std::optional<unsigned> index, bus, unit;
  bool have_file = false;
  std::vector<std::string> seen;
  for (const auto& [key, value] : fields(text)) {
    for (const std::string& k : seen)
      if (k == key) bad(fmt::format("'{}' given twice", key));
    seen.push_back(key);
    if (key == "file") {
      d.file = value, have_file = true;
    } else if (key == "format") {
      if (value == "raw")
        d.format = DriveConfig::Format::Raw;
      else if (value == "qcow2")
        d.format = DriveConfig::Format::Qcow2;
      else
        bad(fmt::format("format={}: not supported (expected raw or qcow2)", value));
    } else if (key == "if") {
      if (value == "ide")
        d.iface = DriveConfig::Interface::Ide;
      else if (value == "floppy")
        d.iface = DriveConfig::Interface::Floppy;
      else if (value == "none")
        d.iface = DriveConfig::Interface::None;
      else if (value == "virtio")
        d.iface = DriveConfig::Interface::Virtio;
      else
        bad(fmt::format("if={}: not supported (expected ide, floppy, virtio or none)", value));
    } else if (key == "index") {
      index = number(key, value, kVirtioSlots);
    } else if (key == "bus") {
      bus = number(key, value, 2);
    } else if (key == "unit") {
      unit = number(key, value, 2);
    } else if (key == "media") {
      if (value != "disk" && value != "cdrom")
        bad(fmt::format("media={}: expected disk or cdrom", value));
      d.cdrom = value == "cdrom";
    } else if (key == "readonly") {
      d.readonly = on_off(key, value);
    } else if (key == "snapshot") {
      d.snapshot = on_off(key, value);
    } else if (key == "id") {
      if (value.empty() || !std::isalpha(static_cast<unsigned char>(value[0])) ||
          value.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") !=
              std::string::npos)
        bad(fmt::format("id={}: expected a letter then letters, digits, '-', '.' or '_'", value));
      d.id = value;
    } else if (key == "cache") {
      if (value != "writeback" && value != "none" && value != "writethrough" &&
          value != "directsync" && value != "unsafe")
        bad(fmt::format("cache={}: expected writeback, none, writethrough, directsync or unsafe",
                        value));
      notes.push_back(fmt::format(
          "-drive: cache={} is ignored (writes reach the file at once and are synced at exit)",
          value));
    } else {
      bad(fmt::format(
          "unknown parameter '{}' (expected file, format, if, index, bus, unit, media, readonly, "
          "snapshot, id or cache)",
          key));
    }
  }
  if (index && (bus || unit)) bad("index= cannot be combined with bus= or unit=");
  if (bus || unit) index = bus.value_or(0) * 2 + unit.value_or(0);
  const bool ide = d.iface == DriveConfig::Interface::Ide;
  if (d.cdrom && !ide && d.iface != DriveConfig::Interface::None) bad("media=cdrom needs if=ide");
  if (ide && index && *index >= kIdeSlots)
    bad(fmt::format("index={}: expected a number below {}", *index, kIdeSlots));
  if (d.iface == DriveConfig::Interface::Floppy && index && *index >= kFloppySlots)
    bad(fmt::format("if=floppy: index={} (there are drives 0 and 1)", *index));
  if (!have_file && !d.cdrom && (ide || d.iface == DriveConfig::Interface::Virtio))
    bad("file= is missing (only a CD-ROM drive may be empty)");
  if (have_file && d.file.empty()) bad("file= is empty");
  if (d.cdrom) d.readonly = true;
  d.index = index ? int(*index) : -1;
  return d;
}

void place_drives(machine::MachineConfig& cfg) {
  std::array<std::string, kIdeSlots> ide;  // who holds each slot
  std::array<std::string, kFloppySlots> floppy;
  std::array<std::string, kVirtioSlots> virtio;
  if (!cfg.hda.empty()) ide[0] = "-hda";
  if (!cfg.hdb.empty()) ide[1] = "-hdb";
  if (!cfg.cdrom.empty()) ide[2] = "-cdrom";
  if (!cfg.fda.empty()) floppy[0] = "-fda";
  std::vector<std::string> ids;
  for (DriveConfig& d : cfg.drives) {
    if (!d.id.empty()) {
      for (const std::string& id : ids)
        if (id == d.id) bad(fmt::format("{}: id '{}' is used twice", d.option, d.id));
      ids.push_back(d.id);
    }
    if (d.iface == DriveConfig::Interface::None) continue;
    const bool is_ide = d.iface == DriveConfig::Interface::Ide;
    const bool is_virtio = d.iface == DriveConfig::Interface::Virtio;
    std::string* slots = is_ide ? ide.data() : is_virtio ? virtio.data() : floppy.data();
    const int count = int(is_ide ? kIdeSlots : is_virtio ? kVirtioSlots : kFloppySlots);
    const char* kind = is_ide ? "IDE" : is_virtio ? "virtio" : "floppy";
    if (d.index < 0)
      for (int i = 0; i < count && d.index < 0; i++)
        if (slots[i].empty()) d.index = i;
    if (d.index < 0) bad(fmt::format("{}: no free {} slot for '{}'", d.option, kind, d.file));
    std::string& holder = slots[d.index];
    const std::string slot =
        is_ide ? fmt::format("index={} ({})", d.index, kIdeSlotName[size_t(d.index)])
               : fmt::format("{} index={}", kind, d.index);
    if (!holder.empty()) bad(fmt::format("{}: {} is already used by {}", d.option, slot, holder));
    holder = d.option;
  }
}

bool is_drive_device(std::string_view text) {
  const std::string_view driver = text.substr(0, text.find(','));
  return driver == "virtio-blk-pci" || driver == "driver=virtio-blk-pci";
}

// The drive named by drive= must be an unused if=none one; it becomes a virtio drive, placed
// with the if=virtio ones.
void parse_drive_device(std::string_view text, machine::MachineConfig& cfg) {
  const size_t comma = text.find(',');
  std::string drive, serial;
  bool have_serial = false;
  const auto props = comma == std::string_view::npos
                         ? std::vector<std::pair<std::string, std::string>>{}
                         : fields(text.substr(comma + 1));
  for (const auto& [key, value] : props) {
    if (key == "drive" && drive.empty())
      drive = value;
    else if (key == "serial" && !have_serial)
      serial = value, have_serial = true;
    else if (key == "drive" || key == "serial")
      bad(fmt::format("virtio-blk-pci: '{}' given twice", key));
    else
      bad(fmt::format("virtio-blk-pci has no property '{}' (supported: drive, serial)", key));
  }
  if (drive.empty()) bad("virtio-blk-pci: drive= is needed");
  for (DriveConfig& d : cfg.drives) {
    if (d.id != drive) continue;
    if (d.iface != DriveConfig::Interface::None)
      bad(fmt::format("virtio-blk-pci: drive '{}' is already attached (give it if=none)", drive));
    if (d.file.empty()) bad(fmt::format("virtio-blk-pci: drive '{}' has no file=", drive));
    if (d.cdrom) bad(fmt::format("virtio-blk-pci: drive '{}' is a CD-ROM (media=cdrom)", drive));
    d.iface = DriveConfig::Interface::Virtio;
    d.serial = serial;
    d.option = "-device virtio-blk-pci";
    return;
  }
  bad(fmt::format(
      "virtio-blk-pci: drive '{}' does not exist (define it with -drive id={},if=none,...)", drive,
      drive));
}

}  // namespace frontend
