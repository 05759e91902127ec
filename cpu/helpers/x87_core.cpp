// The x87 entry points: Helper::X87 runs one escape instruction (D8-DF) through the leaf the
// lowering chose (cpu/helpers/x87_select.h), after the checks every x87 instruction makes
// (SDM Vol.1 §8.1.8, §8.7; Vol.3 §2.5 table 2-2), and Helper::Fwait runs WAIT/FWAIT.
#include <array>

#include "cpu/helpers/x87.h"

namespace cpu {
namespace x87 {

unsigned Fpu::tag_of(F80 v) {
  switch (sf::classify(v)) {
    case sf::Class::Zero: return kTagZero;
    case sf::Class::Normal: return kTagValid;
    default: return kTagSpecial;  // NaN, infinity, denormal, unsupported
  }
}

void Fpu::update_es() {
  const bool es = f.fsw & ~f.fcw & sf::exc::kAll;
  f.fsw = uint16_t((f.fsw & ~(fsw::ES | fsw::B)) | (es ? fsw::ES | fsw::B : 0));
  if (!es) f.ferr = 0;
}

bool Fpu::signal(uint16_t flags) {
  flags &= sf::exc::kAll;
  // A masked denormal operand is only recorded; an unmasked #I, #D or #Z suppresses the result
  // and, by the precedence of §8.5, the lower-priority flags with it.
  const uint16_t unmasked = flags & ~f.fcw;
  if (unmasked & (sf::exc::IE | sf::exc::DE | sf::exc::ZE)) {
    f.fsw |= unmasked & (sf::exc::IE | sf::exc::DE | sf::exc::ZE);
    update_es();
    return true;
  }
  f.fsw |= flags;
  update_es();
  return false;
}

bool Fpu::stack_fault(bool overflow) {
  f.fsw |= fsw::IE | fsw::SF;
  set_c1(overflow);
  update_es();
  return masked(fsw::IE);
}

void Fpu::probe_store(const Mem& m, uint32_t len) {
  const uint32_t first = cpu.check_seg(m.seg, m.off, len, kSegWrite);
  cpu.mmu().translate(first, mmu::Access::Write);
  cpu.mmu().translate(first + len - 1, mmu::Access::Write);
}

void init(FpuState& f) {
  f.fcw = 0x037f;
  f.fsw = 0;
  f.ftw = 0xffff;
  f.fop = 0;
  f.fip = f.fdp = 0;
  f.fcs = f.fds = 0;
  f.ferr = 0;
}

// A pending unmasked exception at a waiting instruction: #MF with CR0.NE, otherwise the PC's
// FERR# -> IRQ 13 path and the instruction runs (as with IGNNE#). FERR# is signalled once per
// pending exception; the board latches it until a write to port F0h.
void check_pending(Cpu& cpu) {
  FpuState& f = cpu.s.fpu;
  if (!(f.fsw & fsw::ES)) return;
  if (cpu.s.cr0 & cr0::NE) raise(kMF);
  if (f.ferr) return;
  f.ferr = 1;
  if (cpu.fpu_error) cpu.fpu_error();
}

namespace {

[[noreturn]] void invalid(Fpu&, const Operands&) { raise(kUD); }

using Table = std::array<LeafFn, 256>;

template <BinOp op>
constexpr void put_arith(Table& t) {
  using A = Arith<op>;
  const LeafFn forms[kArithForms] = {&A::m32fp, &A::m32int, &A::m64fp,  &A::m16int,
                                     &A::st0,   &A::sti,    &A::sti_pop};
  for (unsigned f = 0; f < kArithForms; f++) t[unsigned(arith_leaf(op, ArithForm(f)))] = forms[f];
}

template <unsigned pops>
constexpr void put_compare_mem(Table& t) {
  using C = Compare<false, pops>;
  const LeafFn forms[kMemForms] = {&C::m32fp, &C::m32int, &C::m64fp, &C::m16int};
  for (unsigned f = 0; f < kMemForms; f++)
    t[unsigned(compare_mem_leaf(pops != 0, ArithForm(f)))] = forms[f];
}

// The leaves by Leaf; every other k raises #UD, so no value of the 8-bit immediate can index
// past the table.
constexpr Table kLeaves = [] {
  Table t{};
  t.fill(&invalid);
  auto put = [&t](Leaf l, LeafFn fn) { t[unsigned(l)] = fn; };
  put_arith<BinOp::Add>(t);
  put_arith<BinOp::Mul>(t);
  put_arith<BinOp::Sub>(t);
  put_arith<BinOp::SubR>(t);
  put_arith<BinOp::Div>(t);
  put_arith<BinOp::DivR>(t);
  put_compare_mem<0>(t);
  put_compare_mem<1>(t);
  put(Leaf::Fcom, &Compare<false, 0>::sti);
  put(Leaf::Fcomp, &Compare<false, 1>::sti);
  put(Leaf::Fcompp, &Compare<false, 2>::sti);
  put(Leaf::Fucom, &Compare<true, 0>::sti);
  put(Leaf::Fucomp, &Compare<true, 1>::sti);
  put(Leaf::Fucompp, &Compare<true, 2>::sti);
  put(Leaf::Fcomi, &Compare<false, 0>::sti_eflags);
  put(Leaf::Fcomip, &Compare<false, 1>::sti_eflags);
  put(Leaf::Fucomi, &Compare<true, 0>::sti_eflags);
  put(Leaf::Fucomip, &Compare<true, 1>::sti_eflags);
  const LeafFn fcmovs[] = {&fcmov<B>,  &fcmov<E>,  &fcmov<BE>, &fcmov<P>,
                           &fcmov<AE>, &fcmov<NE>, &fcmov<A>,  &fcmov<NP>};
  for (unsigned i = 0; i < 8; i++) t[unsigned(Leaf::FcmovFirst) + i] = fcmovs[i];
  put(Leaf::Fchs, &fchs);
  put(Leaf::Fabs, &fabs);
  put(Leaf::Ftst, &ftst);
  put(Leaf::Fxam, &fxam);
  put(Leaf::F2xm1, &f2xm1);
  put(Leaf::Fyl2x, &fyl2x);
  put(Leaf::Fptan, &fptan);
  put(Leaf::Fpatan, &fpatan);
  put(Leaf::Fxtract, &fxtract);
  put(Leaf::Fprem1, &fprem1);
  put(Leaf::Fprem, &fprem);
  put(Leaf::Fyl2xp1, &fyl2xp1);
  put(Leaf::Fsqrt, &fsqrt);
  put(Leaf::Fsincos, &fsincos);
  put(Leaf::Frndint, &frndint);
  put(Leaf::Fscale, &fscale);
  put(Leaf::Fsin, &fsin);
  put(Leaf::Fcos, &fcos);
  put(Leaf::FldM32fp, &Real<0>::load);
  put(Leaf::FldM64fp, &Real<1>::load);
  put(Leaf::FldM80fp, &Real<2>::load);
  put(Leaf::FstM32fp, &Real<0>::store);
  put(Leaf::FstM64fp, &Real<1>::store);
  put(Leaf::FstpM32fp, &Real<0>::store_pop);
  put(Leaf::FstpM64fp, &Real<1>::store_pop);
  put(Leaf::FstpM80fp, &Real<2>::store_pop);
  put(Leaf::FildM16, &Int<2>::load);
  put(Leaf::FildM32, &Int<4>::load);
  put(Leaf::FildM64, &Int<8>::load);
  put(Leaf::FistM16, &Int<2>::store);
  put(Leaf::FistM32, &Int<4>::store);
  put(Leaf::FistpM16, &Int<2>::store_pop);
  put(Leaf::FistpM32, &Int<4>::store_pop);
  put(Leaf::FistpM64, &Int<8>::store_pop);
  put(Leaf::Fbld, &fbld);
  put(Leaf::Fbstp, &fbstp);
  put(Leaf::FldSti, &fld_sti);
  const LeafFn consts[] = {&fld_const<sf::Const::One>, &fld_const<sf::Const::L2T>,
                           &fld_const<sf::Const::L2E>, &fld_const<sf::Const::Pi>,
                           &fld_const<sf::Const::LG2>, &fld_const<sf::Const::LN2>,
                           &fld_const<sf::Const::Zero>};
  for (unsigned i = 0; i < 7; i++) t[unsigned(Leaf::FldConstFirst) + i] = consts[i];
  put(Leaf::Fxch, &fxch);
  put(Leaf::FstSti, &fst_sti);
  put(Leaf::FstpSti, &fstp_sti);
  put(Leaf::Ffree, &ffree);
  put(Leaf::Ffreep, &ffreep);
  put(Leaf::Fdecstp, &fdecstp);
  put(Leaf::Fincstp, &fincstp);
  put(Leaf::Nop, &nop);
  put(Leaf::Fldenv, &fldenv);
  put(Leaf::Fldcw, &fldcw);
  put(Leaf::Fnstenv, &fnstenv);
  put(Leaf::Fnstcw, &fnstcw);
  put(Leaf::Frstor, &frstor);
  put(Leaf::Fnsave, &fnsave);
  put(Leaf::FnstswM16, &fnstsw_m16);
  put(Leaf::FnstswAx, &fnstsw_ax);
  put(Leaf::Fnclex, &fnclex);
  put(Leaf::Fninit, &fninit);
  return t;
}();

constexpr bool every_leaf_set() {
  for (unsigned l = 1; l < unsigned(Leaf::kCount); l++)
    if (kLeaves[l] == &invalid) return false;
  return true;
}
static_assert(every_leaf_set(), "a Leaf without its function in kLeaves");

}  // namespace
}  // namespace x87

using namespace x87;

// The checks every x87 instruction makes, in the processor's order (SDM Vol.3 §2.5 table 2-2,
// Vol.1 §8.1.8, §8.7), then the leaf the lowering chose.
uint32_t helper_x87(Cpu& cpu, uint32_t off, uint32_t b, uint32_t, uint32_t k) {
  if (cpu.s.cr0 & (cr0::EM | cr0::TS)) raise(kNM);
  if (!(b & kX87NoWait)) check_pending(cpu);
  const Operands o{b & 7, Mem{(b >> kX87SegShift) & 7, off, (b & kX87Addr16) != 0},
                   (b & kX87Op16) != 0};
  // The last-instruction pointers are recorded before execution, so an exception handler
  // sees the instruction that raised it even when the instruction faults (SDM Vol.1 §8.1.8).
  if (!(b & kX87Control)) {
    FpuState& f = cpu.s.fpu;
    f.fop = uint16_t(b & 0x7ff);
    f.fip = cpu.s.eip;
    f.fcs = cpu.s.seg[CS].sel;
    if (b & kX87HasMem) {
      f.fdp = off;
      f.fds = cpu.s.seg[o.m.seg].sel;
    }
  }
  Fpu fpu(cpu);
  kLeaves[k & 0xff](fpu, o);
  return 0;
}

uint32_t helper_fwait(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  // WAIT faults only when CR0.MP and CR0.TS are both set (SDM Vol.3 §2.5 table 2-2).
  if ((cpu.s.cr0 & cr0::MP) && (cpu.s.cr0 & cr0::TS)) raise(kNM);
  check_pending(cpu);
  return 0;
}

}  // namespace cpu
