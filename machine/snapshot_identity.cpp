#include "machine/snapshot_identity.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <fstream>
#include <map>
#include <set>

#include "devices/snapshot_image.h"
#include "machine/pc_machine.h"

namespace machine {
namespace {

constexpr size_t kHashedBytes = 1u << 20;

std::string identity_of(uint64_t size, const void* first, size_t n) {
  return fmt::format("{} bytes, xxh3 {:016x}", size, XXH3_64bits(first, n));
}

}  // namespace

std::string file_identity(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> head(kHashedBytes);
  f.read(head.data(), std::streamsize(head.size()));
  const size_t n = size_t(f.gcount());
  f.clear();
  f.seekg(0, std::ios::end);
  return identity_of(uint64_t(f.tellg()), head.data(), n);
}

std::optional<uint64_t> whole_file_hash(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  std::vector<char> buf(1u << 20);
  while (f) {
    f.read(buf.data(), std::streamsize(buf.size()));
    XXH3_64bits_update(state, buf.data(), size_t(f.gcount()));
  }
  const bool ok = f.eof();
  const uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  if (!ok) return std::nullopt;
  return hash;
}

std::string image_identity(devices::DiskImage& image) {
  auto* overlay = dynamic_cast<devices::SnapshotImage*>(&image);
  devices::DiskImage& base = overlay ? overlay->base() : image;
  std::vector<uint8_t> head(size_t(std::min<uint64_t>(base.size(), kHashedBytes)));
  if (!base.read(0, head.data(), head.size()))
    return fmt::format("{} bytes, unreadable", base.size());
  return fmt::format("{} {}", base.format_name(),
                     identity_of(base.size(), head.data(), head.size()));
}

Identity machine_identity(const MachineConfig& cfg, PcBoard& board,
                          const std::vector<std::string>& parts) {
  Identity id;
  id.emplace_back("ram", cfg.ram_bytes % (1u << 20) ? fmt::format("{} bytes", cfg.ram_bytes)
                                                    : fmt::format("{} MiB", cfg.ram_bytes >> 20));
  id.emplace_back("cpu", cfg.cpu_model.empty() ? "default" : cfg.cpu_model);
  id.emplace_back("ns-per-insn", fmt::format("{}", cfg.ns_per_insn));
  id.emplace_back("serial-timing", cfg.serial_timing == SerialTiming::Baud ? "baud" : "fast");
  id.emplace_back("vga", cfg.vga ? "on" : "none");
  std::string devices;
  for (const std::string& p : parts) devices += (devices.empty() ? "" : ",") + p;
  id.emplace_back("devices", devices);
  if (cfg.bios_path.empty()) {
    const std::vector<uint8_t> rom = builtin_demo_rom();
    id.emplace_back("firmware",
                    "built-in demo, " + identity_of(rom.size(), rom.data(), rom.size()));
  } else {
    id.emplace_back("firmware", file_identity(cfg.bios_path));
  }
  // A reset reloads these (direct boot), so the machine depends on them after the snapshot too.
  if (!cfg.kernel.empty()) id.emplace_back("kernel", file_identity(cfg.kernel));
  if (!cfg.initrd.empty()) id.emplace_back("initrd", file_identity(cfg.initrd));
  if (!cfg.kernel.empty()) id.emplace_back("append", cfg.append);
  for (const PcBoard::DriveSlot& d : board.drives())
    id.emplace_back("drive " + d.name, image_identity(*d.image));
  return id;
}

std::vector<uint8_t> encode_identity(const Identity& id) {
  std::string text;
  for (const auto& [k, v] : id) text += k + "=" + v + "\n";
  return {text.begin(), text.end()};
}

std::optional<Identity> parse_identity(const std::vector<uint8_t>& bytes) {
  const std::string text(bytes.begin(), bytes.end());
  Identity id;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at), eq = text.find('=', at);
    if (nl == std::string::npos || eq == std::string::npos || eq > nl) return std::nullopt;
    id.emplace_back(text.substr(at, eq - at), text.substr(eq + 1, nl - eq - 1));
    at = nl + 1;
  }
  return id;
}

std::string identity_mismatch(const Identity& saved, const Identity& here, const char* where) {
  const std::map<std::string, std::string> a(saved.begin(), saved.end()),
      b(here.begin(), here.end());
  auto show = [](const std::map<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? std::string("absent") : "'" + it->second + "'";
  };
  for (const Identity* order : {&here, &saved})
    for (const auto& [k, v] : *order)
      if (show(a, k) != show(b, k))
        return fmt::format("{} is {} in the {}, {} here", k, show(a, k), where, show(b, k));
  return {};
}

}  // namespace machine
