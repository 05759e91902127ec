// Templates: MOV forms, MOVZX/MOVSX, LEA, XCHG, XADD, CMPXCHG(8B), BSWAP, XLAT, CBW family,
// LAHF/SAHF, NOPs.
#include "tests/diff/gen_util.h"

namespace diff {
namespace {

using namespace gen;

bool mov_rm_r(Group& g) {  // 88/89 r/m,r and 8A/8B r,r/m
  const unsigned size = size_bwd(g), reg = g.rng.below(8);
  const bool to_rm = g.rng.chance(1, 2);
  const Rm rm = g.rm(size, mem_opts(size, to_rm));
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8((to_rm ? 0x88 : 0x8a) + wbit(size));
  Group::modrm(in, reg, rm);
  in.writes = to_rm ? written(rm, size) : written_reg(reg, size);
  g.emit(in);
  return true;
}

bool mov_imm(Group& g) {  // B0+r / B8+r imm, C6/C7 /0 r/m,imm
  const unsigned size = size_bwd(g);
  Insn in;
  if (g.rng.chance(1, 2)) {
    const unsigned reg = g.rng.below(8);
    g.prefix_os(in, size);
    in.u8((size == 1 ? 0xb0 : 0xb8) + reg).imm(g.imm(size), size);
    in.writes = written_reg(reg, size);
  } else {
    const Rm rm = g.rm(size, mem_opts(size, true));
    g.prefix_rm(in, rm);
    g.prefix_os(in, size);
    in.u8(0xc6 + wbit(size));
    Group::modrm(in, 0, rm);
    in.imm(g.imm(size), size);
    in.writes = written(rm, size);
  }
  g.emit(in);
  return true;
}

bool mov_moffs(Group& g) {  // A0-A3: AL/eAX <-> [seg:moffs]
  const unsigned size = size_bwd(g);
  const bool store = g.rng.chance(1, 2);
  Mem m;
  m.asize = uint8_t(g.asize());
  m.disp_size = m.asize;
  if (g.rng.chance(1, 2)) {
    const unsigned s = g.rng.below(kSegs);
    if (!(store && s == sCS)) m.seg_prefix = int8_t(s);
  }
  const unsigned seg = m.seg_prefix >= 0 ? unsigned(m.seg_prefix) : unsigned(sDS);
  m.ea = m.disp = g.rng.range(kWinLo + 8, kWinHi - 8 - size);
  if (g.hits_protected(g.seg_base(seg) + m.ea, size)) return false;
  Insn in;
  g.prefix_mem(in, m);
  g.prefix_os(in, size);
  in.u8((store ? 0xa2 : 0xa0) + wbit(size)).imm(m.disp, m.asize);
  if (!store) in.writes = bit(EAX);
  g.emit(in);
  return true;
}

bool movzx_movsx(Group& g) {  // 0F B6/B7 MOVZX, 0F BE/BF MOVSX
  const unsigned size = g.osize(), reg = g.rng.below(8);
  const bool word_src = g.rng.chance(1, 3), sign = g.rng.chance(1, 2);
  const unsigned src = word_src ? 2 : 1;
  const Rm rm = g.rm(src, mem_opts(src, false));
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8((sign ? 0xbe : 0xb6) + (word_src ? 1 : 0));
  Group::modrm(in, reg, rm);
  in.writes = bit(reg);
  g.emit(in);
  return true;
}

bool lea(Group& g) {  // 8D: only the address arithmetic, with whatever the registers hold
  const unsigned size = g.osize(), reg = g.rng.below(8);
  MemOpts o;
  o.no_access = true;
  const Mem m = g.mem(o);
  Insn in;
  g.prefix_mem(in, m);
  g.prefix_os(in, size);
  in.u8(0x8d);
  Group::modrm(in, reg, m);
  in.writes = bit(reg);
  g.emit(in);
  return true;
}

bool xchg(Group& g) {  // 86/87 r/m,r; 90+r eAX,r
  const unsigned size = size_bwd(g), reg = g.rng.below(8);
  Insn in;
  if (size > 1 && g.rng.chance(1, 3)) {
    const unsigned r = g.rng.range(1, 7);
    g.prefix_os(in, size);
    in.u8(0x90 + r);
    in.writes = bit(EAX) | bit(r);
  } else {
    const Rm rm = g.rm(size, mem_opts(size, true));
    maybe_lock(g, in, rm);
    g.prefix_rm(in, rm);
    g.prefix_os(in, size);
    in.u8(0x86 + wbit(size));
    Group::modrm(in, reg, rm);
    in.writes = written(rm, size) | written_reg(reg, size);
  }
  g.emit(in);
  return true;
}

bool xadd(Group& g) {  // 0F C0/C1 r/m, r
  const unsigned size = size_bwd(g), reg = g.rng.below(8);
  const Rm rm = g.rm(size, mem_opts(size, true));
  Insn in;
  maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8(0xc0 + wbit(size));
  Group::modrm(in, reg, rm);
  in.defines = kArith;
  in.writes = written(rm, size) | written_reg(reg, size);
  g.emit(in);
  return true;
}

bool cmpxchg(Group& g) {  // 0F B0/B1 r/m, r; half the time the accumulator matches
  const unsigned size = size_bwd(g), reg = g.rng.below(8);
  const bool equal = g.rng.chance(1, 2);
  if (equal) g.reserve(EAX);
  const Rm rm = g.rm(size, mem_opts(size, true), equal);
  if (equal) {
    const uint32_t v = g.imm(size);
    g.pin_rm(rm, size, v);
    g.pin_sized(0, size, v);
  }
  Insn in;
  maybe_lock(g, in, rm);
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8(0xb0 + wbit(size));
  Group::modrm(in, reg, rm);
  in.defines = kArith;
  in.writes = written(rm, size) | bit(EAX);
  g.emit(in);
  return true;
}

bool cmpxchg8b(Group& g) {  // 0F C7 /1 m64
  const bool equal = g.rng.chance(1, 2);
  g.reserve(EAX);
  g.reserve(EDX);
  const Mem m = g.mem(mem_opts(8, true));
  if (equal) {
    const uint32_t lo = g.rng.edgy(), hi = g.rng.edgy();
    g.pin_mem(m, 0, 4, lo);
    g.pin_mem(m, 4, 4, hi);
    g.pin(EAX, lo);
    g.pin(EDX, hi);
  }
  Insn in;
  if (g.rng.chance(1, 5)) in.u8(0xf0);
  g.prefix_mem(in, m);
  in.u8(0x0f).u8(0xc7);
  Group::modrm(in, 1, m);
  in.defines = ZF;  // the other flags are left alone
  in.writes = bit(EAX) | bit(EDX);
  g.emit(in);
  return true;
}

bool bswap(Group& g) {  // 0F C8+r, 32-bit only (the 16-bit form is undefined)
  const unsigned reg = g.rng.below(8);
  Insn in;
  g.prefix_os(in, 4);
  in.u8(0x0f).u8(0xc8 + reg);
  in.writes = bit(reg);
  g.emit(in);
  return true;
}

bool xlat(Group& g) {  // D7: AL = [seg:(E)BX + AL]; (E)BX leaves room for any AL
  const unsigned asize = g.asize();
  const uint32_t base = g.rng.range(kWinLo + 8, kWinHi - 8 - 256);
  g.pin(EBX, asize == 4 ? base : (g.rng.u32() & 0xffff0000u) | base);
  Mem m;
  m.asize = uint8_t(asize);
  if (g.rng.chance(1, 3)) m.seg_prefix = int8_t(g.rng.below(kSegs));
  Insn in;
  g.prefix_mem(in, m);
  in.u8(0xd7);
  in.writes = bit(EAX);
  g.emit(in);
  return true;
}

bool convert(Group& g) {  // 98 CBW/CWDE, 99 CWD/CDQ
  const unsigned size = g.osize();
  const bool cwd = g.rng.chance(1, 2);
  Insn in;
  g.prefix_os(in, size);
  in.u8(cwd ? 0x99 : 0x98);
  in.writes = cwd ? bit(EDX) : bit(EAX);
  g.emit(in);
  return true;
}

bool lahf_sahf(Group& g) {  // 9F LAHF reads SF ZF AF PF CF; 9E SAHF writes them from AH
  Insn in;
  if (g.rng.chance(1, 2)) {
    in.u8(0x9f);
    in.reads = SF | ZF | AF | PF | CF;
    in.writes = bit(EAX);
  } else {
    in.u8(0x9e);
    in.defines = SF | ZF | AF | PF | CF;
  }
  g.emit(in);
  return true;
}

bool nop(Group& g) {  // 90, and 0F 1F /0 with a never-accessed memory operand
  Insn in;
  if (g.rng.chance(1, 2)) {
    in.u8(0x90);
  } else {
    MemOpts o;
    o.no_access = true;
    const Rm rm = g.rng.chance(1, 4) ? Rm{false, uint8_t(g.rng.below(8)), Mem{}} : Rm{true, 0, g.mem(o)};
    const unsigned size = g.osize();
    g.prefix_rm(in, rm);
    g.prefix_os(in, size);
    in.u8(0x0f).u8(0x1f);
    Group::modrm(in, 0, rm);
  }
  g.emit(in);
  return true;
}

constexpr Template kTemplates[] = {
    {"mov r/m<->r", kDataMov, kBoth, mov_rm_r},
    {"mov imm", kDataMov, kBoth, mov_imm},
    {"mov moffs", kDataMov, kBoth, mov_moffs},
    {"movzx/movsx", kDataMov, kBoth, movzx_movsx},
    {"lea", kDataMov, kBoth, lea},
    {"xchg", kDataMov, kBoth, xchg},
    {"xadd", kDataMov, kBoth, xadd},
    {"cmpxchg", kDataMov, kBoth, cmpxchg},
    {"cmpxchg8b", kDataMov, kBoth, cmpxchg8b},
    {"bswap", kDataMov, kBoth, bswap},
    {"xlat", kDataMov, kBoth, xlat},
    {"cbw/cwd family", kDataMov, kBoth, convert},
    {"lahf/sahf", kDataMov, kBoth, lahf_sahf},
    {"nop", kDataMov, kBoth, nop},
};

}  // namespace

std::span<const Template> data_templates() { return kTemplates; }

}  // namespace diff
