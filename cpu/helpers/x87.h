// The x87 FPU as a unit of the processor (SDM Vol.1 ch.8): the register stack, tags, status and
// control words, exception signalling and memory operands. The arithmetic itself is sf:: (cpu/
// softfloat/f80.h); this header is shared by the cpu/helpers/x87*.cpp files only.
#pragma once

#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/helpers/helpers.h"
#include "cpu/helpers/x87_select.h"
#include "cpu/softfloat/f80.h"

namespace cpu::x87 {

using sf::F80;

// A memory operand of one instruction: offsets wrap at the address size.
struct Mem {
  unsigned seg = DS;
  uint32_t off = 0;
  bool a16 = false;
  uint32_t at(uint32_t i) const { return a16 ? (off + i) & 0xffff : off + i; }
};

// One instruction's view of the FPU.
class Fpu {
 public:
  explicit Fpu(Cpu& cpu) : cpu(cpu), f(cpu.s.fpu) {}
  Cpu& cpu;
  FpuState& f;

  unsigned top() const { return (f.fsw >> 11) & 7; }
  void set_top(unsigned t) { f.fsw = uint16_t((f.fsw & ~fsw::TOP) | ((t & 7) << 11)); }
  unsigned phys(unsigned i) const { return (top() + i) & 7; }
  unsigned tag(unsigned p) const { return (f.ftw >> (2 * p)) & 3; }
  void set_tag(unsigned p, unsigned t) {
    f.ftw = uint16_t((f.ftw & ~(3u << (2 * p))) | ((t & 3u) << (2 * p)));
  }
  bool empty(unsigned i) const { return tag(phys(i)) == kTagEmpty; }
  F80 st(unsigned i) const { return f.r[phys(i)]; }
  // Writes ST(i) and tags it from its contents.
  void set_st(unsigned i, F80 v) {
    f.r[phys(i)] = v;
    set_tag(phys(i), tag_of(v));
  }
  void push(F80 v) {
    set_top(top() - 1);
    set_st(0, v);
  }
  void pop() {
    set_tag(phys(0), kTagEmpty);
    set_top(top() + 1);
  }

  sf::Env env() const { return sf::Env::from_fcw(f.fcw); }
  bool masked(uint16_t e) const { return (f.fcw & e) == e; }

  void set_cc(bool c0, bool c1, bool c2, bool c3) {
    f.fsw = uint16_t((f.fsw & ~fsw::kCond) | (c0 ? fsw::C0 : 0) | (c1 ? fsw::C1 : 0) |
                     (c2 ? fsw::C2 : 0) | (c3 ? fsw::C3 : 0));
  }
  void set_c1(bool on) { f.fsw = uint16_t((f.fsw & ~fsw::C1) | (on ? fsw::C1 : 0)); }

  // Records exception flags in the status word (sticky) and updates ES and B. Returns true when
  // an unmasked invalid-operation, denormal or zero-divide exception means the destination must
  // stay untouched (SDM Vol.1 §8.5: pre-computation exceptions deliver no result).
  bool signal(uint16_t flags);
  // Stack fault (#IS, SDM Vol.1 §8.5.1.1): IE and SF, C1 = 1 for overflow, 0 for underflow.
  // Returns true when the exception is masked and the default response must be delivered.
  bool stack_fault(bool overflow);
  // Sets ES and B from the pending unmasked exceptions (after FLDCW, FLDENV, FRSTOR...).
  void update_es();
  // Merges an operation's result: flags, C1 from the rounding direction. Returns true when the
  // result is to be stored.
  bool finish(const sf::Env& e) {
    if (signal(e.flags)) return false;
    set_c1(e.rounded_up);
    return true;
  }

  static unsigned tag_of(F80 v);

  // Memory operands through segmentation and paging.
  uint32_t ld(const Mem& m, uint32_t i, unsigned size) { return cpu.load(m.seg, m.at(i), size); }
  uint64_t ld64(const Mem& m, uint32_t i) { return ld(m, i, 4) | uint64_t(ld(m, i + 4, 4)) << 32; }
  F80 ld80(const Mem& m, uint32_t i) { return {ld64(m, i), uint16_t(ld(m, i + 8, 2))}; }
  // Checks that `len` bytes at the operand can be written (limits and both pages), so a store
  // that faults writes nothing.
  void probe_store(const Mem& m, uint32_t len);
  void st_(const Mem& m, uint32_t i, unsigned size, uint32_t v) {
    cpu.store(m.seg, m.at(i), size, v);
  }
  void st64(const Mem& m, uint32_t i, uint64_t v) {
    st_(m, i, 4, uint32_t(v));
    st_(m, i + 4, 4, uint32_t(v >> 32));
  }
  void st80(const Mem& m, uint32_t i, F80 v) {
    st64(m, i, v.sig);
    st_(m, i + 8, 2, v.se);
  }
};

// What a leaf needs besides the FPU, decoded by the lowering: ST(i) (ModRM.rm of a register form),
// the memory operand of a memory form, and the operand size (the environment formats).
struct Operands {
  unsigned i = 0;
  Mem m;
  bool op16 = false;
};
// One instruction's execution once the checks of Helper::X87 are done (cpu/helpers/x87_select.h
// chooses it at translation time).
using LeafFn = void (*)(Fpu&, const Operands&);

// x87_arith.cpp. Member functions of class templates, so that one explicit instantiation per
// operation provides every form.
template <BinOp op>
struct Arith {
  static void m32fp(Fpu&, const Operands&);
  static void m32int(Fpu&, const Operands&);
  static void m64fp(Fpu&, const Operands&);
  static void m16int(Fpu&, const Operands&);
  static void st0(Fpu&, const Operands&);      // ST(0) = ST(0) op ST(i)
  static void sti(Fpu&, const Operands&);      // ST(i) = ST(0) op ST(i)
  static void sti_pop(Fpu&, const Operands&);  // the same, then pop
};
// FCOM/FCOMP/FCOMPP (quiet: FUCOM...) with ST(i) or memory, then `pops` pops; FCOMI and friends.
template <bool quiet, unsigned pops>
struct Compare {
  static void m32fp(Fpu&, const Operands&);
  static void m32int(Fpu&, const Operands&);
  static void m64fp(Fpu&, const Operands&);
  static void m16int(Fpu&, const Operands&);
  static void sti(Fpu&, const Operands&);
  static void sti_eflags(Fpu&, const Operands&);
};
template <Cond cc>
void fcmov(Fpu&, const Operands&);
void fchs(Fpu&, const Operands&);
void fabs(Fpu&, const Operands&);
void ftst(Fpu&, const Operands&);
void fxam(Fpu&, const Operands&);
void f2xm1(Fpu&, const Operands&);
void fyl2x(Fpu&, const Operands&);
void fptan(Fpu&, const Operands&);
void fpatan(Fpu&, const Operands&);
void fxtract(Fpu&, const Operands&);
void fprem1(Fpu&, const Operands&);
void fprem(Fpu&, const Operands&);
void fyl2xp1(Fpu&, const Operands&);
void fsqrt(Fpu&, const Operands&);
void fsincos(Fpu&, const Operands&);
void frndint(Fpu&, const Operands&);
void fscale(Fpu&, const Operands&);
void fsin(Fpu&, const Operands&);
void fcos(Fpu&, const Operands&);

// x87_mem.cpp. Real formats: 0 = m32fp, 1 = m64fp, 2 = m80fp; integers by size in bytes.
template <unsigned fmt>
struct Real {
  static void load(Fpu&, const Operands&);
  static void store(Fpu&, const Operands&);
  static void store_pop(Fpu&, const Operands&);
};
template <unsigned bytes>
struct Int {
  static void load(Fpu&, const Operands&);
  static void store(Fpu&, const Operands&);
  static void store_pop(Fpu&, const Operands&);
};
void fbld(Fpu&, const Operands&);
void fbstp(Fpu&, const Operands&);
void fld_sti(Fpu&, const Operands&);
template <sf::Const c>
void fld_const(Fpu&, const Operands&);
void fxch(Fpu&, const Operands&);
void fst_sti(Fpu&, const Operands&);
void fstp_sti(Fpu&, const Operands&);
void ffree(Fpu&, const Operands&);
void ffreep(Fpu&, const Operands&);
void fdecstp(Fpu&, const Operands&);
void fincstp(Fpu&, const Operands&);
void nop(Fpu&, const Operands&);

// x87_env.cpp: the control instructions.
void fldenv(Fpu&, const Operands&);
void fldcw(Fpu&, const Operands&);
void fnstenv(Fpu&, const Operands&);
void fnstcw(Fpu&, const Operands&);
void frstor(Fpu&, const Operands&);
void fnsave(Fpu&, const Operands&);
void fnstsw_m16(Fpu&, const Operands&);
void fnstsw_ax(Fpu&, const Operands&);
void fnclex(Fpu&, const Operands&);
void fninit(Fpu&, const Operands&);

// FNINIT's state (also what FNSAVE leaves behind).
void init(FpuState& f);
// A pending unmasked exception at a waiting instruction: #MF with CR0.NE, otherwise FERR#.
void check_pending(Cpu& cpu);

}  // namespace cpu::x87
