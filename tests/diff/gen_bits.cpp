// Templates: BT/BTS/BTR/BTC, BSF/BSR, SETcc, CMOVcc, and the flag instructions.
#include "tests/diff/gen_util.h"

namespace diff {
namespace {

using namespace gen;

constexpr uint8_t kBtOpc[4] = {0xa3, 0xab, 0xb3, 0xbb};  // BT BTS BTR BTC r/m, r

// BT* with a register bit offset: on memory the offset is signed and moves the address, so it
// is pinned to +-1024 bits (+-128 bytes) and the operand keeps that much room in the window.
bool bt_rm_r(Group& g) {
  const unsigned op = g.rng.below(4), size = g.osize();
  Rm rm;
  unsigned reg;
  if (g.rng.chance(2, 5)) {
    rm.reg = uint8_t(g.rng.below(8));
    reg = g.rng.below(8);
  } else {
    reg = g.pick_reg(size, true);
    MemOpts o = mem_opts(size, op != 0);
    o.below = o.above = 136;
    rm.is_mem = true;
    rm.m = g.mem(o);
    g.pin_sized(reg, size, uint32_t(int32_t(g.rng.below(2048)) - 1024));
  }
  Insn in;
  if (op) maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8(kBtOpc[op]);
  Group::modrm(in, reg, rm);
  in.defines = CF;  // ZF is left alone; OF SF AF PF are undefined (table)
  if (op) in.writes = written(rm, size);
  g.emit(in);
  return true;
}

bool bt_rm_imm(Group& g) {  // 0F BA /4../7 ib: the offset is taken modulo the operand width
  const unsigned op = g.rng.below(4), size = g.osize();
  const Rm rm = g.rm(size, mem_opts(size, op != 0));
  Insn in;
  if (op) maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8(0xba);
  Group::modrm(in, 4 + op, rm);
  in.u8(g.rng.below(256));
  in.defines = CF;
  if (op) in.writes = written(rm, size);
  g.emit(in);
  return true;
}

// BSF/BSR leave the destination undefined for a zero source (SDM; QEMU keeps it unchanged,
// hardware varies), so the source is pinned to a non-zero value.
bool bsf_bsr(Group& g) {
  const unsigned size = g.osize(), reg = g.rng.below(8);
  const Rm rm = g.rm(size, mem_opts(size, false), true);
  uint32_t v = g.rng.chance(1, 2) ? 1u << g.rng.below(8 * size) : g.rng.edgy();
  if (size == 2) v &= 0xffff;
  if (v == 0) v = 1u << g.rng.below(8 * size);
  g.pin_rm(rm, size, v);
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8(g.rng.chance(1, 2) ? 0xbc : 0xbd);
  Group::modrm(in, reg, rm);
  in.defines = ZF;
  in.writes = bit(reg);
  g.emit(in);
  return true;
}

bool setcc(Group& g) {  // 0F 90+cc r/m8
  const unsigned cc = g.rng.below(16);
  const Rm rm = g.rm(1, mem_opts(1, true));
  Insn in;
  g.prefix_rm(in, rm);
  in.u8(0x0f).u8(0x90 + cc);
  Group::modrm(in, 0, rm);
  in.reads = cond_reads(cc);
  in.writes = written(rm, 1);
  g.emit(in);
  return true;
}

bool cmovcc(Group& g) {  // 0F 40+cc r, r/m (the source is read even when the move is not done)
  const unsigned cc = g.rng.below(16), size = g.osize(), reg = g.rng.below(8);
  const Rm rm = g.rm(size, mem_opts(size, false));
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8(0x40 + cc);
  Group::modrm(in, reg, rm);
  in.reads = cond_reads(cc);
  in.writes = bit(reg);
  g.emit(in);
  return true;
}

bool flag_op(Group& g) {  // CLC STC CMC CLD STD CLI STI
  static constexpr uint8_t kOps[] = {0xf8, 0xf9, 0xf5, 0xfc, 0xfd, 0xfa, 0xfb};
  Insn in;
  const uint8_t op = g.rng.pick(kOps);
  in.u8(op);
  if (op == 0xf8 || op == 0xf9) in.defines = CF;
  if (op == 0xf5) in.reads = in.defines = CF;
  g.emit(in);
  return true;
}

constexpr Template kTemplates[] = {
    {"bt* r/m,r", kBit, kBoth, bt_rm_r},
    {"bt* r/m,imm8", kBit, kBoth, bt_rm_imm},
    {"bsf/bsr", kBit, kBoth, bsf_bsr},
    {"setcc", kCond, kBoth, setcc},
    {"cmovcc", kCond, kBoth, cmovcc},
    {"clc/stc/cmc/cld/std/cli/sti", kFlag, kBoth, flag_op},
};

}  // namespace

std::span<const Template> bits_templates() { return kTemplates; }

}  // namespace diff
