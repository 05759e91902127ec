// The host side of the x87 differential test (see host_x87.h).
#include "tests/softfloat/host_x87.h"

#include <cstring>

namespace fpudiff {

const char* host_op_name(HostOp op) {
  static constexpr const char* kNames[] = {
      "add",    "sub",    "mul",   "div",    "sqrt",   "prem",   "prem1",    "rndint",   "scale",
      "xtract", "com",    "ucom",  "xam",    "fld32",  "fld64",  "fild16",   "fild32",   "fild64",
      "fbld",   "fst32",  "fst64", "fist16", "fist32", "fist64", "fisttp16", "fisttp32", "fisttp64",
      "fbstp",  "ld1",    "ldl2t", "ldl2e",  "ldpi",   "ldlg2",  "ldln2",    "ldz",      "sin",
      "cos",    "sincos", "ptan",  "patan",  "f2xm1",  "fyl2x",  "fyl2xp1"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == size_t(HostOp::Count));
  return kNames[size_t(op)];
}

#if defined(__x86_64__)

bool host_x87_available() { return true; }

namespace {

// FNSAVE image (32-bit protected-mode layout, which 64-bit mode also uses).
struct SaveArea {
  uint32_t fcw, fsw, ftw, fip, fcs, fdp, fds;
  uint8_t regs[80];
};
static_assert(sizeof(SaveArea) == 108);

// One instruction between a fixed prologue and epilogue: reset, load the operands with the
// default (all-masked) control word, clear the flags, switch to the control word under test, run
// the instruction, dump everything with FNSAVE. The operand string selects how many operands are
// loaded; the instruction text is an AT&T string literal. `mem` is the memory operand %[m].
#define GHOST86_X87_RUN(LOADS, INSN)                            \
  asm volatile("fninit\n\t" LOADS                               \
               "fnclex\n\t"                                     \
               "fldcw %[cw]\n\t" INSN                           \
               "\n\t"                                           \
               "fnsave %[save]\n\t"                             \
               : [save] "=m"(save), [m] "+m"(mem)               \
               : [a] "m"(in.a), [b] "m"(in.b), [cw] "m"(in.fcw) \
               : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)")

}  // namespace

HostOut host_x87(HostOp op, const HostIn& in) {
  SaveArea save{};
  struct {
    uint8_t b[10];
  } mem;
  std::memcpy(mem.b, in.mem, 10);
  const bool is_store = op >= HostOp::Fst32 && op <= HostOp::Fbstp;
  if (is_store) std::memset(mem.b, 0xa5, 10);
#define TWO "fldt %[b]\n\tfldt %[a]\n\t"
#define ONE "fldt %[a]\n\t"
  switch (op) {
    case HostOp::Add: GHOST86_X87_RUN(TWO, "fadd %%st(1), %%st"); break;
    case HostOp::Sub: GHOST86_X87_RUN(TWO, "fsub %%st(1), %%st"); break;
    case HostOp::Mul: GHOST86_X87_RUN(TWO, "fmul %%st(1), %%st"); break;
    case HostOp::Div: GHOST86_X87_RUN(TWO, "fdiv %%st(1), %%st"); break;
    case HostOp::Sqrt: GHOST86_X87_RUN(ONE, "fsqrt"); break;
    case HostOp::Prem: GHOST86_X87_RUN(TWO, "fprem"); break;
    case HostOp::Prem1: GHOST86_X87_RUN(TWO, "fprem1"); break;
    case HostOp::Rndint: GHOST86_X87_RUN(ONE, "frndint"); break;
    case HostOp::Scale: GHOST86_X87_RUN(TWO, "fscale"); break;
    case HostOp::Xtract: GHOST86_X87_RUN(ONE, "fxtract"); break;
    case HostOp::Com: GHOST86_X87_RUN(TWO, "fcom %%st(1)"); break;
    case HostOp::Ucom: GHOST86_X87_RUN(TWO, "fucom %%st(1)"); break;
    case HostOp::Xam: GHOST86_X87_RUN(ONE, "fxam"); break;
    case HostOp::Fld32: GHOST86_X87_RUN("", "flds %[m]"); break;
    case HostOp::Fld64: GHOST86_X87_RUN("", "fldl %[m]"); break;
    case HostOp::Fild16: GHOST86_X87_RUN("", "filds %[m]"); break;
    case HostOp::Fild32: GHOST86_X87_RUN("", "fildl %[m]"); break;
    case HostOp::Fild64: GHOST86_X87_RUN("", "fildll %[m]"); break;
    case HostOp::Fbld: GHOST86_X87_RUN("", "fbld %[m]"); break;
    case HostOp::Fst32: GHOST86_X87_RUN(ONE, "fsts %[m]"); break;
    case HostOp::Fst64: GHOST86_X87_RUN(ONE, "fstl %[m]"); break;
    case HostOp::Fist16: GHOST86_X87_RUN(ONE, "fists %[m]"); break;
    case HostOp::Fist32: GHOST86_X87_RUN(ONE, "fistl %[m]"); break;
    case HostOp::Fist64: GHOST86_X87_RUN(ONE, "fistpll %[m]"); break;
    case HostOp::Fisttp16: GHOST86_X87_RUN(ONE, "fisttps %[m]"); break;
    case HostOp::Fisttp32: GHOST86_X87_RUN(ONE, "fisttpl %[m]"); break;
    case HostOp::Fisttp64: GHOST86_X87_RUN(ONE, "fisttpll %[m]"); break;
    case HostOp::Fbstp: GHOST86_X87_RUN(ONE, "fbstp %[m]"); break;
    case HostOp::Ld1: GHOST86_X87_RUN("", "fld1"); break;
    case HostOp::LdL2T: GHOST86_X87_RUN("", "fldl2t"); break;
    case HostOp::LdL2E: GHOST86_X87_RUN("", "fldl2e"); break;
    case HostOp::LdPi: GHOST86_X87_RUN("", "fldpi"); break;
    case HostOp::LdLG2: GHOST86_X87_RUN("", "fldlg2"); break;
    case HostOp::LdLN2: GHOST86_X87_RUN("", "fldln2"); break;
    case HostOp::LdZ: GHOST86_X87_RUN("", "fldz"); break;
    case HostOp::Sin: GHOST86_X87_RUN(ONE, "fsin"); break;
    case HostOp::Cos: GHOST86_X87_RUN(ONE, "fcos"); break;
    case HostOp::Sincos: GHOST86_X87_RUN(ONE, "fsincos"); break;
    case HostOp::Ptan: GHOST86_X87_RUN(ONE, "fptan"); break;
    case HostOp::Patan: GHOST86_X87_RUN(TWO, "fpatan"); break;
    case HostOp::F2xm1: GHOST86_X87_RUN(ONE, "f2xm1"); break;
    case HostOp::Fyl2x: GHOST86_X87_RUN(TWO, "fyl2x"); break;
    case HostOp::Fyl2xp1: GHOST86_X87_RUN(TWO, "fyl2xp1"); break;
    case HostOp::Count: break;
  }
#undef TWO
#undef ONE
  HostOut out;
  out.fsw = uint16_t(save.fsw);
  out.ftw = uint16_t(save.ftw);
  for (int i = 0; i < 8; ++i) {
    std::memcpy(&out.st[i].sig, save.regs + 10 * i, 8);
    std::memcpy(&out.st[i].se, save.regs + 10 * i + 8, 2);
  }
  const int top = (out.fsw >> 11) & 7;
  for (int i = 0; i < 8; ++i) {
    if (((out.ftw >> (2 * ((top + i) & 7))) & 3) != 3) ++out.depth;
  }
  std::memcpy(out.mem, mem.b, 10);
  return out;
}

#undef GHOST86_X87_RUN

#else

bool host_x87_available() { return false; }
HostOut host_x87(HostOp, const HostIn&) { return {}; }

#endif

}  // namespace fpudiff
