// ALU instructions. Expected values follow the SDM's definitions of each instruction and flag.
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

TEST_CASE("ADD r32, r32 sets OF SF AF PF on signed overflow", "[cpu][alu]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x7fffffff;
  t.s().regs[EBX] = 1;
  REQUIRE(t.run({0x01, 0xd8}) == jit::StopReason::Halted);  // add eax, ebx
  CHECK(t.s().regs[EAX] == 0x80000000);
  // 0x7fffffff + 1: OF (positive + positive = negative), SF, AF (carry out of bit 3), PF (low
  // byte 0x00 has even parity), no CF, no ZF.
  CHECK((t.flags() & fl::kArith) == (fl::OF | fl::SF | fl::AF | fl::PF));
}

TEST_CASE("real mode ADD AX, imm16 wraps to zero with CF ZF", "[cpu][alu]") {
  test::TestCpu t;
  t.real_mode();
  REQUIRE(t.run({0xb8, 0x34, 0x12, 0x05, 0xcc, 0xed}) == jit::StopReason::Halted);  // mov ax,1234h; add ax,0edcch
  CHECK((t.s().regs[EAX] & 0xffff) == 0);
  CHECK((t.flags() & fl::kArith) == (fl::CF | fl::PF | fl::AF | fl::ZF));
}

TEST_CASE("CMP then JB takes the branch for unsigned below", "[cpu][alu][control]") {
  test::TestCpu t;
  t.flat32();
  // mov eax,1; cmp eax,2; jb +5; mov ebx,0x11; hlt; mov ebx,0x22
  REQUIRE(t.run({0xb8, 1, 0, 0, 0, 0x83, 0xf8, 0x02, 0x72, 0x06, 0xbb, 0x11, 0, 0, 0, 0xf4,
                 0xbb, 0x22, 0, 0, 0}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EBX] == 0x22);
}
