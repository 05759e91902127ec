#include "machine/snapshot_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "machine/le_bytes.h"

namespace machine::snap {
namespace {

constexpr char kMagic[8] = {'G', '8', '6', 'S', 'N', 'A', 'P', '\0'};
constexpr size_t kHeaderBytes = 24, kEntryBytes = 56, kNameBytes = 16;
constexpr uint32_t kMaxSections = 4096;
constexpr uint32_t kCodecStored = 0, kCodecZstd = 1;
// No section but RAM is anywhere near this; a damaged size must not become a huge allocation.
constexpr uint64_t kMaxSectionBytes = 1ull << 30;
constexpr int kZstdLevel = 3;
constexpr const char* kRam = "ram";

uint64_t align_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, const void* data, size_t len, const std::string& path) {
  auto* p = static_cast<const uint8_t*>(data);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    p += n, len -= size_t(n);
  }
}

bool read_at(int fd, void* dst, size_t len, uint64_t offset) {
  auto* p = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const ssize_t n = ::pread(fd, p, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, len -= size_t(n), offset += uint64_t(n);
  }
  return true;
}

struct Packed {
  std::string name;
  uint32_t codec;
  std::vector<uint8_t> bytes;  // empty for the RAM section, written from the pages
  uint64_t offset = 0, stored = 0, size = 0, hash = 0;
};

std::vector<uint8_t> compress(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(ZSTD_compressBound(data.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), kZstdLevel);
  if (ZSTD_isError(n)) throw std::runtime_error(fmt::format("zstd: {}", ZSTD_getErrorName(n)));
  out.resize(n);
  return out;
}

std::vector<uint8_t> header_and_table(const std::vector<Packed>& sections, uint64_t hash) {
  std::vector<uint8_t> out(kHeaderBytes + sections.size() * kEntryBytes, 0);
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  le_put(out, 8, kVersion, 4);
  le_put(out, 12, sections.size(), 4);
  le_put(out, 16, hash, 8);
  size_t e = kHeaderBytes;
  for (const Packed& s : sections) {
    std::memcpy(out.data() + e, s.name.data(), s.name.size());
    le_put(out, e + 16, s.codec, 4);
    le_put(out, e + 24, s.offset, 8);
    le_put(out, e + 32, s.stored, 8);
    le_put(out, e + 40, s.size, 8);
    le_put(out, e + 48, s.hash, 8);
    e += kEntryBytes;
  }
  return out;
}

bool valid_name(const std::string& n) {
  return !n.empty() && n.size() < kNameBytes &&
         std::all_of(n.begin(), n.end(), [](char c) { return c > ' ' && c < 127; });
}

}  // namespace

void write_file(const std::string& path, const std::vector<Section>& sections,
                const std::vector<const uint8_t*>& ram_pages) {
  std::vector<Packed> packed;
  for (const Section& s : sections) {
    if (!valid_name(s.name) || s.name == kRam)
      throw std::logic_error("snapshot section name " + s.name);
    Packed p{s.name, kCodecZstd, compress(s.data)};
    p.size = s.data.size();
    p.stored = p.bytes.size();
    p.hash = XXH3_64bits(p.bytes.data(), p.bytes.size());
    packed.push_back(std::move(p));
  }
  Packed ram{kRam, kCodecStored, {}};
  ram.stored = ram.size = ram_pages.size() * kPage;
  {
    std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> st(XXH3_createState(), XXH3_freeState);
    if (!st) throw std::bad_alloc();
    XXH3_64bits_reset(st.get());
    for (const uint8_t* p : ram_pages) XXH3_64bits_update(st.get(), p, kPage);
    ram.hash = XXH3_64bits_digest(st.get());
  }
  packed.push_back(std::move(ram));
  uint64_t at = kHeaderBytes + packed.size() * kEntryBytes;
  for (Packed& p : packed) {
    if (p.codec == kCodecStored) at = align_up(at);
    p.offset = at;
    at += p.stored;
  }
  std::vector<uint8_t> head = header_and_table(packed, 0);
  le_put(head, 16, XXH3_64bits(head.data(), head.size()), 8);

  // Written beside the target and renamed over it: a reader (or a machine that mapped the old
  // file's pages) never sees a half-written snapshot.
  std::string tmp = path + ".XXXXXX";
  Fd f{::mkstemp(tmp.data())};
  if (f.fd < 0)
    throw std::runtime_error(fmt::format("cannot create '{}': {}", tmp, std::strerror(errno)));
  try {
    write_all(f.fd, head.data(), head.size(), tmp);
    uint64_t pos = head.size();
    const std::vector<uint8_t> zeros(kPage, 0);
    for (const Packed& p : packed) {
      write_all(f.fd, zeros.data(), size_t(p.offset - pos), tmp);
      if (p.codec == kCodecStored) {
        // Pages adjacent in memory go out in one write.
        for (size_t i = 0; i < ram_pages.size();) {
          size_t n = 1;
          while (i + n < ram_pages.size() && ram_pages[i + n] == ram_pages[i] + n * kPage) n++;
          write_all(f.fd, ram_pages[i], n * kPage, tmp);
          i += n;
        }
      } else {
        write_all(f.fd, p.bytes.data(), p.bytes.size(), tmp);
      }
      pos = p.offset + p.stored;
    }
    if (::fchmod(f.fd, 0644) != 0 || ::fsync(f.fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0)
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

Reader::Reader(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0)
    throw Error("header", fmt::format("cannot open: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) throw Error("header", "not a regular file");
  file_size_ = uint64_t(st.st_size);
  std::vector<uint8_t> h(kHeaderBytes, 0);
  const bool whole = file_size_ >= kHeaderBytes;
  if (!read_at(fd_, h.data(), size_t(std::min<uint64_t>(file_size_, kHeaderBytes)), 0))
    throw Error("header", "cannot be read");
  if (std::memcmp(h.data(), kMagic, size_t(std::min<uint64_t>(file_size_, sizeof kMagic))) != 0)
    throw Error("header", "not a ghost86 snapshot");
  if (!whole)
    throw Error("header", fmt::format("truncated: the file has {} bytes, a header {}", file_size_,
                                      kHeaderBytes));
  const uint64_t version = le_get(h, 8, 4);
  if (version != kVersion)
    throw Error("header",
                fmt::format("version {}, this ghost86 reads version {}", version, kVersion));
  const uint64_t count = le_get(h, 12, 4);
  if (count == 0 || count > kMaxSections)
    throw Error("header", fmt::format("damaged: {} sections", count));
  const uint64_t table_end = kHeaderBytes + uint64_t(count) * kEntryBytes;
  if (file_size_ < table_end)
    throw Error("header",
                fmt::format("truncated: the file has {} bytes, the section table ends at {}",
                            file_size_, table_end));
  std::vector<uint8_t> head(table_end);
  if (!read_at(fd_, head.data(), head.size(), 0)) throw Error("header", "cannot be read");
  const uint64_t want = le_get(head, 16, 8);
  le_put(head, 16, 0, 8);
  if (XXH3_64bits(head.data(), head.size()) != want) throw Error("header", "checksum mismatch");

  uint64_t at = table_end;
  for (uint64_t i = 0; i < count; i++) {
    const size_t e = kHeaderBytes + i * kEntryBytes;
    const char* name = reinterpret_cast<const char*>(head.data() + e);
    Entry en;
    en.name.assign(name, strnlen(name, kNameBytes));
    en.codec = uint32_t(le_get(head, e + 16, 4));
    en.offset = le_get(head, e + 24, 8);
    en.stored = le_get(head, e + 32, 8);
    en.size = le_get(head, e + 40, 8);
    en.hash = le_get(head, e + 48, 8);
    // The writer leaves no freedom in the layout, so anything else is damage.
    const bool named = valid_name(en.name) &&
                       std::all_of(head.begin() + e + en.name.size(), head.begin() + e + kNameBytes,
                                   [](uint8_t b) { return b == 0; });
    if (!named || has(en.name))
      throw Error("header", fmt::format("section {} has a bad or repeated name", i));
    const bool stored = en.codec == kCodecStored;
    const uint64_t expect = stored ? align_up(at) : at;
    if ((en.codec != kCodecStored && en.codec != kCodecZstd) || le_get(head, e + 20, 4) != 0 ||
        en.offset != expect ||
        (stored ? en.size != en.stored || en.stored % kPage : en.size > kMaxSectionBytes))
      throw Error(en.name, "damaged entry in the section table");
    if (en.stored > file_size_ || en.offset > file_size_ - en.stored)
      throw Error(en.name, fmt::format("truncated: the file ends at byte {}, the section at {}",
                                       file_size_, en.offset + std::min(en.stored, ~en.offset)));
    if (en.offset > at) {  // alignment padding: zero bytes
      uint8_t pad[kPage];
      if (!read_at(fd_, pad, size_t(en.offset - at), at) ||
          !std::all_of(pad, pad + (en.offset - at), [](uint8_t b) { return b == 0; }))
        throw Error(en.name, "damaged padding before the section");
    }
    at = en.offset + en.stored;
    entries_.push_back(std::move(en));
  }
  if (at != file_size_)
    throw Error(entries_.back().name,
                fmt::format("{} bytes follow the last section", file_size_ - at));
}

Reader::~Reader() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> Reader::names() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) out.push_back(e.name);
  return out;
}

bool Reader::has(const std::string& name) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return e.name == name; });
}

const Reader::Entry& Reader::entry(const std::string& name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return e;
  throw Error(name, "missing");
}

std::vector<uint8_t> Reader::stored_bytes(const Entry& e) const {
  std::vector<uint8_t> bytes(e.stored);
  if (!read_at(fd_, bytes.data(), bytes.size(), e.offset)) throw Error(e.name, "cannot be read");
  if (XXH3_64bits(bytes.data(), bytes.size()) != e.hash) throw Error(e.name, "checksum mismatch");
  return bytes;
}

std::vector<uint8_t> Reader::read(const std::string& name) const {
  const Entry& e = entry(name);
  if (e.codec == kCodecStored) return stored_bytes(e);
  const std::vector<uint8_t> packed = stored_bytes(e);
  if (ZSTD_getFrameContentSize(packed.data(), packed.size()) != e.size)
    throw Error(name, "compressed data does not match its size");
  std::vector<uint8_t> out(e.size);
  const size_t n = ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
  if (ZSTD_isError(n) || n != e.size) throw Error(name, "compressed data cannot be decoded");
  return out;
}

uint64_t Reader::check_ram() const {
  const Entry& e = entry(kRam);
  if (e.stored == 0) {
    if (e.hash != XXH3_64bits(nullptr, 0)) throw Error(kRam, "checksum mismatch");
    return 0;
  }
  // Hashed through a mapping of the file: the pages land in the host's page cache, from where
  // mapping them into guest RAM takes no further reading.
  void* m = ::mmap(nullptr, e.stored, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd_, off_t(e.offset));
  if (m != MAP_FAILED) {
    const uint64_t h = XXH3_64bits(m, e.stored);
    ::munmap(m, e.stored);
    if (h != e.hash) throw Error(kRam, "checksum mismatch");
    return e.stored / kPage;
  }
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> st(XXH3_createState(), XXH3_freeState);
  if (!st) throw std::bad_alloc();
  XXH3_64bits_reset(st.get());
  std::vector<uint8_t> buf(1u << 20);
  for (uint64_t done = 0; done < e.stored;) {
    const size_t n = size_t(std::min<uint64_t>(buf.size(), e.stored - done));
    if (!read_at(fd_, buf.data(), n, e.offset + done)) throw Error(kRam, "cannot be read");
    XXH3_64bits_update(st.get(), buf.data(), n);
    done += n;
  }
  if (XXH3_64bits_digest(st.get()) != e.hash) throw Error(kRam, "checksum mismatch");
  return e.stored / kPage;
}

uint64_t Reader::ram_offset() const { return entry(kRam).offset; }

}  // namespace machine::snap
