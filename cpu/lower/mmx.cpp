// MMX instructions: the lowering classifies the operands (MMX register, memory, general
// register, immediate) and calls the MMX helper, which holds the semantics (cpu/helpers/mmx.cpp).
#include <utility>

#include "cpu/opcode_table.h"

namespace cpu {
namespace {

constexpr std::pair<uint16_t, MmxOp> kOps[] = {
    {ZYDIS_MNEMONIC_MOVD, MmxOp::Movd},           {ZYDIS_MNEMONIC_MOVQ, MmxOp::Movq},
    {ZYDIS_MNEMONIC_EMMS, MmxOp::Emms},           {ZYDIS_MNEMONIC_PADDB, MmxOp::Paddb},
    {ZYDIS_MNEMONIC_PADDW, MmxOp::Paddw},         {ZYDIS_MNEMONIC_PADDD, MmxOp::Paddd},
    {ZYDIS_MNEMONIC_PADDSB, MmxOp::Paddsb},       {ZYDIS_MNEMONIC_PADDSW, MmxOp::Paddsw},
    {ZYDIS_MNEMONIC_PADDUSB, MmxOp::Paddusb},     {ZYDIS_MNEMONIC_PADDUSW, MmxOp::Paddusw},
    {ZYDIS_MNEMONIC_PSUBB, MmxOp::Psubb},         {ZYDIS_MNEMONIC_PSUBW, MmxOp::Psubw},
    {ZYDIS_MNEMONIC_PSUBD, MmxOp::Psubd},         {ZYDIS_MNEMONIC_PSUBSB, MmxOp::Psubsb},
    {ZYDIS_MNEMONIC_PSUBSW, MmxOp::Psubsw},       {ZYDIS_MNEMONIC_PSUBUSB, MmxOp::Psubusb},
    {ZYDIS_MNEMONIC_PSUBUSW, MmxOp::Psubusw},     {ZYDIS_MNEMONIC_PCMPEQB, MmxOp::Pcmpeqb},
    {ZYDIS_MNEMONIC_PCMPEQW, MmxOp::Pcmpeqw},     {ZYDIS_MNEMONIC_PCMPEQD, MmxOp::Pcmpeqd},
    {ZYDIS_MNEMONIC_PCMPGTB, MmxOp::Pcmpgtb},     {ZYDIS_MNEMONIC_PCMPGTW, MmxOp::Pcmpgtw},
    {ZYDIS_MNEMONIC_PCMPGTD, MmxOp::Pcmpgtd},     {ZYDIS_MNEMONIC_PMULLW, MmxOp::Pmullw},
    {ZYDIS_MNEMONIC_PMULHW, MmxOp::Pmulhw},       {ZYDIS_MNEMONIC_PMADDWD, MmxOp::Pmaddwd},
    {ZYDIS_MNEMONIC_PAND, MmxOp::Pand},           {ZYDIS_MNEMONIC_PANDN, MmxOp::Pandn},
    {ZYDIS_MNEMONIC_POR, MmxOp::Por},             {ZYDIS_MNEMONIC_PXOR, MmxOp::Pxor},
    {ZYDIS_MNEMONIC_PACKSSWB, MmxOp::Packsswb},   {ZYDIS_MNEMONIC_PACKSSDW, MmxOp::Packssdw},
    {ZYDIS_MNEMONIC_PACKUSWB, MmxOp::Packuswb},   {ZYDIS_MNEMONIC_PUNPCKHBW, MmxOp::Punpckhbw},
    {ZYDIS_MNEMONIC_PUNPCKHWD, MmxOp::Punpckhwd}, {ZYDIS_MNEMONIC_PUNPCKHDQ, MmxOp::Punpckhdq},
    {ZYDIS_MNEMONIC_PUNPCKLBW, MmxOp::Punpcklbw}, {ZYDIS_MNEMONIC_PUNPCKLWD, MmxOp::Punpcklwd},
    {ZYDIS_MNEMONIC_PUNPCKLDQ, MmxOp::Punpckldq}, {ZYDIS_MNEMONIC_PSLLW, MmxOp::Psllw},
    {ZYDIS_MNEMONIC_PSLLD, MmxOp::Pslld},         {ZYDIS_MNEMONIC_PSLLQ, MmxOp::Psllq},
    {ZYDIS_MNEMONIC_PSRLW, MmxOp::Psrlw},         {ZYDIS_MNEMONIC_PSRLD, MmxOp::Psrld},
    {ZYDIS_MNEMONIC_PSRLQ, MmxOp::Psrlq},         {ZYDIS_MNEMONIC_PSRAW, MmxOp::Psraw},
    {ZYDIS_MNEMONIC_PSRAD, MmxOp::Psrad},
};

MmxOp mmx_op(uint16_t mnemonic) {
  for (const auto& [m, op] : kOps)
    if (m == mnemonic) return op;
  return MmxOp::kCount;
}

MmxKind kind_of(const Operand& o) {
  switch (o.kind) {
    case OpKind::Mmx: return MmxKind::Mm;
    case OpKind::Mem: return MmxKind::Mem;
    case OpKind::Reg: return MmxKind::Gpr;
    default: return MmxKind::Imm;
  }
}

}  // namespace

void lower_mmx(LowerCtx& c) {
  const MmxOp op = mmx_op(c.insn.mnemonic);
  if (op == MmxOp::kCount) return c.raise(kUD);
  if (op == MmxOp::Emms) {
    c.call(Helper::Mmx, c.imm(0), c.imm(0), c.imm(0), uint8_t(op));
    return;
  }
  // Only MMX forms get here: an SSE (XMM) operand fails to decode and is already #UD. At least
  // one operand is an MMX register.
  const Operand& d = c.op(0);
  const Operand& s = c.op(1);
  if (c.insn.nops != 2 || (d.kind != OpKind::Mmx && s.kind != OpKind::Mmx)) return c.raise(kUD);
  Temp off = c.imm(0), val = c.imm(0);
  unsigned seg = 0, msize = 8;
  for (const Operand* o : {&d, &s}) {
    if (o->kind == OpKind::Mem) {
      off = c.ea(*o);
      seg = o->seg;
      msize = o->size == 4 ? 4 : 8;
    }
  }
  if (s.kind == OpKind::Reg) val = c.get_reg(s.reg, 4);
  if (s.kind == OpKind::Imm) val = c.imm(s.imm);
  const uint32_t b = mmx_operands(kind_of(d), d.reg, kind_of(s), s.reg, seg, c.insn.addrsize == 2, msize);
  c.call(Helper::Mmx, off, c.imm(b), val, uint8_t(op));
}

}  // namespace cpu
