// The translation-time decode of the x87 escape instructions (cpu/helpers/x87_select.h) against
// the SDM's opcode map, transcribed here on its own: every one of the 2048 FOPs selects a leaf,
// and whether it is invalid, a control instruction or a non-waiting one must agree with the map
// and with SDM Vol.1 §8.1.8. Then the same properties as the CPU shows them: the FOP it records
// and the pending-exception check it makes, for every form, and the #UD set of the host.
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "cpu/helpers/helpers.h"
#include "cpu/helpers/x87_select.h"
#include "tests/cpu/run_util.h"
#include "tests/cpu/x87_util.h"

using namespace cpu;

namespace {

// SDM Vol.2 tables ... A-21: the memory forms of D8..DF by ModRM.reg. Names follow the
// Opcode column of the instruction reference, where the escape byte alone is the FN form.
const char* const kMemMap[8][8] = {
    {"FADD m32fp", "FMUL m32fp", "FCOM m32fp", "FCOMP m32fp", "FSUB m32fp", "FSUBR m32fp",
     "FDIV m32fp", "FDIVR m32fp"},
    {"FLD m32fp", "", "FST m32fp", "FSTP m32fp", "FLDENV m14/28byte", "FLDCW m2byte",
     "FNSTENV m14/28byte", "FNSTCW m2byte"},
    {"FIADD m32int", "FIMUL m32int", "FICOM m32int", "FICOMP m32int", "FISUB m32int",
     "FISUBR m32int", "FIDIV m32int", "FIDIVR m32int"},
    {"FILD m32int", "FISTTP m32int", "FIST m32int", "FISTP m32int", "", "FLD m80fp", "",
     "FSTP m80fp"},
    {"FADD m64fp", "FMUL m64fp", "FCOM m64fp", "FCOMP m64fp", "FSUB m64fp", "FSUBR m64fp",
     "FDIV m64fp", "FDIVR m64fp"},
    {"FLD m64fp", "FISTTP m64int", "FST m64fp", "FSTP m64fp", "FRSTOR m94/108byte", "",
     "FNSAVE m94/108byte", "FNSTSW m2byte"},
    {"FIADD m16int", "FIMUL m16int", "FICOM m16int", "FICOMP m16int", "FISUB m16int",
     "FISUBR m16int", "FIDIV m16int", "FIDIVR m16int"},
    {"FILD m16int", "FISTTP m16int", "FIST m16int", "FISTP m16int", "FBLD m80dec", "FILD m64int",
     "FBSTP m80bcd", "FISTP m64int"},
};

// Tables ... A-22: the register forms (ModRM C0-FF), one row of eight per ModRM.reg.
// A row without '|' is one instruction on ST(i); otherwise its eight entries by ModRM.rm.
const char* const kRegMap[8][8] = {
    {"FADD ST(0),ST(i)", "FMUL ST(0),ST(i)", "FCOM ST(0),ST(i)", "FCOMP ST(0),ST(i)",
     "FSUB ST(0),ST(i)", "FSUBR ST(0),ST(i)", "FDIV ST(0),ST(i)", "FDIVR ST(0),ST(i)"},
    {"FLD ST(i)", "FXCH ST(i)", "FNOP|||||||", "", "FCHS|FABS|||FTST|FXAM||",
     "FLD1|FLDL2T|FLDL2E|FLDPI|FLDLG2|FLDLN2|FLDZ|",
     "F2XM1|FYL2X|FPTAN|FPATAN|FXTRACT|FPREM1|FDECSTP|FINCSTP",
     "FPREM|FYL2XP1|FSQRT|FSINCOS|FRNDINT|FSCALE|FSIN|FCOS"},
    {"FCMOVB ST(0),ST(i)", "FCMOVE ST(0),ST(i)", "FCMOVBE ST(0),ST(i)", "FCMOVU ST(0),ST(i)", "",
     "|FUCOMPP||||||", "", ""},
    {"FCMOVNB ST(0),ST(i)", "FCMOVNE ST(0),ST(i)", "FCMOVNBE ST(0),ST(i)", "FCMOVNU ST(0),ST(i)",
     "||FNCLEX|FNINIT||||", "FUCOMI ST(0),ST(i)", "FCOMI ST(0),ST(i)", ""},
    {"FADD ST(i),ST(0)", "FMUL ST(i),ST(0)", "", "", "FSUBR ST(i),ST(0)", "FSUB ST(i),ST(0)",
     "FDIVR ST(i),ST(0)", "FDIV ST(i),ST(0)"},
    {"FFREE ST(i)", "", "FST ST(i)", "FSTP ST(i)", "FUCOM ST(i)", "FUCOMP ST(i)", "", ""},
    {"FADDP ST(i),ST(0)", "FMULP ST(i),ST(0)", "", "|FCOMPP||||||", "FSUBRP ST(i),ST(0)",
     "FSUBP ST(i),ST(0)", "FDIVRP ST(i),ST(0)", "FDIVP ST(i),ST(0)"},
    {"", "", "", "", "FNSTSW AX|||||||", "FUCOMIP ST(0),ST(i)", "FCOMIP ST(0),ST(i)", ""},
};

// Encodings the map leaves blank that the processor executes (and the host with it, see the
// #UD test below): aliases of FSTP ST(i), FCOM, FCOMP and FXCH, FFREEP (which AMD's manual
// documents), and the 8087/287 control instructions FNENI, FNDISI, FNSETPM.
struct Alias {
  unsigned esc, reg;
  int rm;  // -1: all eight
  const char* name;
};
const Alias kAliases[] = {
    {1, 3, -1, "FSTP ST(i)"},
    {4, 2, -1, "FCOM ST(0),ST(i)"},
    {4, 3, -1, "FCOMP ST(0),ST(i)"},
    {5, 1, -1, "FXCH ST(i)"},
    {6, 2, -1, "FCOMP ST(0),ST(i)"},
    {7, 0, -1, "FFREEP ST(i)"},
    {7, 1, -1, "FXCH ST(i)"},
    {7, 2, -1, "FSTP ST(i)"},
    {7, 3, -1, "FSTP ST(i)"},
    {3, 4, 0, "FNENI"},
    {3, 4, 1, "FNDISI"},
    {3, 4, 4, "FNSETPM"},
};

std::string row_entry(const std::string& row, unsigned rm) {
  if (row.find('|') == std::string::npos) return row;
  size_t at = 0;
  for (unsigned i = 0; i < rm; i++) at = row.find('|', at) + 1;
  return row.substr(at, row.find('|', at) - at);
}

// The instruction an FOP encodes, "" when none.
std::string sdm_name(uint16_t fop) {
  const unsigned esc = fop >> 8, mod = (fop >> 6) & 3, reg = (fop >> 3) & 7, rm = fop & 7;
  if (mod != 3) return kMemMap[esc][reg];
  std::string name = row_entry(kRegMap[esc][reg], rm);
  for (const Alias& a : kAliases)
    if (a.esc == esc && a.reg == reg && (a.rm < 0 || unsigned(a.rm) == rm)) name = a.name;
  return name;
}

std::string mnemonic(const std::string& name) { return name.substr(0, name.find(' ')); }

// FISTTP is SSE3; the CPU model is a P6.
bool sdm_valid(uint16_t fop) {
  const std::string n = sdm_name(fop);
  return !n.empty() && mnemonic(n) != "FISTTP";
}

// SDM Vol.1 §8.1.8: the control instructions, which leave the instruction and data pointers
// (and the opcode, §8.1.9) alone; and the 8087/287 ones, which leave FOP alone on the x86-64
// host this was checked on too.
bool sdm_control(uint16_t fop) {
  static const std::set<std::string> kControl = {"FNINIT", "FNCLEX",  "FLDCW",  "FNSTCW",
                                                 "FNSTSW", "FNSTENV", "FLDENV", "FNSAVE",
                                                 "FRSTOR", "FNENI",   "FNDISI", "FNSETPM"};
  return kControl.count(mnemonic(sdm_name(fop))) != 0;
}

// The FN forms do not check for pending unmasked exceptions (e.g. SDM Vol.2 FINIT/FNINIT).
bool sdm_nonwaiting(uint16_t fop) {
  const std::string m = mnemonic(sdm_name(fop));
  return m.rfind("FN", 0) == 0 && m != "FNOP";
}

}  // namespace

TEST_CASE("x87 selection agrees with the SDM opcode map for all 2048 FOPs", "[cpu][x87]") {
  std::map<std::string, x87::Leaf> leaf_of;
  std::map<x87::Leaf, std::string> name_of;
  for (unsigned fop = 0; fop < 2048; fop++) {
    const x87::Selection s = x87::select(uint16_t(fop));
    const std::string name = sdm_name(uint16_t(fop));
    INFO("FOP " << std::hex << fop << " (" << (0xd8 + (fop >> 8)) << " " << (fop & 0xff) << ") "
                << name);
    const bool valid = sdm_valid(uint16_t(fop));
    CHECK((s.leaf != x87::Leaf::Invalid) == valid);
    CHECK(unsigned(s.leaf) < unsigned(x87::Leaf::kCount));
    if (!valid) continue;
    CHECK(s.control == sdm_control(uint16_t(fop)));
    CHECK(s.nonwaiting == sdm_nonwaiting(uint16_t(fop)));
    // One leaf per instruction: every encoding of an instruction (any ModRM.mod and .rm of a
    // memory form, any ST(i), its aliases) shares it, and no two instructions do, except the
    // no-ops (the 387 and later ignore FNENI, FNDISI and FNSETPM).
    const std::string m = mnemonic(name);
    const std::string key =
        m == "FNENI" || m == "FNDISI" || m == "FNSETPM" ? std::string("FNOP") : name;
    const auto [it, fresh] = leaf_of.emplace(key, s.leaf);
    CHECK(it->second == s.leaf);
    if (fresh) {
      const auto [other, unused] = name_of.emplace(s.leaf, key);
      INFO("leaf " << unsigned(s.leaf) << " already runs " << other->second);
      CHECK(unused);
    }
  }
  // And every leaf runs some instruction.
  CHECK(name_of.size() == unsigned(x87::Leaf::kCount) - 1);
}

TEST_CASE("x87 control instructions leave FOP alone, the others record it (every form)",
          "[cpu][x87]") {
  // fld1; fld1; the instruction; fnstenv [ebx+100h], whose 32-bit protected-mode image holds the
  // FOP in bits 16-26 of its fifth doubleword (SDM Vol.1 figure 8-9). Memory operands are
  // [ebx+40h] (ModRM mod = 10, rm = EBX) over zeros.
  for (unsigned fop = 0; fop < 2048; fop++) {
    const unsigned esc = fop >> 8, mod = (fop >> 6) & 3, modrm = fop & 0xff;
    if (mod != 3 && (mod != 2 || (modrm & 7) != 3)) continue;
    if (!sdm_valid(uint16_t(fop))) continue;
    std::vector<uint8_t> code = {0xd9, 0xe8, 0xd9, 0xe8, uint8_t(0xd8 + esc), uint8_t(modrm)};
    if (mod != 3) code.insert(code.end(), {0x40, 0, 0, 0});
    code.insert(code.end(), {0xd9, 0xb3, 0x00, 0x01, 0, 0});
    const test::X87Run r = test::run_emulated(code, std::vector<uint8_t>(test::kX87DataSize, 0));
    INFO("FOP " << std::hex << fop << " " << sdm_name(uint16_t(fop)));
    REQUIRE(r.ok);
    const uint16_t stored = uint16_t(test::get(r.data, 0x100 + 18, 2) & 0x7ff);
    CHECK((stored == fop) == !sdm_control(uint16_t(fop)));
  }
}

TEST_CASE("x87 waiting forms report a pending exception first, FN forms do not (every form)",
          "[cpu][x87]") {
  test::TestCpu t;
  for (unsigned fop = 0; fop < 2048; fop++) {
    const unsigned esc = fop >> 8, mod = (fop >> 6) & 3, modrm = fop & 0xff;
    // Memory forms as [disp16] (mod = 00, rm = 110) at DS:400h.
    if (mod != 3 && (mod != 0 || (modrm & 7) != 6)) continue;
    if (!sdm_valid(uint16_t(fop))) continue;
    t.real_mode();
    t.s().cr0 |= cr0::NE;
    test::catch_vector(t, kMF);
    t.poke(0x10300, {0x7b, 0x03});  // FCW with #Z unmasked
    std::vector<uint8_t> code = {0xdb,
                                 0xe3,
                                 0xd9,
                                 0x2e,
                                 0x00,
                                 0x03,  // fninit; fldcw [300h]
                                 0xd9,
                                 0xe8,
                                 0xd9,
                                 0xee,
                                 0xde,
                                 0xf9,  // fld1; fldz; fdivp: #Z
                                 uint8_t(0xd8 + esc),
                                 uint8_t(modrm)};
    if (mod != 3) code.insert(code.end(), {0x00, 0x04});
    code.push_back(0xf4);
    t.poke(0x10100, code);
    t.s().halted = 0;
    INFO("FOP " << std::hex << fop << " " << sdm_name(uint16_t(fop)));
    REQUIRE(t.engine.run(t.s().icount + 100) == jit::StopReason::Halted);
    CHECK(test::in_handler(t) == !sdm_nonwaiting(uint16_t(fop)));
    if (test::in_handler(t)) CHECK(test::pushed_ip(t) == 0x10c);  // the instruction itself
  }
}

#if defined(__x86_64__)
namespace {

// Runs fninit; fld1; fld1; ESC modrm; fninit in a child process: true when it dies of SIGILL.
bool host_raises_ud(unsigned esc, unsigned modrm) {
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGILL, SIG_DFL);
    const uint8_t code[] = {0xdb,           0xe3, 0xd9, 0xe8, 0xd9, 0xe8, uint8_t(0xd8 + esc),
                            uint8_t(modrm), 0xdb, 0xe3, 0xc3};
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) _exit(2);
    std::memcpy(page, code, sizeof code);
    if (mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0) _exit(2);
    reinterpret_cast<void (*)()>(page)();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGILL;
}

}  // namespace

TEST_CASE(
    "x87 register forms: the encodings the host processor refuses are exactly the invalid ones",
    "[cpu][x87][host]") {
  for (unsigned esc = 0; esc < 8; esc++) {
    for (unsigned modrm = 0xc0; modrm < 0x100; modrm++) {
      const auto fop = uint16_t(esc << 8 | modrm);
      INFO("FOP " << std::hex << fop << " " << sdm_name(fop));
      CHECK(host_raises_ud(esc, modrm) == (x87::select(fop).leaf == x87::Leaf::Invalid));
    }
  }
}
#endif
