// A qcow2 image (QEMU's docs/interop/qcow2.txt): versions 2 and 3, clusters of 512 bytes to
// 2 MiB, refcounts of 1 to 64 bits, zero clusters, a raw or qcow2 backing file, and internal
// snapshots left intact (shared clusters are copied before they are written). Compressed
// clusters, encryption, external data files and subclusters are refused at open.
//
// Every table is checked against the file when the image opens (alignment, bounds, overlap
// with other metadata), so a damaged or hostile image is refused there or reads as an I/O
// error; nothing is read outside the file and memory stays bounded (QEMU's L1 and refcount
// table limits).
//
// Writes allocate at the end of the file and update the refcount first, then write the data
// (or new table), then the entry that points to it: a crash in between can only leak a
// cluster, never leave an entry pointing at unreferenced or unwritten space.
#pragma once

#include <unordered_set>
#include <vector>

#include "devices/disk_image.h"
#include "devices/host_file.h"
#include "devices/qcow2_header.h"

namespace devices {

class Qcow2Image final : public DiskImage {
 public:
  // Throws std::runtime_error with one line naming `what` and the path.
  Qcow2Image(HostFile file, bool writable, const std::string& path, const std::string& what,
             unsigned depth);
  ~Qcow2Image() override { flush(); }
  std::string_view format_name() const override { return "qcow2"; }
  void flush() override {
    if (writable()) file_.sync();
  }

 private:
  bool do_read(uint64_t offset, void* dst, uint64_t len) override;
  bool do_write(uint64_t offset, const void* src, uint64_t len) override;

  void load_tables(const std::string& fail_prefix);
  void open_backing(const std::string& what, unsigned depth);
  void mark(uint64_t offset, uint64_t bytes, const std::string& fail_prefix, const char* name);
  void check_l2_table(uint64_t l2_offset, const std::string& fail_prefix);
  void mark_snapshot_table(const std::string& fail_prefix);

  // Mapping: the L2 entry of a guest cluster (0 when unmapped); false on a damaged entry.
  bool l2_entry(uint64_t vcluster, uint64_t& entry) const;
  bool valid_data(uint64_t entry) const;
  bool read_piece(uint64_t vcluster, uint64_t in, uint8_t* dst, uint64_t n) const;
  bool read_unmapped(uint64_t voffset, uint8_t* dst, uint64_t n) const;
  bool read_host(uint64_t host, uint8_t* dst, uint64_t n) const;
  bool write_piece(uint64_t vcluster, uint64_t in, const uint8_t* src, uint64_t n);
  bool writable_l2(uint64_t l1_index, uint64_t& l2_offset);

  // Refcounts.
  bool get_refcount(uint64_t host, uint64_t& count) const;
  bool set_refcount(uint64_t host, uint64_t count);
  bool release(uint64_t host);
  bool allocate(uint64_t& host);
  bool new_refcount_block(uint64_t block_index);
  bool grow_reftable(uint64_t block_index);
  bool put_u64(uint64_t at, uint64_t value);
  bool get_u64(uint64_t at, uint64_t& value) const;

  HostFile file_;
  qcow2::Header h_;
  uint64_t cs_;       // cluster size
  unsigned rb_bits_;  // log2 of refcount entries per refcount block
  std::vector<uint64_t> l1_, reftable_;
  std::unordered_set<uint64_t> metadata_;  // host cluster numbers of the active metadata
  std::unique_ptr<DiskImage> backing_;
  uint64_t alloc_end_;    // where the next cluster is allocated
  bool growing_ = false;  // the refcount table is being replaced
};

}  // namespace devices
