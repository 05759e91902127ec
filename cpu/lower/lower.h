// Lowering: one guest instruction -> IR. Each instruction class has its own file in this folder
// (alu.cpp, shift.cpp, ...); the opcode table (cpu/opcode_table.cpp) maps mnemonics to them.
// An instruction's semantics lives only here or in a helper it calls (DESIGN.md §2.3).
#pragma once

#include "cpu/decoder.h"
#include "cpu/exception.h"
#include "cpu/helpers/helpers.h"
#include "cpu/state.h"
#include "jit/ir/builder.h"

namespace cpu {

using ir::Temp;

// What a lowering may assume about the machine state at translation time. These bits are part
// of the translation-cache key, so a lowering can specialise on them.
struct TranslationMode {
  bool code32 = false;   // CS.D
  bool stack32 = false;  // SS.B
  bool pe = false;       // CR0.PE
  bool vm = false;       // EFLAGS.VM
  uint8_t cpl = 0;
  // Bit per segment register: base 0, limits 0..FFFFFFFFh, readable and writable. Compiled code
  // skips the segment checks of such segments; instructions that load a segment register end
  // their block, so this holds for the whole block.
  uint8_t flat_segs = 0;
  // Bit per segment register: limits 0..FFFFFFFFh, readable and writable, any base (a flat
  // segment, or one like Linux's per-CPU FS): only the base is added.
  uint8_t open_segs = 0;
  // Virtual time per instruction (Cpu::ns_per_insn), the same for every block of a machine.
  uint32_t ns_per_insn = 1;
};

class LowerCtx {
 public:
  LowerCtx(ir::Builder& b, const DecodedInsn& insn, const TranslationMode& mode, uint32_t index)
      : b(b), insn(insn), mode(mode), insn_index(index) {}

  ir::Builder& b;
  const DecodedInsn& insn;
  const TranslationMode& mode;
  uint32_t insn_index;  // position of this instruction in its block
  bool end_block = false;  // set by lowerings that must be the last instruction of a block
  // Set by the translator when the block may go on past a conditional branch (a side exit);
  // the lowering then sets `side_exit` instead of ending the block.
  bool may_continue = false;
  bool side_exit = false;

  const Operand& op(unsigned i) const { return insn.ops[i]; }
  unsigned opsize() const { return insn.opsize; }
  // EIP of the next instruction, wrapped to 16 bits in 16-bit code.
  uint32_t next_eip() const {
    uint32_t e = insn.eip + insn.len;
    return mode.code32 ? e : e & 0xffff;
  }
  Temp imm(uint32_t v) { return b.imm(v); }

  // Registers by x86 number and size in bytes.
  Temp get_reg(unsigned r, unsigned size);
  void set_reg(unsigned r, unsigned size, Temp v);

  // Effective address (offset within the segment), wrapped to the address size.
  Temp ea(const Operand& o);
  // Operand read/write for Reg, Mem, Imm and Seg (read only) operands.
  Temp read(const Operand& o);
  void write(const Operand& o, Temp v);
  Temp load(unsigned seg, Temp off, unsigned size) { return b.load(seg, off, size); }
  void store(unsigned seg, Temp off, Temp v, unsigned size) { b.store(seg, off, v, size); }

  // Lazy flags.
  void set_cc(CcKind kind, unsigned size, Temp src1, Temp src2, Temp res) {
    b.set_cc(cc_op(kind, size), src1, src2, res);
  }

  // Stack with the current stack-address size (SS.B).
  void push(Temp v, unsigned size);
  // Reads the value at the top of the stack (plus `offset` bytes) without moving ESP.
  Temp stack_read(unsigned size, uint32_t offset = 0);
  // Adds `delta` to (E)SP with the stack-address size.
  void adjust_sp(int32_t delta);
  Temp get_sp();

  Temp call(Helper h, Temp a = ir::kNoTemp, Temp b_ = ir::kNoTemp, Temp c = ir::kNoTemp,
            uint8_t k = 0) {
    return b.call(uint32_t(h), a, b_, c, k);
  }

  // Masks a value to `size` bytes (no-op for 4).
  Temp trunc(Temp v, unsigned size);
  // Sign- or zero-extends a `size`-byte value to 32 bits.
  Temp sext(Temp v, unsigned size);
  Temp zext(Temp v, unsigned size);

  // Block endings.
  void jump(uint32_t eip) { b.jmp(eip); end_block = true; }
  void jump_ind(Temp eip) { b.jmp_ind(eip); end_block = true; }
  // Raises an exception at this instruction (precise: EIP = this instruction).
  // The lowering then ends the block; nothing after the exception runs.
  void raise(uint8_t vector) {
    call(Helper::RaiseException, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, vector);
    jump(insn.eip);
  }
};

using LowerFn = void (*)(LowerCtx&);

}  // namespace cpu
