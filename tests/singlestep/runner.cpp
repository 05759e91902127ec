#include "tests/singlestep/runner.h"

#include <fmt/format.h>

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
    {0xffffffff, -1, "placeholder: no opcode is excluded"},
};

// The 286 ignores a LOCK prefix on any instruction; from the 386 on, LOCK on an instruction that
// is not a read-modify-write of memory raises #UD. Captures of such encodings show 286-only
// behaviour, so those cases are skipped (and counted as not passed).
bool lock_is_invalid_on_p6(const TestCase& tc) {
  static const cpu::Decoder dec;
  cpu::DecodedInsn insn;
  if (dec.decode(tc.bytes.data(), unsigned(tc.bytes.size()), false, 0, insn) != cpu::DecodeStatus::Ok)
    return false;
  if (!insn.lock) return false;
  const cpu::InsnInfo* info = cpu::insn_info(insn.mnemonic);
  return !info || !(info->flags & cpu::kLockable) || insn.ops[0].kind != cpu::OpKind::Mem;
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
  t->engine.flush();
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
  const uint16_t fmask = flags_mask & ~kFlagsHigh;
  for (int i = 0; i < kRegCount; i++) {
    uint16_t want = e.get(i), have = got.get(i);
    if (i == kFlags) want &= fmask, have &= fmask;
    if (want != have) out.diff += fmt::format(" {}={:04x}(want {:04x})", reg_name(i), have, want);
  }
  for (const MemByte& m : tc.final_ram) {
    uint8_t want = m.value, have = t->phys.ram()[m.addr];
    if (tc.has_exception && (m.addr == tc.exc_flag_addr || m.addr == tc.exc_flag_addr + 1)) {
      const uint16_t mk = fmask;
      const uint8_t bmask = uint8_t(m.addr == tc.exc_flag_addr ? mk : mk >> 8);
      want &= bmask, have &= bmask;
    }
    if (want != have) out.diff += fmt::format(" [{:06x}]={:02x}(want {:02x})", m.addr, have, want);
  }
  out.passed = out.diff.empty();
  // Leave RAM zeroed for the next case: only bytes a case names can have been written by a
  // correct run (a wrong run has failed already).
  for (const MemByte& m : tc.init_ram) t->phys.ram()[m.addr] = 0;
  for (const MemByte& m : tc.final_ram) t->phys.ram()[m.addr] = 0;
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
    if (revoked.count(hash_hex(tc.hash)) || lock_is_invalid_on_p6(tc)) {
      st.skipped++;
      continue;
    }
    Outcome o = run_case(tc, mask);
    if (o.passed) {
      st.passed++;
    } else {
      st.failed++;
      if (st.failures.size() < 5)
        st.failures.push_back(fmt::format("#{} {} [{:02x}]:{}", tc.index, tc.name,
                                          fmt::join(tc.bytes, " "), o.diff));
    }
  }
  return st;
}

}  // namespace singlestep
