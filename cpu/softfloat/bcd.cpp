// FBLD and FBSTP: 18-digit packed BCD (SDM Vol.1 §4.7, Vol.2 FBLD/FBSTP).
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

F80 from_bcd(const uint8_t bcd[10]) {
  // Digits A-F are undefined (SDM Vol.1 §4.7); the reference host's x87 takes them at face value
  // (digit * 10^position), as here, and ignores bits 0-6 of the sign byte.
  int64_t v = 0;
  for (int i = 8; i >= 0; --i) v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 15);
  F80 r = from_int(v);
  if (bcd[9] & 0x80) r.se |= 0x8000;  // includes -0
  return r;
}

void to_bcd(F80 a, uint8_t out[10], Env& env) {
  constexpr uint64_t kMax = 999999999999999999ull;
  const Class c = classify(a);
  bool bad = c == Class::Unsupported || c == Class::QNaN || c == Class::SNaN || c == Class::Inf;
  uint64_t m = 0;
  if (!bad && c != Class::Zero) {
    const Unpacked u = unpack(a);
    if (u.exp >= kExpBias + 64) {
      bad = true;
    } else {
      const u128 v = shift_right_jam(u128(u.sig) << 64, kExpBias + 63 - u.exp);
      bool inexact, up, carry;
      const u128 k = round_bits(v, 64, u.sign, env.rc, inexact, up, carry);
      const u128 magnitude = carry ? u128(1) << 64 : k >> 64;
      if (magnitude > kMax) {
        bad = true;
      } else {
        m = uint64_t(magnitude);
        if (inexact) env.flags |= exc::PE;
        env.rounded_up = up;
      }
    }
  }
  if (bad) {
    // The packed BCD indefinite: FFFF C000 0000 0000 0000 (SDM Vol.1 Table 4-4).
    env.flags |= exc::IE;
    for (int i = 0; i < 10; ++i) out[i] = 0;
    out[7] = 0xc0;
    out[8] = out[9] = 0xff;
    return;
  }
  for (int i = 0; i < 9; ++i) {
    const unsigned two = unsigned(m % 100);
    m /= 100;
    out[i] = uint8_t(((two / 10) << 4) | (two % 10));
  }
  out[9] = a.sign() ? 0x80 : 0;
}

}  // namespace sf
