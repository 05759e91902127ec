// The opcode table (DESIGN.md §4 "cpu/"): one row per instruction mnemonic recording its
// lowering, whether it ends a block, whether LOCK is allowed, the CPUID feature it needs, and the
// flags the SDM leaves undefined (tests mask these).
#pragma once

#include <cstdint>

#include "cpu/lower/lower.h"

namespace cpu {

enum InsnFlag : uint8_t {
  kEnds = 1 << 0,      // must be the last instruction of a block
  kLockable = 1 << 1,  // LOCK prefix allowed (with a memory destination)
  kShadow = 1 << 2,    // inhibits interrupts for one instruction (MOV SS, POP SS, STI)
};

enum class Feature : uint8_t { Base, Cmov, Cx8, Tsc, Bswap /* 486 */, Cpuid };

struct InsnInfo {
  uint16_t mnemonic;
  LowerFn lower;
  uint8_t flags = 0;
  uint32_t undefined_flags = 0;  // EFLAGS bits the SDM leaves undefined
  Feature feature = Feature::Base;
};

// nullptr when the mnemonic has no lowering (the instruction raises #UD).
const InsnInfo* insn_info(uint16_t mnemonic);

// Lowerings, by instruction class. Each is defined in cpu/lower/<class>.cpp.
// --- datamov.cpp
void lower_mov(LowerCtx&);
void lower_nop(LowerCtx&);
// --- alu.cpp
void lower_alu(LowerCtx&);  // ADD ADC SUB SBB AND OR XOR CMP
void lower_incdec(LowerCtx&);
void lower_neg(LowerCtx&);
void lower_not(LowerCtx&);
void lower_salc(LowerCtx&);
// --- muldiv.cpp
void lower_mul(LowerCtx&);  // MUL, IMUL (all forms)
void lower_div(LowerCtx&);  // DIV, IDIV
// --- bcd.cpp
void lower_bcd(LowerCtx&);  // DAA DAS AAA AAS AAM
void lower_aad(LowerCtx&);
// --- bit.cpp
void lower_bt(LowerCtx&);  // BT BTS BTR BTC
void lower_bitscan(LowerCtx&);  // BSF BSR
void lower_setcc(LowerCtx&);
// --- shift.cpp
void lower_shift(LowerCtx&);  // SHL SAL SHR SAR ROL ROR RCL RCR SHLD SHRD
// --- stack.cpp
// --- string.cpp
// --- io.cpp
void lower_in(LowerCtx&);
void lower_out(LowerCtx&);
// --- control.cpp
void lower_jmp(LowerCtx&);
void lower_jcc(LowerCtx&);
// --- system.cpp
void lower_hlt(LowerCtx&);
// MOV with a segment, control or debug register operand (called by lower_mov).
void lower_mov_system(LowerCtx&);

}  // namespace cpu
