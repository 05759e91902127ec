// x87 FPU instructions (D8-DF), WAIT, FXSAVE and FXRSTOR. The whole escape space goes to one
// helper: the lowering decodes the 11-bit FOP (the low three opcode bits and ModRM) the way the
// FPU does, once (x87::select), and passes the chosen leaf as the call's k; the helper records
// the FOP as the last instruction opcode and runs the leaf.
#include "cpu/helpers/x87_select.h"
#include "cpu/opcode_table.h"

namespace cpu {

void lower_x87(LowerCtx& c) {
  const DecodedInsn& in = c.insn;
  const uint32_t fop = uint32_t(in.opcode & 7) << 8 | uint32_t(in.modrm_mod) << 6 |
                       uint32_t(in.modrm_reg) << 3 | in.modrm_rm;
  // The decoder refuses the encodings the processor does not execute; this is the same map.
  const x87::Selection sel = x87::select(uint16_t(fop));
  if (sel.leaf == x87::Leaf::Invalid) return c.raise(kUD);
  uint32_t b = fop | (sel.control ? kX87Control : 0) | (sel.nonwaiting ? kX87NoWait : 0);
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
  c.call(Helper::X87, off, c.imm(b), ir::kNoTemp, uint8_t(sel.leaf));
}

void lower_fisttp(LowerCtx& c) { c.raise(kUD); }

void lower_fwait(LowerCtx& c) { c.call(Helper::Fwait); }

void lower_fxsave(LowerCtx& c) {
  const Operand& m = c.op(0);
  if (m.kind != OpKind::Mem) return c.raise(kUD);
  c.call(Helper::Fxsave, c.ea(m), c.imm(m.seg | (c.insn.addrsize == 2 ? kX87Addr16 : 0)),
         ir::kNoTemp, c.insn.mnemonic == ZYDIS_MNEMONIC_FXRSTOR);
}

}  // namespace cpu
