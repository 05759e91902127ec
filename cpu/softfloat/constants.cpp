// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (SDM Vol.2 FLD1/FLDL2T/...): the 387 and later
// hold these constants with more than 64 bits and round them by the rounding control.
#include "cpu/softfloat/internal.h"

namespace sf {

using namespace detail;

namespace {

struct WideConst {
  uint64_t hi, lo;  // the first 128 significand bits (integer bit first)
  uint16_t exp;
};

// Mathematical values, truncated to 128 bits (all are irrational, so the truncation only
// matters below the bits any rounding mode looks at).
constexpr WideConst kConsts[] = {
    {0x8000000000000000ull, 0, 0x3fff},                      // 1
    {0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 0x4000},  // log2(10)
    {0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0x3fff},  // log2(e)
    {0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 0x4000},  // pi
    {0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, 0x3ffd},  // log10(2)
    {0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, 0x3ffe},  // ln(2)
};

}  // namespace

F80 constant(Const c, Round rc) {
  if (c == Const::Zero) return zero(false);
  const WideConst& k = kConsts[int(c)];
  Env env;
  env.rc = rc;
  // Irrational constants are never exact: the low word stands in for the infinite tail.
  const u128 s = (u128(k.hi) << 64) | k.lo | u128(k.lo != 0);
  return round_pack(false, k.exp, s, Prec::P64, env);
}

}  // namespace sf
