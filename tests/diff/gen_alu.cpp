// Templates: ALU (ADD OR ADC SBB AND SUB XOR CMP), INC/DEC/NEG/NOT/TEST, BCD adjustments.
#include "tests/diff/gen_util.h"

namespace diff {
namespace {

using namespace gen;

// ---- ALU: the operation is the /digit or opcode bits 3..5: ADD OR ADC SBB AND SUB XOR CMP.
uint32_t alu_reads(unsigned op) { return op == 2 || op == 3 ? CF : 0; }

bool alu_rm_r(Group& g) {  // 00/01+8*op: r/m, r
  const unsigned op = g.rng.below(8), size = size_bwd(g), reg = g.rng.below(8);
  const Rm rm = g.rm(size, mem_opts(size, op != 7));
  Insn in;
  if (op != 7) maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(op * 8 + wbit(size));
  Group::modrm(in, reg, rm);
  in.reads = alu_reads(op);
  in.defines = kArith;
  if (op != 7) in.writes = written(rm, size);
  g.emit(in);
  return true;
}

bool alu_r_rm(Group& g) {  // 02/03+8*op: r, r/m
  const unsigned op = g.rng.below(8), size = size_bwd(g), reg = g.rng.below(8);
  const Rm rm = g.rm(size, mem_opts(size, false));
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(op * 8 + 2 + wbit(size));
  Group::modrm(in, reg, rm);
  in.reads = alu_reads(op);
  in.defines = kArith;
  if (op != 7) in.writes = written_reg(reg, size);
  g.emit(in);
  return true;
}

bool alu_acc_imm(Group& g) {  // 04/05+8*op: AL/eAX, imm
  const unsigned op = g.rng.below(8), size = size_bwd(g);
  Insn in;
  g.prefix_os(in, size);
  in.u8(op * 8 + 4 + wbit(size)).imm(g.imm(size), size);
  in.reads = alu_reads(op);
  in.defines = kArith;
  g.emit(in);
  return true;
}

bool alu_rm_imm(Group& g) {  // 80/81 /op (and the 82 alias of 80), 83 /op imm8 sign-extended
  const unsigned op = g.rng.below(8), form = g.rng.below(4);
  const unsigned size = form == 0 || form == 3 ? 1 : g.osize();
  const Rm rm = g.rm(size, mem_opts(size, op != 7));
  Insn in;
  if (op != 7) maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  static constexpr uint8_t kOpc[4] = {0x80, 0x81, 0x83, 0x82};
  in.u8(kOpc[form]);
  Group::modrm(in, op, rm);
  in.imm(g.imm(form == 1 ? size : 1), form == 1 ? size : 1);
  in.reads = alu_reads(op);
  in.defines = kArith;
  if (op != 7) in.writes = written(rm, size);
  g.emit(in);
  return true;
}

// ---- INC DEC NEG NOT TEST
bool incdec_r(Group& g) {  // 40+r / 48+r (16/32-bit only)
  const unsigned size = g.osize(), reg = g.rng.below(8);
  Insn in;
  g.prefix_os(in, size);
  in.u8((g.rng.chance(1, 2) ? 0x40 : 0x48) + reg);
  in.defines = kArith & ~CF;  // CF is left alone
  in.writes = bit(reg);
  g.emit(in);
  return true;
}

bool incdec_rm(Group& g) {  // FE/FF /0 /1
  const unsigned size = size_bwd(g);
  const Rm rm = g.rm(size, mem_opts(size, true));
  Insn in;
  maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0xfe + wbit(size));
  Group::modrm(in, g.rng.below(2), rm);
  in.defines = kArith & ~CF;
  in.writes = written(rm, size);
  g.emit(in);
  return true;
}

bool neg_not(Group& g) {  // F6/F7 /2 NOT, /3 NEG
  const unsigned size = size_bwd(g), op = 2 + g.rng.below(2);
  const Rm rm = g.rm(size, mem_opts(size, true));
  Insn in;
  // Unicorn 2.0.1 computes the flags of LOCK NEG wrongly (LOCK NEG of 80000001h gives SF=1 on
  // the result 7FFFFFFFh; the host CPU and plain NEG give SF=0), so NEG is never LOCKed here.
  if (op == 2) maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0xf6 + wbit(size));
  Group::modrm(in, op, rm);
  in.defines = op == 3 ? kArith : 0;
  in.writes = written(rm, size);
  g.emit(in);
  return true;
}

bool test_forms(Group& g) {  // 84/85 r/m,r; A8/A9 acc,imm; F6/F7 /0 r/m,imm
  const unsigned size = size_bwd(g), form = g.rng.below(3);
  Insn in;
  if (form == 1) {
    g.prefix_os(in, size);
    in.u8(0xa8 + wbit(size)).imm(g.imm(size), size);
  } else {
    const Rm rm = g.rm(size, mem_opts(size, false));
    g.prefix_rm(in, rm);
    g.prefix_os(in, size);
    in.u8(form == 0 ? 0x84 + wbit(size) : 0xf6 + wbit(size));
    Group::modrm(in, form == 0 ? g.rng.below(8) : 0, rm);
    if (form == 2) in.imm(g.imm(size), size);
  }
  // The SDM leaves AF undefined, like after AND; whether it is masked is the opcode table's call.
  in.defines = kArith;
  g.emit(in);
  return true;
}

// ---- BCD: DAA DAS AAA AAS AAM AAD. AL sometimes starts at a value where the adjustments carry.
bool bcd(Group& g) {
  static constexpr uint8_t kAl[] = {0x99, 0x9a, 0xf9, 0xfa, 0xff, 0x0f, 0x00, 0x90, 0xa0, 0x06};
  const unsigned op = g.rng.below(6);
  if (g.rng.chance(1, 2)) g.pin_sized(0, 1, g.rng.pick(kAl));
  Insn in;
  switch (op) {
    case 0: in.u8(0x27); in.reads = AF | CF; in.defines = CF | AF | SF | ZF | PF; break;  // DAA
    case 1: in.u8(0x2f); in.reads = AF | CF; in.defines = CF | AF | SF | ZF | PF; break;  // DAS
    case 2: in.u8(0x37); in.reads = AF; in.defines = AF | CF; break;                      // AAA
    case 3: in.u8(0x3f); in.reads = AF; in.defines = AF | CF; break;                      // AAS
    case 4: in.u8(0xd4).u8(g.rng.chance(1, 2) ? 10 : g.rng.range(1, 255)); in.defines = SF | ZF | PF; break;  // AAM (0 faults)
    default: in.u8(0xd5).u8(g.rng.chance(1, 2) ? 10 : g.rng.below(256)); in.defines = SF | ZF | PF; break;  // AAD
  }
  in.writes = bit(EAX);
  g.emit(in);
  return true;
}

constexpr Template kTemplates[] = {
    {"alu r/m,r", kAlu, kBoth, alu_rm_r},
    {"alu r,r/m", kAlu, kBoth, alu_r_rm},
    {"alu acc,imm", kAlu, kBoth, alu_acc_imm},
    {"alu r/m,imm", kAlu, kBoth, alu_rm_imm},
    {"inc/dec r", kUnary, kBoth, incdec_r},
    {"inc/dec r/m", kUnary, kBoth, incdec_rm},
    {"neg/not", kUnary, kBoth, neg_not},
    {"test", kUnary, kBoth, test_forms},
    {"bcd", kBcd, kBoth, bcd},
};

}  // namespace

std::span<const Template> alu_templates() { return kTemplates; }

}  // namespace diff
