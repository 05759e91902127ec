#include "cpu/cpu_model.h"

#include <array>

namespace cpu {
namespace {

// CPUID leaf 1 EDX bits (SDM Vol.2 CPUID, "Feature Information Returned in the EDX Register").
enum : uint32_t {
  kFpu = 1u << 0, kVme = 1u << 1, kDe = 1u << 2, kPse = 1u << 3, kTsc = 1u << 4, kMsr = 1u << 5,
  kPae = 1u << 6, kMce = 1u << 7, kCx8 = 1u << 8, kApic = 1u << 9, kSep = 1u << 11,
  kMtrr = 1u << 12, kPge = 1u << 13, kMca = 1u << 14, kCmov = 1u << 15, kPat = 1u << 16,
  kPse36 = 1u << 17, kMmx = 1u << 23, kFxsr = 1u << 24, kSse = 1u << 25, kSse2 = 1u << 26,
};

// What ghost86 implements (the APIC is the board's devices::Lapic); no VME, MCE/MCA, PSE-36
// or SSE.
constexpr uint32_t kImplemented = kFpu | kDe | kPse | kTsc | kMsr | kPae | kCx8 | kApic | kSep | kMtrr | kPge |
                                  kCmov | kPat | kMmx | kFxsr;

constexpr uint32_t signature(uint32_t family, uint32_t model, uint32_t stepping) {
  return family << 8 | model << 4 | stepping;
}

// QEMU's models of these names (its target/i386 CPU definitions): the same family, model,
// stepping and leaf 1 EDX bits, each less what is not implemented here.
constexpr uint32_t kPentiumFeatures = kFpu | kVme | kPse | kDe | kTsc | kMsr | kMce | kCx8 | kMmx | kApic;
constexpr uint32_t kPentium2Features =
    kPentiumFeatures | kPae | kSep | kMtrr | kPge | kMca | kCmov | kPat | kPse36 | kFxsr;
constexpr uint32_t kPentium3Features = kPentium2Features | kSse;
constexpr uint32_t kPentiumProFeatures = kFpu | kDe | kPse | kTsc | kMsr | kMce | kCx8 | kPge | kCmov | kPat |
                                         kFxsr | kMmx | kSse | kSse2 | kPae | kSep | kApic;

struct NamedModel {
  std::string_view name;
  CpuModel model;
};

constexpr std::array kModels = {
    NamedModel{"pentium", {signature(5, 4, 3), kPentiumFeatures & kImplemented}},
    NamedModel{"pentium2", {signature(6, 5, 2), kPentium2Features & kImplemented}},
    NamedModel{"pentium3", {signature(6, 7, 3), kPentium3Features & kImplemented}},
    NamedModel{"qemu32", {signature(6, 6, 3), kPentiumProFeatures & kImplemented}},
};

}  // namespace

CpuModel default_cpu_model() { return {signature(6, 3, 3), kImplemented}; }

std::optional<CpuModel> find_cpu_model(std::string_view name) {
  for (const NamedModel& m : kModels)
    if (m.name == name) return m.model;
  return std::nullopt;
}

}  // namespace cpu
