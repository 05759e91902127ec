#include "tests/singlestep/runner.h"

#include <fmt/format.h>

#include <algorithm>

#include "cpu/opcode_table.h"
#include "tests/cpu/harness.h"

namespace singlestep {
namespace {

// Real mode on the 286 never shows FLAGS bits 12-15 (IOPL, NT, reserved) as set; a 386 or later
// can set IOPL and NT with POPF/IRET in real mode. The README advises masking them.
constexpr uint16_t kFlagsHigh = 0xf000;

struct Excluded {
  uint32_t opcode;
  int reg;  // -1: every form
  const char* reason;
};

// Every excluded opcode, with its reason.
constexpr Excluded kExcluded[] = {
    // No coprocessor was attached to the captured 286, so x87 escapes ran as no-ops there; a
    // P6 executes them on its FPU.
    {0xd8, -1, "x87 escape (the captured 286 had no coprocessor)"},
    {0xd9, -1, "x87 escape (the captured 286 had no coprocessor)"},
    {0xda, -1, "x87 escape (the captured 286 had no coprocessor)"},
    {0xdb, -1, "x87 escape (the captured 286 had no coprocessor)"},
    {0xdc, -1, "x87 escape (the captured 286 had no coprocessor)"},
    {0xdd, -1, "x87 escape (the captured 286 had no coprocessor)"},
    {0xde, -1, "x87 escape (the captured 286 had no coprocessor)"},
    {0xdf, -1, "x87 escape (the captured 286 had no coprocessor)"},
};

// Why a single case is not run, or nullptr. Each reason is a documented difference between the
// captured 80286 and the P6-class processor ghost86 emulates.
const char* case_exclusion(const TestCase& tc);

// The 286 ignores a LOCK prefix on any instruction; from the 386 on, LOCK on an instruction that
// is not a read-modify-write of memory raises #UD. Captures of such encodings show 286-only
// behaviour, so those cases are skipped (and counted as not passed).
bool lock_is_invalid_on_p6(const TestCase& tc) {
  static const cpu::Decoder dec;
  cpu::DecodedInsn insn;
  if (dec.decode(tc.bytes.data(), unsigned(tc.bytes.size()), false, 0, insn) != cpu::DecodeStatus::Ok) {
    // The decoder itself rejects some LOCKed encodings: if the bytes decode once the LOCK
    // prefixes are removed, the LOCK is what makes them invalid.
    std::vector<uint8_t> stripped;
    size_t i = 0;
    bool had_lock = false;
    for (; i < tc.bytes.size(); i++) {
      const uint8_t b = tc.bytes[i];
      const bool prefix = b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x26 || b == 0x2e ||
                          b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67;
      if (!prefix) break;
      if (b == 0xf0) had_lock = true;
      else stripped.push_back(b);
    }
    stripped.insert(stripped.end(), tc.bytes.begin() + long(i), tc.bytes.end());
    return had_lock && dec.decode(stripped.data(), unsigned(stripped.size()), false, 0, insn) == cpu::DecodeStatus::Ok;
  }
  if (!insn.lock) return false;
  const cpu::InsnInfo* info = cpu::insn_info(insn.mnemonic);
  return !info || !(info->flags & cpu::kLockable) || insn.ops[0].kind != cpu::OpKind::Mem;
}

const char* case_exclusion(const TestCase& tc) {
  if (lock_is_invalid_on_p6(tc))
    return "LOCK on an instruction that is not a memory read-modify-write: ignored by the 286, #UD "
           "from the 386 on";
  static const cpu::Decoder dec;
  cpu::DecodedInsn insn;
  if (dec.decode(tc.bytes.data(), unsigned(tc.bytes.size()), false, 0, insn) != cpu::DecodeStatus::Ok)
    return nullptr;
  // The 286 limits an instruction to 10 bytes (longer ones raise exception 13); the P6 to 15.
  if (insn.len > 10 && tc.has_exception && tc.exc_vector == 13) return "instruction longer than 10 bytes";
  // FS and GS exist from the 386 on: 8C/8E with reg 4 or 5 are #UD on the 286.
  if ((insn.opcode == 0x8c || insn.opcode == 0x8e) && insn.map == 0 && insn.modrm_reg >= 4 && insn.modrm_reg <= 5)
    return "MOV to/from FS or GS (no such registers on the 286)";
  // A word string operation at offset FFFFh: the 286 advances SI/DI (and CX) before it reports
  // the segment overrun; from the 386 on the fault is precise and leaves them unchanged.
  static constexpr ZydisMnemonic kStrings[] = {ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_CMPSW,
                                               ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_LODSW,
                                               ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_INSW,
                                               ZYDIS_MNEMONIC_OUTSW};
  // (In real mode with 64 KiB limits that overrun is the only exception 13 a string op raises,
  // also when a REP reaches FFFFh after some iterations.)
  if (tc.has_exception && tc.exc_vector == 13 &&
      std::find(std::begin(kStrings), std::end(kStrings), insn.mnemonic) != std::end(kStrings))
    return "word string operation faulting at offset FFFFh (imprecise on the 286)";
  return nullptr;
}

}  // namespace

const char* exclusion_reason(uint32_t opcode, int reg) {
  for (const Excluded& e : kExcluded)
    if (e.opcode == opcode && (e.reg < 0 || e.reg == reg)) return e.reason;
  return nullptr;
}

Outcome run_case(const TestCase& tc, uint16_t flags_mask) {
  // 16 MB plus the HMA: captures use linear addresses up to 10FFEFh with A20 enabled.
  static thread_local std::unique_ptr<test::TestCpu> t;
  if (!t) t = std::make_unique<test::TestCpu>(17u << 20);
  t->engine.reset();
  cpu::Cpu& c = t->cpu;
  c.reset();
  const RegSet& r = tc.init;
  const uint16_t gpr[8] = {r.ax, r.cx, r.dx, r.bx, r.sp, r.bp, r.si, r.di};
  for (unsigned i = 0; i < 8; i++) c.s.regs[i] = gpr[i];
  const uint16_t segs[cpu::kNumSegs] = {r.es, r.cs, r.ss, r.ds, 0, 0};
  for (unsigned i = 0; i < cpu::kNumSegs; i++) c.load_seg_real(i, segs[i]);
  c.s.eip = r.ip;
  cpu::write_eflags(c.s, r.flags & ~kFlagsHigh, 0xffff);
  for (const MemByte& m : tc.init_ram) t->phys.ram()[m.addr] = m.value;
  // The 286 reports a stack-segment overrun in real mode as exception 13; from the 386 on it is
  // #SS (12). Where a case expects 13, vector 12 shares its handler so either lands the same.
  if (tc.has_exception && tc.exc_vector == 13)
    for (unsigned i = 0; i < 4; i++) t->phys.ram()[12 * 4 + i] = t->phys.ram()[13 * 4 + i];

  t->engine.run(c.s.icount + 64);

  Outcome out;
  const RegSet& e = tc.final_regs;
  RegSet got;
  got.ax = uint16_t(c.s.regs[cpu::EAX]);
  got.cx = uint16_t(c.s.regs[cpu::ECX]);
  got.dx = uint16_t(c.s.regs[cpu::EDX]);
  got.bx = uint16_t(c.s.regs[cpu::EBX]);
  got.sp = uint16_t(c.s.regs[cpu::ESP]);
  got.bp = uint16_t(c.s.regs[cpu::EBP]);
  got.si = uint16_t(c.s.regs[cpu::ESI]);
  got.di = uint16_t(c.s.regs[cpu::EDI]);
  got.es = c.s.seg[cpu::ES].sel;
  got.cs = c.s.seg[cpu::CS].sel;
  got.ss = c.s.seg[cpu::SS].sel;
  got.ds = c.s.seg[cpu::DS].sel;
  // The capture stops after fetching HLT: IP points past it.
  got.ip = uint16_t(c.s.eip);
  got.flags = uint16_t(cpu::read_eflags(c.s));
  // Flags the SDM leaves undefined for the instruction (our opcode table) are not compared
  // either: the 286's values for them are its own, and a P6 may differ.
  uint16_t sdm_undefined = 0;
  {
    static const cpu::Decoder dec;
    cpu::DecodedInsn insn;
    if (dec.decode(tc.bytes.data(), unsigned(tc.bytes.size()), false, 0, insn) == cpu::DecodeStatus::Ok)
      if (const cpu::InsnInfo* info = cpu::insn_info(insn.mnemonic))
        sdm_undefined = uint16_t(info->undefined_flags);
  }
  const uint16_t fmask = flags_mask & ~kFlagsHigh & ~sdm_undefined;
  for (int i = 0; i < kRegCount; i++) {
    uint16_t want = e.get(i), have = got.get(i);
    if (i == kFlags) want &= fmask, have &= fmask;
    if (want != have) out.diff += fmt::format(" {}={:04x}(want {:04x})", reg_name(i), have, want);
  }
  // The FLAGS image an exception pushed: the word above the pushed CS and IP. (The capture's
  // own flag address is word-aligned, which is off by one when SP is odd.)
  const uint32_t ss_base = uint32_t(e.ss) << 4;
  const uint32_t flags_lo = ss_base + ((e.sp + 4) & 0xffff), flags_hi = ss_base + ((e.sp + 5) & 0xffff);
  for (const MemByte& m : tc.final_ram) {
    uint8_t want = m.value, have = t->phys.ram()[m.addr];
    if (tc.has_exception && (m.addr == flags_lo || m.addr == flags_hi)) {
      const uint8_t bmask = uint8_t(m.addr == flags_lo ? fmask : fmask >> 8);
      want &= bmask, have &= bmask;
    }
    if (want != have) out.diff += fmt::format(" [{:06x}]={:02x}(want {:02x})", m.addr, have, want);
  }
  out.passed = out.diff.empty();
  // Leave RAM zeroed for the next case: only bytes a case names can have been written by a
  // correct run (a wrong run has failed already).
  for (const MemByte& m : tc.init_ram) t->phys.ram()[m.addr] = 0;
  for (const MemByte& m : tc.final_ram) t->phys.ram()[m.addr] = 0;
  for (unsigned i = 0; i < 4; i++) t->phys.ram()[12 * 4 + i] = 0;
  return out;
}

FileStats run_file(const TestFile& file, const Metadata* meta, const std::set<std::string>& revoked) {
  FileStats st;
  auto name = parse_test_file_name(file.path);
  const int reg = name ? name->reg : -1;
  if (const char* why = exclusion_reason(file.opcode, reg)) {
    st.skipped = unsigned(file.tests.size());
    st.skip_reason = why;
    return st;
  }
  const uint16_t mask = meta ? meta->flags_mask(file.opcode, reg) : 0xffff;
  for (const TestCase& tc : file.tests) {
    if (revoked.count(hash_hex(tc.hash)) || case_exclusion(tc)) {
      st.skipped++;
      continue;
    }
    Outcome o = run_case(tc, mask);
    if (o.passed) {
      st.passed++;
    } else {
      st.failed++;
      if (st.failures.size() < 5)
        st.failures.push_back(fmt::format(
            "#{} {} [{:02x}]:{}\n     init ax={:04x} bx={:04x} cx={:04x} dx={:04x} cs={:04x} ss={:04x} "
            "ds={:04x} es={:04x} sp={:04x} bp={:04x} si={:04x} di={:04x} ip={:04x} flags={:04x}{}",
            tc.index, tc.name, fmt::join(tc.bytes, " "), o.diff, tc.init.ax, tc.init.bx, tc.init.cx,
            tc.init.dx, tc.init.cs, tc.init.ss, tc.init.ds, tc.init.es, tc.init.sp, tc.init.bp,
            tc.init.si, tc.init.di, tc.init.ip, tc.init.flags,
            tc.has_exception ? fmt::format(" (expects exception {}, FLAGS pushed at {:06x})", tc.exc_vector, tc.exc_flag_addr) : ""));
    }
  }
  return st;
}

}  // namespace singlestep
