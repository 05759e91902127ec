// CPUID per -cpu model: QEMU's family/model/stepping and leaf 1 EDX bits for each name, less
// the features ghost86 lacks (VME, MCE, MCA, PSE-36, SSE, SSE2: bits 1, 7, 14, 17, 25, 26).
#include <catch2/catch.hpp>

#include "cpu/cpu_model.h"
#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

std::pair<uint32_t, uint32_t> cpuid1(const CpuModel& model) {
  test::TestCpu t;
  t.cpu.model = model;
  t.flat32();
  t.s().regs[EAX] = 1;
  REQUIRE(t.run({0x0f, 0xa2}) == jit::StopReason::Halted);  // cpuid
  return {t.s().regs[EAX], t.s().regs[EDX]};
}

}  // namespace

TEST_CASE("CPUID leaf 1 follows the -cpu model", "[cpu][cpuid]") {
  // FPU DE PSE TSC MSR CX8 APIC MMX = 0080033Dh; with PAE SEP MTRR PGE CMOV PAT FXSR = 0181BB7Dh.
  CHECK(cpuid1(*find_cpu_model("pentium")) == std::pair<uint32_t, uint32_t>{0x543, 0x0080033d});
  CHECK(cpuid1(*find_cpu_model("pentium2")) == std::pair<uint32_t, uint32_t>{0x652, 0x0181bb7d});
  CHECK(cpuid1(*find_cpu_model("pentium3")) == std::pair<uint32_t, uint32_t>{0x673, 0x0181bb7d});
  // qemu32: the Pentium Pro set, which has no MTRR bit.
  CHECK(cpuid1(*find_cpu_model("qemu32")) == std::pair<uint32_t, uint32_t>{0x663, 0x0181ab7d});
  CHECK(cpuid1(default_cpu_model()) == std::pair<uint32_t, uint32_t>{0x633, 0x0181bb7d});
  CHECK_FALSE(find_cpu_model("486"));
}
