#include "tests/singlestep/moo.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace singlestep {

namespace {

using nlohmann::json;

constexpr std::array<uint16_t RegSet::*, kRegCount> kRegFields = {
    &RegSet::ax, &RegSet::bx, &RegSet::cx, &RegSet::dx, &RegSet::cs, &RegSet::ss, &RegSet::ds,
    &RegSet::es, &RegSet::sp, &RegSet::bp, &RegSet::si, &RegSet::di, &RegSet::ip, &RegSet::flags};

constexpr std::array<std::string_view, kRegCount> kRegNames = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags"};

constexpr size_t kHashSize = std::tuple_size_v<decltype(TestCase::hash)>;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::runtime_error(file + ": " + what);
}

std::string hex(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 15]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses 1..8 hex digits; nullopt on anything else.
std::optional<uint32_t> parse_hex_u32(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v;
}

std::optional<std::array<uint8_t, kHashSize>> parse_sha1(std::string_view s) {
  if (s.size() != 2 * kHashSize) return std::nullopt;
  std::array<uint8_t, kHashSize> out{};
  for (size_t i = 0; i < kHashSize; ++i) {
    int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

// Reads a whole file. gzread passes non-gzip files through unchanged, so this serves both
// compressed and plain inputs.
std::vector<uint8_t> read_file(const std::string& path) {
  struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
  };
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) fail(path, std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(file.get(), 1 << 17);

  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    int n = gzread(file.get(), buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int err = 0;
      fail(path, std::string("read error after ") + std::to_string(out.size()) +
                     " bytes: " + gzerror(file.get(), &err));
    }
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  // gzclose reports a gzip stream that ended early, which gzread may not.
  if (gzclose(file.release()) != Z_OK) {
    fail(path, "gzip stream is truncated or corrupt (ends after " + std::to_string(out.size()) +
                   " decompressed bytes)");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MOO

// A bounds-checked little-endian reader over [pos, end) of a MOO image. It carries the file name
// and a chunk path ("TEST[3]/INIT/RAM ", empty at top level) so every error says where it
// happened.
class Cursor {
 public:
  Cursor(std::span<const uint8_t> image, const std::string& file, std::string where, size_t pos,
         size_t end)
      : image_(image), file_(&file), where_(std::move(where)), pos_(pos), end_(end) {}

  struct Chunk;

  bool at_end() const { return pos_ == end_; }
  size_t remaining() const { return end_ - pos_; }
  void relabel(std::string where) { where_ = std::move(where); }

  std::span<const uint8_t> take(size_t n) {
    if (n > remaining()) {
      fail("need " + std::to_string(n) + " bytes, only " + std::to_string(remaining()) + " left");
    }
    auto out = image_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  uint8_t u8() { return take(1)[0]; }
  uint16_t u16() { return static_cast<uint16_t>(le(take(2))); }
  uint32_t u32() { return static_cast<uint32_t>(le(take(4))); }
  uint64_t u64() { return le(take(8)); }

  // Reads a chunk header and returns the chunk; this cursor moves past the whole chunk.
  Chunk next_chunk();

  [[noreturn]] void fail(const std::string& what) const {
    const std::string place = where_.empty() ? "top level" : where_;
    singlestep::fail(*file_, "offset " + hex(pos_) + " (in " + place + "): " + what);
  }

 private:
  static uint64_t le(std::span<const uint8_t> b) {
    uint64_t v = 0;
    for (size_t i = b.size(); i-- > 0;) v = (v << 8) | b[i];
    return v;
  }

  std::span<const uint8_t> image_;
  const std::string* file_;
  std::string where_;
  size_t pos_;
  size_t end_;
};

struct Cursor::Chunk {
  std::string id;
  Cursor body;
};

// Chunk ids are four ASCII characters; corrupt ones are shown escaped.
std::string printable_id(std::span<const uint8_t> id) {
  std::string s;
  for (uint8_t c : id) {
    if (c >= 0x20 && c < 0x7f) {
      s += static_cast<char>(c);
    } else {
      s += "\\x" + hex(c).substr(2);
    }
  }
  return s;
}

Cursor::Chunk Cursor::next_chunk() {
  const size_t start = pos_;
  std::string id = printable_id(take(4));
  const uint32_t len = u32();
  if (len > remaining()) {
    pos_ = start;
    fail("chunk '" + id + "' declares " + std::to_string(len) + " bytes but only " +
         std::to_string(end_ - start - 8) + " remain");
  }
  std::string label = where_.empty() ? id : where_ + "/" + id;
  Cursor body(image_, *file_, std::move(label), pos_, pos_ + len);
  pos_ += len;
  return {std::move(id), std::move(body)};
}

// NAME and BYTS payloads: u32 length, then that many bytes.
std::span<const uint8_t> read_counted(Cursor& c) { return c.take(c.u32()); }

void read_regs(Cursor& c, RegSet& regs, uint16_t& mask) {
  mask = c.u16();
  if (mask & ~kAllRegsMask) c.fail("register mask " + hex(mask) + " has unknown bits");
  for (int i = 0; i < kRegCount; ++i) {
    if (mask & (1u << i)) regs.set(i, c.u16());
  }
}

void read_ram(Cursor& c, std::vector<MemByte>& ram) {
  constexpr size_t kEntrySize = 5;  // u32 address, u8 value
  const uint32_t count = c.u32();
  // Checked before reserving so a corrupt count cannot trigger a huge allocation.
  if (count > c.remaining() / kEntrySize) {
    c.fail("RAM count " + std::to_string(count) + " needs " + std::to_string(count * kEntrySize) +
           " bytes, only " + std::to_string(c.remaining()) + " left");
  }
  ram.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t addr = c.u32();
    ram.push_back({addr, c.u8()});
  }
}

struct CpuState {
  RegSet regs;
  uint16_t mask = 0;
  bool has_regs = false;
  std::vector<MemByte> ram;
};

// INIT / FINA: REGS and RAM sub-chunks; QUEU (always empty here) and unknown ids are skipped.
CpuState read_state(Cursor& c) {
  CpuState s;
  while (!c.at_end()) {
    auto chunk = c.next_chunk();
    if (chunk.id == "REGS") {
      read_regs(chunk.body, s.regs, s.mask);
      s.has_regs = true;
    } else if (chunk.id == "RAM ") {
      read_ram(chunk.body, s.ram);
    }
  }
  return s;
}

RegSet overlay(const RegSet& base, const RegSet& changes, uint16_t mask) {
  RegSet out = base;
  for (int i = 0; i < kRegCount; ++i) {
    if (mask & (1u << i)) out.set(i, changes.get(i));
  }
  return out;
}

TestCase read_test(Cursor& c) {
  TestCase t;
  t.index = c.u32();
  std::optional<CpuState> init, fina;
  bool has_bytes = false, has_hash = false;
  while (!c.at_end()) {
    auto chunk = c.next_chunk();
    Cursor& body = chunk.body;
    if (chunk.id == "NAME") {
      auto s = read_counted(body);
      t.name.assign(s.begin(), s.end());
    } else if (chunk.id == "BYTS") {
      auto b = read_counted(body);
      t.bytes.assign(b.begin(), b.end());
      has_bytes = true;
    } else if (chunk.id == "INIT") {
      init = read_state(body);
    } else if (chunk.id == "FINA") {
      fina = read_state(body);
    } else if (chunk.id == "EXCP") {
      t.has_exception = true;
      t.exc_vector = body.u8();
      t.exc_flag_addr = body.u32();
    } else if (chunk.id == "HASH") {
      if (body.remaining() != kHashSize) body.fail("HASH must be 20 bytes");
      auto h = body.take(kHashSize);
      std::copy(h.begin(), h.end(), t.hash.begin());
      has_hash = true;
    }
  }
  // A missing INIT REGS is also what a 386 file (RG32 chunks) would look like.
  if (!init || !init->has_regs) c.fail("test has no INIT chunk with REGS");
  if (!fina) c.fail("test has no FINA chunk");
  if (!has_bytes) c.fail("test has no BYTS chunk");
  if (!has_hash) c.fail("test has no HASH chunk");

  t.init = init->regs;
  t.init_mask = init->mask;
  t.init_ram = std::move(init->ram);
  t.final_regs = overlay(t.init, fina->regs, fina->mask);
  t.fina_mask = fina->mask;
  t.final_ram = std::move(fina->ram);
  return t;
}

std::string trim_padding(std::span<const uint8_t> s) {
  std::string out(s.begin(), s.end());
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

void read_meta(Cursor& c, TestFile& f) {
  c.u8();  // major
  c.u8();  // minor
  c.u8();  // cpu_type
  f.opcode = c.u32();
  f.mnemonic = trim_padding(c.take(8));
  c.u32();  // test_count, same as the header's
  c.u64();  // seed
  f.cpu_mode = c.u8();
}

// "MOO " payload: u8 major, u8 minor, u8 res[2], u32 test_count, char cpu[4].
uint32_t read_header(Cursor& c, TestFile& f) {
  c.u8();
  c.u8();
  c.take(2);
  const uint32_t count = c.u32();
  f.cpu = trim_padding(c.take(4));
  return count;
}

// ---------------------------------------------------------------------------------------------
// JSON

uint64_t json_uint(const json& j, const char* what, uint64_t max) {
  if (!j.is_number_unsigned() || j.get<uint64_t>() > max) {
    throw std::runtime_error(std::string(what) + " must be an integer in 0.." +
                             std::to_string(max) + ", got " + j.dump());
  }
  return j.get<uint64_t>();
}

// A "regs" object: any subset of the 14 register names.
uint16_t read_json_regs(const json& regs, RegSet& out) {
  if (!regs.is_object()) throw std::runtime_error("\"regs\" must be an object");
  uint16_t mask = 0;
  for (int i = 0; i < kRegCount; ++i) {
    auto it = regs.find(std::string(kRegNames[static_cast<size_t>(i)]));
    if (it == regs.end()) continue;
    out.set(i, static_cast<uint16_t>(json_uint(*it, "register value", 0xFFFF)));
    mask |= static_cast<uint16_t>(1u << i);
  }
  return mask;
}

std::vector<MemByte> read_json_ram(const json& ram) {
  if (!ram.is_array()) throw std::runtime_error("\"ram\" must be an array");
  std::vector<MemByte> out;
  out.reserve(ram.size());
  for (const json& e : ram) {
    if (!e.is_array() || e.size() != 2) {
      throw std::runtime_error("ram entry must be [address, value], got " + e.dump());
    }
    out.push_back({static_cast<uint32_t>(json_uint(e[0], "ram address", 0xFFFFFFFF)),
                   static_cast<uint8_t>(json_uint(e[1], "ram value", 0xFF))});
  }
  return out;
}

CpuState read_json_state(const json& j) {
  CpuState s;
  if (!j.is_object()) throw std::runtime_error("state must be an object");
  if (auto it = j.find("regs"); it != j.end()) {
    s.mask = read_json_regs(*it, s.regs);
    s.has_regs = true;
  }
  if (auto it = j.find("ram"); it != j.end()) s.ram = read_json_ram(*it);
  return s;
}

TestCase read_json_test(const json& j, size_t position) {
  if (!j.is_object()) throw std::runtime_error("test must be an object");
  TestCase t;
  t.index = static_cast<uint32_t>(position);
  if (auto it = j.find("idx"); it != j.end()) {
    t.index = static_cast<uint32_t>(json_uint(*it, "idx", 0xFFFFFFFF));
  }
  if (auto it = j.find("name"); it != j.end()) t.name = it->get<std::string>();
  if (auto it = j.find("bytes"); it != j.end()) {
    if (!it->is_array()) throw std::runtime_error("\"bytes\" must be an array");
    for (const json& b : *it) t.bytes.push_back(static_cast<uint8_t>(json_uint(b, "byte", 0xFF)));
  }
  CpuState init, fina;
  if (auto it = j.find("initial"); it != j.end()) init = read_json_state(*it);
  if (auto it = j.find("final"); it != j.end()) fina = read_json_state(*it);
  t.init = init.regs;
  t.init_mask = init.mask;
  t.init_ram = std::move(init.ram);
  t.final_regs = overlay(t.init, fina.regs, fina.mask);
  t.fina_mask = fina.mask;
  t.final_ram = std::move(fina.ram);
  if (auto it = j.find("exception"); it != j.end() && !it->is_null()) {
    t.has_exception = true;
    t.exc_vector = static_cast<uint8_t>(json_uint(it->at("number"), "exception number", 0xFF));
    if (auto a = it->find("flag_address"); a != it->end()) {
      t.exc_flag_addr = static_cast<uint32_t>(json_uint(*a, "flag_address", 0xFFFFFFFF));
    }
  }
  if (auto it = j.find("hash"); it != j.end()) {
    auto h = parse_sha1(it->get<std::string>());
    if (!h) throw std::runtime_error("\"hash\" must be 40 hex digits, got " + it->dump());
    t.hash = *h;
  }
  return t;
}

json parse_json_text(std::string_view text, const std::string& name) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    fail(name, std::string("invalid JSON: ") + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// metadata.json

Metadata::Info read_info(const json& j) {
  if (!j.is_object()) throw std::runtime_error("opcode entry must be an object");
  Metadata::Info info;
  if (auto it = j.find("status"); it != j.end()) info.status = it->get<std::string>();
  if (auto it = j.find("flags-mask"); it != j.end()) {
    info.flags_mask = static_cast<uint16_t>(json_uint(*it, "flags-mask", 0xFFFF));
  }
  return info;
}

Metadata::Entry read_entry(const json& j) {
  Metadata::Entry e;
  auto regs = j.is_object() ? j.find("reg") : j.end();
  if (regs == j.end()) {
    e.info = read_info(j);
    return e;
  }
  if (!regs->is_object()) throw std::runtime_error("\"reg\" must be an object");
  for (const auto& [key, value] : regs->items()) {
    if (key.size() != 1 || key[0] < '0' || key[0] > '7') {
      throw std::runtime_error("bad reg key \"" + key + "\"");
    }
    e.regs[key[0] - '0'] = read_info(value);
  }
  return e;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

std::string_view reg_name(int index) { return kRegNames.at(static_cast<size_t>(index)); }

uint16_t RegSet::get(int index) const { return this->*kRegFields.at(static_cast<size_t>(index)); }

void RegSet::set(int index, uint16_t value) {
  this->*kRegFields.at(static_cast<size_t>(index)) = value;
}

TestFile parse_moo(std::span<const uint8_t> data, const std::string& name) {
  static constexpr char kMagic[4] = {'M', 'O', 'O', ' '};
  if (data.size() < 4 || !std::equal(data.begin(), data.begin() + 4, kMagic)) {
    fail(name, "not a MOO file (bad magic, expected \"MOO \")");
  }
  TestFile f;
  f.path = name;
  Cursor top(data, name, "", 0, data.size());
  auto header = top.next_chunk();
  const uint32_t declared = read_header(header.body, f);

  bool has_meta = false;
  while (!top.at_end()) {
    auto chunk = top.next_chunk();
    if (chunk.id == "META") {
      read_meta(chunk.body, f);
      has_meta = true;
    } else if (chunk.id == "TEST") {
      chunk.body.relabel("TEST[" + std::to_string(f.tests.size()) + "]");
      f.tests.push_back(read_test(chunk.body));
    }
  }
  if (!has_meta) top.fail("no META chunk");
  // Catches a file cut exactly at a chunk boundary, which the length checks cannot see.
  if (f.tests.size() != declared) {
    top.fail("header declares " + std::to_string(declared) + " tests but the file holds " +
             std::to_string(f.tests.size()));
  }
  return f;
}

TestFile load_moo(const std::string& path) { return parse_moo(read_file(path), path); }

TestFile parse_json(std::string_view text, const std::string& name) {
  const json root = parse_json_text(text, name);
  if (!root.is_array()) fail(name, "top level must be an array of tests");
  TestFile f;
  f.path = name;
  if (auto op = parse_test_file_name(name)) f.opcode = op->opcode;
  f.tests.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i) {
    try {
      f.tests.push_back(read_json_test(root[i], i));
    } catch (const std::exception& e) {
      fail(name, "test #" + std::to_string(i) + ": " + e.what());
    }
  }
  return f;
}

TestFile load_json(const std::string& path) {
  auto bytes = read_file(path);
  return parse_json(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                    path);
}

std::string hash_hex(const std::array<uint8_t, 20>& hash) {
  std::string s;
  for (uint8_t b : hash) {
    s += "0123456789abcdef"[b >> 4];
    s += "0123456789abcdef"[b & 15];
  }
  return s;
}

std::optional<OpcodeName> parse_test_file_name(std::string_view file_name) {
  if (auto slash = file_name.find_last_of('/'); slash != std::string_view::npos) {
    file_name.remove_prefix(slash + 1);
  }
  std::string_view stem;
  for (std::string_view suffix : {".moo.gz", ".moo", ".json.gz", ".json"}) {
    if (ends_with_nocase(file_name, suffix)) {
      stem = file_name.substr(0, file_name.size() - suffix.size());
      break;
    }
  }
  OpcodeName out;
  if (auto dot = stem.find('.'); dot != std::string_view::npos) {
    std::string_view reg = stem.substr(dot + 1);
    if (reg.size() != 1 || reg[0] < '0' || reg[0] > '7') return std::nullopt;
    out.reg = reg[0] - '0';
    stem = stem.substr(0, dot);
  }
  // Opcodes are whole bytes: "00", "F6", later perhaps "0FB6".
  if (stem.size() < 2 || stem.size() % 2 != 0) return std::nullopt;
  auto op = parse_hex_u32(stem);
  if (!op) return std::nullopt;
  out.opcode = *op;
  return out;
}

bool Metadata::is_group(uint32_t opcode) const {
  auto it = opcodes.find(opcode);
  return it != opcodes.end() && !it->second.regs.empty();
}

uint16_t Metadata::flags_mask(uint32_t opcode, int reg) const {
  auto it = opcodes.find(opcode);
  if (it == opcodes.end()) return 0xFFFF;
  const Entry& e = it->second;
  if (e.regs.empty()) return e.info.flags_mask;
  if (auto r = e.regs.find(reg); r != e.regs.end()) return r->second.flags_mask;
  uint16_t mask = 0xFFFF;
  for (const auto& [_, info] : e.regs) mask &= info.flags_mask;
  return mask;
}

std::string Metadata::status(uint32_t opcode, int reg) const {
  auto it = opcodes.find(opcode);
  if (it == opcodes.end()) return "";
  const Entry& e = it->second;
  if (e.regs.empty()) return e.info.status;
  if (auto r = e.regs.find(reg); r != e.regs.end()) return r->second.status;
  const std::string& first = e.regs.begin()->second.status;
  for (const auto& [_, info] : e.regs) {
    if (info.status != first) return "";
  }
  return first;
}

Metadata parse_metadata(std::string_view text, const std::string& name) {
  const json root = parse_json_text(text, name);
  auto ops = root.is_object() ? root.find("opcodes") : root.end();
  if (ops == root.end() || !ops->is_object()) fail(name, "no \"opcodes\" object");
  Metadata m;
  for (const auto& [key, value] : ops->items()) {
    auto opcode = parse_hex_u32(key);
    if (!opcode) fail(name, "opcode key \"" + key + "\" is not hex");
    try {
      m.opcodes[*opcode] = read_entry(value);
    } catch (const std::exception& e) {
      fail(name, "opcode " + key + ": " + e.what());
    }
  }
  return m;
}

Metadata load_metadata(const std::string& path) {
  auto bytes = read_file(path);
  return parse_metadata(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                        path);
}

std::set<std::string> load_revocations(const std::string& path) {
  const auto bytes = read_file(path);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::set<std::string> out;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    line = line.substr(0, line.find('#'));
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) continue;
    line.remove_prefix(start);
    std::string_view token = line.substr(0, line.find_first_of(" \t\r"));
    auto h = parse_sha1(token);
    if (!h) {
      fail(path, "line " + std::to_string(line_no) + ": not a SHA-1 hash: " + std::string(token));
    }
    out.insert(hash_hex(*h));
  }
  return out;
}

}  // namespace singlestep
