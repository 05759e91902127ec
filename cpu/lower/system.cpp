// System instructions: HLT, flag control, CPUID, RDTSC, descriptor tables, control registers.
#include "cpu/opcode_table.h"

namespace cpu {

void lower_hlt(LowerCtx& c) {
  c.call(Helper::Hlt, c.imm(c.next_eip()));
  c.end_block = true;
  c.b.jmp(c.next_eip());
}

}  // namespace cpu
