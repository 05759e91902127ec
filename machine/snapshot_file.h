// The snapshot container (-savevm, -loadvm): a versioned header, a table of named sections, and
// the sections, each with an XXH3-64 checksum of its stored bytes. Sections are compressed with
// zstd, except guest RAM: its non-zero 4 KiB pages are stored as they are, page-aligned in the
// file, so that loading can map them copy-on-write instead of reading them (machine/README.md).
//
// Layout (little-endian):
//   header   magic "G86SNAP\0", u32 version, u32 section count, u64 XXH3 of the header (this
//            field zero) and the table
//   table    per section: name (16 bytes, NUL-padded), u32 codec (0 stored, 1 zstd), u32 zero,
//            u64 file offset, u64 stored bytes, u64 bytes once decoded, u64 XXH3 of the stored
//            bytes
//   sections one after another, in table order; a page-aligned one (the RAM) after zero padding
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace machine::snap {

inline constexpr uint32_t kVersion = 1;
inline constexpr uint64_t kPage = 4096;

// A refusal naming the section it concerns ("header" for the header and table).
class Error : public std::runtime_error {
 public:
  Error(std::string section, const std::string& why)
      : std::runtime_error(why), section_(std::move(section)) {}
  const std::string& section() const { return section_; }

 private:
  std::string section_;
};

struct Section {
  std::string name;  // 1..15 printable ASCII characters
  std::vector<uint8_t> data;
};

// Writes the sections (zstd-compressed) and then `ram_pages` (each kPage bytes, stored as they
// are, page-aligned) as the last section, named "ram". Throws std::runtime_error with one line.
void write_file(const std::string& path, const std::vector<Section>& sections,
                const std::vector<const uint8_t*>& ram_pages);

// An open snapshot file whose header and table have been checked.
class Reader {
 public:
  // Throws Error: not a snapshot, another version, a damaged or truncated header or table,
  // sections that overlap, leave gaps of non-zero bytes or reach past the end of the file.
  explicit Reader(const std::string& path);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  std::vector<std::string> names() const;
  bool has(const std::string& name) const;
  // A section's decoded bytes, its checksum and decoding checked (throws Error).
  std::vector<uint8_t> read(const std::string& name) const;
  // The stored RAM pages' checksum checked (throws Error); returns how many pages there are.
  uint64_t check_ram() const;
  // Where the RAM pages start in the file (page-aligned) and the descriptor to map them from.
  uint64_t ram_offset() const;
  int fd() const { return fd_; }

 private:
  struct Entry {
    std::string name;
    uint32_t codec;
    uint64_t offset, stored, size, hash;
  };
  const Entry& entry(const std::string& name) const;
  std::vector<uint8_t> stored_bytes(const Entry& e) const;

  int fd_ = -1;
  uint64_t file_size_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace machine::snap
