// The transcendental instructions in the x87 differential test: operands for each instruction's
// domain and the comparison with the host.
//
// The x87 does not round these results correctly (SDM Vol.1 §8.3.10 promises an error below one
// ulp), so a result may differ from the host's by one ulp without either being wrong. Such cases
// are counted apart ("one ulp") and can be written out for tests/softfloat/check_rounding.py,
// which decides with a 600-bit reference which side rounded correctly. Everything else (flags,
// C1 where the values agree, C2, the stack, special results) must match bit for bit.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "tests/softfloat/fpudiff_gen.h"
#include "tests/softfloat/host_x87.h"

namespace fpudiff {

bool is_transcendental(HostOp op);
std::vector<HostOp> transcendental_ops();

// Distance in ulps between two finite values of the same sign (~0 when the signs differ).
uint64_t ulp_distance(sf::F80 x, sf::F80 y);

HostIn gen_transc_input(Rng& r, HostOp op);

// Our result, laid out as the host's registers after the instruction.
struct TranscOurs {
  sf::F80 st0, st1;
  int depth = 0;  // registers in use
  uint16_t flags = 0;
  bool c1 = false, c2 = false;
  bool delivered =
      false;  // a result was written (no unmasked invalid/denormal/zero-divide, C2 = 0)
};
TranscOurs run_transc(HostOp op, const HostIn& in);

// OneUlp: a value one ulp from the host's (and C1 with it); C1Only: the same values, but C1 (the
// rounding direction) differs. Both are the host rounding from an approximation on the other side
// of a boundary than the true value; check_rounding.py shows which side is right.
enum class Verdict { Exact, OneUlp, C1Only, Mismatch };
struct TranscCheck {
  Verdict verdict = Verdict::Exact;
  std::string report;  // a Mismatch: what differs
  std::string line;    // with want_line, a delivered finite result as a check_rounding.py line
};
TranscCheck check_transc(HostOp op, const HostIn& in, bool want_line);

// The check_rounding.py line of a case without the host's values (any host); empty when the
// result is not a finite non-zero value.
std::string reference_line(HostOp op, const HostIn& in, const TranscOurs& o);

}  // namespace fpudiff
