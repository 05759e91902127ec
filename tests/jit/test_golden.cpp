// Golden code: the host code the x86-64 backend emits for common guest instruction sequences,
// checked in as tests/jit/golden_x64.txt with the host instruction and helper call counts of
// each. A change in code quality shows up as a diff of that file in review. After a deliberate
// change, regenerate it with GHOST86_UPDATE_GOLDEN=1 build/tests/ghost86_tests '[golden]'.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/cpu/harness.h"

#if defined(__x86_64__)

namespace {

struct Case {
  const char* name;
  std::vector<uint8_t> code;  // followed by JMP to a HLT, so the block ends in a direct jump
};

const std::vector<Case> kCases = {
    {"add eax, ebx", {0x01, 0xd8}},
    {"mov eax, [esi+8]", {0x8b, 0x46, 0x08}},
    {"mov [edi], eax", {0x89, 0x07}},
    {"add [ebx], eax", {0x01, 0x03}},
    {"push ebp; mov ebp, esp; sub esp, 16", {0x55, 0x89, 0xe5, 0x83, 0xec, 0x10}},
    {"movzx eax, byte [esi]; inc esi", {0x0f, 0xb6, 0x06, 0x46}},
    {"lea eax, [ebx+ecx*4+8]; imul eax, eax, 12", {0x8d, 0x44, 0x8b, 0x08, 0x6b, 0xc0, 0x0c}},
    {"shl eax, 3; sar edx, 1; xor ecx, ecx", {0xc1, 0xe0, 0x03, 0xd1, 0xfa, 0x31, 0xc9}},
    {"shr eax, cl", {0xd3, 0xe8}},
    // Forward branches are side exits (the block goes on); backward ones end the block.
    {"cmp eax, ecx; jb forward", {0x39, 0xc8, 0x72, 0x00}},
    {"test eax, eax; jz forward", {0x85, 0xc0, 0x74, 0x00}},
    {"cmp eax, ecx; ja back", {0x39, 0xc8, 0x77, 0xfc}},
    {"dec ecx; jnz back", {0x49, 0x75, 0xfd}},
    {"pop eax; ret", {0x58, 0xc3}},
    // x87 instructions are one helper call each, its leaf chosen at translation time.
    {"fld dword [esi]; fmul st0, st1; fstp dword [edi]", {0xd9, 0x06, 0xd8, 0xc9, 0xd9, 0x1f}},
};

// Addresses of the host process (helpers, the context) change from run to run.
std::string normalize(const std::string& listing) {
  static const std::regex kAddress(R"(\b[0-9]{11,}\b)");
  return std::regex_replace(listing, kAddress, "<addr>");
}

// The host code of the first block at 10000h, as -d out_asm prints it.
std::string compile(const Case& c, uint32_t& insns, uint32_t& calls) {
  test::TestCpu t;
  t.engine.set_jit(true, 8);
  std::string log;
  jit::Engine::Log l;
  l.out_asm = l.jit = true;
  l.sink = [&log](const std::string& s) { log += s; };
  t.engine.set_log(l);
  t.flat32(0x10000);
  std::vector<uint8_t> code = c.code;
  code.push_back(0xe9);  // jmp 11000h (rel32), where a HLT waits
  const uint32_t rel = 0x11000 - (0x10000 + uint32_t(code.size()) + 4);
  for (int i = 0; i < 4; i++) code.push_back(uint8_t(rel >> (8 * i)));
  t.poke(0x10000, code);
  t.poke(0x11000, {0xf4});
  t.s().regs[cpu::ESI] = t.s().regs[cpu::EDI] = t.s().regs[cpu::EBX] = 0x20000;
  t.s().regs[cpu::ECX] = 1;
  t.s().regs[cpu::ESP] = 0x80000;
  t.poke(0x7fffc, {0x00, 0x10, 0x01, 0x00});  // for POP/RET: returns to 11000h
  t.poke(0x80000, {0x00, 0x10, 0x01, 0x00});
  t.engine.run(100);
  std::smatch m;
  static const std::regex kBlock(R"(jit: 00010000 (\d+) guest instructions, \d+ IR ops, \d+ bytes, (\d+) calls[^\n]*\nOUT: \[size=\d+\]\n([\s\S]*?)\n\n)");
  if (!std::regex_search(log, m, kBlock)) return "no translation logged:\n" + log;
  insns = uint32_t(std::stoul(m[1]));
  calls = uint32_t(std::stoul(m[2]));
  return normalize(m[3]);
}

std::string golden_text() {
  std::string out;
  for (const Case& c : kCases) {
    uint32_t insns = 0, calls = 0;
    const std::string listing = compile(c, insns, calls);
    size_t host = 0;
    for (size_t i = 0; i < listing.size();) {
      const size_t end = listing.find('\n', i);
      const std::string line = listing.substr(i, end == std::string::npos ? std::string::npos : end - i);
      if (!line.empty() && line.back() != ':' && line.rfind(".d", 0) != 0) host++;
      i = end == std::string::npos ? listing.size() : end + 1;
    }
    out += "== " + std::string(c.name) + " (then jmp)\n";
    out += "guest instructions: " + std::to_string(insns) + ", host instructions: " + std::to_string(host) +
           " (with slow paths), calls on the fast path: " + std::to_string(calls) + "\n";
    out += listing + "\n\n";
  }
  return out;
}

}  // namespace

TEST_CASE("golden code: common instructions compile to the checked-in host code", "[jit][golden]") {
  const std::string path = std::string(GHOST86_SOURCE_DIR) + "/tests/jit/golden_x64.txt";
  const std::string now = golden_text();
  if (std::getenv("GHOST86_UPDATE_GOLDEN")) {
    std::ofstream(path) << now;
    WARN("wrote " << path);
    return;
  }
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream want;
  want << in.rdbuf();
  // On a difference Catch prints both; regenerate after a deliberate change (see the top).
  CHECK(now == want.str());
}

#endif
