// CPUID (SDM Vol.2 CPUID): a P6-class GenuineIntel processor that reports exactly the features
// ghost86 implements.
#include "cpu/cpu.h"
#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

constexpr uint32_t kMaxBasicLeaf = 1;
// Leaf 1 EAX: stepping 3, model 3, family 6 (bits 3:0, 7:4, 11:8); also EDX after RESET.
constexpr uint32_t kSignature = 0x0633;
// Leaf 1 EDX feature bits.
constexpr uint32_t kFpu = 1u << 0, kPse = 1u << 3, kTsc = 1u << 4, kPae = 1u << 6, kCx8 = 1u << 8;
constexpr uint32_t kPge = 1u << 13, kCmov = 1u << 15, kMmx = 1u << 23, kFxsr = 1u << 24;
constexpr uint32_t kFeaturesEdx = kFpu | kPse | kTsc | kPae | kCx8 | kPge | kCmov | kMmx | kFxsr;

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
    r[EAX] = kSignature;
    r[EBX] = 0;
    r[ECX] = 0;
    r[EDX] = kFeaturesEdx;
  }
  return 0;
}

}  // namespace cpu
