// The x87 escape instructions (D8-DF) decoded once, at translation time: select() maps an 11-bit
// FOP (the low three opcode bits and ModRM, as FNSTENV stores it) to the leaf that executes it
// and to the checks Helper::X87 makes before it. The lowering puts the leaf in the call's k
// immediate; at run time the helper indexes a table with it and never looks at the opcode again.
// The decode follows the SDM Vol.2 opcode map, tables.
#pragma once

#include <array>
#include <cstdint>

namespace cpu::x87 {

// The binary operations by what they compute, with a = ST(0) and b the other operand. ModRM.reg
// 0, 1, 4..7 of D8, DA, DC and DE select them in this order. In the DC and DE register forms the
// SDM's mnemonics swap SUB/SUBR and DIV/DIVR (FSUBR ST(i), ST(0) is ST(i) = ST(0) - ST(i)); the
// computation stays "ST(0) op other", only the destination changes.
enum class BinOp : uint8_t { Add, Mul, Sub, SubR, Div, DivR };
// The operand forms of the arithmetic: ST(0) op memory (D8 m32fp, DA m32int, DC m64fp, DE m16int),
// ST(0) = ST(0) op ST(i) (D8), ST(i) = ST(0) op ST(i) (DC), and the same then pop (DE).
enum class ArithForm : uint8_t { M32fp, M32int, M64fp, M16int, St0, Sti, StiPop };
constexpr unsigned kBinOps = 6, kArithForms = 7;
// The memory forms of the comparisons, FCOM and FCOMP, in the ArithForm order of their operand.
constexpr unsigned kMemForms = 4;

// Leaves, grouped by the file that holds them. Aliases share their instruction's leaf: FSTP1,
// FSTP8, FSTP9 (FSTP ST(i)), FXCH4, FXCH7 (FXCH), FCOM2 (FCOM), FCOMP3, FCOMP5 (FCOMP). The SDM
// leaves them blank, but the processor executes them as those instructions (and so does the
// host this is tested on).
// clang-format off
enum class Leaf : uint8_t {
  Invalid,  // blank in the opcode map and #UD on the processor
  // x87_arith.cpp. Arithmetic: arith_leaf(op, form).
  ArithFirst,
  ArithLast = ArithFirst + kBinOps * kArithForms - 1,
  // FCOM and FCOMP with a memory operand: compare_mem_leaf(pop, form).
  CompareMemFirst,
  CompareMemLast = CompareMemFirst + 2 * kMemForms - 1,
  Fcom, Fcomp, Fcompp, Fucom, Fucomp, Fucompp, Fcomi, Fcomip, Fucomi, Fucomip,
  // FCMOVB, FCMOVE, FCMOVBE, FCMOVU (DA /0-3), then their negations (DB /0-3).
  FcmovFirst,
  FcmovLast = FcmovFirst + 7,
  Fchs, Fabs, Ftst, Fxam, F2xm1, Fyl2x, Fptan, Fpatan, Fxtract, Fprem1, Fprem, Fyl2xp1, Fsqrt,
  Fsincos, Frndint, Fscale, Fsin, Fcos,
  // x87_mem.cpp
  FldM32fp, FldM64fp, FldM80fp, FstM32fp, FstM64fp, FstpM32fp, FstpM64fp, FstpM80fp,
  FildM16, FildM32, FildM64, FistM16, FistM32, FistpM16, FistpM32, FistpM64, Fbld, Fbstp,
  FldSti, Fxch, FstSti, FstpSti, Ffree, Ffreep, Fdecstp, Fincstp,
  // FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (D9 E8-EE)
  FldConstFirst,
  FldConstLast = FldConstFirst + 6,
  Nop,  // FNOP, and the 8087/287 FNENI, FNDISI, FNSETPM, which a 387 and later ignore
  // x87_env.cpp
  Fldenv, Fldcw, Fnstenv, Fnstcw, Frstor, Fnsave, FnstswM16, FnstswAx, Fnclex, Fninit,
  kCount
};
// clang-format on

constexpr Leaf arith_leaf(BinOp op, ArithForm form) {
  return Leaf(unsigned(Leaf::ArithFirst) + unsigned(op) * kArithForms + unsigned(form));
}
constexpr Leaf compare_mem_leaf(bool pop, ArithForm form) {
  return Leaf(unsigned(Leaf::CompareMemFirst) + (pop ? kMemForms : 0) + unsigned(form));
}

struct Selection {
  Leaf leaf = Leaf::Invalid;
  // A control instruction (SDM Vol.1 §8.1.8): it leaves FIP, FCS, FOP, FDP and FDS alone.
  bool control = false;
  // A non-waiting (FN) form: it does not check for pending unmasked exceptions first.
  bool nonwaiting = false;
};

namespace detail {

using L = Leaf;
// ModRM.reg 0..7 selects the instruction of a memory form (tables ... A-21).
// DB /1, DD /1 and DF /1 are FISTTP (SSE3), decoded and refused before the x87 lowering.
constexpr std::array<Leaf, 8> kMemD9 = {L::FldM32fp, L::Invalid, L::FstM32fp, L::FstpM32fp,
                                        L::Fldenv,   L::Fldcw,   L::Fnstenv,  L::Fnstcw};
constexpr std::array<Leaf, 8> kMemDB = {L::FildM32, L::Invalid,  L::FistM32, L::FistpM32,
                                        L::Invalid, L::FldM80fp, L::Invalid, L::FstpM80fp};
constexpr std::array<Leaf, 8> kMemDD = {L::FldM64fp, L::Invalid, L::FstM64fp, L::FstpM64fp,
                                        L::Frstor,   L::Invalid, L::Fnsave,   L::FnstswM16};
constexpr std::array<Leaf, 8> kMemDF = {L::FildM16, L::Invalid, L::FistM16, L::FistpM16,
                                        L::Fbld,    L::FildM64, L::Fbstp,   L::FistpM64};
// ModRM.rm selects the instruction in the rows of D9 (table A-10) and DB E0-E7 (table A-14).
constexpr std::array<Leaf, 8> kD9E0 = {L::Fchs, L::Fabs, L::Invalid, L::Invalid,
                                       L::Ftst, L::Fxam, L::Invalid, L::Invalid};
constexpr std::array<Leaf, 8> kD9F0 = {L::F2xm1,   L::Fyl2x,  L::Fptan,   L::Fpatan,
                                       L::Fxtract, L::Fprem1, L::Fdecstp, L::Fincstp};
constexpr std::array<Leaf, 8> kD9F8 = {L::Fprem,   L::Fyl2xp1, L::Fsqrt, L::Fsincos,
                                       L::Frndint, L::Fscale,  L::Fsin,  L::Fcos};
constexpr std::array<Leaf, 8> kDBE0 = {L::Nop, L::Nop,     L::Fnclex,  L::Fninit,
                                       L::Nop, L::Invalid, L::Invalid, L::Invalid};
// ModRM.reg selects the instruction of the register forms of DD and DF (tables ).
constexpr std::array<Leaf, 8> kRegDD = {L::Ffree, L::Fxch,   L::FstSti,  L::FstpSti,
                                        L::Fucom, L::Fucomp, L::Invalid, L::Invalid};
constexpr std::array<Leaf, 8> kRegDF = {L::Ffreep,   L::Fxch,    L::FstpSti, L::FstpSti,
                                        L::FnstswAx, L::Fucomip, L::Fcomip,  L::Invalid};

// ModRM.reg of the arithmetic escapes: 2 and 3 are the comparisons.
constexpr std::array<BinOp, 8> kBinOp = {BinOp::Add, BinOp::Mul,  BinOp::Add, BinOp::Add,
                                         BinOp::Sub, BinOp::SubR, BinOp::Div, BinOp::DivR};

constexpr Leaf select_mem(unsigned esc, unsigned reg) {
  switch (esc) {
    case 1: return kMemD9[reg];
    case 3: return kMemDB[reg];
    case 5: return kMemDD[reg];
    case 7: return kMemDF[reg];
    default: {  // D8, DA, DC, DE: the operand is m32fp, m32int, m64fp, m16int
      const auto form = ArithForm(esc / 2);
      if (reg == 2 || reg == 3) return compare_mem_leaf(reg == 3, form);
      return arith_leaf(kBinOp[reg], form);
    }
  }
}

constexpr Leaf select_reg(unsigned esc, unsigned reg, unsigned rm) {
  switch (esc) {
    case 0:
      if (reg == 2 || reg == 3) return reg == 2 ? L::Fcom : L::Fcomp;
      return arith_leaf(kBinOp[reg], ArithForm::St0);
    case 1:
      switch (reg) {
        case 0: return L::FldSti;
        case 1: return L::Fxch;
        case 2: return rm == 0 ? L::Nop : L::Invalid;
        case 3: return L::FstpSti;  // FSTP1
        case 4: return kD9E0[rm];
        case 5: return rm == 7 ? L::Invalid : Leaf(unsigned(L::FldConstFirst) + rm);
        case 6: return kD9F0[rm];
        default: return kD9F8[rm];
      }
    case 2:
      if (reg < 4) return Leaf(unsigned(L::FcmovFirst) + reg);
      return reg == 5 && rm == 1 ? L::Fucompp : L::Invalid;
    case 3:
      if (reg < 4) return Leaf(unsigned(L::FcmovFirst) + 4 + reg);
      if (reg == 4) return kDBE0[rm];
      return reg == 5 ? L::Fucomi : reg == 6 ? L::Fcomi : L::Invalid;
    case 4:  // FCOM2, FCOMP3
      if (reg == 2 || reg == 3) return reg == 2 ? L::Fcom : L::Fcomp;
      return arith_leaf(kBinOp[reg], ArithForm::Sti);
    case 5: return kRegDD[reg];
    case 6:
      if (reg == 2) return L::Fcomp;  // FCOMP5
      if (reg == 3) return rm == 1 ? L::Fcompp : L::Invalid;
      return arith_leaf(kBinOp[reg], ArithForm::StiPop);
    default:
      if (reg == 4 && rm != 0) return L::Invalid;
      return kRegDF[reg];
  }
}

}  // namespace detail

constexpr Selection select(uint16_t fop) {
  const unsigned esc = (fop >> 8) & 7, reg = (fop >> 3) & 7, rm = fop & 7;
  const bool mem = ((fop >> 6) & 3) != 3;
  const Leaf leaf = mem ? detail::select_mem(esc, reg) : detail::select_reg(esc, reg, rm);
  if (leaf == Leaf::Invalid) return {};
  // Memory: FLDENV, FLDCW, FNSTENV, FNSTCW (D9 /4-7), FRSTOR, FNSAVE, FNSTSW (DD /4, /6, /7).
  // Registers: FNCLEX, FNINIT and the 287 no-ops (DB E0-E4), FNSTSW AX (DF E0). All but the
  // loads are FN forms.
  if (mem) {
    const bool control = (esc == 1 && reg >= 4) || (esc == 5 && reg >= 4);
    return {leaf, control, control && reg >= 6};
  }
  const bool control = (esc == 3 || esc == 7) && reg == 4;
  return {leaf, control, control};
}

}  // namespace cpu::x87
