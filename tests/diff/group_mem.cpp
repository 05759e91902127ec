// The memory-operand solver: picks an addressing form at random and chooses register values
// (pinned with MOVs) so that the effective address lands inside the window.
#include "cpu/state.h"
#include "tests/diff/group.h"

namespace diff {
namespace {

// Inverse of an odd number modulo 2^32 (Newton's iteration doubles the correct bits each step).
uint32_t inverse_odd(uint32_t a) {
  uint32_t x = a;
  for (int i = 0; i < 5; i++) x *= 2 - a * x;
  return x;
}

}  // namespace

Rm Group::rm(unsigned size, const MemOpts& o, bool pinnable) {
  Rm r;
  if (rng.chance(2, 5)) {
    r.reg = uint8_t(pinnable ? pick_reg(size, true) : rng.below(8));
    return r;
  }
  r.is_mem = true;
  r.m = mem(o);
  return r;
}

Mem Group::mem(const MemOpts& o) {
  Mem m;
  for (int i = 0; i < 32; i++)
    if (try_mem(o, m)) return m;
  // Practically unreachable; an absolute address always works.
  m = Mem{};
  m.asize = uint8_t(code32() ? 4 : 2);
  m.mod = 0;
  m.rm = code32() ? 5 : 6;
  m.disp_size = m.asize;
  m.ea = m.disp = kWinLo + o.below + 8;
  return m;
}

bool Group::try_mem(const MemOpts& o, Mem& m) {
  using namespace cpu;
  m = Mem{};
  m.asize = uint8_t(asize());
  const bool a32 = m.asize == 4;
  const uint32_t amask = a32 ? 0xffffffffu : 0xffffu;
  const unsigned width = a32 ? 32 : 16;
  int base = -1, index = -1;
  uint32_t scale = 1;
  m.mod = uint8_t(rng.below(3));
  m.rm = uint8_t(rng.below(8));
  if (!a32) {
    static constexpr int8_t kBase[8] = {EBX, EBX, EBP, EBP, -1, -1, EBP, EBX};
    static constexpr int8_t kIndex[8] = {ESI, EDI, ESI, EDI, ESI, EDI, -1, -1};
    if (m.mod == 0 && m.rm == 6) {
      m.disp_size = 2;
    } else {
      base = kBase[m.rm];
      index = kIndex[m.rm];
      m.disp_size = uint8_t(m.mod == 1 ? 1 : m.mod == 2 ? 2 : 0);
    }
  } else {
    if (m.rm == 4) {
      const unsigned ss = rng.below(4), idx = rng.below(8), b = rng.below(8);
      m.has_sib = true;
      m.sib = uint8_t(ss << 6 | idx << 3 | b);
      if (idx != 4) {
        index = int(idx);
        scale = 1u << ss;
      }
      if (b == 5 && m.mod == 0)
        m.disp_size = 4;
      else
        base = int(b);
    } else if (m.rm == 5 && m.mod == 0) {
      m.disp_size = 4;
    } else {
      base = m.rm;
    }
    if (m.mod == 1) m.disp_size = 1;
    if (m.mod == 2) m.disp_size = 4;
  }
  const bool ss_default = base == EBP || base == ESP;

  struct Term {
    int reg;
    uint32_t coef, val;
  };
  Term t[2];
  int nt = 0;
  auto add = [&](int r, uint32_t c) {
    for (int i = 0; i < nt; i++)
      if (t[i].reg == r) return void(t[i].coef += c);
    t[nt++] = Term{r, c, 0};
  };
  if (base >= 0) add(base, 1);
  if (index >= 0) add(index, scale);

  switch (m.disp_size) {
    case 1: m.disp = uint32_t(int32_t(int8_t(rng.u32()))) & amask; break;
    case 2: m.disp = imm(2); break;
    case 4: m.disp = rng.edgy(); break;
    default: m.disp = 0;
  }
  const uint8_t def_seg = ss_default ? sSS : sDS;
  m.seg = def_seg;
  if (rng.chance(1, 3)) {
    const unsigned s = rng.below(kSegs);
    if (!(s == sCS && o.write)) {
      m.seg_prefix = int8_t(s);
      m.seg = uint8_t(s);
    }
  }
  if (o.no_access) return true;  // registers keep whatever they hold

  for (int i = 0; i < nt; i++)
    if (t[i].reg != ESP && ((reserved >> t[i].reg) & 1)) return false;
  const uint32_t lo = kWinLo + o.below + 8, top = kWinHi - o.above - o.size - 8;
  if (top < lo) throw HarnessError{"memory operand margins exceed the window"};
  uint32_t target = rng.range(lo, top);

  // ESP's value is given (and must stay inside the stack window); the others are chosen.
  int free_i = -1, nfree = 0;
  for (int i = 0; i < nt; i++) {
    if (t[i].reg == ESP) {
      need_stack(0, 0);
      const uint32_t sp = st.esp + uint32_t(o.sp_bias);
      t[i].val = real() ? (st.esp & 0xffff0000u) | (sp & 0xffff) : sp;
    } else if (rng.below(uint32_t(++nfree)) == 0) {
      free_i = i;
    }
  }
  uint32_t sum = 0;
  for (int i = 0; i < nt; i++) {
    if (i == free_i || t[i].reg == ESP) continue;
    t[i].val = a32 ? rng.edgy() : rng.u32();
  }
  for (int i = 0; i < nt; i++)
    if (i != free_i) sum += t[i].coef * t[i].val;
  if (free_i >= 0) {
    // Solve coef * v == target - disp - sum (mod 2^width); an even coefficient needs the right
    // low bits, so the target moves down by at most 7 bytes.
    uint32_t rhs = (target - m.disp - sum) & amask;
    const uint32_t c = t[free_i].coef;
    const unsigned k = unsigned(__builtin_ctz(c));
    const uint32_t low = rhs & ((1u << k) - 1);
    target -= low;
    rhs -= low;
    uint32_t v = ((rhs >> k) * inverse_odd(c >> k)) & (amask >> k);
    if (k) v |= (rng.u32() << (width - k)) & amask;  // any multiple of 2^(width-k) wraps away
    t[free_i].val = v;
  } else if (m.disp_size * 8 == width) {
    m.disp = (target - sum) & amask;
  } else {
    target = (sum + m.disp) & amask;
    if (target < lo || target > top) return false;
  }
  uint32_t check = m.disp;
  for (int i = 0; i < nt; i++) check += t[i].coef * t[i].val;
  if ((check & amask) != target) throw HarnessError{"address solver"};
  if (hits_protected(seg_base(m.seg) + target - o.below, o.below + o.size + o.above)) return false;

  for (int i = 0; i < nt; i++) {
    if (t[i].reg == ESP) continue;
    pin(unsigned(t[i].reg), a32 ? t[i].val : (rng.u32() & 0xffff0000u) | (t[i].val & 0xffff));
  }
  m.ea = target;
  return true;
}

}  // namespace diff
