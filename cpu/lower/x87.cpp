// x87 FPU instructions (D8-DF), WAIT, FXSAVE and FXRSTOR. The whole escape space goes to one helper, which decodes
// the 11-bit FOP (the low three opcode bits and ModRM) the way the FPU itself does and records
// it as the last instruction opcode; the lowering only computes the memory operand's offset.
#include "cpu/opcode_table.h"

namespace cpu {

void lower_x87(LowerCtx& c) {
  const DecodedInsn& in = c.insn;
  uint32_t b = uint32_t(in.opcode & 7) << 8 | uint32_t(in.modrm_mod) << 6 | uint32_t(in.modrm_reg) << 3 |
               in.modrm_rm;
  // The environment formats (FNSTENV, FNSAVE...) follow the operand-size attribute.
  if (in.stack_size == 2) b |= kX87Op16;
  Temp off = c.imm(0);
  if (in.modrm_mod != 3) {
    for (unsigned i = 0; i < in.nops; i++) {
      const Operand& o = c.op(i);
      if (o.kind != OpKind::Mem) continue;
      off = c.ea(o);
      b |= kX87HasMem | uint32_t(o.seg) << kX87SegShift | (in.addrsize == 2 ? kX87Addr16 : 0);
      break;
    }
  }
  c.call(Helper::X87, off, c.imm(b));
}

void lower_fisttp(LowerCtx& c) { c.raise(kUD); }

void lower_fwait(LowerCtx& c) { c.call(Helper::Fwait); }

void lower_fxsave(LowerCtx& c) {
  const Operand& m = c.op(0);
  if (m.kind != OpKind::Mem) return c.raise(kUD);
  c.call(Helper::Fxsave, c.ea(m), c.imm(m.seg | (c.insn.addrsize == 2 ? kX87Addr16 : 0)), ir::kNoTemp,
         c.insn.mnemonic == ZYDIS_MNEMONIC_FXRSTOR);
}

}  // namespace cpu
