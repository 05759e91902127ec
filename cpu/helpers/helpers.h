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
  // --- control transfer, interrupts, system: cpu/helpers/control.cpp, cpu/helpers/system.cpp
  Hlt,      // a = EIP of the next instruction
  LoadSeg,  // a = selector, k = segment register: loads it for the current mode; SS also
            // starts an interrupt shadow
  kCount
};

using HelperFn = uint32_t (*)(Cpu&, uint32_t a, uint32_t b, uint32_t c, uint32_t k);

struct HelperInfo {
  Helper id;
  std::string_view name;
  HelperFn fn;
};

const HelperInfo& helper_info(Helper h);
inline const HelperInfo& helper_info(uint32_t id) { return helper_info(Helper(id)); }

// Helper implementations, by section (same order as the enum).
uint32_t helper_raise_exception(Cpu&, uint32_t, uint32_t, uint32_t, uint32_t k);
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
uint32_t helper_hlt(Cpu&, uint32_t next_eip, uint32_t, uint32_t, uint32_t);
uint32_t helper_load_seg(Cpu&, uint32_t sel, uint32_t, uint32_t, uint32_t seg);

}  // namespace cpu
