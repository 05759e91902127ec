// RDMSR/WRMSR (SDM Vol.2 RDMSR/WRMSR, Vol.4 ch.2 "MSRs in the P6 family") and SYSENTER/SYSEXIT
// (SDM Vol.2, Vol.3 §5.8.7). The MSR values live in CpuState::msr; here are the addresses, the
// reserved-bit rules and the side effects. An MSR not listed raises #GP(0), as on hardware.
#include "cpu/flags.h"
#include "cpu/helpers/descriptor.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

enum : uint32_t {
  kMsrTsc = 0x10,
  kMsrPlatformId = 0x17,
  kMsrApicBase = 0x1b,
  kMsrBiosSignId = 0x8b,
  kMsrMtrrCap = 0xfe,
  kMsrSysenterCs = 0x174,
  kMsrSysenterEsp = 0x175,
  kMsrSysenterEip = 0x176,
  kMsrMiscEnable = 0x1a0,
  kMsrMtrrPhysBase0 = 0x200,  // .. 0x20f: base/mask pairs
  kMsrMtrrFix64k = 0x250,
  kMsrMtrrFix16k80 = 0x258,
  kMsrMtrrFix16kA0 = 0x259,
  kMsrMtrrFix4kC0 = 0x268,  // .. 0x26f
  kMsrPat = 0x277,
  kMsrMtrrDefType = 0x2ff,
};

// Physical addresses have 36 bits (PAE); address fields above them are reserved.
constexpr uint64_t kPhysMask = (uint64_t(1) << 36) - 1;
// MTRRcap: 8 variable ranges, fixed ranges supported, write-combining supported.
constexpr uint64_t kMtrrCap = 8 | 1u << 8 | 1u << 10;
// IA32_MISC_ENABLE: software may change fast strings (0), automatic thermal control (3),
// limit CPUID maxval (22) and xTPR disable (23); BTS/PEBS unavailable (11, 12) read as set.
constexpr uint64_t kMiscWritable = 1u << 0 | 1u << 3 | 1u << 22 | 1u << 23;
constexpr uint64_t kMiscReadOnly = 1u << 11 | 1u << 12;

// Memory types an MTRR accepts: UC 0, WC 1, WT 4, WP 5, WB 6 (SDM Vol.3 §11.11.1). PAT also
// accepts UC- 7 (§11.12.2).
constexpr bool mtrr_type(uint64_t t) { return t == 0 || t == 1 || (t >= 4 && t <= 6); }
constexpr bool pat_type(uint64_t t) { return mtrr_type(t) || t == 7; }
template <bool (*Valid)(uint64_t)>
constexpr bool all_bytes(uint64_t v) {
  for (unsigned i = 0; i < 8; i++)
    if (!Valid((v >> (8 * i)) & 0xff)) return false;
  return true;
}

// The storage of a fixed-range MTRR, or nullptr.
uint64_t* fixed_mtrr(MsrState& m, uint32_t msr) {
  if (msr == kMsrMtrrFix64k) return &m.mtrr_fixed[0];
  if (msr == kMsrMtrrFix16k80) return &m.mtrr_fixed[1];
  if (msr == kMsrMtrrFix16kA0) return &m.mtrr_fixed[2];
  if (msr >= kMsrMtrrFix4kC0 && msr < kMsrMtrrFix4kC0 + 8)
    return &m.mtrr_fixed[3 + msr - kMsrMtrrFix4kC0];
  return nullptr;
}

uint64_t tsc_now(const Cpu& cpu, uint32_t index) { return cpu.icount_at(index) * cpu.ns_per_insn; }

[[noreturn]] void gp0() { raise(kGP, 0); }

// The flat segment SYSENTER/SYSEXIT load (SDM Vol.2 SYSENTER: base 0, limit 4 GiB, G and D/B
// set; CS execute/read accessed, SS read/write accessed), built as the descriptor it mimics.
Segment flat_segment(uint16_t sel, bool code, unsigned dpl) {
  const Descriptor d{0x0000ffffu, 0x00cf9000u | (code ? 0xb00u : 0x300u) | dpl << 13};
  return segment_cache(sel, d);
}

}  // namespace

uint64_t read_msr(Cpu& cpu, uint32_t msr, uint32_t index) {
  MsrState& m = cpu.s.msr;
  switch (msr) {
    case kMsrTsc: return tsc_now(cpu, index) + cpu.s.tsc_offset;
    case kMsrPlatformId: return 0;  // platform ID 0 (bits 52:50)
    case kMsrApicBase: return m.apic_base;
    case kMsrBiosSignId: return m.bios_sign_id;
    case kMsrMtrrCap: return kMtrrCap;
    case kMsrSysenterCs: return m.sysenter_cs;
    case kMsrSysenterEsp: return m.sysenter_esp;
    case kMsrSysenterEip: return m.sysenter_eip;
    case kMsrMiscEnable: return m.misc_enable;
    case kMsrPat: return m.pat;
    case kMsrMtrrDefType: return m.mtrr_def_type;
    default: break;
  }
  if (msr >= kMsrMtrrPhysBase0 && msr < kMsrMtrrPhysBase0 + 16)
    return m.mtrr_var[msr - kMsrMtrrPhysBase0];
  if (const uint64_t* f = fixed_mtrr(m, msr)) return *f;
  gp0();
}

void write_msr(Cpu& cpu, uint32_t msr, uint64_t v, uint32_t index) {
  MsrState& m = cpu.s.msr;
  switch (msr) {
    case kMsrTsc:
      // The TSC becomes v now and keeps counting virtual time (SDM Vol.3 §17.17).
      cpu.s.tsc_offset = v - tsc_now(cpu, index);
      return;
    case kMsrApicBase:
      // Bits 7:0, 10:9 and those above the physical address width are reserved.
      if (v & ~(kPhysMask & ~0x6ffull)) gp0();
      m.apic_base = v;
      if (cpu.apic_base_written) cpu.apic_base_written(v);
      return;
    case kMsrBiosSignId: m.bios_sign_id = v; return;
    // A 32-bit processor keeps only the low halves (the high halves read as 0).
    case kMsrSysenterCs: m.sysenter_cs = uint32_t(v); return;
    case kMsrSysenterEsp: m.sysenter_esp = uint32_t(v); return;
    case kMsrSysenterEip: m.sysenter_eip = uint32_t(v); return;
    case kMsrMiscEnable:
      if (v & ~(kMiscWritable | kMiscReadOnly)) gp0();
      m.misc_enable = (v & kMiscWritable) | (m.misc_enable & kMiscReadOnly);
      return;
    case kMsrPat:
      if (!all_bytes<pat_type>(v)) gp0();
      m.pat = v;
      return;
    case kMsrMtrrDefType:
      // Type in 7:0, FE (10) and E (11); the rest is reserved.
      if ((v & ~0xcffull) || !mtrr_type(v & 0xff)) gp0();
      m.mtrr_def_type = v;
      return;
    default: break;
  }
  if (msr >= kMsrMtrrPhysBase0 && msr < kMsrMtrrPhysBase0 + 16) {
    const unsigned i = msr - kMsrMtrrPhysBase0;
    // PHYSBASE: type 7:0, base 35:12. PHYSMASK: valid 11, mask 35:12.
    const uint64_t allowed = (kPhysMask & ~0xfffull) | (i & 1 ? 0x800 : 0xff);
    if ((v & ~allowed) || (!(i & 1) && !mtrr_type(v & 0xff))) gp0();
    m.mtrr_var[i] = v;
    return;
  }
  if (uint64_t* f = fixed_mtrr(m, msr)) {
    if (!all_bytes<mtrr_type>(v)) gp0();
    *f = v;
    return;
  }
  gp0();  // unknown or read-only (PLATFORM_ID, MTRRcap)
}

uint32_t helper_rdmsr(Cpu& cpu, uint32_t index, uint32_t, uint32_t, uint32_t) {
  uint32_t* r = cpu.s.regs;
  const uint64_t v = read_msr(cpu, r[ECX], index);
  r[EAX] = uint32_t(v);
  r[EDX] = uint32_t(v >> 32);
  return 0;
}

uint32_t helper_wrmsr(Cpu& cpu, uint32_t index, uint32_t, uint32_t, uint32_t) {
  const uint32_t* r = cpu.s.regs;
  write_msr(cpu, r[ECX], uint64_t(r[EDX]) << 32 | r[EAX], index);
  return 0;
}

uint32_t helper_sysenter(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  CpuState& s = cpu.s;
  const uint16_t cs = uint16_t(s.msr.sysenter_cs & 0xfffc);
  if (!cpu.protected_mode() || sel_null(cs)) gp0();
  write_eflags(s, 0, fl::VM | fl::IF | fl::RF);
  s.seg[CS] = flat_segment(cs, true, 0);
  s.seg[SS] = flat_segment(uint16_t(cs + 8), false, 0);
  cpu.set_cpl(0);
  s.regs[ESP] = s.msr.sysenter_esp;
  return s.msr.sysenter_eip;
}

uint32_t helper_sysexit(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  CpuState& s = cpu.s;
  const uint16_t cs = uint16_t(s.msr.sysenter_cs & 0xfffc);
  if (!cpu.protected_mode() || cpu.v86() || s.cpl != 0 || sel_null(cs)) gp0();
  s.seg[CS] = flat_segment(uint16_t((cs + 16) | 3), true, 3);
  s.seg[SS] = flat_segment(uint16_t((cs + 24) | 3), false, 3);
  cpu.set_cpl(3);
  s.regs[ESP] = s.regs[ECX];
  return s.regs[EDX];
}

}  // namespace cpu
