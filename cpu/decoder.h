// The decoder wrapper: Zydis turns guest bytes into our compact DecodedInsn, so lowerings never
// see Zydis's structures (only its mnemonic numbering, used as the opcode-table key).
#pragma once

#include <Zydis/Zydis.h>

#include <cstdint>
#include <string>

namespace cpu {

enum class OpKind : uint8_t { None, Reg, Seg, Mem, Imm, Far, Cr, Dr, St, Mmx };

struct Operand {
  OpKind kind = OpKind::None;
  uint8_t size = 0;  // bytes
  uint8_t reg = 0;   // Reg: x86 register number (8-bit: 4..7 = AH..BH); Seg/Cr/Dr/St/Mmx: number
  uint8_t seg = 0;   // Mem: effective segment register (default or override)
  int8_t base = -1, index = -1;  // Mem: register numbers, -1 for none
  uint8_t scale = 0;
  uint8_t pad = 0;
  uint32_t disp = 0;     // Mem: displacement, already truncated to the address size
  uint32_t imm = 0;      // Imm: value truncated to `size` (sign-extension done); Far: offset
  uint16_t far_sel = 0;  // Far: selector
};

struct DecodedInsn {
  uint32_t eip = 0;
  uint8_t len = 0;
  uint8_t opsize = 4;    // operand size in bytes (1 for byte forms)
  uint8_t addrsize = 4;  // 2 or 4
  uint8_t nops = 0;      // visible operands
  uint16_t mnemonic = ZYDIS_MNEMONIC_INVALID;
  uint8_t opcode = 0;    // the opcode byte
  uint8_t map = 0;       // 0: one-byte map, 1: 0F, 2: 0F38, 3: 0F3A
  uint8_t modrm_reg = 0;
  uint8_t modrm_mod = 0;
  uint8_t modrm_rm = 0;
  bool rep = false, repne = false, lock = false, has_seg_override = false;
  uint8_t seg_override = 0;
  uint8_t stack_size = 2;  // operand size of implicit stack pushes (2 or 4)
  Operand ops[3];
  uint8_t bytes[15] = {};
};

enum class DecodeStatus { Ok, Invalid, TooLong, Truncated };

class Decoder {
 public:
  Decoder();
  // Decodes one instruction from `avail` bytes; `code32` is CS.D. Truncated means the bytes ran
  // out before the instruction ended (the fetch hit an unmapped page).
  DecodeStatus decode(const uint8_t* bytes, unsigned avail, bool code32, uint32_t eip,
                      DecodedInsn& out) const;

  // Intel-syntax text of an instruction, for tracing and test failure messages.
  std::string disassemble(const uint8_t* bytes, unsigned avail, bool code32, uint32_t eip) const;

 private:
  ZydisDecoder dec16_, dec32_;
  ZydisFormatter fmt_;
};

}  // namespace cpu
