#include "devices/qcow2_header.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace devices::qcow2 {
namespace {

// Header extension types.
constexpr uint32_t kExtEnd = 0, kExtBackingFormat = 0xe2792aca, kExtEncryption = 0x0537be77,
                   kExtDataFile = 0x44415441;
constexpr uint64_t kMaxBackingName = 1023;  // QEMU's limit

// Incompatible feature bits (version 3), with why each is refused.
constexpr std::array<std::string_view, 5> kIncompatibleWhy = {
    "has the dirty bit set (its refcounts may be stale; repair it with 'qemu-img check -r all')",
    "is marked corrupt (repair it with 'qemu-img check -r all')",
    "uses an external data file, which is not supported",
    "uses a compression type other than zlib, which is not supported",
    "uses extended L2 entries (subclusters), which are not supported",
};

[[noreturn]] void bad(std::string why) { throw std::runtime_error(std::move(why)); }

// A table of `bytes` at `offset` lies cluster-aligned and wholly inside the file.
void check_table(const char* name, uint64_t offset, uint64_t bytes, uint64_t cluster_size,
                 uint64_t file_size) {
  if (offset == 0 || offset % cluster_size != 0)
    bad(fmt::format("has {} at {:#x}, not cluster-aligned", name, offset));
  if (offset > file_size || bytes > file_size - offset)
    bad(fmt::format("has {} ({} bytes at {:#x}) outside the file (truncated?)", name, bytes,
                    offset));
}

// Extensions run from the end of the header to the backing file name or the cluster's end.
void parse_extensions(const std::vector<uint8_t>& h, uint64_t end, Header& hdr) {
  uint64_t at = hdr.header_length;
  while (at + 8 <= end) {
    const uint32_t type = uint32_t(be_get(&h[at], 4));
    const uint64_t len = be_get(&h[at + 4], 4);
    if (type == kExtEnd) return;
    if (len > end - at - 8)
      bad(fmt::format("has header extension {:#x} running past its area", type));
    const uint8_t* data = &h[at + 8];
    if (type == kExtBackingFormat) hdr.backing_format.assign(data, data + len);
    if (type == kExtEncryption) bad("is encrypted, which is not supported");
    if (type == kExtDataFile) bad("uses an external data file, which is not supported");
    at += 8 + (len + 7) / 8 * 8;  // others (feature names, bitmaps) are skipped
  }
  if (at < end) bad("has unterminated header extensions");
}

}  // namespace

Header parse_header(const HostFile& file) {
  const uint64_t file_size = file.size();
  if (file_size < kV2HeaderLength)
    bad(fmt::format("is only {} bytes, too short for a qcow2 header (truncated?)", file_size));
  std::array<uint8_t, kV3MinHeaderLength + 8> fixed{};
  const uint64_t fixed_len = std::min<uint64_t>(fixed.size(), file_size);
  if (!file.read(0, fixed.data(), fixed_len)) bad("cannot be read");
  const auto u32 = [&](uint64_t at) { return uint32_t(be_get(&fixed[at], 4)); };
  const auto u64 = [&](uint64_t at) { return be_get(&fixed[at], 8); };
  Header hdr;
  hdr.version = u32(kVersion);
  if (hdr.version != 2 && hdr.version != 3)
    bad(fmt::format("is qcow2 version {}; versions 2 and 3 are supported", hdr.version));
  hdr.cluster_bits = u32(kClusterBits);
  if (hdr.cluster_bits < kMinClusterBits || hdr.cluster_bits > kMaxClusterBits)
    bad(fmt::format("has cluster_bits {} (expected {} to {})", hdr.cluster_bits, kMinClusterBits,
                    kMaxClusterBits));
  const uint64_t cs = hdr.cluster_size();
  if (u32(kCryptMethod) != 0) bad("is encrypted, which is not supported");
  if (hdr.version == 3) {
    if (file_size < kV3MinHeaderLength)
      bad("is too short for a qcow2 version 3 header (truncated?)");
    const uint64_t incompatible = u64(kIncompatible);
    for (unsigned bit = 0; bit < 64; bit++) {
      if (!(incompatible >> bit & 1)) continue;
      if (bit < kIncompatibleWhy.size()) bad(std::string(kIncompatibleWhy[bit]));
      bad(fmt::format("uses unknown incompatible feature bit {}", bit));
    }
    hdr.autoclear = u64(kAutoclear);
    hdr.refcount_order = u32(kRefcountOrder);
    hdr.header_length = u32(kHeaderLength);
    if (hdr.header_length < kV3MinHeaderLength || hdr.header_length % 8 != 0 ||
        hdr.header_length > cs)
      bad(fmt::format("has a bad header length {}", hdr.header_length));
    if (hdr.header_length > kCompressionType && fixed_len > kCompressionType &&
        fixed[kCompressionType] != 0)
      bad(std::string(kIncompatibleWhy[3]));
  }
  if (hdr.refcount_order > kMaxRefcountOrder)
    bad(fmt::format("has refcount_order {} (expected 0 to {})", hdr.refcount_order,
                    kMaxRefcountOrder));

  hdr.size = u64(kSize);
  hdr.l1_size = u32(kL1Size);
  hdr.l1_offset = u64(kL1Offset);
  // Each L1 entry maps one L2 table of cs/8 clusters; the L1 table must cover the whole disk.
  const uint64_t per_l1 = cs << hdr.l2_bits();
  if (uint64_t(hdr.l1_size) * 8 > kMaxL1Bytes)
    bad(fmt::format("has an L1 table of {} entries, too large", hdr.l1_size));
  if (hdr.size / per_l1 + (hdr.size % per_l1 != 0) > hdr.l1_size)
    bad(fmt::format("has an L1 table of {} entries, too small for {} bytes", hdr.l1_size,
                    hdr.size));
  if (hdr.l1_size > 0)
    check_table("the L1 table", hdr.l1_offset, uint64_t(hdr.l1_size) * 8, cs, file_size);

  hdr.reftable_offset = u64(kRefTableOffset);
  hdr.reftable_clusters = u32(kRefTableClusters);
  if (hdr.reftable_clusters == 0 || hdr.reftable_clusters * cs > kMaxRefTableBytes)
    bad(fmt::format("has a refcount table of {} clusters", hdr.reftable_clusters));
  check_table("the refcount table", hdr.reftable_offset, hdr.reftable_clusters * cs, cs, file_size);

  hdr.snapshot_count = u32(kSnapshotCount);
  hdr.snapshots_offset = u64(kSnapshotsOffset);
  if (hdr.snapshot_count > 0)
    check_table("the snapshot table", hdr.snapshots_offset, 0, cs, file_size);

  // Extensions and the backing file name live in the first cluster.
  std::vector<uint8_t> first(std::min(cs, file_size));
  if (!file.read(0, first.data(), first.size())) bad("cannot be read");
  const uint64_t name_at = u64(kBackingOffset), name_len = u32(kBackingSize);
  const bool has_name = name_at != 0 && name_len != 0;
  if (has_name && (name_len > kMaxBackingName || name_at < hdr.header_length ||
                   name_at > first.size() || name_len > first.size() - name_at))
    bad("has a backing file name outside the first cluster or longer than 1023 bytes");
  parse_extensions(first, has_name ? name_at : first.size(), hdr);
  if (has_name)
    hdr.backing_file.assign(first.begin() + long(name_at),
                            first.begin() + long(name_at + name_len));
  return hdr;
}

}  // namespace devices::qcow2
