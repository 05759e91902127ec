// Guest memory accesses (DESIGN.md §5 "Soft MMU and TLB"). The fast path is inline: the
// segment (nothing when the block was translated for a flat segment, the base add alone for a
// segment with a 4 GiB limit and read/write rights, else the limit and rights checks and the
// base add), the TLB index, one compare of the tag against the page of the
// access's last byte (so an access crossing into the next page misses), and the host access.
// Everything else, including every fault, goes through the same C++ path the interpreter uses.
#include "jit/backend/x64/compiler.h"
#include "mmu/tlb.h"

namespace jit::x64 {

using asmjit::Imm;
using asmjit::Label;
using cpu::CpuState;
using ir::Inst;
using ir::Op;

namespace {

size_t seg_field(unsigned seg, size_t field) { return offsetof(CpuState, seg) + seg * sizeof(cpu::Segment) + field; }

// The linear address of the access in a register (the offset's own register when flat).
x86::Gpd linear(Compiler& c, const Inst& in, bool write, Label slow) {
  const unsigned seg = in.imm, size = in.sz;
  if (c.facts.open_segs >> seg & 1 && !(c.facts.flat_segs >> seg & 1)) {
    // No limit or rights to check (per-CPU data through FS, for one): base + offset, the
    // offset often a constant.
    const x86::Mem base = Compiler::state(seg_field(seg, offsetof(cpu::Segment, base)));
    if (c.is_const(in.a)) {
      c.a.mov(x86::eax, base);
      if (c.value(in.a)) c.a.add(x86::eax, Imm(int32_t(c.value(in.a))));
    } else {
      c.load_into(x86::eax, in.a);
      c.a.add(x86::eax, base);
    }
    return x86::eax;
  }
  const x86::Gpd off = c.use(in.a, x86::r11d);
  if (c.facts.flat_segs >> seg & 1) return off;
  // Offsets in [lo, hi] are inside the segment; the last byte must be too (cpu::Cpu::check_seg).
  c.a.cmp(off, Compiler::state(seg_field(seg, offsetof(cpu::Segment, lo))));
  c.a.jb(slow);
  c.a.lea(x86::rax, x86::ptr(off.r64(), int32_t(size - 1)));
  c.a.mov(x86::edx, Compiler::state(seg_field(seg, offsetof(cpu::Segment, hi))));
  c.a.cmp(x86::rax, x86::rdx);
  c.a.ja(slow);
  c.a.test(Compiler::state(seg_field(seg, offsetof(cpu::Segment, access)), 1),
           Imm(write ? cpu::kSegWrite : cpu::kSegRead));
  c.a.jz(slow);
  c.a.mov(x86::eax, off);
  c.a.add(x86::eax, Compiler::state(seg_field(seg, offsetof(cpu::Segment, base))));
  return x86::eax;
}

// Leaves rcx = host address minus linear address on a hit; jumps to `slow` otherwise.
void tlb_probe(Compiler& c, x86::Gpd lin, unsigned size, size_t tag, Label slow) {
  static_assert(sizeof(mmu::TlbEntry) == 32);
  c.a.mov(x86::ecx, lin);
  c.a.shr(x86::ecx, mmu::kPageBits - 5);
  c.a.and_(x86::ecx, Imm((mmu::kTlbSize - 1) << 5));
  c.a.lea(x86::edx, x86::ptr(lin.r64(), int32_t(size - 1)));
  c.a.and_(x86::edx, Imm(mmu::kPageMask));
  c.a.cmp(x86::edx, x86::dword_ptr(x86::r15, x86::rcx, 0, int32_t(tag)));
  c.a.jne(slow);
  c.a.mov(x86::rcx, x86::qword_ptr(x86::r15, x86::rcx, 0, int32_t(offsetof(mmu::TlbEntry, addend))));
}

// The slow path's call through a stub that keeps the allocated registers (X64Backend's
// constructor): EIP of this instruction for a fault, the arguments in scratch registers. A fault
// leaves the block from the stub.
void slow_call(Compiler& c, const Inst& in, uintptr_t stub) {
  c.a.mov(Compiler::state(offsetof(CpuState, eip)), Imm(c.insn_eip));
  c.load_into(x86::edx, in.a);
  c.a.mov(x86::ecx, Imm(in.imm | uint32_t(in.sz) << 8 | c.insn_position() << (8 + kThunkInsnShift)));
  c.call_stub(stub);
}

}  // namespace

template <>
void emit<Op::Load>(Compiler& c, const Inst& in) {
  Label slow = c.a.newLabel(), done = c.a.newLabel();
  const x86::Gpd lin = linear(c, in, false, slow);
  tlb_probe(c, lin, in.sz, offsetof(mmu::TlbEntry, tag_read), slow);
  const x86::Gpd d = c.def(in.dst, x86::edx);
  const x86::Mem m = x86::ptr(x86::rcx, lin.r64(), 0, 0, in.sz);
  if (in.sz == 4)
    c.a.mov(d, m);
  else
    c.a.movzx(d, m);
  c.finish(in.dst, d);
  c.a.bind(done);
  c.cold([&c, in, slow, done] {
    c.a.bind(slow);
    c.emit_syncs();
    slow_call(c, in, c.env.load_stub);
    const x86::Gpd d = c.def(in.dst, x86::eax);
    if (d != x86::eax) c.a.mov(d, x86::eax);
    c.finish(in.dst, d);
    c.exit_after_slow_path();
    c.a.jmp(done);
  });
}

template <>
void emit<Op::Store>(Compiler& c, const Inst& in) {
  Label slow = c.a.newLabel(), done = c.a.newLabel();
  const x86::Gpd lin = linear(c, in, true, slow);
  tlb_probe(c, lin, in.sz, offsetof(mmu::TlbEntry, tag_write), slow);
  const x86::Mem m = x86::ptr(x86::rcx, lin.r64(), 0, 0, in.sz);
  if (c.is_const(in.b)) {
    c.a.mov(m, Imm(in.sz == 1 ? uint8_t(c.value(in.b)) : in.sz == 2 ? uint16_t(c.value(in.b)) : c.value(in.b)));
  } else {
    const x86::Gpd v = c.use(in.b, x86::edx);
    c.a.mov(m, in.sz == 1 ? x86::Gp(v.r8()) : in.sz == 2 ? x86::Gp(v.r16()) : x86::Gp(v));
  }
  c.a.bind(done);
  c.cold([&c, in, slow, done] {
    c.a.bind(slow);
    c.emit_syncs();
    c.load_into(x86::r11d, in.b);
    slow_call(c, in, c.env.store_stub);
    c.exit_after_slow_path();
    c.a.jmp(done);
  });
}

}  // namespace jit::x64
