// x87 control instructions: FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FNSTENV/FLDENV and
// FNSAVE/FRSTOR with the four environment layouts of SDM Vol.1 §8.1.10 (figures 8-9 to 8-12).
// (The 8087/287 no-ops FNENI, FNDISI and FNSETPM, which a P6 ignores, are the Nop leaf.)
#include "cpu/helpers/x87.h"

namespace cpu::x87 {
namespace {

// The environment layout follows the operand size and the mode: real-address (and virtual-8086)
// mode stores linear instruction and data pointers, protected mode selector:offset pairs.
struct EnvFormat {
  bool op16;
  bool real;
  uint32_t size() const { return op16 ? 14 : 28; }
};

EnvFormat env_format(const Fpu& fpu, bool op16) {
  const bool real = !fpu.cpu.protected_mode() || fpu.cpu.v86();
  return {op16, real};
}

void store_env(Fpu& fpu, const Mem& m, EnvFormat fmt) {
  const FpuState& f = fpu.f;
  const uint32_t fip_lin = (uint32_t(f.fcs) << 4) + f.fip;
  const uint32_t fdp_lin = (uint32_t(f.fds) << 4) + f.fdp;
  uint32_t w[7];
  w[0] = f.fcw;
  w[1] = f.fsw;
  w[2] = f.ftw;
  if (fmt.real) {
    w[3] = fip_lin & 0xffff;
    w[4] = ((fip_lin >> 16) << 12) | f.fop;
    w[5] = fdp_lin & 0xffff;
    w[6] = (fdp_lin >> 16) << 12;
  } else {
    w[3] = f.fip;
    w[4] = f.fcs | (uint32_t(f.fop) << 16);
    w[5] = f.fdp;
    w[6] = f.fds;
  }
  if (fmt.op16) {
    for (unsigned i = 0; i < 7; i++) fpu.st_(m, 2 * i, 2, w[i]);
    return;
  }
  // The unused upper halves are stored as ones, as the processor does.
  for (unsigned i : {0u, 1u, 2u}) w[i] |= 0xffff0000u;
  if (fmt.real) {
    w[3] |= 0xffff0000u;
    w[5] |= 0xffff0000u;
  } else {
    w[6] |= 0xffff0000u;
  }
  for (unsigned i = 0; i < 7; i++) fpu.st_(m, 4 * i, 4, w[i]);
}

// Tags after FLDENV/FRSTOR/FXRSTOR: only "empty" is taken from memory; the others are
// recomputed from the register contents (SDM Vol.1 §8.1.7).
void retag(Fpu& fpu, uint8_t nonempty_mask) {
  for (unsigned p = 0; p < 8; p++)
    fpu.set_tag(p, (nonempty_mask >> p) & 1 ? Fpu::tag_of(fpu.f.r[p]) : unsigned(kTagEmpty));
}

void load_env(Fpu& fpu, const Mem& m, EnvFormat fmt) {
  FpuState& f = fpu.f;
  uint32_t w[7];
  for (unsigned i = 0; i < 7; i++) w[i] = fmt.op16 ? fpu.ld(m, 2 * i, 2) : fpu.ld(m, 4 * i, 4);
  f.fcw = uint16_t(w[0]);
  f.fsw = uint16_t(w[1]);
  const uint16_t ftw = uint16_t(w[2]);
  if (fmt.real) {
    f.fip = (w[3] & 0xffff) | ((w[4] >> 12 & 0xffff) << 16);
    f.fop = uint16_t(w[4] & 0x7ff);
    f.fdp = (w[5] & 0xffff) | ((w[6] >> 12 & 0xffff) << 16);
    if (fmt.op16) f.fip &= 0xfffff, f.fdp &= 0xfffff;
    f.fcs = f.fds = 0;
  } else {
    f.fip = fmt.op16 ? w[3] & 0xffff : w[3];
    f.fcs = uint16_t(w[4]);
    f.fop = fmt.op16 ? f.fop : uint16_t((w[4] >> 16) & 0x7ff);
    f.fdp = fmt.op16 ? w[5] & 0xffff : w[5];
    f.fds = uint16_t(w[6]);
  }
  uint8_t nonempty = 0;
  for (unsigned p = 0; p < 8; p++)
    if (((ftw >> (2 * p)) & 3) != kTagEmpty) nonempty |= uint8_t(1u << p);
  retag(fpu, nonempty);
  fpu.update_es();
}

void save_state(Fpu& fpu, const Mem& m, bool op16) {
  const EnvFormat fmt = env_format(fpu, op16);
  fpu.probe_store(m, fmt.size() + 80);
  store_env(fpu, m, fmt);
  for (unsigned i = 0; i < 8; i++) fpu.st80(m, fmt.size() + 10 * i, fpu.st(i));
  init(fpu.f);
}

void restore_state(Fpu& fpu, const Mem& m, bool op16) {
  const EnvFormat fmt = env_format(fpu, op16);
  // Read everything before changing anything, so a fault leaves the FPU as it was.
  F80 regs[8];
  for (unsigned i = 0; i < 8; i++) regs[i] = fpu.ld80(m, fmt.size() + 10 * i);
  const uint16_t ftw = uint16_t(fpu.ld(m, fmt.op16 ? 4 : 8, 2));
  load_env(fpu, m, fmt);
  uint8_t nonempty = 0;
  for (unsigned p = 0; p < 8; p++)
    if (((ftw >> (2 * p)) & 3) != kTagEmpty) nonempty |= uint8_t(1u << p);
  for (unsigned i = 0; i < 8; i++) fpu.f.r[fpu.phys(i)] = regs[i];
  retag(fpu, nonempty);
}

}  // namespace

void fldenv(Fpu& fpu, const Operands& o) { load_env(fpu, o.m, env_format(fpu, o.op16)); }

// FLDCW: newly unmasked pending exceptions become pending (ES).
void fldcw(Fpu& fpu, const Operands& o) {
  fpu.f.fcw = uint16_t(fpu.ld(o.m, 0, 2));
  fpu.update_es();
}

// FNSTENV, then mask every exception.
void fnstenv(Fpu& fpu, const Operands& o) {
  const EnvFormat fmt = env_format(fpu, o.op16);
  fpu.probe_store(o.m, fmt.size());
  store_env(fpu, o.m, fmt);
  fpu.f.fcw |= sf::exc::kAll;
  fpu.update_es();
}

void fnstcw(Fpu& fpu, const Operands& o) { fpu.st_(o.m, 0, 2, fpu.f.fcw); }
void frstor(Fpu& fpu, const Operands& o) { restore_state(fpu, o.m, o.op16); }
void fnsave(Fpu& fpu, const Operands& o) { save_state(fpu, o.m, o.op16); }
void fnstsw_m16(Fpu& fpu, const Operands& o) { fpu.st_(o.m, 0, 2, fpu.f.fsw); }
void fnstsw_ax(Fpu& fpu, const Operands&) { fpu.cpu.set_reg(EAX, 2, fpu.f.fsw); }

void fnclex(Fpu& fpu, const Operands&) {
  fpu.f.fsw &= uint16_t(~(sf::exc::kAll | fsw::SF | fsw::ES | fsw::B));
  fpu.f.ferr = 0;
}

void fninit(Fpu& fpu, const Operands&) { init(fpu.f); }

}  // namespace cpu::x87

namespace cpu {

// FXSAVE/FXRSTOR (SDM Vol.2 FXSAVE, table "Layout of FXSAVE and FXRSTOR Memory Region"): the
// 512-byte image with the abridged tag word (one bit per physical register: 1 = not empty).
// The XMM area stays zero until SSE exists. The operand must be 16-byte aligned (#GP(0)).
uint32_t helper_fxsave(Cpu& cpu, uint32_t off, uint32_t b, uint32_t, uint32_t restore) {
  using namespace x87;
  const Mem m{b & 7, off, (b & kX87Addr16) != 0};
  if (cpu.s.cr0 & (cr0::EM | cr0::TS)) raise(kNM);
  if ((cpu.s.seg[m.seg].base + off) & 15) raise(kGP, 0);
  Fpu fpu(cpu);
  FpuState& f = cpu.s.fpu;
  constexpr uint32_t kMxcsrMask = 0xffbf;  // every MXCSR bit but DAZ is writable
  if (!restore) {
    fpu.probe_store(m, 512);
    uint8_t ftw = 0;
    for (unsigned p = 0; p < 8; p++)
      if (fpu.tag(p) != kTagEmpty) ftw |= uint8_t(1u << p);
    fpu.st_(m, 0, 4, f.fcw | uint32_t(f.fsw) << 16);
    fpu.st_(m, 4, 4, ftw | uint32_t(f.fop) << 16);
    fpu.st_(m, 8, 4, f.fip);
    fpu.st_(m, 12, 4, f.fcs);
    fpu.st_(m, 16, 4, f.fdp);
    fpu.st_(m, 20, 4, f.fds);
    fpu.st_(m, 24, 4, f.mxcsr);
    fpu.st_(m, 28, 4, kMxcsrMask);
    for (unsigned i = 0; i < 8; i++) {
      fpu.st80(m, 32 + 16 * i, fpu.st(i));
      fpu.st_(m, 32 + 16 * i + 10, 2, 0);
      fpu.st_(m, 32 + 16 * i + 12, 4, 0);
    }
    for (uint32_t i = 160; i < 512; i += 4) fpu.st_(m, i, 4, 0);
    return 0;
  }
  // FXRSTOR: read everything (and check MXCSR) before changing anything.
  const uint32_t w0 = fpu.ld(m, 0, 4), w1 = fpu.ld(m, 4, 4);
  const uint32_t fip = fpu.ld(m, 8, 4), fcs = fpu.ld(m, 12, 4);
  const uint32_t fdp = fpu.ld(m, 16, 4), fds = fpu.ld(m, 20, 4), mxcsr = fpu.ld(m, 24, 4);
  if (mxcsr & ~kMxcsrMask) raise(kGP, 0);
  F80 regs[8];
  for (unsigned i = 0; i < 8; i++) regs[i] = fpu.ld80(m, 32 + 16 * i);
  f.fcw = uint16_t(w0);
  f.fsw = uint16_t(w0 >> 16);
  f.fop = uint16_t((w1 >> 16) & 0x7ff);
  f.fip = fip;
  f.fcs = uint16_t(fcs);
  f.fdp = fdp;
  f.fds = uint16_t(fds);
  f.mxcsr = mxcsr;
  for (unsigned i = 0; i < 8; i++) f.r[fpu.phys(i)] = regs[i];
  retag(fpu, uint8_t(w1));
  fpu.update_es();
  return 0;
}

}  // namespace cpu
