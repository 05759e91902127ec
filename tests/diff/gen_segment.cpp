// Templates: segment-register moves, pushes and pops, and far-pointer loads.
#include "tests/diff/gen_util.h"

namespace diff {
namespace {

using namespace gen;

// ---- Segment registers. Loads only ever receive one of the stream's selectors (all of them
// have mapped windows); protected-mode loads need descriptor checks, so they are real mode only.
// A load may switch SS, so none of them goes into a CALL body (the RET would pop elsewhere).
uint16_t some_selector(Group& g) { return g.ctx.sel[g.rng.below(kSegs)]; }
unsigned loadable_sreg(Group& g) {
  static constexpr uint8_t kSregs[] = {sES, sSS, sDS, sFS, sGS};
  return g.rng.pick(kSregs);
}

bool mov_rm_sreg(Group& g) {  // 8C /r: a 32-bit register destination is zero-extended (P6)
  const unsigned size = g.osize();
  const Rm rm = g.rm(2, mem_opts(2, true));
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0x8c);
  Group::modrm(in, g.rng.below(kSegs), rm);
  in.writes = written(rm, size);
  g.emit(in);
  return true;
}

bool mov_sreg_rm(Group& g) {  // 8E /r
  const Rm rm = g.rm(2, mem_opts(2, false), true);
  const uint16_t sel = some_selector(g);
  const unsigned sreg = loadable_sreg(g);
  g.pin_rm(rm, 2, sel);
  Insn in;
  g.prefix_rm(in, rm);
  in.u8(0x8e);
  Group::modrm(in, sreg, rm);
  g.emit(in);
  g.st.sel[sreg] = sel;
  return true;
}

// PUSH sreg with a 32-bit operand may write all four bytes (zero-extended) or only the low two
// (SDM: model-specific). The upper half of the slot is zeroed first so both agree.
void push_sreg_insn(Group& g, unsigned sreg, unsigned size) {
  g.need_stack(8, 0);
  if (size == 4) {
    Mem slot;
    slot.seg = sSS;
    slot.ea = (g.real() ? g.st.esp & 0xffff : g.st.esp) - 2;
    g.pin_mem(slot, 0, 2, 0);
  }
  Insn in;
  g.prefix_os(in, size);
  static constexpr uint8_t kPush[kSegs][2] = {{0x06, 0}, {0x0e, 0}, {0x16, 0}, {0x1e, 0}, {0x0f, 0xa0}, {0x0f, 0xa8}};
  in.u8(kPush[sreg][0]);
  if (kPush[sreg][1]) in.u8(kPush[sreg][1]);
  in.sp_delta = -int(size);
  g.emit(in);
}

bool push_sreg(Group& g) {
  push_sreg_insn(g, g.rng.below(kSegs), g.osize());
  return true;
}

bool push_pop_sreg(Group& g) {  // PUSH sreg / POP sreg' (a selector the stream already uses)
  const unsigned size = g.osize(), from = g.rng.below(kSegs);
  push_sreg_insn(g, from, size);
  static constexpr uint8_t kPop[kSegs][2] = {{0x07, 0}, {0, 0}, {0x17, 0}, {0x1f, 0}, {0x0f, 0xa1}, {0x0f, 0xa9}};
  const unsigned sreg = loadable_sreg(g);
  Insn in;
  g.prefix_os(in, size);
  in.u8(kPop[sreg][0]);
  if (kPop[sreg][1]) in.u8(kPop[sreg][1]);
  in.sp_delta = int(size);
  g.emit(in);
  g.st.sel[sreg] = g.st.sel[from];
  return true;
}

bool load_far_ptr(Group& g) {  // C4 LES, C5 LDS, 0F B2 LSS, 0F B4 LFS, 0F B5 LGS: r, m16:16/32
  const unsigned size = g.osize(), reg = g.rng.below(8), which = g.rng.below(5);
  const Mem m = g.mem(mem_opts(size + 2, false));
  const uint16_t sel = some_selector(g);
  g.pin_mem(m, size, 2, sel);
  Insn in;
  g.prefix_mem(in, m);
  g.prefix_os(in, size);
  static constexpr uint8_t kOpc[5] = {0xc4, 0xc5, 0xb2, 0xb4, 0xb5};
  if (which >= 2) in.u8(0x0f);
  in.u8(kOpc[which]);
  Group::modrm(in, reg, m);
  in.writes = bit(reg);
  g.emit(in);
  static constexpr uint8_t kLoads[5] = {sES, sDS, sSS, sFS, sGS};
  g.st.sel[kLoads[which]] = sel;
  return true;
}

constexpr Template kTemplates[] = {
    {"mov r/m,sreg", kSegment, kBoth, mov_rm_sreg},
    {"mov sreg,r/m", kSegment, kReal | kNoBody, mov_sreg_rm},
    {"push sreg", kSegment, kBoth | kNoBody, push_sreg},
    {"push sreg; pop sreg", kSegment, kReal | kNoBody, push_pop_sreg},
    {"lds/les/lss/lfs/lgs", kSegment, kReal | kNoBody, load_far_ptr},
};

}  // namespace

std::span<const Template> segment_templates() { return kTemplates; }

}  // namespace diff
