// Flag instructions: CLC, STC, CMC, CLD, STD (SDM Vol.2, one entry each). CLI/STI, which have
// privilege rules, live with the system instructions.
#include "cpu/opcode_table.h"

namespace cpu {

void lower_flagop(LowerCtx& c) {
  auto set = [&](Temp v, uint32_t mask) {
    c.b.emit(ir::Op::SetFlags, v, ir::kNoTemp, ir::kNoTemp, 0, mask);
  };
  switch (c.insn.mnemonic) {
    case ZYDIS_MNEMONIC_CLC: return set(c.imm(0), fl::CF);
    case ZYDIS_MNEMONIC_STC: return set(c.imm(fl::CF), fl::CF);
    case ZYDIS_MNEMONIC_CMC: return set(c.b.xor_(c.b.emit(ir::Op::GetCF), c.imm(1)), fl::CF);
    case ZYDIS_MNEMONIC_CLD: return set(c.imm(0), fl::DF);
    default: return set(c.imm(fl::DF), fl::DF);  // STD
  }
}

}  // namespace cpu
