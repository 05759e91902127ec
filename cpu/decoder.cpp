#include "cpu/decoder.h"

#include "cpu/state.h"

namespace cpu {
namespace {

int gpr_number(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BH) return r - ZYDIS_REGISTER_AL;
  if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_DI) return r - ZYDIS_REGISTER_AX;
  if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_EDI) return r - ZYDIS_REGISTER_EAX;
  return -1;
}

uint32_t truncate(uint64_t v, unsigned bytes) {
  return bytes >= 4 ? uint32_t(v) : uint32_t(v) & ((1u << (8 * bytes)) - 1);
}

bool convert_operand(const ZydisDecodedOperand& zo, uint8_t addrsize, uint8_t opsize, Operand& o) {
  o.size = uint8_t(zo.size / 8);
  switch (zo.type) {
    case ZYDIS_OPERAND_TYPE_REGISTER: {
      ZydisRegister r = zo.reg.value;
      if (int n = gpr_number(r); n >= 0) {
        o.kind = OpKind::Reg;
        o.reg = uint8_t(n);
      } else if (r >= ZYDIS_REGISTER_ES && r <= ZYDIS_REGISTER_GS) {
        o.kind = OpKind::Seg;
        o.reg = uint8_t(r - ZYDIS_REGISTER_ES);
      } else if (r >= ZYDIS_REGISTER_CR0 && r <= ZYDIS_REGISTER_CR15) {
        o.kind = OpKind::Cr;
        o.reg = uint8_t(r - ZYDIS_REGISTER_CR0);
      } else if (r >= ZYDIS_REGISTER_DR0 && r <= ZYDIS_REGISTER_DR15) {
        o.kind = OpKind::Dr;
        o.reg = uint8_t(r - ZYDIS_REGISTER_DR0);
      } else if (r >= ZYDIS_REGISTER_ST0 && r <= ZYDIS_REGISTER_ST7) {
        o.kind = OpKind::St;
        o.reg = uint8_t(r - ZYDIS_REGISTER_ST0);
      } else if (r >= ZYDIS_REGISTER_MM0 && r <= ZYDIS_REGISTER_MM7) {
        o.kind = OpKind::Mmx;
        o.reg = uint8_t(r - ZYDIS_REGISTER_MM0);
      } else {
        return false;  // SSE and test registers: not lowered through this path
      }
      return true;
    }
    case ZYDIS_OPERAND_TYPE_MEMORY: {
      o.kind = OpKind::Mem;
      o.seg = uint8_t(zo.mem.segment - ZYDIS_REGISTER_ES);
      o.base = int8_t(gpr_number(zo.mem.base));
      o.index = int8_t(gpr_number(zo.mem.index));
      if ((zo.mem.base != ZYDIS_REGISTER_NONE && o.base < 0) ||
          (zo.mem.index != ZYDIS_REGISTER_NONE && o.index < 0))
        return false;
      o.scale = zo.mem.scale ? zo.mem.scale : 1;
      o.disp = truncate(uint64_t(zo.mem.disp.value), addrsize);
      return zo.mem.segment >= ZYDIS_REGISTER_ES && zo.mem.segment <= ZYDIS_REGISTER_GS;
    }
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
      o.kind = OpKind::Imm;
      // Relative targets keep their sign: lowerings add them to the next EIP.
      if (zo.imm.is_relative) {
        o.imm = uint32_t(zo.imm.value.s);
      } else if (zo.imm.is_signed && o.size < opsize) {
        // A sign-extended imm8 (83h, 6Ah, 6Bh): the value is the operand-size extension.
        o.size = opsize;
        o.imm = truncate(uint64_t(zo.imm.value.s), opsize);
      } else {
        o.imm = truncate(zo.imm.value.u, o.size ? o.size : 4);
      }
      return true;
    case ZYDIS_OPERAND_TYPE_POINTER:
      o.kind = OpKind::Far;
      o.far_sel = zo.ptr.segment;
      o.imm = zo.ptr.offset;
      return true;
    default:
      return false;
  }
}

}  // namespace

Decoder::Decoder() {
  ZydisDecoderInit(&dec16_, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
  ZydisDecoderInit(&dec32_, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
  // Without BMI1/LZCNT (not in CPUID), F3 0F BC/BD are BSF/BSR with an ignored REP prefix, as
  // on every processor before them; compilers emit TZCNT encodings relying on that.
  for (ZydisDecoder* d : {&dec16_, &dec32_}) {
    ZydisDecoderEnableMode(d, ZYDIS_DECODER_MODE_TZCNT, ZYAN_FALSE);
    ZydisDecoderEnableMode(d, ZYDIS_DECODER_MODE_LZCNT, ZYAN_FALSE);
  }
  ZydisFormatterInit(&fmt_, ZYDIS_FORMATTER_STYLE_INTEL);
  ZydisFormatterSetProperty(&fmt_, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, 0);
}

DecodeStatus Decoder::decode(const uint8_t* bytes, unsigned avail, bool code32, uint32_t eip,
                             DecodedInsn& out) const {
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand zops[ZYDIS_MAX_OPERAND_COUNT];
  const unsigned n = avail < 15 ? avail : 15;
  ZyanStatus st = ZydisDecoderDecodeFull(code32 ? &dec32_ : &dec16_, bytes, n, &zi, zops);
  if (!ZYAN_SUCCESS(st)) {
    if (st == ZYDIS_STATUS_NO_MORE_DATA) return n < 15 ? DecodeStatus::Truncated : DecodeStatus::TooLong;
    if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) return DecodeStatus::TooLong;
    return DecodeStatus::Invalid;
  }
  out = DecodedInsn{};
  out.eip = eip;
  out.len = zi.length;
  out.mnemonic = uint16_t(zi.mnemonic);
  out.opsize = uint8_t(zi.operand_width / 8);
  out.addrsize = uint8_t(zi.address_width / 8);
  out.opcode = zi.opcode;
  out.map = uint8_t(zi.opcode_map);
  out.modrm_reg = zi.raw.modrm.reg;
  out.modrm_mod = zi.raw.modrm.mod;
  out.modrm_rm = zi.raw.modrm.rm;
  out.lock = zi.attributes & ZYDIS_ATTRIB_HAS_LOCK;
  // The stack operand size follows the operand-size attribute (CS.D and 66h), not SS.B.
  out.stack_size = uint8_t(code32 ? 4 : 2);
  for (unsigned i = 0; i < zi.raw.prefix_count; i++) {
    const uint8_t p = zi.raw.prefixes[i].value;
    if (p == 0xf2 || p == 0xf3) {
      out.rep = true;
      out.repne = p == 0xf2;
    } else if (p == 0x66) {
      out.stack_size = uint8_t(code32 ? 2 : 4);
    } else if (p == 0x26 || p == 0x2e || p == 0x36 || p == 0x3e || p == 0x64 || p == 0x65) {
      out.has_seg_override = true;
      static constexpr uint8_t kSeg[] = {ES, CS, SS, DS};
      out.seg_override = p >= 0x64 ? uint8_t(p == 0x64 ? FS : GS) : kSeg[(p - 0x26) >> 3];
    }
  }
  std::copy(bytes, bytes + zi.length, out.bytes);
  out.nops = 0;
  for (unsigned i = 0; i < zi.operand_count_visible && out.nops < 3; i++) {
    if (!convert_operand(zops[i], out.addrsize, out.opsize, out.ops[out.nops])) return DecodeStatus::Invalid;
    // Zydis reads 3Eh before an indirect CALL/JMP as CET's NOTRACK; a P6 has no CET, so it is
    // an ordinary DS override.
    if ((zi.attributes & ZYDIS_ATTRIB_HAS_NOTRACK) && out.ops[out.nops].kind == OpKind::Mem &&
        out.has_seg_override)
      out.ops[out.nops].seg = out.seg_override;
    out.nops++;
  }
  return DecodeStatus::Ok;
}

std::string Decoder::disassemble(const uint8_t* bytes, unsigned avail, bool code32,
                                 uint32_t eip) const {
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand zops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(code32 ? &dec32_ : &dec16_, bytes, avail < 15 ? avail : 15, &zi, zops)))
    return "(bad)";
  char buf[256];
  ZydisFormatterFormatInstruction(&fmt_, &zi, zops, zi.operand_count_visible, buf, sizeof buf, eip, nullptr);
  return buf;
}

}  // namespace cpu
