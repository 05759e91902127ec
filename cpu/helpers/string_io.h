// The immediate that string-instruction lowerings pass to their helpers (Helper::Movs ..
// Helper::Outs): bits 1:0 log2 of the element size, bit 2 32-bit addressing, bits 4:3 the
// repeat prefix, bits 7:5 the source segment register.
#pragma once

#include <cstdint>

namespace cpu {

enum StrRep : unsigned { kRepNone = 0, kRepE = 1 /* F3: REP, REPE */, kRepNE = 2 /* F2 */ };

constexpr uint8_t string_key(unsigned size, bool addr32, StrRep rep, unsigned src_seg) {
  return uint8_t((size == 1 ? 0 : size == 2 ? 1 : 2) | (addr32 ? 4 : 0) | (rep << 3) | (src_seg << 5));
}
constexpr unsigned key_size(uint32_t k) { return 1u << (k & 3); }
constexpr bool key_addr32(uint32_t k) { return k & 4; }
constexpr StrRep key_rep(uint32_t k) { return StrRep((k >> 3) & 3); }
constexpr unsigned key_seg(uint32_t k) { return (k >> 5) & 7; }

}  // namespace cpu
