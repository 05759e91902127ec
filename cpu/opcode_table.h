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

enum class Feature : uint8_t { Base, Cmov, Cx8, Tsc, Bswap /* 486 */, Cpuid, Fpu, Mmx, Fxsr };

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
void lower_movx(LowerCtx&);  // MOVZX MOVSX
void lower_lea(LowerCtx&);
void lower_xchg(LowerCtx&);
void lower_xadd(LowerCtx&);
void lower_cmpxchg(LowerCtx&);
void lower_cmpxchg8b(LowerCtx&);
void lower_bswap(LowerCtx&);
void lower_xlat(LowerCtx&);
void lower_cbw(LowerCtx&);  // CBW CWDE
void lower_cwd(LowerCtx&);  // CWD CDQ
void lower_lahf(LowerCtx&);
void lower_sahf(LowerCtx&);
void lower_cmov(LowerCtx&);
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
void lower_push(LowerCtx&);
void lower_pop(LowerCtx&);
void lower_pusha(LowerCtx&);  // PUSHA PUSHAD
void lower_popa(LowerCtx&);   // POPA POPAD
void lower_pushf(LowerCtx&);  // PUSHF PUSHFD
void lower_popf(LowerCtx&);   // POPF POPFD
void lower_enter(LowerCtx&);
void lower_leave(LowerCtx&);
// --- string.cpp
void lower_string(LowerCtx&);  // MOVS CMPS STOS LODS SCAS INS OUTS, all sizes and prefixes
// --- io.cpp
void lower_in(LowerCtx&);
void lower_out(LowerCtx&);
// --- flagops.cpp
void lower_flagop(LowerCtx&);  // CLC STC CMC CLD STD
// --- control.cpp
void lower_jmp(LowerCtx&);
void lower_jcc(LowerCtx&);
void lower_call(LowerCtx&);
void lower_ret(LowerCtx&);
void lower_loop(LowerCtx&);  // LOOP LOOPE LOOPNE
void lower_jcxz(LowerCtx&);  // JCXZ JECXZ
void lower_int(LowerCtx&);   // INT n, INT3, INT1, INTO
void lower_iret(LowerCtx&);
void lower_bound(LowerCtx&);
// --- segment.cpp
void lower_load_far_pointer(LowerCtx&);  // LDS LES LFS LGS LSS
// --- tables.cpp
void lower_lldt_ltr(LowerCtx&);
void lower_sldt_str(LowerCtx&);
void lower_lar_lsl(LowerCtx&);
void lower_verr_verw(LowerCtx&);
void lower_arpl(LowerCtx&);
// --- system.cpp
void lower_hlt(LowerCtx&);
void lower_cli(LowerCtx&);
void lower_sti(LowerCtx&);
void lower_cpuid(LowerCtx&);
void lower_rdtsc(LowerCtx&);
void lower_ud(LowerCtx&);
void lower_lgdt(LowerCtx&);  // LGDT LIDT
void lower_sgdt(LowerCtx&);  // SGDT SIDT
void lower_lmsw(LowerCtx&);
void lower_smsw(LowerCtx&);
void lower_clts(LowerCtx&);
void lower_invlpg(LowerCtx&);
void lower_invd(LowerCtx&);  // INVD WBINVD
// --- x87.cpp
void lower_x87(LowerCtx&);    // every D8-DF escape instruction
void lower_fwait(LowerCtx&);  // WAIT/FWAIT
void lower_fisttp(LowerCtx&); // FISTTP is SSE3: #UD on a P6
void lower_fxsave(LowerCtx&); // FXSAVE FXRSTOR
// --- mmx.cpp
void lower_mmx(LowerCtx&);    // every Pentium MMX instruction
// MOV with a segment, control or debug register operand (called by lower_mov).
void lower_mov_system(LowerCtx&);

}  // namespace cpu
