// FCOM/FUCOM family (SDM Vol.2 FCOM/FUCOM): ordered comparison of two extended values.
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

Cmp compare(F80 a, F80 b, bool quiet, Env& env) {
  const Class ca = classify(a), cb = classify(b);
  if (ca == Class::Unsupported || cb == Class::Unsupported) {
    env.flags |= exc::IE;
    return Cmp::Unordered;
  }
  const bool snan = ca == Class::SNaN || cb == Class::SNaN;
  if (snan || ca == Class::QNaN || cb == Class::QNaN) {
    if (snan || !quiet) env.flags |= exc::IE;
    return Cmp::Unordered;
  }
  // An unmasked DE still sets the condition codes (the comparison stores no register).
  denormal_check(ca, cb, env);
  const Unpacked ua = unpack(a), ub = unpack(b);
  if (ua.sig == 0 && ub.sig == 0) return Cmp::Equal;  // +0 == -0
  if (ua.sign != ub.sign) return ua.sign ? Cmp::Less : Cmp::Greater;
  if (ua.exp == ub.exp && ua.sig == ub.sig) return Cmp::Equal;
  // Same sign: compare magnitudes (zero has sig 0 and sorts below everything).
  bool a_bigger;
  if (ua.sig == 0 || ub.sig == 0) {
    a_bigger = ub.sig == 0;
  } else {
    a_bigger = ua.exp != ub.exp ? ua.exp > ub.exp : ua.sig > ub.sig;
  }
  return a_bigger != ua.sign ? Cmp::Greater : Cmp::Less;
}

}  // namespace sf
