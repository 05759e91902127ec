// Comparing two outcomes, and the text a divergence is reported with.
#pragma once

#include <string>
#include <vector>

#include "cpu/decoder.h"
#include "tests/diff/outcome.h"
#include "tests/diff/stream.h"

namespace diff {

// One line per difference between ghost86's and the reference's end state; empty when they
// agree. EFLAGS bits the stream leaves undefined, and anything an engine changed itself while
// delivering an exception, are not compared.
std::vector<std::string> compare(const Stream& s, const Outcome& ghost, const Outcome& ref);

// The stream's disassembly (pins and flag sanitisers marked) and initial state.
std::string describe(const Stream& s, const cpu::Decoder& dec);
// How an outcome ended, and its registers.
std::string describe(const Outcome& o);

std::string flag_names(uint32_t bits);

}  // namespace diff
