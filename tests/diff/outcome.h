// The end state of one engine after running a stream.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/diff/stream.h"

namespace diff {

struct Outcome {
  enum class End : uint8_t {
    Done,   // reached the end of the stream
    Fault,  // an exception at `eip`; the state is the one before the faulting instruction
    Error,  // anything else (ran away, hit a limit, touched unmapped memory): `error` says what
  };
  End end = End::Error;
  int vector = -1;  // Fault: the vector, or -1 when the engine cannot tell which
  uint32_t cr2 = 0;  // Fault with vector 14: the faulting linear address
  uint32_t regs[8] = {};
  uint32_t eip = 0;
  uint32_t eflags = 0;
  uint16_t sel[kSegs] = {};
  std::vector<uint8_t> mem;  // the stream's ranges, concatenated
  // Bytes and flags the engine itself changed while delivering an exception (its stack frame):
  // not the guest's doing, so not compared.
  std::vector<MemRange> scratch;
  uint32_t scratch_flags = 0;
  std::string error;
};

}  // namespace diff
