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
    {ZYDIS_MNEMONIC_PAUSE, lower_nop},
    {ZYDIS_MNEMONIC_MOVZX, lower_movx},
    {ZYDIS_MNEMONIC_MOVSX, lower_movx},
    {ZYDIS_MNEMONIC_LEA, lower_lea},
    {ZYDIS_MNEMONIC_XCHG, lower_xchg, kLockable},
    {ZYDIS_MNEMONIC_XADD, lower_xadd, kLockable},
    {ZYDIS_MNEMONIC_CMPXCHG, lower_cmpxchg, kLockable},
    {ZYDIS_MNEMONIC_CMPXCHG8B, lower_cmpxchg8b, kLockable, 0, Feature::Cx8},
    {ZYDIS_MNEMONIC_BSWAP, lower_bswap, 0, 0, Feature::Bswap},
    {ZYDIS_MNEMONIC_XLAT, lower_xlat},
    {ZYDIS_MNEMONIC_CBW, lower_cbw},
    {ZYDIS_MNEMONIC_CWDE, lower_cbw},
    {ZYDIS_MNEMONIC_CWD, lower_cwd},
    {ZYDIS_MNEMONIC_CDQ, lower_cwd},
    {ZYDIS_MNEMONIC_LAHF, lower_lahf},
    {ZYDIS_MNEMONIC_SAHF, lower_sahf},
    {ZYDIS_MNEMONIC_CMOVO, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNO, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVB, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNB, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVZ, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNZ, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVBE, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNBE, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVS, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNS, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVP, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNP, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVL, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNL, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVLE, lower_cmov, 0, 0, Feature::Cmov},
    {ZYDIS_MNEMONIC_CMOVNLE, lower_cmov, 0, 0, Feature::Cmov},
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
    {ZYDIS_MNEMONIC_PUSH, lower_push},
    {ZYDIS_MNEMONIC_POP, lower_pop},
    {ZYDIS_MNEMONIC_PUSHA, lower_pusha},
    {ZYDIS_MNEMONIC_PUSHAD, lower_pusha},
    {ZYDIS_MNEMONIC_POPA, lower_popa},
    {ZYDIS_MNEMONIC_POPAD, lower_popa},
    {ZYDIS_MNEMONIC_PUSHF, lower_pushf},
    {ZYDIS_MNEMONIC_PUSHFD, lower_pushf},
    {ZYDIS_MNEMONIC_POPF, lower_popf, kEnds},
    {ZYDIS_MNEMONIC_POPFD, lower_popf, kEnds},
    {ZYDIS_MNEMONIC_ENTER, lower_enter},
    {ZYDIS_MNEMONIC_LEAVE, lower_leave},
    // --- string.cpp
    {ZYDIS_MNEMONIC_MOVSB, lower_string},
    {ZYDIS_MNEMONIC_MOVSW, lower_string},
    {ZYDIS_MNEMONIC_MOVSD, lower_string},
    {ZYDIS_MNEMONIC_CMPSB, lower_string},
    {ZYDIS_MNEMONIC_CMPSW, lower_string},
    {ZYDIS_MNEMONIC_CMPSD, lower_string},
    {ZYDIS_MNEMONIC_STOSB, lower_string},
    {ZYDIS_MNEMONIC_STOSW, lower_string},
    {ZYDIS_MNEMONIC_STOSD, lower_string},
    {ZYDIS_MNEMONIC_LODSB, lower_string},
    {ZYDIS_MNEMONIC_LODSW, lower_string},
    {ZYDIS_MNEMONIC_LODSD, lower_string},
    {ZYDIS_MNEMONIC_SCASB, lower_string},
    {ZYDIS_MNEMONIC_SCASW, lower_string},
    {ZYDIS_MNEMONIC_SCASD, lower_string},
    {ZYDIS_MNEMONIC_INSB, lower_string, kEnds},
    {ZYDIS_MNEMONIC_INSW, lower_string, kEnds},
    {ZYDIS_MNEMONIC_INSD, lower_string, kEnds},
    {ZYDIS_MNEMONIC_OUTSB, lower_string, kEnds},
    {ZYDIS_MNEMONIC_OUTSW, lower_string, kEnds},
    {ZYDIS_MNEMONIC_OUTSD, lower_string, kEnds},
    // --- io.cpp
    {ZYDIS_MNEMONIC_IN, lower_in, kEnds},
    {ZYDIS_MNEMONIC_OUT, lower_out, kEnds},
    // --- flagops.cpp
    {ZYDIS_MNEMONIC_CLC, lower_flagop},
    {ZYDIS_MNEMONIC_STC, lower_flagop},
    {ZYDIS_MNEMONIC_CMC, lower_flagop},
    {ZYDIS_MNEMONIC_CLD, lower_flagop},
    {ZYDIS_MNEMONIC_STD, lower_flagop},
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
    {ZYDIS_MNEMONIC_CALL, lower_call, kEnds},
    {ZYDIS_MNEMONIC_RET, lower_ret, kEnds},
    {ZYDIS_MNEMONIC_LOOP, lower_loop, kEnds},
    {ZYDIS_MNEMONIC_LOOPE, lower_loop, kEnds},
    {ZYDIS_MNEMONIC_LOOPNE, lower_loop, kEnds},
    {ZYDIS_MNEMONIC_JCXZ, lower_jcxz, kEnds},
    {ZYDIS_MNEMONIC_JECXZ, lower_jcxz, kEnds},
    {ZYDIS_MNEMONIC_INT, lower_int, kEnds},
    {ZYDIS_MNEMONIC_INT1, lower_int, kEnds},
    {ZYDIS_MNEMONIC_INT3, lower_int, kEnds},
    {ZYDIS_MNEMONIC_INTO, lower_int, kEnds},
    {ZYDIS_MNEMONIC_IRET, lower_iret, kEnds},
    {ZYDIS_MNEMONIC_IRETD, lower_iret, kEnds},
    {ZYDIS_MNEMONIC_BOUND, lower_bound},
    // --- segment.cpp
    {ZYDIS_MNEMONIC_LDS, lower_load_far_pointer},
    {ZYDIS_MNEMONIC_LES, lower_load_far_pointer},
    {ZYDIS_MNEMONIC_LFS, lower_load_far_pointer},
    {ZYDIS_MNEMONIC_LGS, lower_load_far_pointer},
    {ZYDIS_MNEMONIC_LSS, lower_load_far_pointer},
    // --- system.cpp
    {ZYDIS_MNEMONIC_HLT, lower_hlt, kEnds},
    {ZYDIS_MNEMONIC_CLI, lower_cli},
    {ZYDIS_MNEMONIC_STI, lower_sti, kShadow},
    {ZYDIS_MNEMONIC_UD2, lower_ud},
    {ZYDIS_MNEMONIC_LGDT, lower_lgdt},
    {ZYDIS_MNEMONIC_LIDT, lower_lgdt},
    {ZYDIS_MNEMONIC_SGDT, lower_sgdt},
    {ZYDIS_MNEMONIC_SIDT, lower_sgdt},
    {ZYDIS_MNEMONIC_LMSW, lower_lmsw},
    {ZYDIS_MNEMONIC_SMSW, lower_smsw},
    {ZYDIS_MNEMONIC_CLTS, lower_clts},
    {ZYDIS_MNEMONIC_INVLPG, lower_invlpg},
    {ZYDIS_MNEMONIC_INVD, lower_invd},
    {ZYDIS_MNEMONIC_WBINVD, lower_invd},
    {ZYDIS_MNEMONIC_FWAIT, lower_fwait},
    {ZYDIS_MNEMONIC_CPUID, lower_cpuid, 0, 0, Feature::Cpuid},
    {ZYDIS_MNEMONIC_RDTSC, lower_rdtsc, 0, 0, Feature::Tsc},
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
