#include "devices/qcow2_image.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace devices {

using namespace qcow2;

namespace {

constexpr unsigned kMaxBackingDepth = 16;  // a longer chain is taken to be a loop
constexpr uint32_t kMaxSnapshots = 65536;  // QEMU's limit
constexpr uint64_t kSnapshotFixed = 40;    // bytes of a snapshot table entry before its extra data

[[noreturn]] void refuse(const std::string& prefix, const std::string& why) {
  throw std::runtime_error(prefix + why);
}

}  // namespace

Qcow2Image::Qcow2Image(HostFile file, bool writable, const std::string& path,
                       const std::string& what, unsigned depth)
    : DiskImage(0, writable, path), file_(std::move(file)) {
  const std::string prefix = fmt::format("{}: qcow2 image '{}' ", what, path);
  try {
    h_ = parse_header(file_);
  } catch (const std::runtime_error& e) {
    refuse(prefix, e.what());
  }
  cs_ = h_.cluster_size();
  rb_bits_ = h_.cluster_bits + 3 - h_.refcount_order;
  alloc_end_ = (file_.size() + cs_ - 1) / cs_ * cs_;
  load_tables(prefix);
  open_backing(what, depth);
  set_size(h_.size);
  // Autoclear bits name extensions (such as bitmaps) that a writer unaware of them must
  // invalidate by clearing the bit.
  if (writable && h_.autoclear != 0 && !put_u64(kAutoclear, 0)) refuse(prefix, "cannot be written");
}

// Reads the L1 and refcount tables and checks every table they point to; records where the
// metadata lies so that no data cluster may overlap it.
void Qcow2Image::load_tables(const std::string& prefix) {
  mark(0, std::min(cs_, file_.size()), prefix, "the header");
  const auto load = [&](uint64_t offset, uint64_t count, std::vector<uint64_t>& table,
                        const char* name) {
    if (count == 0) return;  // an empty disk has no L1 table
    std::vector<uint8_t> raw(count * 8);
    if (!file_.read(offset, raw.data(), raw.size()))
      refuse(prefix, fmt::format("has {} that cannot be read", name));
    table.resize(count);
    for (uint64_t i = 0; i < count; i++) table[i] = be_get(&raw[i * 8], 8);
    mark(offset, count * 8, prefix, name);
  };
  load(h_.l1_offset, h_.l1_size, l1_, "the L1 table");
  load(h_.reftable_offset, h_.reftable_clusters * cs_ / 8, reftable_, "the refcount table");
  mark_snapshot_table(prefix);
  for (uint64_t e : reftable_) {
    if (e & kRefTableReserved)
      refuse(prefix, fmt::format("has a bad refcount table entry {:#x}", e));
    if (e) mark(e, cs_, prefix, "a refcount block");
  }
  for (uint64_t e : l1_) {
    if (e & kL1Reserved) refuse(prefix, fmt::format("has a bad L1 entry {:#x}", e));
    if (e & kOffsetMask) mark(e & kOffsetMask, cs_, prefix, "an L2 table");
  }
  for (uint64_t e : l1_)
    if (e & kOffsetMask) check_l2_table(e & kOffsetMask, prefix);
}

// Records [offset, offset+bytes) as metadata: cluster-aligned, wholly inside the file, and
// overlapping no other metadata (which also rules out one L2 table serving two L1 entries).
void Qcow2Image::mark(uint64_t offset, uint64_t bytes, const std::string& prefix,
                      const char* name) {
  if (offset % cs_ != 0)
    refuse(prefix, fmt::format("has {} at {:#x}, not cluster-aligned", name, offset));
  if (offset >= file_.size() || bytes > file_.size() - offset)
    refuse(prefix, fmt::format("has {} at {:#x}, outside the file (truncated?)", name, offset));
  const uint64_t clusters = std::max<uint64_t>(1, (bytes + cs_ - 1) / cs_);
  for (uint64_t c = 0; c < clusters; c++)
    if (!metadata_.insert((offset >> h_.cluster_bits) + c).second)
      refuse(prefix, fmt::format("has {} at {:#x} overlapping other metadata", name, offset));
}

void Qcow2Image::mark_snapshot_table(const std::string& prefix) {
  if (h_.snapshot_count == 0) return;
  if (h_.snapshot_count > kMaxSnapshots)
    refuse(prefix, fmt::format("has {} snapshots, too many", h_.snapshot_count));
  uint64_t at = h_.snapshots_offset, end = at;
  for (uint32_t i = 0; i < h_.snapshot_count; i++) {
    uint8_t fixed[kSnapshotFixed];
    if (!file_.read(at, fixed, sizeof fixed))
      refuse(prefix, "has a snapshot table outside the file");
    const uint64_t extra = be_get(fixed + 36, 4), id = be_get(fixed + 12, 2),
                   name = be_get(fixed + 14, 2);
    end = at + kSnapshotFixed + extra + id + name;
    at += (end - at + 7) / 8 * 8;  // entries are padded to 8 bytes, except perhaps the last
  }
  mark(h_.snapshots_offset, end - h_.snapshots_offset, prefix, "the snapshot table");
}

// Every entry of an active L2 table must be usable: no compression, no reserved bits, data
// clusters aligned, starting inside the file and not on metadata.
void Qcow2Image::check_l2_table(uint64_t l2_offset, const std::string& prefix) {
  std::vector<uint8_t> table(cs_);
  if (!file_.read(l2_offset, table.data(), cs_))
    refuse(prefix, "has an L2 table that cannot be read");
  for (uint64_t i = 0; i < cs_; i += 8) {
    const uint64_t e = be_get(&table[i], 8);
    if (e & kCompressed) refuse(prefix, "contains compressed clusters, which are not supported");
    if (!valid_data(e))
      refuse(prefix, fmt::format("has a bad L2 entry {:#x} in the table at {:#x}", e, l2_offset));
  }
}

bool Qcow2Image::valid_data(uint64_t e) const {
  if (e & (kL2Reserved | kCompressed)) return false;
  if ((e & kZero) && h_.version < 3) return false;
  const uint64_t host = e & kOffsetMask;
  return host == 0 ||
         (host % cs_ == 0 && host < alloc_end_ && !metadata_.contains(host >> h_.cluster_bits));
}

void Qcow2Image::open_backing(const std::string& what, unsigned depth) {
  if (h_.backing_file.empty()) return;
  const std::string prefix =
      fmt::format("{}: backing file '{}' of '{}'", what, h_.backing_file, path());
  if (depth + 1 >= kMaxBackingDepth) refuse(prefix, ": the backing chain is too long (a loop?)");
  if (h_.backing_file.find("://") != std::string::npos || h_.backing_file.starts_with("json:"))
    refuse(prefix, ": only local files are supported");
  Format format = Format::Auto;
  if (h_.backing_format == "raw")
    format = Format::Raw;
  else if (h_.backing_format == "qcow2")
    format = Format::Qcow2;
  else if (!h_.backing_format.empty())
    refuse(prefix, fmt::format(": format '{}' is not supported", h_.backing_format));
  std::filesystem::path file(h_.backing_file);
  if (file.is_relative()) file = std::filesystem::path(path()).parent_path() / file;
  std::error_code ec;
  if (std::filesystem::equivalent(file, path(), ec)) refuse(prefix, ": that is the image itself");
  // Errors in the chain say which image the user gave it belongs to.
  const std::string chain_what =
      depth == 0 ? fmt::format("{}: backing file of '{}'", what, path()) : what;
  backing_ = detail::open_image(file.string(), false, chain_what, format, depth + 1);
}

// ---- Reading --------------------------------------------------------------------------------

bool Qcow2Image::get_u64(uint64_t at, uint64_t& value) const {
  uint8_t b[8];
  if (!file_.read(at, b, 8)) return false;
  value = be_get(b, 8);
  return true;
}

bool Qcow2Image::put_u64(uint64_t at, uint64_t value) {
  uint8_t b[8];
  be_put(b, value, 8);
  return file_.write(at, b, 8);
}

bool Qcow2Image::l2_entry(uint64_t vcluster, uint64_t& entry) const {
  const uint64_t l1_index = vcluster >> h_.l2_bits();
  if (l1_index >= l1_.size()) return false;
  const uint64_t l2 = l1_[l1_index] & kOffsetMask;
  entry = 0;
  if (l2 == 0) return true;
  return get_u64(l2 + (vcluster & ((1ull << h_.l2_bits()) - 1)) * 8, entry) && valid_data(entry);
}

// Data past the end of the file within an allocated cluster reads as zeros, as in QEMU.
bool Qcow2Image::read_host(uint64_t host, uint8_t* dst, uint64_t n) const {
  const uint64_t in_file = host < file_.size() ? std::min(n, file_.size() - host) : 0;
  std::memset(dst + in_file, 0, n - in_file);
  return in_file == 0 || file_.read(host, dst, in_file);
}

bool Qcow2Image::read_unmapped(uint64_t voffset, uint8_t* dst, uint64_t n) const {
  const uint64_t from_backing =
      backing_ && voffset < backing_->size() ? std::min(n, backing_->size() - voffset) : 0;
  std::memset(dst + from_backing, 0, n - from_backing);
  return from_backing == 0 || backing_->read(voffset, dst, from_backing);
}

bool Qcow2Image::read_piece(uint64_t vcluster, uint64_t in, uint8_t* dst, uint64_t n) const {
  uint64_t e;
  if (!l2_entry(vcluster, e)) return false;
  if (e & kZero) {
    std::memset(dst, 0, n);
    return true;
  }
  if (const uint64_t host = e & kOffsetMask) return read_host(host + in, dst, n);
  return read_unmapped((vcluster << h_.cluster_bits) + in, dst, n);
}

bool Qcow2Image::do_read(uint64_t offset, void* dst, uint64_t len) {
  auto* p = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const uint64_t in = offset & (cs_ - 1), n = std::min(len, cs_ - in);
    if (!read_piece(offset >> h_.cluster_bits, in, p, n)) return false;
    p += n, offset += n, len -= n;
  }
  return true;
}

// ---- Writing --------------------------------------------------------------------------------

bool Qcow2Image::do_write(uint64_t offset, const void* src, uint64_t len) {
  auto* p = static_cast<const uint8_t*>(src);
  while (len > 0) {
    const uint64_t in = offset & (cs_ - 1), n = std::min(len, cs_ - in);
    if (!write_piece(offset >> h_.cluster_bits, in, p, n)) return false;
    p += n, offset += n, len -= n;
  }
  return true;
}

// The L2 table for `l1_index`, made private to the active image: allocated when missing and
// copied when shared with a snapshot (its L1 entry lacks the copied flag).
bool Qcow2Image::writable_l2(uint64_t l1_index, uint64_t& l2_offset) {
  const uint64_t old = l1_[l1_index] & kOffsetMask;
  if (old != 0 && (l1_[l1_index] & kCopied)) {
    l2_offset = old;
    return true;
  }
  std::vector<uint8_t> table(cs_, 0);
  if (old != 0 && !file_.read(old, table.data(), cs_)) return false;
  uint64_t fresh;
  if (!allocate(fresh) || !file_.write(fresh, table.data(), cs_)) return false;
  metadata_.insert(fresh >> h_.cluster_bits);
  l1_[l1_index] = fresh | kCopied;
  if (!put_u64(h_.l1_offset + l1_index * 8, l1_[l1_index])) return false;
  l2_offset = fresh;
  if (old == 0) return true;
  uint64_t count;
  if (!get_refcount(old, count)) return false;
  if (count <= 1) metadata_.erase(old >> h_.cluster_bits);
  return release(old);
}

bool Qcow2Image::write_piece(uint64_t vcluster, uint64_t in, const uint8_t* src, uint64_t n) {
  const uint64_t l1_index = vcluster >> h_.l2_bits();
  uint64_t l2, e;
  if (l1_index >= l1_.size() || !writable_l2(l1_index, l2)) return false;
  const uint64_t entry_at = l2 + (vcluster & ((1ull << h_.l2_bits()) - 1)) * 8;
  if (!get_u64(entry_at, e) || !valid_data(e)) return false;
  const uint64_t host = e & kOffsetMask;
  const bool owned = host != 0 && (e & kCopied);
  if (owned && !(e & kZero)) return file_.write(host + in, src, n);
  // A new cluster (or a preallocated zero cluster we own): its full contents are written before
  // the entry points at it, the rest coming from what the guest saw there so far.
  std::vector<uint8_t> cluster(cs_, 0);
  if (n < cs_ && !(e & kZero)) {
    const bool ok = host ? read_host(host, cluster.data(), cs_)
                         : read_unmapped(vcluster << h_.cluster_bits, cluster.data(), cs_);
    if (!ok) return false;
  }
  std::memcpy(cluster.data() + in, src, n);
  uint64_t target = host;
  if (!owned && !allocate(target)) return false;
  if (!file_.write(target, cluster.data(), cs_) || !put_u64(entry_at, target | kCopied))
    return false;
  return owned || host == 0 || release(host);  // a cluster shared with a snapshot loses one user
}

// ---- Refcounts ------------------------------------------------------------------------------

bool Qcow2Image::get_refcount(uint64_t host, uint64_t& count) const {
  const uint64_t index = host >> h_.cluster_bits, block = index >> rb_bits_;
  count = 0;
  if (block >= reftable_.size() || reftable_[block] == 0) return true;
  const unsigned width = 1u << h_.refcount_order;
  const uint64_t bit = (index & ((1ull << rb_bits_) - 1)) * width, at = reftable_[block] + bit / 8;
  uint8_t b[8];
  if (width < 8) {  // sub-byte refcounts pack from the least significant bit
    if (!file_.read(at, b, 1)) return false;
    count = (b[0] >> (bit % 8)) & ((1u << width) - 1);
    return true;
  }
  if (!file_.read(at, b, width / 8)) return false;
  count = be_get(b, width / 8);
  return true;
}

bool Qcow2Image::set_refcount(uint64_t host, uint64_t count) {
  const unsigned width = 1u << h_.refcount_order;
  if (width < 64 && count >> width) return false;
  const uint64_t index = host >> h_.cluster_bits, block = index >> rb_bits_;
  if (block >= reftable_.size() && !grow_reftable(block)) return false;
  if (reftable_[block] == 0 && !new_refcount_block(block)) return false;
  const uint64_t bit = (index & ((1ull << rb_bits_) - 1)) * width, at = reftable_[block] + bit / 8;
  uint8_t b[8];
  if (width < 8) {
    if (!file_.read(at, b, 1)) return false;
    const unsigned mask = ((1u << width) - 1) << (bit % 8);
    b[0] = uint8_t((b[0] & ~mask) | (count << (bit % 8) & mask));
    return file_.write(at, b, 1);
  }
  be_put(b, count, width / 8);
  return file_.write(at, b, width / 8);
}

bool Qcow2Image::release(uint64_t host) {
  uint64_t count;
  return get_refcount(host, count) && count > 0 && set_refcount(host, count - 1);
}

// A free cluster past everything in use, with its refcount set to 1.
bool Qcow2Image::allocate(uint64_t& host) {
  for (unsigned tries = 0; tries < 1024; tries++) {
    uint64_t count;
    host = alloc_end_;
    alloc_end_ += cs_;
    if (!get_refcount(host, count)) return false;
    if (count == 0) return set_refcount(host, 1);  // damaged refcounts past the end are skipped
  }
  return false;
}

// A zeroed block, written before the table entry that points to it; it may count itself.
bool Qcow2Image::new_refcount_block(uint64_t block_index) {
  const uint64_t block = alloc_end_;
  alloc_end_ += cs_;
  const std::vector<uint8_t> zeros(cs_, 0);
  if (!file_.write(block, zeros.data(), cs_)) return false;
  reftable_[block_index] = block;
  metadata_.insert(block >> h_.cluster_bits);
  return put_u64(h_.reftable_offset + block_index * 8, block) && set_refcount(block, 1);
}

// Replaces the refcount table by a larger one at the end of the file: written in full, its own
// clusters counted through it, then the header switched over, then the old clusters freed.
bool Qcow2Image::grow_reftable(uint64_t block_index) {
  if (growing_) return false;
  growing_ = true;
  const uint64_t per_cluster = cs_ / 8;
  uint64_t entries = std::max<uint64_t>(block_index + 1, reftable_.size() * 2), clusters = 0;
  for (;;) {
    entries = (entries + per_cluster - 1) / per_cluster * per_cluster;
    clusters = entries / per_cluster;
    if (clusters * cs_ > kMaxRefTableBytes) return growing_ = false;
    // The new table and the blocks counting it must fall inside what it covers.
    const uint64_t last = (alloc_end_ >> h_.cluster_bits) + 2 * clusters + 4;
    if ((last >> rb_bits_) < entries) break;
    entries *= 2;
  }
  const uint64_t table_at = alloc_end_, old_at = h_.reftable_offset,
                 old_clusters = h_.reftable_clusters;
  alloc_end_ += clusters * cs_;
  reftable_.resize(entries, 0);
  std::vector<uint8_t> raw(clusters * cs_, 0);
  for (uint64_t i = 0; i < entries; i++) be_put(&raw[i * 8], reftable_[i], 8);
  bool ok = file_.write(table_at, raw.data(), raw.size());
  h_.reftable_offset = table_at, h_.reftable_clusters = clusters;
  for (uint64_t c = 0; ok && c < clusters; c++) {
    metadata_.insert((table_at >> h_.cluster_bits) + c);
    ok = set_refcount(table_at + c * cs_, 1);
  }
  uint8_t hdr[12];
  be_put(hdr, table_at, 8);
  be_put(hdr + 8, clusters, 4);
  ok = ok && file_.write(kRefTableOffset, hdr, sizeof hdr);
  for (uint64_t c = 0; ok && c < old_clusters; c++) {
    metadata_.erase((old_at >> h_.cluster_bits) + c);
    ok = set_refcount(old_at + c * cs_, 0);
  }
  growing_ = false;
  return ok;
}

}  // namespace devices
