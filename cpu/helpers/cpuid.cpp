// CPUID (SDM Vol.2 CPUID): a GenuineIntel processor of the model Cpu::model describes (-cpu;
// cpu/cpu_model.cpp), which reports only features ghost86 implements.
#include "cpu/cpu.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

constexpr uint32_t kMaxBasicLeaf = 1;

// "GenuineIntel" as EBX, EDX, ECX hold it (little-endian ASCII).
constexpr uint32_t ascii4(const char* p) {
  return uint32_t(uint8_t(p[0])) | uint32_t(uint8_t(p[1])) << 8 | uint32_t(uint8_t(p[2])) << 16 |
         uint32_t(uint8_t(p[3])) << 24;
}

}  // namespace

uint32_t helper_cpuid(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t) {
  uint32_t* r = cpu.s.regs;
  uint32_t leaf = r[EAX];
  // A leaf above the highest supported one (extended leaves included, as no extended leaves
  // exist) returns the data of the highest basic leaf.
  if (leaf > kMaxBasicLeaf) leaf = kMaxBasicLeaf;
  if (leaf == 0) {
    r[EAX] = kMaxBasicLeaf;
    r[EBX] = ascii4("Genu");
    r[EDX] = ascii4("ineI");
    r[ECX] = ascii4("ntel");
  } else {
    r[EAX] = cpu.model.signature;
    r[EBX] = 0;
    r[ECX] = 0;
    r[EDX] = cpu.model.features_edx;
  }
  return 0;
}

}  // namespace cpu
