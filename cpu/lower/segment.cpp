// Far-pointer loads: LDS, LES, LFS, LGS, LSS (SDM Vol.2 LDS/LES/LFS/LGS/LSS). MOV Sreg is in
// system.cpp (lower_mov_system).
#include "cpu/opcode_table.h"

namespace cpu {

void lower_load_far_pointer(LowerCtx& c) {
  const Operand& dst = c.op(0);
  const Operand& src = c.op(1);
  if (src.kind != OpKind::Mem) return c.raise(kUD);
  unsigned seg;
  switch (c.insn.mnemonic) {
    case ZYDIS_MNEMONIC_LDS: seg = DS; break;
    case ZYDIS_MNEMONIC_LES: seg = ES; break;
    case ZYDIS_MNEMONIC_LFS: seg = FS; break;
    case ZYDIS_MNEMONIC_LGS: seg = GS; break;
    default: seg = SS; break;
  }
  // Offset first, selector after it. Both loads and the segment load (which may fault) come
  // before the register write, so a fault leaves the destination register unchanged.
  const unsigned size = dst.size;
  const Temp addr = c.ea(src);
  const Temp off = c.load(src.seg, addr, size);
  const Temp sel = c.load(src.seg, c.trunc(c.b.add(addr, c.imm(size)), c.insn.addrsize), 2);
  // LSS does not start an interrupt shadow (only MOV SS and POP SS do), but a new SS may change
  // the stack size the following code is translated for, so it ends the block.
  c.call(Helper::LoadSeg, sel, ir::kNoTemp, ir::kNoTemp,
         uint8_t(seg == SS ? seg | kLoadSegNoShadow : seg));
  c.set_reg(dst.reg, size, off);
  // Any segment load ends the block: the translation mode records which segments are flat.
  c.jump(c.next_eip());
}

}  // namespace cpu
