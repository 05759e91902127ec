#include "cpu/cpu.h"
#include "cpu/helpers/helpers.h"

namespace cpu {

// Port I/O. With no bus attached (bare CPU tests) reads float high like an empty ISA bus.
// Protected-mode IOPL and I/O-bitmap checks come with the system-architecture work.
uint32_t helper_in(Cpu& cpu, uint32_t port, uint32_t, uint32_t, uint32_t size) {
  const uint32_t ones = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  if (!cpu.io) return ones;
  return cpu.io->io_read(uint16_t(port), size) & ones;
}

uint32_t helper_out(Cpu& cpu, uint32_t port, uint32_t value, uint32_t, uint32_t size) {
  if (cpu.io) cpu.io->io_write(uint16_t(port), size, value);
  return 0;
}

}  // namespace cpu
