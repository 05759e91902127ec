// The processor model CPUID describes (-cpu): family/model/stepping and the leaf 1 feature bits.
// The instruction set executed is the same for every model; a model only reports what its
// processor had, less what ghost86 does not implement.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cpu {

struct CpuModel {
  // CPUID leaf 1 EAX (stepping 3:0, model 7:4, family 11:8), also EDX after RESET.
  uint32_t signature = 0;
  uint32_t features_edx = 0;  // CPUID leaf 1 EDX
};

// The default: a P6 (family 6, model 3, stepping 3) reporting every feature implemented.
CpuModel default_cpu_model();

// A QEMU model name: pentium, pentium2, pentium3 or qemu32; nullopt for any other.
std::optional<CpuModel> find_cpu_model(std::string_view name);

}  // namespace cpu
