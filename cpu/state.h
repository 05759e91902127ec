// CpuState: the architectural state of one IA-32 processor, plain data so that the interpreter
// and JIT backends can address every field by offset. Nothing here knows about devices.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu/softfloat/f80.h"

namespace mmu {
struct TlbEntry;
}

namespace cpu {

constexpr uint8_t kShadowIrq = 1, kShadowDebug = 2;

enum Reg : uint8_t { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };
enum SegReg : uint8_t { ES, CS, SS, DS, FS, GS, kNumSegs };

// EFLAGS bits (SDM Vol.1 §3.4.3).
namespace fl {
constexpr uint32_t CF = 1u << 0, PF = 1u << 2, AF = 1u << 4, ZF = 1u << 6, SF = 1u << 7;
constexpr uint32_t TF = 1u << 8, IF = 1u << 9, DF = 1u << 10, OF = 1u << 11;
constexpr uint32_t IOPL = 3u << 12, NT = 1u << 14, RF = 1u << 16, VM = 1u << 17;
constexpr uint32_t AC = 1u << 18, VIF = 1u << 19, VIP = 1u << 20, ID = 1u << 21;
constexpr uint32_t kArith = CF | PF | AF | ZF | SF | OF;
constexpr uint32_t kFixed1 = 1u << 1;
}  // namespace fl

namespace cr4 {
constexpr uint32_t VME = 1u << 0, PVI = 1u << 1, TSD = 1u << 2, DE = 1u << 3, PSE = 1u << 4;
constexpr uint32_t PAE = 1u << 5, MCE = 1u << 6, PGE = 1u << 7, PCE = 1u << 8;
constexpr uint32_t OSFXSR = 1u << 9, OSXMMEXCPT = 1u << 10;
}  // namespace cr4
constexpr uint32_t kEferNxe = 1u << 11;

namespace cr0 {
constexpr uint32_t PE = 1u << 0, MP = 1u << 1, EM = 1u << 2, TS = 1u << 3, ET = 1u << 4;
constexpr uint32_t NE = 1u << 5, WP = 1u << 16, AM = 1u << 18, NW = 1u << 29, CD = 1u << 30;
constexpr uint32_t PG = 1u << 31;
}  // namespace cr0

// A segment register with its hidden descriptor cache. Offsets in [lo, hi] are inside the limit
// (expand-down segments set lo above zero), so one check serves both kinds.
struct Segment {
  uint16_t sel = 0;
  uint16_t pad = 0;
  uint32_t base = 0;
  uint32_t limit = 0xffff;  // the raw (byte-granular) limit of the descriptor
  uint32_t lo = 0, hi = 0xffff;
  uint32_t flags = 0;  // descriptor bits 8..23 of the high dword (type, S, DPL, P, AVL, D/B, G)
  uint32_t access = 3;  // kSegRead | kSegWrite: which data accesses are allowed
};
constexpr uint32_t kSegRead = 1, kSegWrite = 2;
constexpr uint32_t kSegFlagDB = 1u << 14;  // D/B bit within Segment::flags

struct DescTable {
  uint32_t base = 0;
  uint32_t limit = 0xffff;
};

// Lazy arithmetic flags (DESIGN.md §5 "Flags"). When cc_op is CcOp::Eflags the arithmetic bits
// live in `eflags`; otherwise they are a function of (cc_op, cc_src1, cc_src2, cc_res).
enum class CcKind : uint8_t {
  Eflags,  // materialised
  Add,     // ADD/ADC: src1 + src2 (+carry) = res
  Sub,     // SUB/SBB/CMP/NEG: src1 - src2 (-borrow) = res
  Logic,   // AND/OR/XOR/TEST: CF=OF=AF=0
  Inc,     // src1 + 1 = res, src2 = old CF
  Dec,     // src1 - 1 = res, src2 = old CF
  Shl,     // src1 << src2 = res (src2 = masked count, never 0)
  Shr,     // src1 >> src2 = res
  Sar,     // src1 >>s src2 = res
  Mul,     // unsigned: src2 = high half, res = low half; CF=OF=(high != 0)
  Imul,    // signed: src2 = high half, res = low half; CF=OF=(high != sign extension of low)
  Sbb,     // SBB: src1 - src2 - borrow = res (as Sub, but the operands alone do not decide CF/ZF)
  Szp,     // SF ZF PF from res; CF AF OF are the bits of src1 at their EFLAGS positions
  ImulPair,  // 32-bit IMUL r, r/m[, imm]: src1 * src2 = res (low half); CF=OF=(the signed
             // product does not fit in 32 bits), found when the flags are read, not before
  kCount
};
// cc_op packs kind and operand size: (kind << 2) | log2(size in bytes).
constexpr uint32_t cc_op(CcKind k, unsigned size_bytes) {
  return (uint32_t(k) << 2) | (size_bytes == 1 ? 0u : size_bytes == 2 ? 1u : 2u);
}
constexpr CcKind cc_kind(uint32_t op) { return CcKind(op >> 2); }
constexpr unsigned cc_bits(uint32_t op) { return 8u << (op & 3); }

// Model-specific registers (SDM Vol.4 ch.2, the P6 family), kept as plain data; the access
// rules live in cpu/helpers/msr.cpp. TSC and EFER have their own fields in CpuState.
struct MsrState {
  uint32_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
  uint32_t pad = 0;
  uint64_t apic_base = 0xfee00900u;  // base FEE00000h, global enable, BSP
  uint64_t pat = 0x0007040600070406ull;
  uint64_t misc_enable = 0x1801;  // fast strings; BTS and PEBS unavailable
  uint64_t bios_sign_id = 0;
  uint64_t mtrr_def_type = 0;
  uint64_t mtrr_fixed[11] = {};  // 64K_00000, 16K_80000, 16K_A0000, 4K_C0000 .. 4K_F8000
  uint64_t mtrr_var[16] = {};    // PHYSBASE0, PHYSMASK0, .. PHYSBASE7, PHYSMASK7
};

// x86 condition codes in encoding order (Jcc/SETcc/CMOVcc low nibble).
enum Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };

// x87 FPU and MMX state (SDM Vol.1 §8.1). The registers are indexed physically (R0..R7); ST(i) is
// R[(TOP + i) & 7]. MMX register MMi is the significand of R[i]. The tag word is kept in full
// (two bits per physical register, as FSTENV stores it); FXSAVE's abridged form is derived.
namespace fsw {
constexpr uint16_t IE = 1 << 0, DE = 1 << 1, ZE = 1 << 2, OE = 1 << 3, UE = 1 << 4, PE = 1 << 5;
constexpr uint16_t SF = 1 << 6, ES = 1 << 7, C0 = 1 << 8, C1 = 1 << 9, C2 = 1 << 10;
constexpr uint16_t TOP = 7 << 11, C3 = 1 << 14, B = 1 << 15;
constexpr uint16_t kCond = C0 | C1 | C2 | C3;
}  // namespace fsw
enum FpuTag : uint8_t { kTagValid = 0, kTagZero = 1, kTagSpecial = 2, kTagEmpty = 3 };

struct FpuState {
  sf::F80 r[8];             // physical registers R0..R7 (power-up: +0.0)
  uint16_t fcw = 0x0040;    // power-up value (SDM Vol.3 §9.1, table 9-1); FNINIT loads 037Fh
  uint16_t fsw = 0;
  uint16_t ftw = 0x5555;    // power-up: every register tagged zero; FNINIT: FFFFh (empty)
  uint16_t fop = 0;         // last non-control instruction's opcode (11 bits)
  uint32_t fip = 0, fdp = 0;
  uint16_t fcs = 0, fds = 0;
  uint32_t mxcsr = 0x1f80;  // FXSAVE's MXCSR image (no SSE yet: the reset value)
  uint8_t ferr = 0;         // FERR# signalled for the pending exception (until ES clears)
};

struct CpuState {
  uint32_t regs[8] = {};
  uint32_t eip = 0;
  uint32_t eflags = fl::kFixed1;  // non-arithmetic bits always valid; see cc_op
  uint32_t cc_op = 0;             // CcKind::Eflags
  uint32_t cc_src1 = 0, cc_src2 = 0, cc_res = 0;

  Segment seg[kNumSegs];
  DescTable gdtr, idtr;
  Segment ldtr, tr;
  uint32_t cr0 = cr0::ET, cr2 = 0, cr3 = 0, cr4 = 0;
  uint32_t efer = 0;  // IA32_EFER: NXE (bit 11) enables execute-disable with PAE
  uint32_t dr[8] = {0, 0, 0, 0, 0xffff0ff0, 0x400, 0xffff0ff0, 0x400};
  uint8_t cpl = 0;
  uint8_t halted = 0;
  // Interrupts inhibited for one instruction: kShadowIrq after STI, kShadowIrq | kShadowDebug
  // after MOV SS / POP SS, which also hold back debug traps (SDM Vol.3 §6.8.3).
  uint8_t irq_shadow = 0;
  uint8_t pad0 = 0;

  // Retired-instruction count: the source of virtual time.
  uint64_t icount = 0;
  uint64_t tsc_offset = 0;
  MsrState msr;

  // Set by slow paths (e.g. a store that invalidated translated code) to end the current block
  // at the next instruction boundary: set it with request_exit().
  uint32_t exit_request = 0;

  // Debug exceptions (SDM Vol.3 chapter 17; cpu/debug_regs.h). db_trap collects the DR6 bits of
  // trap conditions met by the running instruction or event delivery (data breakpoints,
  // single-step, the TSS T flag); db_carry holds them across a MOV SS shadow. dbg_exec /
  // dbg_data: which of DR0-DR3 are armed as instruction / data breakpoints (derived from DR7).
  uint32_t db_trap = 0;
  uint32_t db_carry = 0;
  uint8_t dbg_exec = 0;
  uint8_t dbg_data = 0;
  // NMI: requested and not yet taken; blocked from delivery until the next IRET (SDM Vol.3 §6.7.1).
  uint8_t nmi_pending = 0;
  uint8_t nmi_blocked = 0;

  FpuState fpu;

  // Translated code's link to the run loop (jit/backend): it returns to the engine before a
  // block would take icount past icount_limit, and names in chain_site the jump it wants linked.
  uint64_t icount_limit = 0;
  uint64_t chain_site = 0;
  // The engine's jump cache (jit/cache/block_cache.h) and its generation: entries made before
  // the last TLB flush no longer hold (the MMU advances jc_gen).
  void* jump_cache = nullptr;
  uint32_t jc_gen = 0;
  uint32_t pad1 = 0;

  // Software TLB used by the memory fast paths (mmu/tlb.h); owned by the Cpu.
  mmu::TlbEntry* tlb = nullptr;
};

// Asks the engine to end the running block at the next instruction boundary (after a code
// write, a watchpoint hit, a change the run loop must see). Translated code checks exit_request
// at marked instruction starts and, through the zeroed limit, at every block entry.
inline void request_exit(CpuState& s) {
  s.exit_request = 1;
  s.icount_limit = 0;
}

}  // namespace cpu
