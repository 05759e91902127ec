// Reader for the SingleStepTests hardware-captured CPU tests (80286 real mode, MOO format).
//
// The tests come as binary MOO files (optionally gzip-compressed) or as the upstream JSON form.
// Both loaders produce the same TestFile. Every loader throws std::runtime_error naming the file
// (and, for MOO, the chunk and byte offset) when the input is truncated or malformed.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace singlestep {

// Register order used by the REGS chunk bitmask: bit i is register i.
inline constexpr int kRegCount = 14;
inline constexpr uint16_t kAllRegsMask = (1u << kRegCount) - 1;
enum RegIndex : int { kAx, kBx, kCx, kDx, kCs, kSs, kDs, kEs, kSp, kBp, kSi, kDi, kIp, kFlags };

// Lower-case register name as used in the upstream JSON ("ax" .. "flags").
std::string_view reg_name(int index);

struct RegSet {
  uint16_t ax = 0, bx = 0, cx = 0, dx = 0, cs = 0, ss = 0, ds = 0, es = 0;
  uint16_t sp = 0, bp = 0, si = 0, di = 0, ip = 0, flags = 0;

  // Access by REGS bit index (RegIndex), so loops can follow the chunk's bit order.
  uint16_t get(int index) const;
  void set(int index, uint16_t value);

  bool operator==(const RegSet&) const = default;
};

struct MemByte {
  uint32_t addr = 0;
  uint8_t value = 0;
  bool operator==(const MemByte&) const = default;
};

struct TestCase {
  uint32_t index = 0;
  std::string name;            // disassembly, e.g. "add [bx+0Eh],bl"
  std::vector<uint8_t> bytes;  // instruction bytes followed by F4 (HLT)
  RegSet init;
  uint16_t init_mask = 0;  // registers present in INIT (all 14 in practice)
  std::vector<MemByte> init_ram;
  RegSet final_regs;       // INIT overlaid with FINA: the full expected register state
  uint16_t fina_mask = 0;  // registers FINA listed, i.e. the ones that changed
  std::vector<MemByte> final_ram;
  bool has_exception = false;
  uint8_t exc_vector = 0;
  uint32_t exc_flag_addr = 0;      // linear address of the FLAGS word pushed by the exception
  std::array<uint8_t, 20> hash{};  // SHA-1, the test's unique id (all zero if absent in JSON)

  bool operator==(const TestCase&) const = default;
};

struct TestFile {
  std::string path;
  uint32_t opcode = 0;
  std::string mnemonic;  // from META, trailing padding removed; empty for JSON input
  uint8_t cpu_mode = 0;  // 0 = real mode
  std::string cpu;       // MOO header CPU id ("C286"); empty for JSON input
  std::vector<TestCase> tests;
};

// Loads a .MOO.gz or plain .MOO file.
TestFile load_moo(const std::string& path);
// Parses an in-memory, already decompressed MOO image; `name` is used in error messages.
TestFile parse_moo(std::span<const uint8_t> data, const std::string& name);

// Loads the upstream JSON form (.json.gz or .json). The opcode comes from the file name, when
// it follows the upstream naming; mnemonic and cpu are left empty.
TestFile load_json(const std::string& path);
TestFile parse_json(std::string_view text, const std::string& name);

// Lower-case hex of a SHA-1, the form used by JSON files and the revocation list.
std::string hash_hex(const std::array<uint8_t, 20>& hash);

// Test file names: "F6.6.MOO.gz" -> {0xF6, 6}; "00.MOO.gz" -> {0x00, -1}. Accepts a full path
// and the .MOO/.MOO.gz/.json/.json.gz suffixes (any case). nullopt for other names.
struct OpcodeName {
  uint32_t opcode = 0;
  int reg = -1;  // ModRM reg field of a group opcode, -1 if the name has none
  bool operator==(const OpcodeName&) const = default;
};
std::optional<OpcodeName> parse_test_file_name(std::string_view file_name);

// metadata.json: per-opcode status and mask of defined FLAGS bits.
struct Metadata {
  struct Info {
    std::string status;            // normal/alias/undocumented/undefined/prefix/fpu/extension
    uint16_t flags_mask = 0xFFFF;  // AND into expected and actual FLAGS
  };
  struct Entry {
    Info info;                 // used when the opcode is not a group
    std::map<int, Info> regs;  // ModRM reg -> Info for group opcodes; empty otherwise
  };
  std::map<uint32_t, Entry> opcodes;

  bool is_group(uint32_t opcode) const;
  // 0xFFFF for unknown opcodes. For a group opcode with reg == -1 (some groups, e.g. 8F, C6 and
  // C7, ship as a single file mixing reg values) this is the AND of all reg masks, so a flag
  // undefined in any form is ignored. reg is ignored for non-group opcodes.
  uint16_t flags_mask(uint32_t opcode, int reg) const;
  // "" for unknown opcodes, and for a group with reg == -1 whose regs disagree.
  std::string status(uint32_t opcode, int reg) const;
};
Metadata load_metadata(const std::string& path);
Metadata parse_metadata(std::string_view text, const std::string& name);

// Revoked test hashes as lower-case hex. Blank lines and '#' comments are ignored; any other
// line must start with a 40-digit hex SHA-1.
std::set<std::string> load_revocations(const std::string& path);

}  // namespace singlestep
