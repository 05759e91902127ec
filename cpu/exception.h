// Guest exceptions raised from C++ (helpers, memory slow paths). They unwind to the engine,
// which restores the faulting instruction's state and delivers the exception (DESIGN.md §5).
#pragma once

#include <cstdint>

namespace cpu {

enum Vector : uint8_t {
  kDE = 0, kDB = 1, kNMI = 2, kBP = 3, kOF = 4, kBR = 5, kUD = 6, kNM = 7, kDF = 8,
  kTS = 10, kNP = 11, kSS = 12, kGP = 13, kPF = 14, kMF = 16, kAC = 17, kMC = 18, kXM = 19,
};

struct CpuException {
  uint8_t vector;
  bool has_error = false;
  uint32_t error = 0;
  uint32_t address = 0;  // #PF: the linear address, loaded into CR2 when delivered
};

[[noreturn]] inline void raise(uint8_t vector) { throw CpuException{vector, false, 0}; }
[[noreturn]] inline void raise(uint8_t vector, uint32_t error) {
  throw CpuException{vector, true, error};
}

}  // namespace cpu
