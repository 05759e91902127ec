// The helper table (DESIGN.md §4): C++ functions that IR calls for complex instructions. Each
// helper is declared once here and implemented once, in the file named by its section; the
// interpreter and every backend call it through this table.
//
// Signature: result = fn(cpu, a, b, c, k) where a, b, c are IR values and k is the 8-bit
// immediate of the Call op. A helper may read and write any guest state and may throw
// CpuException; the state it sees is precise (DESIGN.md §2.4).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace cpu {

class Cpu;

enum class Helper : uint32_t {
  // --- core: cpu/helpers/core.cpp
  RaiseException,  // k = vector; always throws
  // --- arithmetic: cpu/helpers/arith.cpp
  Div,      // a = divisor, k = size | kDivSigned: DIV/IDIV on AX, DX:AX or EDX:EAX
  Daa,      // DAA, DAS, AAA, AAS: adjust AL/AX and the flags
  Das,
  Aaa,
  Aas,
  Aam,      // k = base (imm8): AAM; #DE when 0
  BitScan,  // a = source (non-zero), k = kBitScanReverse or 0 -> BSR/BSF bit index
  // --- shifts and rotates: cpu/helpers/shift.cpp
  Shift,  // a = value, b = count, c = SHLD/SHRD fill source, k = shift_key(): -> result
  // --- strings and I/O: cpu/helpers/string_io.cpp
  In,   // a = port, b = insn index, k = size -> value
  Out,  // a = port, b = value, c = insn index, k = size
  // String instructions, one helper per operation. a = EIP of the next instruction, b = insn
  // index, k = string_key() of cpu/helpers/string_io.h. Each runs one iteration, or with a REP
  // prefix a bounded chunk of iterations, and returns the EIP to continue at: the next
  // instruction, or this one again while the count is not exhausted.
  Movs, Cmps, Stos, Lods, Scas, Ins, Outs,
  // --- data movement and stack: cpu/helpers/datamov.cpp, cpu/helpers/stack.cpp
  Cmpxchg8b,  // a = offset, k = segment
  Popf,       // k = operand size: POPF/POPFD with the privilege rules
  V86Pushf,   // a = FLAGS image, k = operand size -> the image PUSHF stores in V86 mode
  Enter,      // a = frame size, b = nesting level, k = operand size
  // --- control transfer, interrupts, system: cpu/helpers/control.cpp, cpu/helpers/system.cpp
  Hlt,      // a = EIP of the next instruction
  LoadSeg,  // a = selector, k = segment register: loads it for the current mode; SS also
            // starts an interrupt shadow unless k has kLoadSegNoShadow (LSS)
  RaiseError,  // a = error code, k = vector; always throws (#GP(0) and friends)
  FarJmp,      // a = selector, b = offset, c = next EIP, k = operand size -> new EIP
  FarCall,     // a = selector, b = offset, c = return EIP, k = operand size -> new EIP
  FarRet,      // a = bytes to release, k = operand size -> new EIP
  Iret,        // a = next EIP, k = operand size -> new EIP
  Interrupt,   // a = vector, b = return EIP, k = IntKind | kIntN for INT n -> new EIP
  Bound,       // a = index, b = lower, c = upper bound (sign-extended); #BR if out of range
  Cli,         // IOPL-checked IF clear
  Sti,         // IOPL-checked IF set; starts an interrupt shadow when IF was clear
  Cpuid,       // reads EAX/ECX, writes EAX EBX ECX EDX
  Rdtsc,       // a = insn index; writes EDX:EAX
  ReadCr,      // k = CR number -> value (privilege checked by the lowering)
  WriteCr,     // a = value, k = CR number
  ReadDr,      // k = DR number -> value
  WriteDr,     // a = value, k = DR number
  LoadDtr,     // a = limit, b = base, k = 0 GDTR / 1 IDTR
  ReadDtr,     // k = 0 GDTR / 1 IDTR, +2 for the base -> limit or base
  Invlpg,      // a = linear address
  // --- x87 FPU: cpu/helpers/x87*.cpp
  X87,     // a = memory offset, b = FOP | kX87* bits, k = x87::Leaf (cpu/helpers/x87_select.h):
           // one D8-DF instruction, with the #NM and pending-exception checks
  Fwait,   // WAIT/FWAIT: #NM with CR0.MP and TS, then pending unmasked exceptions
  Fxsave,  // a = offset, b = segment | kX87Addr16, k = 0 FXSAVE / 1 FXRSTOR
  // --- MMX: cpu/helpers/mmx.cpp
  Mmx,     // a = memory offset, b = mmx_operands(), c = imm8 or GPR value, k = MmxOp
  // --- descriptor tables and inspection: cpu/helpers/tables.cpp
  Lldt,    // a = selector
  Ltr,     // a = selector
  Lar,     // a = selector, b = old destination -> access rights (or b); sets ZF
  Lsl,     // a = selector, b = old destination -> limit (or b); sets ZF
  Verify,  // a = selector, k = 0 VERR / 1 VERW; sets ZF
  ReadSystemSelector,  // k = 0 LDTR / 1 TR -> selector
  // --- MSRs and fast system calls: cpu/helpers/msr.cpp
  Rdmsr,     // a = insn index; ECX -> EDX:EAX
  Wrmsr,     // a = insn index; EDX:EAX -> MSR ECX
  Sysenter,  // -> new EIP
  Sysexit,   // -> new EIP
  kCount
};

using HelperFn = uint32_t (*)(Cpu&, uint32_t a, uint32_t b, uint32_t c, uint32_t k);

struct HelperInfo {
  Helper id;
  std::string_view name;
  HelperFn fn;
  // Changes nothing but registers, flags, memory and the FPU: nothing the run loop looks at
  // between blocks (mode, privilege, interrupt state, devices), so a block calling it may jump
  // straight to the next block. Whatever else a helper may touch, it is not plain.
  bool plain = false;
};

const HelperInfo& helper_info(Helper h);
inline const HelperInfo& helper_info(uint32_t id) { return helper_info(Helper(id)); }

// Helper implementations, by section (same order as the enum).
uint32_t helper_raise_exception(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t k);
uint32_t helper_lldt(Cpu&, uint32_t sel, uint32_t, uint32_t, uint32_t);
uint32_t helper_ltr(Cpu&, uint32_t sel, uint32_t, uint32_t, uint32_t);
uint32_t helper_lar(Cpu&, uint32_t sel, uint32_t old, uint32_t, uint32_t);
uint32_t helper_lsl(Cpu&, uint32_t sel, uint32_t old, uint32_t, uint32_t);
uint32_t helper_verify(Cpu&, uint32_t sel, uint32_t, uint32_t, uint32_t write);
uint32_t helper_read_system_selector(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t tr);
// --- MSRs and fast system calls. read_msr/write_msr raise #GP(0) for unknown MSRs and
// reserved bits; `index` places the access in virtual time (TSC).
uint64_t read_msr(Cpu&, uint32_t msr, uint32_t index);
void write_msr(Cpu&, uint32_t msr, uint64_t value, uint32_t index);
uint32_t helper_rdmsr(Cpu&, uint32_t index, uint32_t, uint32_t, uint32_t);
uint32_t helper_wrmsr(Cpu&, uint32_t index, uint32_t, uint32_t, uint32_t);
uint32_t helper_sysenter(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_sysexit(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
// --- arithmetic
constexpr uint32_t kDivSigned = 8;
constexpr uint32_t kBitScanReverse = 1;
uint32_t helper_div(Cpu&, uint32_t divisor, uint32_t, uint32_t, uint32_t k);
uint32_t helper_daa(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_das(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_aaa(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_aas(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_aam(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t base);
uint32_t helper_bit_scan(Cpu&, uint32_t src, uint32_t, uint32_t, uint32_t k);
// --- shifts and rotates
// Shift/rotate kinds for Helper::Shift; shift_key packs kind, operand size and whether the
// helper also commits the flags (a memory destination first stores the pure result).
enum class ShiftOp : uint8_t { Rol, Ror, Rcl, Rcr, Shl, Shr, Sar, Shld, Shrd };
constexpr uint8_t shift_key(ShiftOp op, unsigned size, bool set_flags) {
  return uint8_t(uint8_t(op) | (size == 1 ? 0 : size == 2 ? 1 : 2) << 4 | (set_flags ? 0x40 : 0));
}
uint32_t helper_shift(Cpu&, uint32_t value, uint32_t count, uint32_t src, uint32_t k);
uint32_t helper_in(Cpu&, uint32_t port, uint32_t index, uint32_t, uint32_t size);
uint32_t helper_out(Cpu&, uint32_t port, uint32_t value, uint32_t index, uint32_t size);
uint32_t helper_movs(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_cmps(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_stos(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_lods(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_scas(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_ins(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_outs(Cpu&, uint32_t next_eip, uint32_t index, uint32_t, uint32_t key);
uint32_t helper_cmpxchg8b(Cpu&, uint32_t off, uint32_t, uint32_t, uint32_t seg);
uint32_t helper_popf(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t size);
uint32_t helper_v86_pushf(Cpu&, uint32_t image, uint32_t, uint32_t, uint32_t size);
uint32_t helper_enter(Cpu&, uint32_t alloc, uint32_t level, uint32_t, uint32_t size);
uint32_t helper_hlt(Cpu&, uint32_t next_eip, uint32_t, uint32_t, uint32_t);
uint32_t helper_load_seg(Cpu&, uint32_t sel, uint32_t, uint32_t, uint32_t seg);
constexpr uint32_t kLoadSegNoShadow = 0x80;  // LoadSeg k flag
constexpr uint32_t kIntN = 0x80;             // Interrupt k flag
uint32_t helper_raise_error(Cpu&, uint32_t error, uint32_t, uint32_t, uint32_t vector);
uint32_t helper_far_jmp(Cpu&, uint32_t sel, uint32_t off, uint32_t next_eip, uint32_t size);
uint32_t helper_far_call(Cpu&, uint32_t sel, uint32_t off, uint32_t ret, uint32_t size);
uint32_t helper_far_ret(Cpu&, uint32_t release, uint32_t, uint32_t, uint32_t size);
uint32_t helper_iret(Cpu&, uint32_t next_eip, uint32_t, uint32_t, uint32_t size);
uint32_t helper_interrupt(Cpu&, uint32_t vector, uint32_t ret, uint32_t, uint32_t k);
uint32_t helper_bound(Cpu&, uint32_t index, uint32_t lower, uint32_t upper, uint32_t);
uint32_t helper_cli(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_sti(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_cpuid(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_rdtsc(Cpu&, uint32_t index, uint32_t, uint32_t, uint32_t);
uint32_t helper_read_cr(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t n);
uint32_t helper_write_cr(Cpu&, uint32_t value, uint32_t, uint32_t, uint32_t n);
uint32_t helper_read_dr(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t n);
uint32_t helper_write_dr(Cpu&, uint32_t value, uint32_t, uint32_t, uint32_t n);
uint32_t helper_load_dtr(Cpu&, uint32_t limit, uint32_t base, uint32_t, uint32_t which);
uint32_t helper_read_dtr(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t which);
uint32_t helper_invlpg(Cpu&, uint32_t lin, uint32_t, uint32_t, uint32_t);
// Helper::X87's b argument: the 11-bit FOP, the memory operand's segment, the address size, the
// operand size (the environment formats depend on it), and what x87::select() said of the
// instruction: a control instruction (FIP, FOP, FDP stay), a non-waiting one.
constexpr uint32_t kX87SegShift = 11;
constexpr uint32_t kX87Addr16 = 1u << 14;
constexpr uint32_t kX87Op16 = 1u << 15;
constexpr uint32_t kX87HasMem = 1u << 16;
constexpr uint32_t kX87Control = 1u << 17;
constexpr uint32_t kX87NoWait = 1u << 18;
uint32_t helper_x87(Cpu&, uint32_t off, uint32_t b, uint32_t, uint32_t leaf);
uint32_t helper_fwait(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t helper_fxsave(Cpu&, uint32_t off, uint32_t b, uint32_t, uint32_t restore);
// --- MMX
enum class MmxOp : uint8_t {
  Movd, Movq, Emms,
  Paddb, Paddw, Paddd, Paddsb, Paddsw, Paddusb, Paddusw,
  Psubb, Psubw, Psubd, Psubsb, Psubsw, Psubusb, Psubusw,
  Pcmpeqb, Pcmpeqw, Pcmpeqd, Pcmpgtb, Pcmpgtw, Pcmpgtd,
  Pmullw, Pmulhw, Pmaddwd, Pand, Pandn, Por, Pxor,
  Packsswb, Packssdw, Packuswb,
  Punpckhbw, Punpckhwd, Punpckhdq, Punpcklbw, Punpcklwd, Punpckldq,
  Psllw, Pslld, Psllq, Psrlw, Psrld, Psrlq, Psraw, Psrad,
  kCount
};
// Operand kinds of Helper::Mmx: an MMX register, memory, a general register, an immediate.
enum class MmxKind : uint8_t { Mm, Mem, Gpr, Imm };
// b: destination kind and register, source kind and register, the memory operand's segment,
// whether addresses are 16-bit, and the memory access size (4 or 8 bytes).
constexpr uint32_t mmx_operands(MmxKind dk, unsigned dreg, MmxKind sk, unsigned sreg, unsigned seg,
                                bool a16, unsigned mem_size) {
  return uint32_t(dk) | dreg << 2 | uint32_t(sk) << 5 | sreg << 7 | seg << 10 | uint32_t(a16) << 13 |
         uint32_t(mem_size == 8) << 14;
}
uint32_t helper_mmx(Cpu&, uint32_t off, uint32_t b, uint32_t c, uint32_t op);

}  // namespace cpu
