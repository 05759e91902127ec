// Helpers for instruction tests on top of TestCpu: running more code after a HLT, and catching
// real-mode exceptions (an IVT vector points at a HLT, so delivery ends the run and the frame
// it pushed can be read back).
#pragma once

#include <cstdint>

#include "tests/cpu/harness.h"

namespace test {

// TestCpu::run that also works after an earlier run stopped on HLT: places `code` and a HLT at
// the current CS:EIP and runs it.
inline jit::StopReason run(TestCpu& t, std::initializer_list<uint8_t> code,
                                 uint64_t max_insns = 100000) {
  t.s().halted = 0;
  return t.run(code, max_insns);
}

constexpr uint16_t kHandlerIp = 0x0800;

// Points IVT entry `vector` at CS:kHandlerIp and places a HLT there.
inline void catch_vector(TestCpu& t, uint8_t vector) {
  const uint16_t cs = t.s().seg[cpu::CS].sel;
  t.poke(vector * 4u, {uint8_t(kHandlerIp), uint8_t(kHandlerIp >> 8), uint8_t(cs), uint8_t(cs >> 8)});
  t.poke(t.s().seg[cpu::CS].base + kHandlerIp, {0xf4});
}

// True when the run ended on the handler's HLT.
inline bool in_handler(TestCpu& t) { return t.s().eip == kHandlerIp + 1u; }

// The IP the delivery pushed (the top of the real-mode stack).
inline uint16_t pushed_ip(TestCpu& t) {
  return t.peek16(t.s().seg[cpu::SS].base + (t.s().regs[cpu::ESP] & 0xffff));
}

}  // namespace test
