// The IR op table, declared once (DESIGN.md §4 "jit/"). Every consumer (builder, verifier,
// printer, interpreter, backends, passes) takes operand roles and side effects from here.
//
// All IR values are 32-bit. An instruction has up to three value operands (a, b, c, naming
// temps), a small immediate `sz` and a 32-bit immediate `imm`, whose meaning each op declares.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ir {

enum class Op : uint8_t {
  // Meta
  InsnStart,  // imm = guest EIP of the instruction, sz unused; a/b/c unused
  Nop,        // does nothing: what passes leave in place of an op they removed
  // Guest registers: sz = register number (x86 encoding; for 8-bit, 4..7 are AH..BH)
  GetReg32, GetReg16, GetReg8,
  SetReg32, SetReg16, SetReg8,  // a = value
  // The deferred form of SetReg32 and SetCc (jit/passes: defer_state_writes): the same effect,
  // but a compiling backend may perform it only on the out-of-line path of the op that follows
  // the group (a memory access or an exit check), where guest state must be exact.
  SyncReg,   // sz = register, a = value
  SyncCc,    // imm = cc_op; a = src1, b = src2, c = result (none: sz says it is a + b or a - b)
  GetSegSel, GetSegBase,        // sz = segment register
  // The time-stamp counter at the instruction `imm` of the block (icount + imm) * a +
  // CpuState::tsc_offset, where a = nanoseconds per instruction: sz = 0 its low, 1 its high half
  GetTsc,
  // Lazy flags
  SetCc,     // imm = cc_op; a = src1, b = src2, c = result
  GetCF,     // -> 0/1
  Cond,      // sz = condition code (0..15) -> 0/1
  GetFlags,  // -> EFLAGS as the guest reads it
  SetFlags,  // a = value, imm = mask of the bits to replace
  // Integer arithmetic on 32-bit values
  Add, Sub, And, Or, Xor,  // a, b
  Shl, Shr, Sar,           // a, b (b taken mod 32)
  Mul, MulHiU, MulHiS,     // low 32 bits; high 32 bits of the unsigned/signed 64-bit product
  Not, Neg,                // a
  Sext8, Sext16, Zext8, Zext16,  // a
  Eq, Ne, LtU,             // a, b -> 0/1
  Cmp,                     // sz = condition (cpu::Cond) of "CMP a, b" on 32-bit values -> 0/1
  Select,                  // a ? b : c
  Bswap,                   // a
  // Memory through segmentation and the MMU: sz = access size (1, 2, 4), imm = segment register
  Load,   // a = offset -> value
  Store,  // a = offset, b = value
  // Helpers: imm = helper id, a/b/c = arguments -> helper result
  Call,
  // Block exits
  BranchIf,  // a != 0: EIP = imm and leave the block
  Jmp,       // EIP = imm and leave the block
  JmpInd,    // EIP = a and leave the block
  kCount
};

// Operand roles.
enum OpFlag : uint16_t {
  kHasDst = 1 << 0,
  kUsesA = 1 << 1,
  kUsesB = 1 << 2,
  kUsesC = 1 << 3,
  kSideEffect = 1 << 4,  // writes guest state or memory: never removed
  kMayFault = 1 << 5,    // may raise a guest exception
  kEndsBlock = 1 << 6,   // the last op of a block
  kReadsFlags = 1 << 7,  // reads the lazy-flag state
  kExits = 1 << 8,       // may leave the block (conditionally)
};

struct OpInfo {
  Op op;
  std::string_view name;
  uint16_t flags;
};

constexpr uint16_t D = kHasDst, A = kUsesA, B = kUsesB, C = kUsesC, SE = kSideEffect,
                   MF = kMayFault, EB = kEndsBlock, RF = kReadsFlags, EX = kExits;

inline constexpr std::array<OpInfo, size_t(Op::kCount)> kOpTable = {{
    {Op::InsnStart, "insn_start", SE},
    {Op::Nop, "nop", 0},
    {Op::GetReg32, "get_reg32", D},
    {Op::GetReg16, "get_reg16", D},
    {Op::GetReg8, "get_reg8", D},
    {Op::SetReg32, "set_reg32", A | SE},
    {Op::SetReg16, "set_reg16", A | SE},
    {Op::SetReg8, "set_reg8", A | SE},
    {Op::SyncReg, "sync_reg", A | SE},
    {Op::SyncCc, "sync_cc", A | B | C | SE},
    {Op::GetSegSel, "get_seg_sel", D},
    {Op::GetSegBase, "get_seg_base", D},
    {Op::GetTsc, "get_tsc", D | A},
    {Op::SetCc, "set_cc", A | B | C | SE},
    {Op::GetCF, "get_cf", D | RF},
    {Op::Cond, "cond", D | RF},
    {Op::GetFlags, "get_flags", D | RF},
    {Op::SetFlags, "set_flags", A | SE | RF},
    {Op::Add, "add", D | A | B},
    {Op::Sub, "sub", D | A | B},
    {Op::And, "and", D | A | B},
    {Op::Or, "or", D | A | B},
    {Op::Xor, "xor", D | A | B},
    {Op::Shl, "shl", D | A | B},
    {Op::Shr, "shr", D | A | B},
    {Op::Sar, "sar", D | A | B},
    {Op::Mul, "mul", D | A | B},
    {Op::MulHiU, "mulhi_u", D | A | B},
    {Op::MulHiS, "mulhi_s", D | A | B},
    {Op::Not, "not", D | A},
    {Op::Neg, "neg", D | A},
    {Op::Sext8, "sext8", D | A},
    {Op::Sext16, "sext16", D | A},
    {Op::Zext8, "zext8", D | A},
    {Op::Zext16, "zext16", D | A},
    {Op::Eq, "eq", D | A | B},
    {Op::Ne, "ne", D | A | B},
    {Op::LtU, "ltu", D | A | B},
    {Op::Cmp, "cmp", D | A | B},
    {Op::Select, "select", D | A | B | C},
    {Op::Bswap, "bswap", D | A},
    {Op::Load, "load", D | A | MF},
    {Op::Store, "store", A | B | SE | MF},
    {Op::Call, "call", D | A | B | C | SE | MF | RF},
    {Op::BranchIf, "branch_if", A | SE | EX},
    {Op::Jmp, "jmp", SE | EB | EX},
    {Op::JmpInd, "jmp_ind", A | SE | EB | EX},
}};

constexpr bool table_in_order() {
  for (size_t i = 0; i < kOpTable.size(); i++)
    if (size_t(kOpTable[i].op) != i) return false;
  return true;
}
static_assert(table_in_order(), "kOpTable must list ops in enum order");

constexpr const OpInfo& info(Op op) { return kOpTable[size_t(op)]; }

}  // namespace ir
