#include "cpu/opcode_table.h"

#include <vector>

namespace cpu {
namespace {

constexpr uint32_t kOSZAPC = fl::OF | fl::SF | fl::ZF | fl::AF | fl::PF | fl::CF;
[[maybe_unused]] constexpr uint32_t kAll = kOSZAPC;

// Rows are grouped by the file that implements the lowering.
constexpr InsnInfo kTable[] = {
    // --- datamov.cpp
    {ZYDIS_MNEMONIC_MOV, lower_mov},
    {ZYDIS_MNEMONIC_NOP, lower_nop},
    // --- alu.cpp
    {ZYDIS_MNEMONIC_ADD, lower_alu, kLockable},
    {ZYDIS_MNEMONIC_ADC, lower_alu, kLockable},
    {ZYDIS_MNEMONIC_SUB, lower_alu, kLockable},
    {ZYDIS_MNEMONIC_SBB, lower_alu, kLockable},
    {ZYDIS_MNEMONIC_AND, lower_alu, kLockable, fl::AF},
    {ZYDIS_MNEMONIC_OR, lower_alu, kLockable, fl::AF},
    {ZYDIS_MNEMONIC_XOR, lower_alu, kLockable, fl::AF},
    {ZYDIS_MNEMONIC_CMP, lower_alu},
    {ZYDIS_MNEMONIC_TEST, lower_alu, 0, fl::AF},
    {ZYDIS_MNEMONIC_INC, lower_incdec, kLockable},
    {ZYDIS_MNEMONIC_DEC, lower_incdec, kLockable},
    {ZYDIS_MNEMONIC_NEG, lower_neg, kLockable},
    {ZYDIS_MNEMONIC_NOT, lower_not, kLockable},
    {ZYDIS_MNEMONIC_SALC, lower_salc},
    // --- muldiv.cpp
    {ZYDIS_MNEMONIC_MUL, lower_mul, 0, fl::SF | fl::ZF | fl::AF | fl::PF},
    {ZYDIS_MNEMONIC_IMUL, lower_mul, 0, fl::SF | fl::ZF | fl::AF | fl::PF},
    {ZYDIS_MNEMONIC_DIV, lower_div, 0, kOSZAPC},
    {ZYDIS_MNEMONIC_IDIV, lower_div, 0, kOSZAPC},
    // --- bcd.cpp
    {ZYDIS_MNEMONIC_DAA, lower_bcd, 0, fl::OF},
    {ZYDIS_MNEMONIC_DAS, lower_bcd, 0, fl::OF},
    {ZYDIS_MNEMONIC_AAA, lower_bcd, 0, fl::OF | fl::SF | fl::ZF | fl::PF},
    {ZYDIS_MNEMONIC_AAS, lower_bcd, 0, fl::OF | fl::SF | fl::ZF | fl::PF},
    {ZYDIS_MNEMONIC_AAM, lower_bcd, 0, fl::OF | fl::AF | fl::CF},
    {ZYDIS_MNEMONIC_AAD, lower_aad, 0, fl::OF | fl::AF | fl::CF},
    // --- bit.cpp
    {ZYDIS_MNEMONIC_BT, lower_bt, 0, fl::OF | fl::SF | fl::AF | fl::PF},
    {ZYDIS_MNEMONIC_BTS, lower_bt, kLockable, fl::OF | fl::SF | fl::AF | fl::PF},
    {ZYDIS_MNEMONIC_BTR, lower_bt, kLockable, fl::OF | fl::SF | fl::AF | fl::PF},
    {ZYDIS_MNEMONIC_BTC, lower_bt, kLockable, fl::OF | fl::SF | fl::AF | fl::PF},
    {ZYDIS_MNEMONIC_BSF, lower_bitscan, 0, fl::OF | fl::SF | fl::AF | fl::PF | fl::CF},
    {ZYDIS_MNEMONIC_BSR, lower_bitscan, 0, fl::OF | fl::SF | fl::AF | fl::PF | fl::CF},
    {ZYDIS_MNEMONIC_SETO, lower_setcc},
    {ZYDIS_MNEMONIC_SETNO, lower_setcc},
    {ZYDIS_MNEMONIC_SETB, lower_setcc},
    {ZYDIS_MNEMONIC_SETNB, lower_setcc},
    {ZYDIS_MNEMONIC_SETZ, lower_setcc},
    {ZYDIS_MNEMONIC_SETNZ, lower_setcc},
    {ZYDIS_MNEMONIC_SETBE, lower_setcc},
    {ZYDIS_MNEMONIC_SETNBE, lower_setcc},
    {ZYDIS_MNEMONIC_SETS, lower_setcc},
    {ZYDIS_MNEMONIC_SETNS, lower_setcc},
    {ZYDIS_MNEMONIC_SETP, lower_setcc},
    {ZYDIS_MNEMONIC_SETNP, lower_setcc},
    {ZYDIS_MNEMONIC_SETL, lower_setcc},
    {ZYDIS_MNEMONIC_SETNL, lower_setcc},
    {ZYDIS_MNEMONIC_SETLE, lower_setcc},
    {ZYDIS_MNEMONIC_SETNLE, lower_setcc},
    // --- shift.cpp
    {ZYDIS_MNEMONIC_SHL, lower_shift, 0, fl::OF | fl::AF},
    {ZYDIS_MNEMONIC_SAR, lower_shift, 0, fl::OF | fl::AF},
    {ZYDIS_MNEMONIC_SHR, lower_shift, 0, fl::OF | fl::AF},
    {ZYDIS_MNEMONIC_SHLD, lower_shift, 0, fl::OF | fl::AF},
    {ZYDIS_MNEMONIC_SHRD, lower_shift, 0, fl::OF | fl::AF},
    {ZYDIS_MNEMONIC_ROL, lower_shift, 0, fl::OF},
    {ZYDIS_MNEMONIC_ROR, lower_shift, 0, fl::OF},
    {ZYDIS_MNEMONIC_RCL, lower_shift, 0, fl::OF},
    {ZYDIS_MNEMONIC_RCR, lower_shift, 0, fl::OF},
    // --- stack.cpp
    // --- string.cpp
    // --- io.cpp
    {ZYDIS_MNEMONIC_IN, lower_in, kEnds},
    {ZYDIS_MNEMONIC_OUT, lower_out, kEnds},
    // --- control.cpp
    {ZYDIS_MNEMONIC_JMP, lower_jmp, kEnds},
    {ZYDIS_MNEMONIC_JO, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNO, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JB, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNB, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JZ, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNZ, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JBE, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNBE, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JS, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNS, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JP, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNP, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JL, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNL, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JLE, lower_jcc, kEnds},
    {ZYDIS_MNEMONIC_JNLE, lower_jcc, kEnds},
    // --- system.cpp
    {ZYDIS_MNEMONIC_HLT, lower_hlt, kEnds},
};

}  // namespace

const InsnInfo* insn_info(uint16_t mnemonic) {
  static const std::vector<const InsnInfo*> index = [] {
    std::vector<const InsnInfo*> v(ZYDIS_MNEMONIC_MAX_VALUE + 1, nullptr);
    for (const InsnInfo& row : kTable) v[row.mnemonic] = &row;
    return v;
  }();
  return mnemonic < index.size() ? index[mnemonic] : nullptr;
}

}  // namespace cpu
