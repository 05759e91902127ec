// Runs SingleStepTests cases (hardware captures, see shared/testdata/singlestep-286/README.md)
// on a bare ghost86 CPU and compares the final state.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tests/singlestep/moo.h"

namespace singlestep {

struct Outcome {
  bool passed = false;
  std::string diff;  // what differed, for failure reports
};

struct FileStats {
  unsigned passed = 0, failed = 0, skipped = 0;
  std::string skip_reason;            // when the whole file is excluded
  std::vector<std::string> failures;  // one description per failed test (first few kept)
};

// Why an opcode's tests are not run: the captured 80286 behaviour is one a P6-class CPU does
// not share, so passing them would make ghost86 wrong for the processor it emulates.
// Returns nullptr when the opcode is run.
const char* exclusion_reason(uint32_t opcode, int reg);

Outcome run_case(const TestCase& tc, uint16_t flags_mask);
FileStats run_file(const TestFile& file, const Metadata* meta, const std::set<std::string>& revoked);

}  // namespace singlestep
