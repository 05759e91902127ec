#include "cpu/translate.h"

#include "cpu/opcode_table.h"

namespace cpu {

TranslationMode current_mode(const Cpu& cpu) {
  TranslationMode m;
  m.code32 = cpu.code32();
  m.stack32 = cpu.stack32();
  m.pe = cpu.protected_mode();
  m.vm = cpu.v86();
  m.cpl = cpu.s.cpl;
  m.ns_per_insn = cpu.ns_per_insn;
  for (unsigned i = 0; i < kNumSegs; i++) {
    const Segment& sg = cpu.s.seg[i];
    if (sg.lo != 0 || sg.hi != 0xffffffffu || sg.access != (kSegRead | kSegWrite)) continue;
    m.open_segs |= uint8_t(1u << i);
    if (sg.base == 0) m.flat_segs |= uint8_t(1u << i);
  }
  return m;
}

namespace {

// An instruction the lowering table cannot handle: raise the exception when (and only when)
// execution reaches it.
void lower_fault(ir::Builder& b, uint32_t eip, uint8_t vector) {
  b.call(uint32_t(Helper::RaiseException), ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, vector);
  b.jmp(eip);
}

}  // namespace

void translate_block(Cpu& cpu, const Decoder& dec, const TranslationMode& mode, TranslatedBlock& out) {
  out = TranslatedBlock{};
  mmu::Mmu& mmu = cpu.mmu();
  const uint32_t cs_base = cpu.s.seg[CS].base;
  const uint32_t eip_mask = mode.code32 ? 0xffffffffu : 0xffffu;
  out.eip = cpu.s.eip;
  out.lin = cs_base + out.eip;
  out.phys = mmu.translate(out.lin, mmu::Access::Exec);  // faults on the first page propagate
  out.pages[0] = out.phys & mmu::kPageMask;
  out.npages = 1;

  ir::Builder b(out.ir);
  uint32_t eip = out.eip;
  uint32_t lin_end = out.lin;
  unsigned side_exits = 0;
  for (unsigned n = 0; n < kMaxBlockInsns; n++) {
    const uint32_t lin = cs_base + eip;
    // Stop before an instruction that starts on another page: it gets its own block.
    if (n > 0 && (lin & mmu::kPageMask) != (out.lin & mmu::kPageMask)) {
      b.jmp(eip);
      break;
    }
    uint8_t bytes[15];
    const unsigned got = mmu.fetch_code(lin, bytes, 15);
    b.emit(ir::Op::InsnStart, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, 0, eip);
    out.ir.guest_insns++;
    // The code-segment limit: an instruction must lie entirely within CS.
    const Segment& cs = cpu.s.seg[CS];
    DecodedInsn insn;
    DecodeStatus st = got == 0 ? DecodeStatus::Truncated : dec.decode(bytes, got, mode.code32, eip, insn);
    if (st == DecodeStatus::Ok && (eip < cs.lo || uint64_t(eip) + insn.len - 1 > cs.hi)) {
      lower_fault(b, eip, kGP);
      break;
    }
    if (st == DecodeStatus::Truncated) {
      // The rest of the instruction is on a page that cannot be fetched: let the fetch raise
      // the fault at run time by reading the missing byte.
      Temp off = b.imm(eip + got);
      b.emit(ir::Op::Load, off, ir::kNoTemp, ir::kNoTemp, 1, CS);
      lower_fault(b, eip, kUD);
      break;
    }
    if (st != DecodeStatus::Ok) {
      lower_fault(b, eip, st == DecodeStatus::TooLong ? kGP : kUD);
      break;
    }
    const InsnInfo* info = insn_info(insn.mnemonic);
    // LOCK is valid only on the read-modify-write forms with a memory destination (SDM Vol.2
    // "LOCK—Assert LOCK# Signal Prefix"); anything else raises #UD.
    const bool bad_lock = insn.lock && (!info || !(info->flags & kLockable) || insn.ops[0].kind != OpKind::Mem);
    if (!info || bad_lock) {
      lower_fault(b, eip, kUD);
      break;
    }
    LowerCtx ctx(b, insn, mode, n);
    ctx.may_continue = side_exits < kMaxSideExits && n + 1 < kMaxBlockInsns;
    info->lower(ctx);
    side_exits += ctx.side_exit;
    lin_end = lin + insn.len;
    eip = (eip + insn.len) & eip_mask;
    if (ctx.end_block || b.ended()) break;
    if ((info->flags & (kEnds | kShadow)) && !ctx.side_exit) {
      b.jmp(eip);
      break;
    }
    if (n + 1 == kMaxBlockInsns) b.jmp(eip);
  }
  if (!b.ended()) b.jmp(eip);
  out.byte_len = lin_end > out.lin ? lin_end - out.lin : 1;
  const uint32_t last = out.lin + out.byte_len - 1;
  if ((last & mmu::kPageMask) != (out.lin & mmu::kPageMask)) {
    out.pages[1] = mmu.translate(last & mmu::kPageMask, mmu::Access::Exec) & mmu::kPageMask;
    out.npages = 2;
  }
}

}  // namespace cpu
