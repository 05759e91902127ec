// Templates: PUSH/POP forms, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE; the string instructions.
#include "tests/diff/gen_util.h"

namespace diff {
namespace {

using namespace gen;

bool push_pop_r(Group& g) {  // 50+r / 58+r (POP ESP loads ESP: it is then unknown)
  const unsigned size = g.osize(), reg = g.rng.below(8);
  const bool pop = g.rng.chance(1, 2);
  g.need_stack(pop ? 0 : 8, pop ? 8 : 0);
  Insn in;
  g.prefix_os(in, size);
  in.u8((pop ? 0x58 : 0x50) + reg);
  in.sp_delta = pop ? int(size) : -int(size);
  if (pop) in.writes = bit(reg);
  g.emit(in);
  return true;
}

bool push_imm(Group& g) {  // 68 iw/id, 6A ib (sign-extended)
  const unsigned size = g.osize();
  const bool byte = g.rng.chance(1, 2);
  g.need_stack(8, 0);
  Insn in;
  g.prefix_os(in, size);
  in.u8(byte ? 0x6a : 0x68).imm(g.imm(byte ? 1 : size), byte ? 1 : size);
  in.sp_delta = -int(size);
  g.emit(in);
  return true;
}

bool push_pop_rm(Group& g) {  // FF /6 PUSH r/m, 8F /0 POP r/m
  const unsigned size = g.osize();
  const bool pop = g.rng.chance(1, 2);
  g.need_stack(pop ? 0 : 8, pop ? 8 : 0);
  MemOpts o = mem_opts(size, pop);
  // POP computes an ESP-based address after incrementing ESP (SDM POP).
  if (pop) o.sp_bias = int(size);
  const Rm rm = g.rm(size, o);
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(pop ? 0x8f : 0xff);
  Group::modrm(in, pop ? 0 : 6, rm);
  in.sp_delta = pop ? int(size) : -int(size);
  if (pop) in.writes = written(rm, size);
  g.emit(in);
  return true;
}

bool pusha_popa(Group& g) {  // 60 / 61 (POPA skips ESP)
  const unsigned size = g.osize();
  const bool pop = g.rng.chance(1, 2);
  g.need_stack(pop ? 0 : 8 * size, pop ? 8 * size : 0);
  Insn in;
  g.prefix_os(in, size);
  in.u8(pop ? 0x61 : 0x60);
  in.sp_delta = pop ? 8 * int(size) : -8 * int(size);
  if (pop) in.writes = uint8_t(~bit(ESP));
  g.emit(in);
  return true;
}

bool pushf(Group& g) {  // 9C: every flag goes to memory, so undefined ones are defined first
  const unsigned size = g.osize();
  g.need_stack(8, 0);
  Insn in;
  g.prefix_os(in, size);
  in.u8(0x9c);
  in.reads = kArith;
  in.sp_delta = -int(size);
  g.emit(in);
  return true;
}

// POPF of a pushed immediate: random flags, reserved and read-only bits included (they must be
// ignored), but never TF, whose single-step trap would end the stream.
bool popf(Group& g) {
  const unsigned size = g.osize();
  g.need_stack(8, 0);
  Insn push;
  g.prefix_os(push, size);
  push.u8(0x68).imm(g.rng.u32() & ~TF, size);
  push.sp_delta = -int(size);
  g.emit(push);
  Insn in;
  g.prefix_os(in, size);
  in.u8(0x9d);
  in.defines = kArith;
  in.sp_delta = int(size);
  g.emit(in);
  return true;
}

// ENTER alloc, level: with level > 1 it copies frame pointers from [EBP - 4i], so EBP is pinned
// inside the window; ESP drops by size * (1 + level) + alloc.
bool enter(Group& g) {
  const unsigned size = g.osize();
  static constexpr uint32_t kLevels[] = {0, 0, 1, 2, 3, 31, 32, 33};
  uint32_t level = g.rng.chance(3, 4) ? g.rng.pick(kLevels) : g.rng.below(256);
  // With a nesting level, a 32-bit ENTER on a 16-bit stack pushes FrameTemp: all of ESP by the
  // SDM's operation section (OperandSize = 32), SP (upper half zero) in the oracle. Not
  // generated; tests/cpu/test_stack.cpp checks it.
  if (g.real() && size == 4) level &= ~31u;
  const uint32_t alloc = g.rng.chance(1, 4) ? 0 : g.rng.below(64) & ~(g.rng.chance(3, 4) ? 1u : 0u);
  const unsigned drop = size * (1 + (level & 31)) + alloc;
  g.reserve(EBP);
  g.need_stack(drop + 8, 0);
  if ((level & 31) > 1) {
    const uint32_t bp = g.rng.range(kWinLo + 4 * 32 + 16, kWinHi - 16);
    g.pin(EBP, g.real() ? (g.rng.u32() & 0xffff0000u) | bp : bp);
  }
  Insn in;
  g.prefix_os(in, size);
  in.u8(0xc8).imm(alloc, 2).u8(level);
  in.sp_delta = -int(drop);
  in.writes = bit(EBP);
  g.emit(in);
  return true;
}

// LEAVE: ESP (SP with a 16-bit stack) = EBP, then EBP is popped; EBP is pinned into the window.
bool leave(Group& g) {
  const unsigned size = g.osize();
  g.need_stack(0, 0);  // the upper half of ESP must be known in real mode
  const uint32_t bp = g.rng.range(kWinLo + 0x100, kWinHi - 0x100);
  g.pin(EBP, g.real() ? (g.rng.u32() & 0xffff0000u) | bp : bp);
  Insn in;
  g.prefix_os(in, size);
  in.u8(0xc9);
  in.writes = bit(EBP);
  g.emit(in);
  if (g.failed) return true;
  g.st.sp_known = true;
  g.st.esp = g.real() ? (g.st.esp & 0xffff0000u) | ((bp + size) & 0xffff) : bp + size;
  return true;
}

// ---- Strings: MOVS CMPS STOS LODS SCAS, with REP/REPE/REPNE, both address sizes, and segment
// overrides on the source. Pointers sit where count * size bytes fit in either direction.
bool string_op(Group& g) {
  enum { kMovs, kCmps, kStos, kLods, kScas };
  static constexpr uint8_t kOpc[] = {0xa4, 0xa6, 0xaa, 0xac, 0xae};
  const unsigned op = g.rng.below(5), size = size_bwd(g), asize = g.asize();
  const bool uses_si = op == kMovs || op == kCmps || op == kLods;
  const bool uses_di = op != kLods;
  unsigned rep = 0;
  if (g.rng.chance(2, 3)) rep = (op == kCmps || op == kScas) && g.rng.chance(1, 2) ? 0xf2 : 0xf3;
  // DI-relative accesses go through ES, SI-relative ones through DS or the override.
  Mem m;
  m.asize = uint8_t(asize);
  if (uses_si && g.rng.chance(1, 3)) m.seg_prefix = int8_t(g.rng.below(kSegs));
  const unsigned src_seg = m.seg_prefix >= 0 ? unsigned(m.seg_prefix) : unsigned(sDS);
  uint32_t si = 0, di = 0;
  for (int tries = 0;; tries++) {
    if (tries == 16) return false;
    si = g.rng.range(kWinLo + 0x140, kWinHi - 0x140);
    di = g.rng.range(kWinLo + 0x140, kWinHi - 0x140);
    if (!(uses_si && g.hits_protected(g.seg_base(src_seg) + si - 0x140, 0x280)) &&
        !(uses_di && g.hits_protected(g.seg_base(sES) + di - 0x140, 0x280)))
      break;
  }
  if (uses_si) g.pin(ESI, asize == 4 ? si : (g.rng.u32() & 0xffff0000u) | si);
  if (uses_di) g.pin(EDI, asize == 4 ? di : (g.rng.u32() & 0xffff0000u) | di);
  uint32_t count = 1;
  if (rep) {
    count = g.rng.chance(1, 8) ? 0 : g.rng.below(41);
    g.pin(ECX, asize == 4 ? count : (g.rng.u32() & 0xffff0000u) | count);
  }
  Insn in;
  if (rep) in.u8(rep);
  g.prefix_mem(in, m);
  g.prefix_os(in, size);
  in.u8(kOpc[op] + wbit(size));
  if ((op == kCmps || op == kScas) && count) in.defines = kArith;
  in.writes = bit(ESI) | bit(EDI) | bit(ECX) | (op == kLods ? bit(EAX) : 0);
  g.emit(in);
  return true;
}

constexpr Template kTemplates[] = {
    {"push/pop r", kStack, kBoth | kNoBody, push_pop_r},
    {"push imm", kStack, kBoth | kNoBody, push_imm},
    {"push/pop r/m", kStack, kBoth | kNoBody, push_pop_rm},
    {"pusha/popa", kStack, kBoth | kNoBody, pusha_popa},
    {"pushf", kStack, kBoth | kNoBody, pushf},
    {"push imm; popf", kStack, kBoth | kNoBody, popf},
    {"enter", kStack, kBoth | kNoBody, enter},
    {"leave", kStack, kBoth | kNoBody, leave},
    {"string", kString, kBoth, string_op},
};

}  // namespace

std::span<const Template> stack_templates() { return kTemplates; }

}  // namespace diff
