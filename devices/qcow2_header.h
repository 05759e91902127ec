// The qcow2 header (QEMU's docs/interop/qcow2.txt, versions 2 and 3), parsed and checked
// against the file before any of its offsets is used.
#pragma once

#include <cstdint>
#include <string>

#include "devices/host_file.h"

namespace devices::qcow2 {

// Header field offsets (big-endian fields).
constexpr uint64_t kVersion = 4, kBackingOffset = 8, kBackingSize = 16, kClusterBits = 20,
                   kSize = 24, kCryptMethod = 32, kL1Size = 36, kL1Offset = 40,
                   kRefTableOffset = 48, kRefTableClusters = 56, kSnapshotCount = 60,
                   kSnapshotsOffset = 64, kIncompatible = 72, kCompatible = 80, kAutoclear = 88,
                   kRefcountOrder = 96, kHeaderLength = 100, kCompressionType = 104;
constexpr uint64_t kV2HeaderLength = 72, kV3MinHeaderLength = 104;

// Table entries: offsets are bits 9..55; bit 63 says the cluster's refcount is exactly 1
// ("copied", so it may be written in place).
constexpr uint64_t kOffsetMask = 0x00ff'ffff'ffff'fe00ull;
constexpr uint64_t kCopied = 1ull << 63, kCompressed = 1ull << 62, kZero = 1ull;
constexpr uint64_t kL1Reserved = 0x7f00'0000'0000'01ffull;
constexpr uint64_t kL2Reserved = 0x3f00'0000'0000'01feull;
constexpr uint64_t kRefTableReserved = 0x1ffull;

// Limits as QEMU sets them, so every image QEMU makes opens and no hostile one costs much.
constexpr uint64_t kMaxL1Bytes = 32ull << 20, kMaxRefTableBytes = 8ull << 20;
constexpr unsigned kMinClusterBits = 9, kMaxClusterBits = 21, kMaxRefcountOrder = 6;

struct Header {
  uint32_t version = 0, cluster_bits = 0, l1_size = 0, refcount_order = 4, snapshot_count = 0;
  uint64_t size = 0, l1_offset = 0, reftable_offset = 0, reftable_clusters = 0,
           snapshots_offset = 0;
  uint64_t autoclear = 0;
  uint64_t header_length = kV2HeaderLength;
  std::string backing_file, backing_format;

  uint64_t cluster_size() const { return 1ull << cluster_bits; }
  unsigned l2_bits() const { return cluster_bits - 3; }  // 8-byte entries per L2 table
};

// Throws std::runtime_error with the reason (no prefix) when the image is damaged or uses a
// feature this implementation does not support.
Header parse_header(const HostFile& file);

inline uint64_t be_get(const uint8_t* p, unsigned n) {
  uint64_t x = 0;
  for (unsigned i = 0; i < n; i++) x = x << 8 | p[i];
  return x;
}

inline void be_put(uint8_t* p, uint64_t x, unsigned n) {
  for (unsigned i = n; i-- > 0; x >>= 8) p[i] = uint8_t(x);
}

}  // namespace devices::qcow2
