// Runs one x87 instruction on the host CPU (x86-64 hosts only): the reference the soft-float core
// is compared against. Every host exception flag is cleared before the instruction; the control
// word under test may unmask exceptions, which is safe because the state is read back with FNSAVE
// (a non-waiting instruction that also reinitialises the FPU), so a pending unmasked exception
// never reaches a waiting instruction and the host never traps.
#pragma once

#include <cstdint>

#include "cpu/softfloat/f80.h"

namespace fpudiff {

// Operands: `a` is loaded last, so it is ST(0), and `b` is ST(1). Register forms use ST(0) as
// destination: Add is FADD ST(0),ST(1), Sub FSUB ST(0),ST(1), Prem FPREM (ST(0) rem ST(1)),
// Scale FSCALE, Com/Ucom compare ST(0) with ST(1), Patan/Fyl2x/Fyl2xp1 compute from ST(1) and
// ST(0) and pop. Memory forms use `mem`: loads read it, stores write it.
enum class HostOp : uint8_t {
  Add,
  Sub,
  Mul,
  Div,
  Sqrt,
  Prem,
  Prem1,
  Rndint,
  Scale,
  Xtract,
  Com,
  Ucom,
  Xam,
  Fld32,
  Fld64,
  Fild16,
  Fild32,
  Fild64,
  Fbld,
  Fst32,
  Fst64,
  Fist16,
  Fist32,
  Fist64,
  Fisttp16,
  Fisttp32,
  Fisttp64,
  Fbstp,
  Ld1,
  LdL2T,
  LdL2E,
  LdPi,
  LdLG2,
  LdLN2,
  LdZ,
  Sin,
  Cos,
  Sincos,
  Ptan,
  Patan,
  F2xm1,
  Fyl2x,
  Fyl2xp1,
  Count
};
const char* host_op_name(HostOp op);

struct HostIn {
  uint16_t fcw = 0x037f;
  sf::F80 a, b;
  uint8_t mem[10] = {};
};

struct HostOut {
  sf::F80 st[8];     // ST(0)..ST(7) after the instruction
  uint16_t fsw = 0;  // status word (exception flags, C0-C3, TOP)
  uint16_t ftw = 0;  // full tag word (2 bits per physical register; 3 = empty)
  uint8_t mem[10];   // memory operand after a store (untouched bytes stay 0xA5)
  int depth = 0;     // number of non-empty registers

  bool c0() const { return fsw & 0x100; }
  bool c1() const { return fsw & 0x200; }
  bool c2() const { return fsw & 0x400; }
  bool c3() const { return fsw & 0x4000; }
  uint16_t flags() const { return fsw & 0x3f; }
};

// False on hosts without an x87 (then host_x87() must not be called).
bool host_x87_available();
HostOut host_x87(HostOp op, const HostIn& in);

}  // namespace fpudiff
