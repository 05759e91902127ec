// Runs a stream on ghost86: a bare TestCpu (tests/cpu/harness.h) set up from the stream, run
// until the HLT appended after the code.
//
// Exceptions: ghost86 delivers them itself, so the runner points every vector at its own HLT
// stub (an IVT in real mode; an IDT with flat GDT descriptors in flat32) and recovers the
// vector and the faulting instruction's state from where it halts and the frame it pushed. A
// ghost86 that cannot deliver (flat32 today: no protected-mode IDT delivery yet) shuts down on
// the triple fault with the faulting instruction's state intact; the vector is then unknown.
#pragma once

#include <cstdint>
#include <memory>

#include "tests/cpu/harness.h"
#include "tests/diff/outcome.h"
#include "tests/diff/stream.h"

namespace diff {

class GhostRunner {
 public:
  Outcome run(const Stream& s);

 private:
  void set_up(const Stream& s);
  void find_fault(const Stream& s, Outcome& o, uint32_t at);

  std::unique_ptr<test::TestCpu> t_;
  bool shut_down_ = false;  // the engine stays shut down after a triple fault: rebuild it
  uint32_t prev_code_lin_ = 0, prev_code_len_ = 0;
  int first_vector_ = -1;
  uint32_t first_cr2_ = 0;
};

}  // namespace diff
