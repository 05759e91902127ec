// The meaning of the Cmp op, written once for every engine that evaluates it at run time or at
// translation time: the condition `cc` (x86 encoding order, cpu::Cond) of the flags that the
// 32-bit subtraction a - b sets (SDM Vol.1 appendix B, "EFLAGS condition codes").
#pragma once

#include <cstdint>

namespace ir {

constexpr bool cmp_holds(uint32_t a, uint32_t b, unsigned cc) {
  const uint32_t r = a - b;
  const bool cf = a < b;
  const bool zf = r == 0;
  const bool sf = r >> 31;
  const bool of = ((a ^ b) & (a ^ r)) >> 31;
  bool v = false;
  switch (cc >> 1) {
    case 0: v = of; break;                           // O
    case 1: v = cf; break;                           // B
    case 2: v = zf; break;                           // E
    case 3: v = cf || zf; break;                     // BE
    case 4: v = sf; break;                           // S
    case 5: v = !__builtin_parity(r & 0xff); break;  // P: even number of set bits
    case 6: v = sf != of; break;                     // L
    default: v = zf || sf != of; break;              // LE
  }
  return (cc & 1) ? !v : v;
}

}  // namespace ir
