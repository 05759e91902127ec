// Templates: shifts and rotates, SHLD/SHRD, MUL/IMUL/DIV/IDIV.
#include <algorithm>

#include "tests/diff/gen_util.h"

namespace diff {
namespace {

using namespace gen;

// ---- Shifts and rotates: /0 ROL /1 ROR /2 RCL /3 RCR /4 SHL /5 SHR /7 SAR.
// Counts cluster where behaviour changes: 0 (flags untouched), 1 (OF defined), the operand
// width (SHL/SHR CF undefined from there on), and the 5-bit mask boundary.
uint32_t shift_count(Rng& rng, unsigned bits) {
  const uint32_t kCounts[] = {0, 1, 2, bits - 1, bits, bits + 1, 31, 32, 33, 255};
  return rng.chance(1, 2) ? rng.pick(kCounts) : rng.below(rng.chance(1, 2) ? 32 : 256);
}

struct FlagFx {
  uint32_t reads = 0, defines = 0, undef = 0;
};

// What the SDM says about the flags of a shift/rotate by a known count.
FlagFx shift_flags(unsigned op, unsigned bits, uint32_t count) {
  FlagFx f;
  f.reads = op == 2 || op == 3 ? CF : 0;
  const unsigned mc = count & 31;
  if (mc == 0) return f;  // no flag changes at all
  if (op < 4) {           // rotates touch CF and OF only; OF is defined for 1-bit rotates
    f.defines = CF | (mc == 1 ? OF : 0);
    f.undef = mc == 1 ? 0 : OF;
    // RCL/RCR of 8/16-bit operands rotate by count mod 9/17: a multiple leaves CF as it was.
    if (op >= 2 && bits < 32 && mc % (bits + 1) == 0) f.defines &= ~CF;
    return f;
  }
  f.defines = SF | ZF | PF | CF | (mc == 1 ? OF : 0);
  f.undef = AF | (mc == 1 ? 0 : OF);
  if (op != 7 && mc >= bits) {  // SHL/SHR: CF undefined when count >= operand size (SDM)
    f.defines &= ~CF;
    f.undef |= CF;
  }
  return f;
}

bool shift_rm(Group& g) {  // D0/D1 by 1, D2/D3 by CL, C0/C1 by imm8
  static constexpr uint8_t kOps[] = {0, 1, 2, 3, 4, 5, 7};
  const unsigned op = g.rng.pick(kOps), size = size_bwd(g), form = g.rng.below(3);
  uint32_t count = 1;
  if (form == 1) g.reserve(ECX);
  const Rm rm = g.rm(size, mem_opts(size, true));
  if (form != 0) count = shift_count(g.rng, 8 * size);
  if (form == 1) g.pin_sized(ECX, 1, count);  // CL; the rest of ECX is noise
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8((form == 0 ? 0xd0 : form == 1 ? 0xd2 : 0xc0) + wbit(size));
  Group::modrm(in, op, rm);
  if (form == 2) in.u8(count);
  const FlagFx f = shift_flags(op, 8 * size, count);
  in.reads = f.reads;
  in.defines = f.defines;
  in.extra_undef = f.undef;
  in.writes = written(rm, size);
  g.emit(in);
  return true;
}

bool shld_shrd(Group& g) {  // 0F A4/A5 SHLD, 0F AC/AD SHRD (imm8 / CL)
  const unsigned size = g.osize(), reg = g.rng.below(8);
  const bool right = g.rng.chance(1, 2), by_cl = g.rng.chance(1, 2);
  if (by_cl) g.reserve(ECX);
  const Rm rm = g.rm(size, mem_opts(size, true));
  uint32_t count = shift_count(g.rng, 8 * size);
  // A 16-bit double shift by more than 16 leaves the result undefined (SDM): avoid.
  if (size == 2 && (count & 31) > 16) count = g.rng.below(17) | (g.rng.below(8) << 5);
  if (by_cl) g.pin_sized(ECX, 1, count);
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x0f).u8((right ? 0xac : 0xa4) + (by_cl ? 1 : 0));
  Group::modrm(in, reg, rm);
  if (!by_cl) in.u8(count);
  const FlagFx f = shift_flags(4, 8 * size, count);  // flags follow SHL/SHR below the width
  in.defines = f.defines;
  in.extra_undef = f.undef;
  in.writes = written(rm, size);
  g.emit(in);
  return true;
}

// ---- MUL / IMUL / DIV / IDIV
bool mul_rm(Group& g) {  // F6/F7 /4 MUL, /5 IMUL (one operand)
  const unsigned size = size_bwd(g);
  const Rm rm = g.rm(size, mem_opts(size, false));
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0xf6 + wbit(size));
  Group::modrm(in, 4 + g.rng.below(2), rm);
  in.defines = CF | OF;
  in.writes = bit(EAX) | (size > 1 ? bit(EDX) : 0);
  g.emit(in);
  return true;
}

bool imul_forms(Group& g) {  // 0F AF r,r/m; 69 r,r/m,imm; 6B r,r/m,imm8
  const unsigned size = g.osize(), reg = g.rng.below(8), form = g.rng.below(3);
  const Rm rm = g.rm(size, mem_opts(size, false));
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  if (form == 0) in.u8(0x0f).u8(0xaf);
  else in.u8(form == 1 ? 0x69 : 0x6b);
  Group::modrm(in, reg, rm);
  if (form == 1) in.imm(g.imm(size), size);
  if (form == 2) in.u8(g.imm(1));
  in.defines = CF | OF;
  in.writes = bit(reg);
  g.emit(in);
  return true;
}

struct DivCase {
  uint64_t dividend;  // two operand widths
  uint32_t divisor;
};

// Operands whose quotient fits by construction: dividend = q * d + r with |r| < |d| and r taking
// the dividend's sign, so no #DE. The most negative quotient is allowed (SDM IDIV: only values
// beyond it fault).
DivCase div_case(Rng& rng, unsigned bits, bool sign) {
  const uint64_t mask = bits == 32 ? 0xffffffffull : (1ull << bits) - 1;
  auto nonzero = [&] {
    uint64_t d = rng.chance(1, 3) ? rng.range(1, 16) : (rng.edgy() & mask);
    if (sign && rng.chance(1, 4)) d = (0 - d) & mask;
    return d ? d : 1;
  };
  const uint64_t du = nonzero();
  const uint64_t qu = rng.edgy() & mask;
  if (!sign) {
    const uint64_t r = rng.below(uint32_t(std::min<uint64_t>(du, 0xffffffffull)));
    return {qu * du + r, uint32_t(du)};
  }
  auto sx = [&](uint64_t v) { return int64_t(v << (64 - bits)) >> (64 - bits); };
  const int64_t d = sx(du), q = sx(qu);
  const int64_t mag = d < 0 ? -d : d;
  int64_t r = int64_t(rng.below(uint32_t(std::min<int64_t>(mag, 0xffffffffll))));
  const int64_t qd = q * d;
  if (qd < 0 || (qd == 0 && rng.chance(1, 2))) r = -r;
  return {uint64_t(qd + r), uint32_t(du)};
}

void pin_dividend(Group& g, unsigned size, uint64_t v) {
  if (size == 1) return g.pin_sized(EAX, 2, uint32_t(v));
  g.pin_sized(EAX, size, uint32_t(v));
  g.pin_sized(EDX, size, uint32_t(v >> (8 * size)));
}

bool div_rm(Group& g) {  // F6/F7 /6 DIV, /7 IDIV
  const unsigned size = size_bwd(g);
  const bool sign = g.rng.chance(1, 2);
  g.reserve(EAX);
  g.reserve(EDX);
  const Rm rm = g.rm(size, mem_opts(size, false), true);
  const DivCase c = div_case(g.rng, 8 * size, sign);
  g.pin_rm(rm, size, c.divisor);
  pin_dividend(g, size, c.dividend);
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0xf6 + wbit(size));
  Group::modrm(in, sign ? 7 : 6, rm);
  in.writes = bit(EAX) | bit(EDX);
  g.emit(in);
  return true;
}

constexpr Template kTemplates[] = {
    {"shift/rotate", kShift, kBoth, shift_rm},
    {"shld/shrd", kShift, kBoth, shld_shrd},
    {"mul/imul r/m", kMulDiv, kBoth, mul_rm},
    {"imul r,r/m[,imm]", kMulDiv, kBoth, imul_forms},
    {"div/idiv", kMulDiv, kBoth, div_rm},
};

}  // namespace

std::span<const Template> shift_mul_templates() { return kTemplates; }

}  // namespace diff
