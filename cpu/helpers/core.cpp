#include "cpu/cpu.h"
#include "cpu/helpers/helpers.h"

namespace cpu {

uint32_t helper_raise_exception(Cpu& cpu, uint32_t, uint32_t, uint32_t, uint32_t k) {
  return cpu.fault(uint8_t(k));
}

}  // namespace cpu
