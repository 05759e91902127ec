// Helpers for the x87 and MMX tests: running a code sequence on the emulated CPU in flat 32-bit
// mode with EBX pointing at a data area, and (on x86-64 hosts) running the very same bytes on
// the host processor as the reference. Sequences address memory only through [EBX+disp], whose
// encoding means [RBX+disp] in 64-bit mode, so the bytes run unchanged on both.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/cpu/harness.h"

namespace test {

constexpr uint32_t kX87Data = 0x40000;  // the data area EBX points at
constexpr unsigned kX87DataSize = 0x200;

struct X87Run {
  std::vector<uint8_t> data;
  bool ok = false;
};

// Emulated: FNINIT, the code, HLT.
inline X87Run run_emulated(const std::vector<uint8_t>& code, const std::vector<uint8_t>& data) {
  TestCpu t;
  t.flat32();
  t.s().cr0 |= cpu::cr0::NE;
  t.poke(kX87Data, data);
  std::vector<uint8_t> prog = {0xdb, 0xe3};  // fninit
  prog.insert(prog.end(), code.begin(), code.end());
  prog.push_back(0xf4);
  t.poke(0x10000, prog);
  t.s().regs[cpu::EBX] = kX87Data;
  X87Run r;
  r.ok = t.engine.run(100000) == jit::StopReason::Halted && t.s().eip == 0x10000 + prog.size();
  r.data.resize(data.size());
  for (size_t i = 0; i < data.size(); i++) r.data[i] = t.peek8(kX87Data + uint32_t(i));
  return r;
}

#if defined(__x86_64__)
constexpr bool kHostReference = true;
// Native: push rbx; mov rbx, rdi; fninit; code; fninit; pop rbx; ret.
inline X87Run run_native(const std::vector<uint8_t>& code, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> prog = {0x53, 0x48, 0x89, 0xfb, 0xdb, 0xe3};
  prog.insert(prog.end(), code.begin(), code.end());
  prog.insert(prog.end(), {0xdb, 0xe3, 0x0f, 0x77, 0x5b, 0xc3});  // fninit; emms
  X87Run r;
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return r;
  std::memcpy(page, prog.data(), prog.size());
  if (mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0) {
    munmap(page, 4096);
    return r;
  }
  r.data = data;
  // Keep the host's own x87/SSE control state intact around the call.
  uint16_t fcw;
  uint32_t mxcsr;
  asm volatile("fnstcw %0\n stmxcsr %1" : "=m"(fcw), "=m"(mxcsr));
  reinterpret_cast<void (*)(uint8_t*)>(page)(r.data.data());
  asm volatile("fldcw %0\n ldmxcsr %1" : : "m"(fcw), "m"(mxcsr));
  munmap(page, 4096);
  r.ok = true;
  return r;
}
#else
constexpr bool kHostReference = false;
inline X87Run run_native(const std::vector<uint8_t>&, const std::vector<uint8_t>&) { return {}; }
#endif

// Little-endian byte images.
inline void put(std::vector<uint8_t>& d, size_t at, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) d[at + i] = uint8_t(v >> (8 * i));
}
inline uint64_t get(const std::vector<uint8_t>& d, size_t at, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= uint64_t(d[at + i]) << (8 * i);
  return v;
}

}  // namespace test
