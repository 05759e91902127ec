// PcMachine's snapshots (-savevm, --savevm-at, -loadvm): the machine's state parts
// (PcMachine::state_parts), its configuration identity, the overlays of its disks and its RAM
// in one snapshot container (machine/snapshot_file.h). README.md "Snapshots" says how disks
// stay consistent with a snapshot.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <set>

#include "devices/snapshot_image.h"
#include "machine/cpu_state_io.h"
#include "machine/debug_target.h"
#include "machine/pc_machine.h"
#include "machine/record_replay.h"
#include "machine/snapshot_file.h"
#include "machine/snapshot_identity.h"

namespace machine {
namespace {

constexpr const char* kConfig = "config";
constexpr const char* kRamIndex = "ram.index";
constexpr const char* kRam = "ram";
constexpr uint64_t kPage = snap::kPage;

std::string disk_section(const std::string& slot) { return "disk." + slot; }

std::vector<std::string> part_names(const std::vector<PcBoard::StatePart>& parts) {
  std::vector<std::string> names;
  for (const PcBoard::StatePart& p : parts) names.push_back(p.name);
  return names;
}

bool zero_page(const uint8_t* p) {
  static constexpr uint8_t kZero[kPage] = {};
  return std::memcmp(p, kZero, kPage) == 0;
}

// A disk overlay section: u64 chunk count, then per chunk its u64 index and its bytes, in
// ascending index order.
std::vector<uint8_t> encode_overlay(const devices::SnapshotImage::Overlay& o) {
  devices::StateWriter w;
  uint64_t n = o.size();
  w.io(n);
  for (const auto& [index, bytes] : o) {
    uint64_t i = index;
    w.io(i);
    w.bytes(const_cast<uint8_t*>(bytes.data()), bytes.size());
  }
  return std::move(w.out);
}

devices::SnapshotImage::Overlay decode_overlay(const std::vector<uint8_t>& bytes,
                                               uint64_t image_size, const std::string& section) {
  constexpr uint64_t kChunk = devices::SnapshotImage::kChunk;
  devices::StateReader r(bytes);
  uint64_t n = 0;
  r.io(n);
  if (n > bytes.size() / kChunk) throw snap::Error(section, fmt::format("damaged: {} chunks", n));
  devices::SnapshotImage::Overlay o;
  const uint64_t chunks = (image_size + kChunk - 1) / kChunk;
  for (uint64_t k = 0; k < n; k++) {
    uint64_t index = 0;
    r.io(index);
    if (index >= chunks || (!o.empty() && index <= o.rbegin()->first))
      throw snap::Error(section,
                        fmt::format("damaged: chunk {} outside the image or out of order", index));
    std::vector<uint8_t> data(kChunk);
    r.bytes(data.data(), data.size());
    o.emplace_hint(o.end(), index, std::move(data));
  }
  if (!r.at_end()) throw snap::Error(section, "damaged: bytes after the last chunk");
  return o;
}

}  // namespace

// A drive the guest can write that is no snapshot overlay would change under a snapshot: the
// file holds the disk as it was when the run started (plus the overlay), nothing later.
std::string PcMachine::writable_drive() {
  for (const PcBoard::DriveSlot& d : board_->drives())
    if (d.image->writable() && !dynamic_cast<devices::SnapshotImage*>(d.image))
      return fmt::format(
          "drive {} ('{}') is writable; snapshots need its writes in an overlay (-snapshot or "
          "snapshot=on) or a read-only drive",
          d.name, d.image->path());
  return {};
}

void PcMachine::save_due_snapshots() {
  while (next_save_ < cfg_.savevm_at.size() && cpu_->s.icount >= cfg_.savevm_at[next_save_].icount)
    save_snapshot(cfg_.savevm_at[next_save_++].path);
}

void PcMachine::save_snapshot(const std::string& path) {
  if (phys_->ram_size() % kPage)
    throw std::runtime_error("-savevm: RAM is not a whole number of pages");
  std::vector<PcBoard::StatePart> parts = state_parts();
  std::vector<snap::Section> sections;
  sections.push_back(
      {kConfig, encode_identity(machine_identity(cfg_, *board_, part_names(parts)))});
  for (const PcBoard::StatePart& p : parts) {
    devices::StateWriter w;
    p.io(w);
    sections.push_back({p.name, std::move(w.out)});
  }
  for (const PcBoard::DriveSlot& d : board_->drives())
    if (auto* o = dynamic_cast<devices::SnapshotImage*>(d.image))
      sections.push_back({disk_section(d.name), encode_overlay(o->overlay())});
  // RAM: a bitmap of the pages stored (bit n of byte n/8: page n), zero pages left out.
  const uint64_t pages = phys_->ram_size() / kPage;
  std::vector<uint8_t> bitmap((pages + 7) / 8, 0);
  std::vector<const uint8_t*> stored;
  const std::vector<uint8_t> touched = phys_->ram_touched_pages();
  for (uint64_t n = 0; n < pages; n++) {
    const uint8_t* p = phys_->ram() + n * kPage;
    if (!touched[n] || zero_page(p)) continue;
    bitmap[n / 8] |= uint8_t(1u << (n % 8));
    stored.push_back(p);
  }
  sections.push_back({kRamIndex, std::move(bitmap)});
  try {
    snap::write_file(path, sections, stored);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("-savevm: {}", e.what()));
  }
}

void PcMachine::load_snapshot(const std::string& path) {
  if (replaying_log())
    throw std::runtime_error(fmt::format("-loadvm: '{}': not while replaying a log (it loads its own snapshots)", path));
  // Recording: the log names the snapshot and holds its hash, so the replay loads the same.
  std::optional<uint64_t> hash;
  if (rr_ && !(hash = whole_file_hash(path))) throw std::runtime_error(fmt::format("-loadvm: '{}': cannot read it", path));
  const uint64_t before = cpu_->s.icount;
  try {
    load_snapshot_checked(path);
  } catch (const snap::Error& e) {
    throw std::runtime_error(
        fmt::format("-loadvm: '{}': section '{}': {}", path, e.section(), e.what()));
  }
  after_load();
  if (rr_) {
    InputEvent e{InputEvent::Kind::Loadvm};
    e.data.assign(path.begin(), path.end());
    e.hash = *hash;
    e.icount_after = cpu_->s.icount;
    rr_->loaded(before, e);
  }
}

// The log's snapshot, as the recorded run loaded it: the same file (its hash), arriving at the
// same instruction count.
std::string PcMachine::replay_loadvm(const InputEvent& e) {
  const std::string path(e.data.begin(), e.data.end());
  const uint64_t at = cpu_->s.icount;
  if (whole_file_hash(path) != e.hash)
    return fmt::format("the snapshot '{}' the log loads at instruction {} is missing or not the one recorded", path, at);
  try {
    load_snapshot_checked(path);
  } catch (const snap::Error& err) {
    return fmt::format("the log's snapshot '{}': section '{}': {}", path, err.section(), err.what());
  } catch (const std::exception& err) {
    return fmt::format("the log's snapshot '{}': {}", path, err.what());
  }
  after_load();
  rr_->replayed_loadvm();
  if (cpu_->s.icount != e.icount_after)
    return fmt::format("the log's snapshot '{}' starts at instruction {}, the log says {}", path, cpu_->s.icount, e.icount_after);
  return {};
}

// A snapshot loaded while the machine runs: the debugger's history before it is another run.
void PcMachine::after_load() {
  if (debug_) debug_->reloaded();
}

void PcMachine::load_snapshot_checked(const std::string& path) {
  snap::Reader file(path);
  std::vector<PcBoard::StatePart> parts = state_parts();

  // Everything first: the configuration, the set of sections, every checksum and every
  // section's contents.
  const std::optional<Identity> saved = parse_identity(file.read(kConfig));
  if (!saved) throw snap::Error(kConfig, "damaged");
  const std::string mismatch =
      identity_mismatch(*saved, machine_identity(cfg_, *board_, part_names(parts)));
  if (!mismatch.empty()) throw snap::Error(kConfig, mismatch);
  if (const std::string why = writable_drive(); !why.empty()) throw snap::Error(kConfig, why);

  std::set<std::string> expected{kConfig, kRamIndex, kRam};
  for (const PcBoard::StatePart& p : parts) expected.insert(p.name);
  std::map<std::string, devices::SnapshotImage*> overlays;
  for (const PcBoard::DriveSlot& d : board_->drives())
    if (auto* o = dynamic_cast<devices::SnapshotImage*>(d.image))
      overlays[disk_section(d.name)] = o;
  for (const auto& [name, o] : overlays) expected.insert(name);
  for (const std::string& name : file.names())
    if (!expected.count(name)) throw snap::Error(name, "not part of this machine");
  for (const std::string& name : expected)
    if (!file.has(name)) throw snap::Error(name, "missing");

  std::map<std::string, std::vector<uint8_t>> state;
  for (const PcBoard::StatePart& p : parts) state[p.name] = file.read(p.name);
  std::map<devices::SnapshotImage*, devices::SnapshotImage::Overlay> disks;
  for (const auto& [name, o] : overlays)
    disks[o] = decode_overlay(file.read(name), o->size(), name);

  const uint64_t pages = phys_->ram_size() / kPage;
  const std::vector<uint8_t> bitmap = file.read(kRamIndex);
  if (bitmap.size() != (pages + 7) / 8 || (pages % 8 && bitmap.back() >> (pages % 8)))
    throw snap::Error(kRamIndex, "does not describe this machine's RAM");
  uint64_t stored = 0;
  for (uint8_t b : bitmap) stored += uint64_t(std::popcount(b));
  if (file.check_ram() != stored)
    throw snap::Error(kRam, "holds another number of pages than its index");

  // Then the state parts, each of which checks its own values; should one refuse, every part
  // goes back to what it was and the machine is as it was before.
  std::vector<std::vector<uint8_t>> backup;
  for (const PcBoard::StatePart& p : parts) {
    devices::StateWriter w;
    p.io(w);
    backup.push_back(std::move(w.out));
  }
  const PcBoard::StatePart* current = nullptr;
  try {
    for (const PcBoard::StatePart& p : parts) {
      current = &p;
      devices::StateReader r(state[p.name]);
      p.io(r);
      if (!r.at_end()) throw std::runtime_error("longer than this machine's state");
    }
    current = nullptr;
    for (const MachineConfig::SaveAt& s : cfg_.savevm_at)
      if (s.icount < cpu_->s.icount)
        throw std::runtime_error(
            fmt::format("--savevm-at {} comes before the snapshot's instruction count {}", s.icount,
                        cpu_->s.icount));
  } catch (const std::exception& e) {
    for (size_t i = 0; i < parts.size(); i++) {
      devices::StateReader r(backup[i]);
      parts[i].io(r);
    }
    if (!current) throw std::runtime_error(e.what());
    throw snap::Error(current->name, e.what());
  }

  // Nothing can be refused any more: RAM and the disks' overlays.
  phys_->clear_ram();
  for (uint64_t n = 0, at = file.ram_offset(); n < pages;) {
    if (!(bitmap[n / 8] >> (n % 8) & 1)) {
      n++;
      continue;
    }
    uint64_t run = 1;
    while (n + run < pages && bitmap[(n + run) / 8] >> ((n + run) % 8) & 1) run++;
    if (!phys_->load_ram(n * kPage, run * kPage, file.fd(), at))
      throw std::runtime_error(fmt::format("-loadvm: '{}': RAM cannot be read", path));
    n += run, at += run * kPage;
  }
  for (auto& [image, overlay] : disks) image->set_overlay(std::move(overlay));
  mmu_->flush_tlb();
  engine_->flush();
  cpu::request_exit(cpu_->s);
  if (cfg_.checkpoint_every)
    next_checkpoint_ = (cpu_->s.icount / cfg_.checkpoint_every + 1) * cfg_.checkpoint_every;
}

}  // namespace machine
