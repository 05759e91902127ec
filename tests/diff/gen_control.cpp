// Templates: forward Jcc/JMP (direct and indirect), LOOP/LOOPcc/JCXZ, CALL+RET pairs; and the
// "fault" class, whose last instruction is meant to raise an exception in both engines.
#include "tests/diff/gen_util.h"

namespace diff {
namespace {

using namespace gen;

// Branch targets are later group boundaries the generator picks, so every branch is forward
// and every stream terminates.
bool jcc(Group& g) {  // 70+cc rel8, 0F 80+cc rel16/32
  const unsigned cc = g.rng.below(16);
  const int target = g.forward_label();
  Insn in;
  if (g.rng.chance(1, 2)) {
    g.prefix_os(in, g.osize());  // 66h on a short branch only changes EIP truncation
    in.u8(0x70 + cc).fix(target, 1, true);
  } else {
    const unsigned size = g.osize();
    g.prefix_os(in, size);
    in.u8(0x0f).u8(0x80 + cc).fix(target, size, true);
  }
  in.reads = cond_reads(cc);
  in.jump_label = int16_t(target);
  g.emit(in);
  return true;
}

bool jmp(Group& g) {  // EB rel8, E9 rel16/32
  const int target = g.forward_label();
  Insn in;
  const unsigned size = g.osize();
  g.prefix_os(in, size);
  if (g.rng.chance(1, 2))
    in.u8(0xeb).fix(target, 1, true);
  else
    in.u8(0xe9).fix(target, size, true);
  in.jump_label = int16_t(target);
  g.emit(in);
  return true;
}

bool jmp_indirect(Group& g) {  // FF /4 through a pinned register or memory word
  const unsigned size = g.osize();
  const int target = g.forward_label();
  Rm rm;
  if (g.rng.chance(1, 2)) {
    rm.reg = uint8_t(g.pick_reg(4, true));
    g.pin_label(rm.reg, size, target);
  } else {
    rm.is_mem = true;
    rm.m = g.mem(mem_opts(size, false));
    g.pin_mem_label(rm.m, size, target);
  }
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0xff);
  Group::modrm(in, 4, rm);
  in.jump_label = int16_t(target);
  g.emit(in);
  return true;
}

bool loop(Group& g) {  // E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JCXZ/JECXZ; 67h picks CX or ECX
  const unsigned op = g.rng.below(4), asize = g.asize();
  if (g.rng.chance(1, 2)) {
    const uint32_t c = g.rng.below(3);
    g.pin(ECX, asize == 4 ? c : (g.rng.u32() & 0xffff0000u) | c);
  }
  const int target = g.forward_label();
  Insn in;
  if (asize != (g.code32() ? 4u : 2u)) in.u8(0x67);
  if (g.rng.chance(1, 8)) g.prefix_os(in, g.osize());
  in.u8(0xe0 + op).fix(target, 1, true);
  if (op < 2) in.reads = ZF;
  if (op < 3) in.writes = bit(ECX);
  in.jump_label = int16_t(target);
  g.emit(in);
  return true;
}

// A few instructions that neither branch nor touch the stack, for a CALL body. A draw that
// moved ESP (a pinned ESP, or a write to it) would break the return, so it is undone.
void call_body(Group& g) {
  if (g.failed) return;
  const uint8_t mode_bit = g.real() ? kReal : kFlat;
  unsigned eligible = 0;
  for (const Template& t : templates())
    if ((t.traits & mode_bit) && !(t.traits & (kNoBody | kFaults))) eligible++;
  for (unsigned n = g.rng.below(3); n > 0; n--) {
    unsigned k = g.rng.below(eligible);
    for (const Template& t : templates()) {
      if (!(t.traits & mode_bit) || (t.traits & (kNoBody | kFaults)) || k--) continue;
      const Group::Mark m = g.mark();
      const bool ok = t.emit(g);
      if (!ok || g.failed || !g.st.sp_known || g.st.esp != m.st.esp) g.rollback(m);
      break;
    }
  }
}

// CALL L; JMP END; L: body; RET [imm16]; END:   (direct, through a register, or through memory)
bool call_ret(Group& g) {
  const unsigned size = g.osize();
  const uint32_t pop = g.rng.chance(1, 3) ? 2 * g.rng.below(8) : 0;
  g.need_stack(size + 64, pop + 64);
  const int body = g.local_label(), end = g.local_label();
  Insn call;
  const unsigned kind = g.rng.below(3);
  if (kind == 0) {
    g.prefix_os(call, size);
    call.u8(0xe8).fix(body, size, true);
  } else {
    Rm rm;
    if (kind == 1) {
      rm.reg = uint8_t(g.pick_reg(4, true));
      g.pin_label(rm.reg, size, body);
    } else {
      rm.is_mem = true;
      rm.m = g.mem(mem_opts(size, false));
      g.pin_mem_label(rm.m, size, body);
    }
    g.prefix_rm(call, rm);
    g.prefix_os(call, size);
    call.u8(0xff);
    Group::modrm(call, 2, rm);
  }
  call.sp_delta = -int(size);
  g.emit(call);
  Insn skip;
  skip.u8(0xeb).fix(end, 1, true);
  g.emit(skip);
  g.bind(body);
  // The body must not overwrite the return address.
  g.protect = MemRange{g.seg_base(sSS) + (g.real() ? g.st.esp & 0xffff : g.st.esp), size};
  call_body(g);
  g.protect = MemRange{};
  Insn ret;
  g.prefix_os(ret, size);
  if (pop)
    ret.u8(0xc2).imm(pop, 2);
  else
    ret.u8(0xc3);
  ret.sp_delta = int(size + pop);
  g.emit(ret);
  g.bind(end);
  return true;
}

// ---- Faults. Each ends its stream; both engines must raise the same exception at the same
// instruction with the same state. ghost86 delivers the exception onto the stack (the runner
// reads the frame back), so the stack has to be a valid one at that point.
bool div_fault(Group& g) {  // #DE: divisor 0, or a quotient that does not fit
  g.need_stack(16, 0);
  const unsigned size = size_bwd(g), bits = 8 * size;
  const bool sign = g.rng.chance(1, 2);
  g.reserve(EAX);
  g.reserve(EDX);
  const Rm rm = g.rm(size, mem_opts(size, false), true);
  const uint64_t mask = bits == 32 ? 0xffffffffull : (1ull << bits) - 1;
  uint64_t dividend = (uint64_t(g.rng.u32()) << 32 | g.rng.u32()) & (mask << bits | mask);
  uint32_t divisor = 0;
  switch (g.rng.below(3)) {
    case 0: break;  // divide by zero
    case 1:         // most negative / -1 (signed), or a high half >= the divisor (unsigned)
      divisor = uint32_t(mask);
      dividend = sign ? (((mask << bits) | mask) & ~(mask >> 1)) : (mask << bits);
      break;
    default:  // a quotient far out of range
      divisor = g.rng.range(1, 3);
      dividend = (mask >> 2) << bits;
  }
  g.pin_rm(rm, size, divisor);
  if (size == 1) {
    g.pin_sized(EAX, 2, uint32_t(dividend));
  } else {
    g.pin_sized(EAX, size, uint32_t(dividend));
    g.pin_sized(EDX, size, uint32_t(dividend >> bits));
  }
  Insn in;
  g.prefix_rm(in, rm);
  g.prefix_os(in, size);
  in.u8(0xf6 + wbit(size));
  Group::modrm(in, sign ? 7 : 6, rm);
  in.expect_vector = 0;
  g.emit(in);
  return true;
}

bool aam_zero(Group& g) {  // D4 00: #DE
  g.need_stack(16, 0);
  Insn in;
  in.u8(0xd4).u8(0);
  in.expect_vector = 0;
  g.emit(in);
  return true;
}

// #UD: UD2, LOCK on a register destination, MOV CS. (LOCK on an instruction that is not
// lockable at all, e.g. LOCK MOV or LOCK CMP, raises #UD on hardware but QEMU ignores the prefix:
// not generated.)
bool invalid(Group& g) {
  g.need_stack(16, 0);
  Insn in;
  in.allow_unlowered = in.allow_invalid = true;
  in.expect_vector = 6;
  switch (g.rng.below(3)) {
    case 0: in.u8(0x0f).u8(0x0b); break;
    case 1: in.u8(0xf0).u8(0x01).u8(0xc0 | g.rng.below(64)); break;  // lock add r, r
    default: in.u8(0x8e).u8(0xc8 | g.rng.below(8)); break;         // mov cs, r16
  }
  g.emit(in);
  return true;
}

constexpr Template kTemplates[] = {
    {"jcc", kControl, kBoth | kNoBody, jcc},
    {"jmp", kControl, kBoth | kNoBody, jmp},
    {"jmp r/m", kControl, kBoth | kNoBody, jmp_indirect},
    {"loop/loopcc/jcxz", kControl, kBoth | kNoBody, loop},
    {"call; ret", kControl, kBoth | kNoBody, call_ret},
    {"div #DE", kFault, kBoth | kNoBody | kFaults, div_fault},
    {"aam 0 #DE", kFault, kBoth | kNoBody | kFaults, aam_zero},
    {"#UD", kFault, kBoth | kNoBody | kFaults, invalid},
};

}  // namespace

std::span<const Template> control_templates() { return kTemplates; }

}  // namespace diff
