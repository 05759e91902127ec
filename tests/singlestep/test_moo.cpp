// Tests for the SingleStepTests reader. Expected values were read out of the data files with an
// independent parser, not with this one.
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/singlestep/moo.h"

#ifndef GHOST86_TESTDATA_DIR
#error "GHOST86_TESTDATA_DIR must name the shared testdata directory"
#endif

namespace fs = std::filesystem;
using namespace singlestep;
using Catch::Matchers::Contains;

namespace {

const std::string kDataDir = std::string(GHOST86_TESTDATA_DIR) + "/singlestep-286/v1_real_mode";
const std::string kRoot = std::string(GHOST86_TESTDATA_DIR) + "/singlestep-286";

std::string data_file(const std::string& name) { return kDataDir + "/" + name; }

// A directory removed again when the test ends.
struct TempDir {
  fs::path path;
  TempDir() {
    static constexpr char kTemplate[] = "ghost86_moo_XXXXXX";
    std::string tmpl = (fs::temp_directory_path() / kTemplate).string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void write_gzip(const std::string& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) ==
          static_cast<int>(text.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

std::vector<uint8_t> read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Message of the std::runtime_error thrown by f, or "" if none was thrown.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::array<uint8_t, 20> sha1_from_hex(const std::string& hex) {
  std::array<uint8_t, 20> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
  return out;
}

// --- Synthetic MOO images --------------------------------------------------------------------

struct Writer {
  std::vector<uint8_t> v;
  Writer& u8(uint8_t x) {
    v.push_back(x);
    return *this;
  }
  Writer& u16(uint16_t x) { return u8(static_cast<uint8_t>(x)).u8(static_cast<uint8_t>(x >> 8)); }
  Writer& u32(uint32_t x) { return u16(x & 0xFFFF).u16(static_cast<uint16_t>(x >> 16)); }
  Writer& u64(uint64_t x) { return u32(x & 0xFFFFFFFF).u32(static_cast<uint32_t>(x >> 32)); }
  Writer& str(std::string_view s) {
    v.insert(v.end(), s.begin(), s.end());
    return *this;
  }
  Writer& raw(const std::vector<uint8_t>& b) {
    v.insert(v.end(), b.begin(), b.end());
    return *this;
  }
  Writer& chunk(std::string_view id, const Writer& payload) {
    return str(id).u32(static_cast<uint32_t>(payload.v.size())).raw(payload.v);
  }
};

Writer regs_chunk(uint16_t mask, uint16_t base) {
  Writer w;
  w.u16(mask);
  for (int i = 0; i < kRegCount; ++i) {
    if (mask & (1u << i)) w.u16(static_cast<uint16_t>(base + i));
  }
  return w;
}

Writer ram_chunk(std::initializer_list<MemByte> entries) {
  Writer w;
  w.u32(static_cast<uint32_t>(entries.size()));
  for (const MemByte& m : entries) w.u32(m.addr).u8(m.value);
  return w;
}

// One TEST payload with every chunk kind, including ones the reader must skip.
Writer synthetic_test(uint32_t index, bool with_exception) {
  Writer init, fina, t;
  init.chunk("REGS", regs_chunk(kAllRegsMask, 0x100))
      .chunk("RAM ", ram_chunk({{0x10000, 0x90}, {0x10001, 0xF4}}))
      .chunk("QUEU", Writer().u32(0));
  fina.chunk("REGS", regs_chunk((1u << kIp) | (1u << kAx), 0x200))
      .chunk("RAM ", ram_chunk({{0x2FFFE, 0x12}}));
  Writer hash;
  for (uint8_t i = 0; i < 20; ++i) hash.u8(static_cast<uint8_t>(index + i));
  t.u32(index)
      .chunk("GMET", Writer().u32(7).u16(1))
      .chunk("NAME", Writer().u32(3).str("nop"))
      .chunk("BYTS", Writer().u32(2).u8(0x90).u8(0xF4))
      .chunk("INIT", init)
      .chunk("FINA", fina)
      .chunk("CYCL", Writer().u32(0));
  if (with_exception) t.chunk("EXCP", Writer().u8(6).u32(0x10FFEE));
  return t.chunk("HASH", hash);
}

Writer synthetic_header(uint32_t count) {
  Writer w;
  w.u8(1).u8(0).u16(0);      // version 1.0, reserved
  w.u32(count).str("C286");  // test_count, cpu
  return w;
}

Writer synthetic_meta() {
  Writer w;
  w.u8(1).u8(0).u8(6);                   // version 1.0, cpu_type
  w.u32(0x90).str("nop     ").u32(2);    // opcode, mnemonic, test_count
  w.u64(0xDEADBEEF).u8(0).u8(0).u16(0);  // seed, cpu_mode, reserved
  return w;
}

std::vector<uint8_t> synthetic_moo() {
  Writer f;
  f.chunk("MOO ", synthetic_header(2))
      .chunk("META", synthetic_meta())
      .chunk("TEST", synthetic_test(0, false))
      .chunk("XTRA", Writer().u32(0xFFFFFFFF))  // unknown top-level chunk
      .chunk("TEST", synthetic_test(1, true));
  return f.v;
}

// --- Upstream JSON form, built from a parsed file ------------------------------------------------

nlohmann::json regs_json(const RegSet& regs, uint16_t mask) {
  nlohmann::json j = nlohmann::json::object();
  for (int i = 0; i < kRegCount; ++i) {
    if (mask & (1u << i)) j[std::string(reg_name(i))] = regs.get(i);
  }
  return j;
}

nlohmann::json ram_json(const std::vector<MemByte>& ram) {
  nlohmann::json j = nlohmann::json::array();
  for (const MemByte& m : ram) j.push_back({m.addr, m.value});
  return j;
}

nlohmann::json to_upstream_json(const TestFile& file) {
  nlohmann::json tests = nlohmann::json::array();
  for (const TestCase& t : file.tests) {
    nlohmann::json j;
    j["idx"] = t.index;
    j["name"] = t.name;
    j["bytes"] = t.bytes;
    j["initial"] = {{"regs", regs_json(t.init, t.init_mask)},
                    {"ram", ram_json(t.init_ram)},
                    {"queue", nlohmann::json::array()}};
    j["final"] = {{"regs", regs_json(t.final_regs, t.fina_mask)},
                  {"ram", ram_json(t.final_ram)},
                  {"queue", nlohmann::json::array()}};
    if (t.has_exception) {
      j["exception"] = {{"number", t.exc_vector}, {"flag_address", t.exc_flag_addr}};
    }
    j["hash"] = hash_hex(t.hash);
    tests.push_back(j);
  }
  return tests;
}

}  // namespace

// --- Real data ---------------------------------------------------------------------------------

TEST_CASE("load_moo reads 00.MOO.gz (ADD r/m8,r8)", "[singlestep]") {
  const TestFile f = load_moo(data_file("00.MOO.gz"));
  CHECK(f.path == data_file("00.MOO.gz"));
  CHECK(f.opcode == 0x00);
  CHECK(f.mnemonic == "add");
  CHECK(f.cpu == "C286");
  CHECK(f.cpu_mode == 0);
  REQUIRE(f.tests.size() == 200);

  const TestCase& t = f.tests[0];
  CHECK(t.index == 0);
  CHECK(t.name == "add [bx+0Eh],bl");
  CHECK(t.bytes == std::vector<uint8_t>{0x00, 0x5F, 0x0E, 0xF4});
  CHECK(t.init_mask == 0x3FFF);
  CHECK(t.init == RegSet{715, 26659, 49548, 64181, 65535, 41175, 65535, 43996, 39769, 65535, 35262,
                         34633, 38072, 6291});
  REQUIRE(t.init_ram.size() == 11);
  CHECK(t.init_ram[0] == MemByte{1086632, 0x00});
  CHECK(t.init_ram[1] == MemByte{1086633, 0x5F});
  // FINA lists only ip and flags; everything else carries over from INIT.
  CHECK(t.fina_mask == 0x3000);
  RegSet expected = t.init;
  expected.ip = 38076;
  expected.flags = 19;
  CHECK(t.final_regs == expected);
  CHECK(t.final_ram == std::vector<MemByte>{{1075233, 0x01}});
  CHECK_FALSE(t.has_exception);
  CHECK(hash_hex(t.hash) == "626be5084b331080eb08256c12a62d24afdf2a03");

  const TestCase& last = f.tests[199];
  CHECK(last.index == 199);
  CHECK(last.name == "add ah,dh");
  CHECK(last.fina_mask == 0x3001);
  CHECK(last.final_regs.ax == 50022);
  CHECK(last.final_regs.ip == 675);
  CHECK(last.final_regs.flags == 150);
  CHECK(last.final_regs.bx == 48545);
  CHECK(last.final_ram.empty());
  CHECK(hash_hex(last.hash) == "1c16e047fb89f31f28aa26b46d3468b9e721e7f5");
}

TEST_CASE("load_moo reads exceptions: F6.6 (DIV #DE) and CD (INT n)", "[singlestep]") {
  const TestFile div = load_moo(data_file("F6.6.MOO.gz"));
  CHECK(div.opcode == 0xF6);
  CHECK(div.mnemonic == "div");
  REQUIRE(div.tests.size() == 200);
  const TestCase& t = div.tests[0];
  CHECK(t.name == "div byte [si+3D3Bh]");
  CHECK(t.bytes == std::vector<uint8_t>{0xF6, 0xB4, 0x3B, 0x3D, 0xF4});
  REQUIRE(t.has_exception);
  CHECK(t.exc_vector == 0);
  CHECK(t.exc_flag_addr == 807720);
  CHECK(t.fina_mask == 0x3110);  // cs, sp, ip, flags
  CHECK(t.final_regs.cs == 59306);
  CHECK(t.final_regs.sp == 60804);
  CHECK(t.final_regs.ip == 53555);
  CHECK(t.final_regs.flags == 1170);
  CHECK(t.final_regs.ax == 15630);  // unchanged, from INIT
  REQUIRE(t.final_ram.size() == 6);
  CHECK(t.final_ram[0] == MemByte{807720, 146});  // the pushed FLAGS word
  CHECK(t.final_ram[1] == MemByte{807721, 4});
  size_t exceptions = 0;
  for (const TestCase& c : div.tests) exceptions += c.has_exception;
  CHECK(exceptions == 102);

  const TestFile intn = load_moo(data_file("CD.MOO.gz"));
  CHECK(intn.tests[0].name == "int 9Bh");
  CHECK(intn.tests[0].exc_vector == 0x9B);
  CHECK(intn.tests[0].exc_flag_addr == 441146);
  CHECK(intn.tests[199].exc_vector == 0x65);
  for (const TestCase& c : intn.tests) CHECK(c.has_exception);
}

TEST_CASE("every file in the 286 set loads and is consistent", "[singlestep][slow]") {
  size_t files = 0, tests = 0, exceptions = 0;
  std::set<std::string> hashes;
  for (const auto& entry : fs::directory_iterator(kDataDir)) {
    const std::string name = entry.path().filename().string();
    auto op = parse_test_file_name(name);
    if (!op) continue;
    INFO(name);
    const TestFile f = load_moo(entry.path().string());
    ++files;
    CHECK(f.opcode == op->opcode);
    REQUIRE(f.tests.size() == 200);
    for (size_t i = 0; i < f.tests.size(); ++i) {
      const TestCase& t = f.tests[i];
      CHECK(t.index == i);
      CHECK(t.init_mask == kAllRegsMask);
      CHECK(t.bytes.back() == 0xF4);
      exceptions += t.has_exception;
      hashes.insert(hash_hex(t.hash));
      ++tests;
    }
  }
  CHECK(files == 325);
  CHECK(tests == 65000);
  CHECK(exceptions == 1690);
  CHECK(hashes.size() == tests);
}

TEST_CASE("metadata.json flags masks and status", "[singlestep]") {
  const Metadata m = load_metadata(data_file("metadata.json"));
  CHECK(m.flags_mask(0x00, -1) == 0xFFFF);  // no flags-mask field
  CHECK(m.status(0x00, -1) == "normal");
  CHECK(m.flags_mask(0x08, -1) == 65519);  // OR: AF undefined
  CHECK(m.status(0xD8, -1) == "fpu");
  CHECK(m.status(0xD6, -1) == "undocumented");
  CHECK(m.status(0xF1, -1) == "prefix");
  CHECK_FALSE(m.is_group(0x08));
  CHECK(m.flags_mask(0x08, 3) == 65519);  // reg ignored for a non-group opcode

  REQUIRE(m.is_group(0xF6));
  CHECK(m.flags_mask(0xF6, 6) == 63274);  // DIV: o..szapc
  CHECK(m.flags_mask(0xF6, 4) == 65323);  // MUL: ...szap.
  CHECK(m.flags_mask(0xF6, 2) == 0xFFFF);
  CHECK(m.status(0xF6, 1) == "alias");
  CHECK(m.flags_mask(0xF6, -1) == (63274 & 65323 & 65519));

  // 8F ships as one file mixing reg values; its regs disagree on status.
  REQUIRE(m.is_group(0x8F));
  CHECK(m.status(0x8F, 0) == "normal");
  CHECK(m.status(0x8F, 1) == "undefined");
  CHECK(m.status(0x8F, -1) == "");
  CHECK(m.flags_mask(0x8F, -1) == 0xFFFF);

  CHECK(m.is_group(0x0F00));  // two-byte opcode keys parse too
  CHECK(m.status(0x0F00, 6) == "undefined");
  CHECK(m.flags_mask(0x1234, -1) == 0xFFFF);
  CHECK(m.status(0x1234, -1) == "");
}

TEST_CASE("revocation list", "[singlestep]") {
  CHECK(load_revocations(kRoot + "/revocation_list.txt").empty());

  TempDir dir;
  const std::string path = dir.file("revoked.txt");
  std::ofstream(path)
      << "# comment\n\n  626BE5084B331080EB08256C12A62D24AFDF2A03  # bad capture\r\n"
         "1c16e047fb89f31f28aa26b46d3468b9e721e7f5";
  CHECK(load_revocations(path) ==
        std::set<std::string>{"626be5084b331080eb08256c12a62d24afdf2a03",
                              "1c16e047fb89f31f28aa26b46d3468b9e721e7f5"});

  std::ofstream(path) << "# ok\nnot-a-hash\n";
  CHECK_THAT(error_of([&] { load_revocations(path); }), Contains(path) && Contains("line 2"));
  CHECK_THAT(error_of([&] { load_revocations(dir.file("missing.txt")); }), Contains("missing.txt"));
}

TEST_CASE("parse_test_file_name", "[singlestep]") {
  CHECK(parse_test_file_name("F6.6.MOO.gz") == OpcodeName{0xF6, 6});
  CHECK(parse_test_file_name("00.MOO.gz") == OpcodeName{0x00, -1});
  CHECK(parse_test_file_name("/a/b/FF.3.MOO") == OpcodeName{0xFF, 3});
  CHECK(parse_test_file_name("c0.7.json.gz") == OpcodeName{0xC0, 7});
  CHECK(parse_test_file_name("8F.json") == OpcodeName{0x8F, -1});
  CHECK(parse_test_file_name("0FB6.MOO.gz") == OpcodeName{0x0FB6, -1});
  CHECK_FALSE(parse_test_file_name("metadata.json"));
  CHECK_FALSE(parse_test_file_name("F6.8.MOO.gz"));
  CHECK_FALSE(parse_test_file_name("F6.MOO.txt"));
  CHECK_FALSE(parse_test_file_name("F.MOO.gz"));
  CHECK_FALSE(parse_test_file_name("F6.6.1.MOO.gz"));
  CHECK_FALSE(parse_test_file_name(".MOO.gz"));
}

// --- Synthetic data and robustness ---------------------------------------------------------------

TEST_CASE("parse_moo reads a synthetic file and skips unknown chunks", "[singlestep]") {
  const TestFile f = parse_moo(synthetic_moo(), "synthetic");
  CHECK(f.opcode == 0x90);
  CHECK(f.mnemonic == "nop");
  REQUIRE(f.tests.size() == 2);
  const TestCase& t = f.tests[1];
  CHECK(t.index == 1);
  CHECK(t.name == "nop");
  CHECK(t.init.ax == 0x100);
  CHECK(t.init.flags == 0x100 + kFlags);
  CHECK(t.final_regs.ax == 0x200);
  CHECK(t.final_regs.ip == 0x200 + kIp);
  CHECK(t.final_regs.bx == 0x101);
  CHECK(t.init_ram == std::vector<MemByte>{{0x10000, 0x90}, {0x10001, 0xF4}});
  CHECK(t.final_ram == std::vector<MemByte>{{0x2FFFE, 0x12}});
  CHECK(t.has_exception);
  CHECK(t.exc_vector == 6);
  CHECK(t.exc_flag_addr == 0x10FFEE);
  CHECK(t.hash[0] == 1);
  CHECK(t.hash[19] == 20);
  CHECK_FALSE(f.tests[0].has_exception);
}

TEST_CASE("parse_moo rejects every truncation of a file", "[singlestep]") {
  const std::vector<uint8_t> full = synthetic_moo();
  for (size_t len = 0; len < full.size(); ++len) {
    INFO("length " << len);
    std::span<const uint8_t> cut(full.data(), len);
    CHECK_THAT(error_of([&] { parse_moo(cut, "cut.MOO"); }), Contains("cut.MOO"));
  }
}

TEST_CASE("load_moo error messages name the file and the place", "[singlestep]") {
  TempDir dir;
  const std::vector<uint8_t> good = synthetic_moo();

  SECTION("bad magic") {
    std::vector<uint8_t> bad = good;
    bad[0] = 'X';
    const std::string path = dir.file("bad_magic.MOO");
    write_bytes(path, bad);
    CHECK_THAT(error_of([&] { load_moo(path); }), Contains(path) && Contains("bad magic"));
  }
  SECTION("empty file") {
    const std::string path = dir.file("empty.MOO");
    write_bytes(path, {});
    CHECK_THAT(error_of([&] { load_moo(path); }), Contains("bad magic"));
  }
  SECTION("truncated in the middle of a chunk") {
    const std::string path = dir.file("short.MOO");
    write_bytes(path, {good.begin(), good.begin() + static_cast<long>(good.size() - 10)});
    CHECK_THAT(error_of([&] { load_moo(path); }),
               Contains(path) && Contains("'TEST'") && Contains("offset"));
  }
  SECTION("truncated at a chunk boundary") {
    Writer w;
    w.chunk("MOO ", synthetic_header(2)).chunk("META", synthetic_meta());
    w.chunk("TEST", synthetic_test(0, false));
    const std::string path = dir.file("one_test.MOO");
    write_bytes(path, w.v);
    CHECK_THAT(error_of([&] { load_moo(path); }), Contains("declares 2 tests"));
  }
  SECTION("corrupt TEST length") {
    std::vector<uint8_t> bad = good;
    const size_t len_at = 8 + 12 + 8 + 31 + 4;  // MOO chunk, META chunk, TEST id
    bad[len_at + 3] = 0x7F;                     // top byte of the first TEST length
    const std::string path = dir.file("long_test.MOO");
    write_bytes(path, bad);
    CHECK_THAT(error_of([&] { load_moo(path); }), Contains("'TEST' declares"));
  }
  SECTION("corrupt RAM count inside a TEST") {
    Writer init, t;
    init.chunk("REGS", regs_chunk(kAllRegsMask, 0)).chunk("RAM ", Writer().u32(1000).u32(5).u8(1));
    t.u32(0).chunk("INIT", init);
    Writer w;
    w.chunk("MOO ", synthetic_header(1)).chunk("META", synthetic_meta()).chunk("TEST", t);
    const std::string path = dir.file("ram.MOO");
    write_bytes(path, w.v);
    CHECK_THAT(error_of([&] { load_moo(path); }),
               Contains(path) && Contains("TEST[0]/INIT/RAM ") && Contains("RAM count 1000"));
  }
  SECTION("NAME length beyond its chunk") {
    Writer t;
    t.u32(0).chunk("NAME", Writer().u32(50).str("nop"));
    Writer w;
    w.chunk("MOO ", synthetic_header(1)).chunk("META", synthetic_meta()).chunk("TEST", t);
    const std::string path = dir.file("name.MOO");
    write_bytes(path, w.v);
    CHECK_THAT(error_of([&] { load_moo(path); }), Contains("TEST[0]/NAME") && Contains("need 50"));
  }
  SECTION("missing required sub-chunk") {
    Writer t;
    t.u32(0).chunk("NAME", Writer().u32(3).str("nop"));
    Writer w;
    w.chunk("MOO ", synthetic_header(1)).chunk("META", synthetic_meta()).chunk("TEST", t);
    const std::string path = dir.file("no_init.MOO");
    write_bytes(path, w.v);
    CHECK_THAT(error_of([&] { load_moo(path); }), Contains("no INIT"));
  }
  SECTION("truncated gzip stream") {
    std::vector<uint8_t> gz = read_raw(data_file("00.MOO.gz"));
    REQUIRE(gz.size() > 1000);
    gz.resize(gz.size() / 2);
    const std::string path = dir.file("half.MOO.gz");
    write_bytes(path, gz);
    CHECK_THAT(error_of([&] { load_moo(path); }), Contains(path));
  }
  SECTION("missing file") {
    CHECK_THAT(error_of([&] { load_moo(dir.file("nope.MOO.gz")); }), Contains("nope.MOO.gz"));
  }
}

// --- JSON --------------------------------------------------------------------------------------

TEST_CASE("MOO and JSON forms round-trip to the same tests", "[singlestep]") {
  TempDir dir;
  for (const std::string stem : {"00", "F6.6", "CD"}) {
    INFO(stem);
    const TestFile moo = load_moo(data_file(stem + ".MOO.gz"));
    const std::string text = to_upstream_json(moo).dump(1);

    const std::string plain = dir.file(stem + ".json");
    std::ofstream(plain) << text;
    const std::string gz = dir.file(stem + ".json.gz");
    write_gzip(gz, text);

    for (const std::string& path : {plain, gz}) {
      const TestFile js = load_json(path);
      CHECK(js.path == path);
      CHECK(js.opcode == moo.opcode);
      REQUIRE(js.tests.size() == moo.tests.size());
      for (size_t i = 0; i < js.tests.size(); ++i) CHECK(js.tests[i] == moo.tests[i]);
    }
  }
}

TEST_CASE("parse_json tolerates missing optional fields", "[singlestep]") {
  const TestFile f = parse_json(
      R"([{"name": "nop", "bytes": [144, 244],
           "initial": {"regs": {"ax": 1, "ip": 16}},
           "final": {"regs": {"ip": 17}}},
          {}])",
      "90.json");
  CHECK(f.opcode == 0x90);
  REQUIRE(f.tests.size() == 2);
  const TestCase& t = f.tests[0];
  CHECK(t.index == 0);
  CHECK(t.init_mask == ((1u << kAx) | (1u << kIp)));
  CHECK(t.final_regs.ax == 1);
  CHECK(t.final_regs.ip == 17);
  CHECK(t.fina_mask == (1u << kIp));
  CHECK(t.init_ram.empty());
  CHECK_FALSE(t.has_exception);
  CHECK(t.hash == std::array<uint8_t, 20>{});
  CHECK(f.tests[1].index == 1);
  CHECK(f.tests[1].bytes.empty());
}

TEST_CASE("parse_json reports malformed input", "[singlestep]") {
  CHECK_THAT(error_of([] { parse_json("{}", "obj.json"); }),
             Contains("obj.json") && Contains("array"));
  CHECK_THAT(error_of([] { parse_json("[{", "broken.json"); }),
             Contains("broken.json") && Contains("invalid JSON"));
  CHECK_THAT(error_of([] { parse_json(R"([{}, {"hash": "abc"}])", "h.json"); }),
             Contains("test #1") && Contains("hash"));
  CHECK_THAT(error_of([] { parse_json(R"([{"initial": {"regs": {"ax": 65536}}}])", "r.json"); }),
             Contains("register value"));
  CHECK_THAT(error_of([] { parse_json(R"([{"final": {"ram": [[1, 256]]}}])", "m.json"); }),
             Contains("ram value"));
  CHECK_THAT(error_of([] { parse_json(R"([{"bytes": "90"}])", "b.json"); }), Contains("bytes"));
}

TEST_CASE("hash_hex matches the upstream form", "[singlestep]") {
  CHECK(hash_hex(sha1_from_hex("0b796f0cf88c29174f23f6515809f5eb5683e57c")) ==
        "0b796f0cf88c29174f23f6515809f5eb5683e57c");
}
