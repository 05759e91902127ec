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
    {ZYDIS_MNEMONIC_AND, lower_alu, kLockable},
    {ZYDIS_MNEMONIC_OR, lower_alu, kLockable},
    {ZYDIS_MNEMONIC_XOR, lower_alu, kLockable},
    {ZYDIS_MNEMONIC_CMP, lower_alu},
    // --- muldiv.cpp
    // --- bcd.cpp
    // --- bit.cpp
    // --- shift.cpp
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
