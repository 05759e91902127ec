// String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS with their REP/REPE/REPNE forms
// (SDM Vol.2, one entry each, and "REP/REPE/REPZ/REPNE/REPNZ").
//
// Every form calls one helper. Without a prefix the helper performs one iteration and the block
// goes on. With a prefix it performs a bounded chunk and returns where to continue: the next
// instruction when the count ran out or the REPE/REPNE condition stopped it, else this
// instruction again, so interrupts and the instruction budget are serviced between chunks.
#include "cpu/helpers/string_io.h"
#include "cpu/opcode_table.h"

namespace cpu {
namespace {

Helper string_helper(uint16_t mnemonic) {
  switch (mnemonic) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: return Helper::Movs;
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD: return Helper::Cmps;
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: return Helper::Stos;
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: return Helper::Lods;
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD: return Helper::Scas;
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD: return Helper::Ins;
    default: return Helper::Outs;
  }
}

}  // namespace

void lower_string(LowerCtx& c) {
  // MOVSD and CMPSD share their mnemonics with the SSE2 scalar-double instructions (0F map).
  if (c.insn.map != 0) return c.raise(kUD);
  const Helper h = string_helper(c.insn.mnemonic);
  // F2 and F3 both mean REP for the instructions that do not compare.
  const bool compares = h == Helper::Cmps || h == Helper::Scas;
  const StrRep rep = !c.insn.rep ? kRepNone : (compares && c.insn.repne) ? kRepNE : kRepE;
  const unsigned seg = c.insn.has_seg_override ? c.insn.seg_override : unsigned(DS);
  const uint8_t key = string_key(c.insn.opsize, c.insn.addrsize == 4, rep, seg);
  const Temp next = c.call(h, c.imm(c.next_eip()), c.imm(c.insn_index), ir::kNoTemp, key);
  if (rep != kRepNone) c.jump_ind(next);
}

}  // namespace cpu
