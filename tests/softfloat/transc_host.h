// Runs one x87 transcendental instruction on the host FPU (x86-64 hosts only): the reference for
// the differential tests of cpu/softfloat's transcendentals.
#pragma once

#include <cstdint>
#include <cstring>

#include "cpu/softfloat/f80.h"

namespace test {

enum class TransOp { Sin, Cos, SinCos, Tan, Atan, F2xm1, Yl2x, Yl2xp1 };

struct HostResult {
  sf::F80 st0, st1;  // the two top registers after the instruction
  uint16_t sw = 0;   // status word right after it
};

#if defined(__x86_64__)
constexpr bool kHaveHostX87 = true;

// a is loaded last (ST(0)), b below it (ST(1)). fcw gives masks and rounding control.
inline HostResult host_x87(TransOp op, sf::F80 a, sf::F80 b, uint16_t fcw) {
  unsigned char ia[10], ib[10], o0[10] = {}, o1[10] = {};
  std::memcpy(ia, &a.sig, 8);
  std::memcpy(ia + 8, &a.se, 2);
  std::memcpy(ib, &b.sig, 8);
  std::memcpy(ib + 8, &b.se, 2);
  uint16_t sw = 0;
  // One asm statement per instruction: the stack must not be touched between the steps.
  switch (op) {
    case TransOp::Sin:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n fsin\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fstpt %[o1]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
    case TransOp::Cos:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n fcos\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fstpt %[o1]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
    case TransOp::SinCos:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n fsincos\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fstpt %[o1]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
    case TransOp::Tan:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n fptan\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fstpt %[o1]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
    case TransOp::Atan:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n fpatan\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
    case TransOp::F2xm1:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n f2xm1\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fstpt %[o1]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
    case TransOp::Yl2x:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n fyl2x\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
    case TransOp::Yl2xp1:
      asm volatile(
          "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n fyl2xp1\n fnstsw %[sw]\n"
          "fstpt %[o0]\n fninit"
          : [sw] "=m"(sw), [o0] "+m"(o0), [o1] "+m"(o1)
          : [a] "m"(ia), [b] "m"(ib), [cw] "m"(fcw));
      break;
  }
  HostResult r;
  std::memcpy(&r.st0.sig, o0, 8);
  std::memcpy(&r.st0.se, o0 + 8, 2);
  std::memcpy(&r.st1.sig, o1, 8);
  std::memcpy(&r.st1.se, o1 + 8, 2);
  r.sw = sw;
  return r;
}
#else
constexpr bool kHaveHostX87 = false;
inline HostResult host_x87(TransOp, sf::F80, sf::F80, uint16_t) { return {}; }
#endif

}  // namespace test
