#include "tests/diff/group.h"

#include <cstdio>
#include <string>

#include "cpu/opcode_table.h"
#include "cpu/state.h"
#include "tests/diff/known_issues.h"

namespace diff {

using namespace cpu::fl;

namespace {

std::string hex(const uint8_t* b, unsigned n) {
  std::string s;
  char buf[4];
  for (unsigned i = 0; i < n; i++) {
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    s += (i ? " " : "") + std::string(buf);
  }
  return s;
}

constexpr uint8_t kSegPrefix[kSegs] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};

}  // namespace

uint32_t cond_reads(unsigned cc) {
  static constexpr uint32_t kReads[8] = {OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF};
  return kReads[(cc >> 1) & 7];
}

unsigned Group::bytes() const {
  unsigned n = 0;
  for (const Emitted& e : out) n += e.in.n;
  return n;
}

unsigned Group::osize() {
  const unsigned d = code32() ? 4 : 2;
  return rng.chance(3, 4) ? d : 6 - d;
}

unsigned Group::asize() {
  const unsigned d = code32() ? 4 : 2;
  return rng.chance(3, 4) ? d : 6 - d;
}

void Group::prefix_os(Insn& in, unsigned size) const {
  if (size != 1 && size != (code32() ? 4u : 2u)) in.u8(0x66);
}

void Group::prefix_mem(Insn& in, const Mem& m) const {
  if (m.asize != (code32() ? 4u : 2u)) in.u8(0x67);
  if (m.seg_prefix >= 0) in.u8(kSegPrefix[m.seg_prefix]);
}

void Group::modrm(Insn& in, unsigned reg, const Mem& m) {
  in.u8(m.mod << 6 | (reg & 7) << 3 | m.rm);
  if (m.has_sib) in.u8(m.sib);
  in.imm(m.disp, m.disp_size);
}

void Group::modrm(Insn& in, unsigned reg, const Rm& r) {
  if (r.is_mem) return modrm(in, reg, r.m);
  in.u8(0xc0 | (reg & 7) << 3 | r.reg);
}

uint32_t Group::imm(unsigned size) {
  const unsigned bits = 8 * size;
  const uint32_t mask = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
  switch (rng.below(3)) {
    case 0: return rng.edgy() & mask;
    case 1: return bits >= 32 ? rng.edgy() : rng.edgy() >> (32 - bits);
    default: return rng.u32() & mask;
  }
}

unsigned Group::pick_reg(unsigned size, bool pin) {
  for (int tries = 0; tries < 64; tries++) {
    const unsigned r = rng.below(8);
    const unsigned p = parent(r, size);
    if ((reserved >> p) & 1) continue;
    if (pin && p == cpu::ESP) continue;
    reserve(p);
    return r;
  }
  throw HarnessError{"pick_reg: every register is reserved"};
}

void Group::set_sp(uint32_t v) {
  st.sp_known = true;
  st.esp = v;
}

void Group::pin(unsigned reg32, uint32_t value) {
  Insn in;
  in.role = Role::Pin;
  if (!code32()) in.u8(0x66);
  in.u8(0xb8 + reg32).imm(value, 4);
  emit(in);
  if (reg32 == cpu::ESP) set_sp(value);
}

void Group::pin_sized(unsigned reg, unsigned size, uint32_t value) {
  const uint32_t noise = rng.u32();
  if (size == 4) return pin(reg, value);
  if (size == 2) return pin(reg, (noise & 0xffff0000u) | (value & 0xffff));
  const unsigned shift = reg & 4 ? 8 : 0;
  pin(reg & 3, (noise & ~(0xffu << shift)) | (value & 0xff) << shift);
}

namespace {

// MOV [seg:abs], imm with the mode's default address size. A pin for a CS-relative operand
// writes through DS in flat32, where CS is not writable (both map the same bytes there).
Insn mem_pin_insn(const Group& g, const Mem& m, uint32_t off, unsigned size) {
  Insn in;
  in.role = Role::Pin;
  const unsigned seg = (g.code32() && m.seg == sCS) ? unsigned(sDS) : m.seg;
  in.u8(kSegPrefix[seg]);
  g.prefix_os(in, size);
  in.u8(size == 1 ? 0xc6 : 0xc7);
  if (g.code32())
    in.u8(0x05).imm(m.ea + off, 4);
  else
    in.u8(0x06).imm((m.ea + off) & 0xffff, 2);
  return in;
}

}  // namespace

void Group::pin_mem(const Mem& m, uint32_t off, unsigned size, uint32_t value) {
  Insn in = mem_pin_insn(*this, m, off, size);
  in.imm(value, size);
  emit(in);
}

void Group::pin_rm(const Rm& r, unsigned size, uint32_t value) {
  if (r.is_mem) return pin_mem(r.m, 0, size, value);
  pin_sized(r.reg, size, value);
}

void Group::pin_label(unsigned reg32, unsigned size, int label) {
  Insn in;
  in.role = Role::Pin;
  if (!code32()) in.u8(0x66);
  in.u8(0xb8 + reg32).fix(label, size, false);
  if (size == 2) in.imm(rng.u32(), 2);  // the upper half is ignored by a 16-bit jump
  emit(in);
}

void Group::pin_mem_label(const Mem& m, unsigned size, int label) {
  Insn in = mem_pin_insn(*this, m, 0, size);
  in.fix(label, size, false);
  emit(in);
}

void Group::need_stack(unsigned down, unsigned up) {
  const uint32_t sp = real() ? st.esp & 0xffff : st.esp;
  if (st.sp_known && sp >= kWinLo + down + 8 && sp + up + 8 <= kWinHi) return;
  uint32_t v = rng.range(kWinLo + down + 8, kWinHi - up - 8);
  if (rng.chance(3, 4)) v &= ~3u;  // mostly aligned, sometimes not
  if (real()) v |= rng.u32() & 0xffff0000u;
  pin(cpu::ESP, v);
}

int Group::forward_label() {
  Label l;
  l.pending = true;
  l.skip = int(rng.range(1, 4));
  labels.push_back(l);
  return int(labels.size()) - 1;
}

int Group::local_label() {
  labels.push_back(Label{});
  return int(labels.size()) - 1;
}

void Group::emit(Insn in) {
  if (failed) return;
  cpu::DecodedInsn d;
  const cpu::DecodeStatus status = ctx.dec->decode(in.b, in.n, code32(), 0, d);
  uint16_t mn = ZYDIS_MNEMONIC_INVALID;
  if (status == cpu::DecodeStatus::Ok) {
    if (d.len != in.n)
      throw HarnessError{"encoding length mismatch (decoder says " + std::to_string(d.len) +
                         "): " + hex(in.b, in.n)};
    mn = d.mnemonic;
  } else if (!in.allow_invalid) {
    throw HarnessError{"undecodable encoding: " + hex(in.b, in.n)};
  }
  if (!in.allow_unlowered && !ctx.lowered(mn)) {
    failed = true;
    unlowered = mn;
    return;
  }
  if (ctx.avoid_known && status == cpu::DecodeStatus::Ok) {
    const auto issues = known_issues();
    for (size_t i = 0; i < issues.size(); i++) {
      if (!((ctx.avoid_known >> i) & 1) || !issues[i].hits(d)) continue;
      if (!issues[i].unreliable_flags) {
        failed = true;
        known_drop = int(i);
        return;
      }
      in.extra_undef |= issues[i].unreliable_flags;
      known_flagged[i]++;
    }
  }
  if (in.reads & st.undef) {
    // The instruction would consume an undefined flag: define all six first with a CMP of a
    // random register against a random immediate (it writes nothing else).
    Insn cmp;
    cmp.role = Role::Sanitize;
    cmp.u8(0x83).u8(0xf8 | rng.below(8)).u8(rng.u32());
    cmp.defines = kArith;
    emit(cmp);
    if (failed) return;
  }
  const cpu::InsnInfo* info = status == cpu::DecodeStatus::Ok ? cpu::insn_info(mn) : nullptr;
  const uint32_t table_undef = info ? info->undefined_flags : 0;
  out.push_back(Emitted{in, uint16_t(bytes()), mn});
  const uint16_t off = out.back().off;

  st.undef = ((st.undef & ~in.defines) | table_undef | in.extra_undef) & kArith;
  out.back().undef_after = st.undef;
  if ((in.writes >> cpu::ESP) & 1) {
    st.sp_known = false;
  } else if (in.sp_delta && st.sp_known) {
    const uint32_t sp = st.esp + uint32_t(in.sp_delta);
    st.esp = real() ? (st.esp & 0xffff0000u) | (sp & 0xffff) : sp;
  }
  if (in.jump_label >= 0) {
    Label& l = labels[in.jump_label];
    l.at_jump = st;
    if (in.fix_label == in.jump_label && in.fix_rel && in.fix_width == 1) {
      l.short_jump = true;
      l.jump_end = off + in.n;
    }
  }
}

}  // namespace diff
