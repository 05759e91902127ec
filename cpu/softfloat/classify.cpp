// Operand classes (FXAM, SDM Vol.1 §8.1.3.4 and Table 8-3).
#include "cpu/softfloat/f80.h"

namespace sf {

Class classify(F80 a) {
  const bool integer_bit = a.sig >> 63;
  if (a.exp() == 0) {
    if (a.sig == 0) return Class::Zero;
    return integer_bit ? Class::PseudoDenormal : Class::Denormal;
  }
  if (!integer_bit) return Class::Unsupported;  // unnormal, pseudo-infinity, pseudo-NaN
  if (a.exp() == kExpMax) {
    if ((a.sig << 1) == 0) return Class::Inf;
    return (a.sig >> 62) & 1 ? Class::QNaN : Class::SNaN;
  }
  return Class::Normal;
}

}  // namespace sf
