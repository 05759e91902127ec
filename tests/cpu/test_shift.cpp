// Shifts and rotates. Expected values follow SDM Vol.2 "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR",
// "SHLD", "SHRD". Each case runs with an immediate count (lowered to IR) and with the same count
// in CL (the helper path), which must agree.
#include <catch2/catch.hpp>

#include <vector>

#include "tests/cpu/harness.h"

using namespace cpu;

namespace {

constexpr uint32_t kOSZPC = fl::OF | fl::SF | fl::ZF | fl::PF | fl::CF;

struct Result {
  uint32_t value;
  uint32_t flags;
};

// Runs group-2 operation `reg` (0 ROL .. 7 SAR) on register EAX (AL/AX/EAX by `size`) with
// `count`, either as an immediate (C0/C1) or in CL (D2/D3), starting from `flags_in`.
Result shift(bool real, unsigned size, unsigned reg, uint32_t value, uint8_t count, bool use_cl,
             uint32_t flags_in = 0) {
  test::TestCpu t;
  real ? t.real_mode() : t.flat32();
  t.s().regs[EAX] = value;
  t.s().regs[ECX] = 0xab00u | count;
  write_eflags(t.s(), flags_in, fl::kArith);
  std::vector<uint8_t> code;
  if (size == 2 && !real) code.push_back(0x66);
  if (size == 4 && real) code.push_back(0x66);
  const uint8_t base = use_cl ? 0xd2 : 0xc0;
  code.push_back(uint8_t(size == 1 ? base : base + 1));
  code.push_back(uint8_t(0xc0 | reg << 3));
  if (!use_cl) code.push_back(count);
  code.push_back(0xf4);
  t.poke(t.s().seg[CS].base + t.s().eip, code);
  REQUIRE(t.engine.run(100) == jit::StopReason::Halted);
  const uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
  CHECK((t.s().regs[EAX] & ~mask) == (value & ~mask));  // the rest of EAX is untouched
  return {t.s().regs[EAX] & mask, t.flags()};
}

// Checks one case on both paths and in both modes.
void check(unsigned size, unsigned reg, uint32_t value, uint8_t count, uint32_t flags_in,
           uint32_t want_value, uint32_t want_flags, uint32_t flag_mask) {
  for (bool real : {true, false}) {
    for (bool use_cl : {false, true}) {
      INFO("real=" << real << " cl=" << use_cl << " size=" << size << " op=" << reg << " value=" << value
                   << " count=" << int(count));
      const Result r = shift(real, size, reg, value, count, use_cl, flags_in);
      CHECK(r.value == want_value);
      CHECK((r.flags & flag_mask) == (want_flags & flag_mask));
    }
  }
}

enum { ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR };

}  // namespace

TEST_CASE("SHL/SHR/SAR by 1 set CF and OF per the SDM", "[cpu][shift]") {
  // SHL 81h: 02h, CF = old bit 7 = 1, OF = MSB(result) XOR CF = 1; 02h has odd parity.
  check(1, SHL, 0x81, 1, 0, 0x02, fl::CF | fl::OF, kOSZPC);
  check(1, SAL, 0x81, 1, 0, 0x02, fl::CF | fl::OF, kOSZPC);
  // SHR 81h: 40h, CF = old bit 0 = 1, OF = old MSB = 1.
  check(1, SHR, 0x81, 1, 0, 0x40, fl::CF | fl::OF, kOSZPC);
  // SAR 81h: C0h, CF = 1, OF = 0, SF; C0h has even parity.
  check(1, SAR, 0x81, 1, 0, 0xc0, fl::CF | fl::SF | fl::PF, kOSZPC);
  // SHL 4000h (16-bit): 8000h, CF = 0, OF = 1 ^ 0; low byte 00h: PF.
  check(2, SHL, 0x4000, 1, 0, 0x8000, fl::OF | fl::SF | fl::PF, kOSZPC);
  // SHR 80000000h: 40000000h, OF = old MSB; PF for low byte 00h.
  check(4, SHR, 0x80000000, 1, fl::CF, 0x40000000, fl::OF | fl::PF, kOSZPC);
}

TEST_CASE("multi-bit shifts: CF is the last bit out, SZP from the result", "[cpu][shift]") {
  // SHL 12345678h by 4: 23456780h, CF = bit 28 = 1; low byte 80h: odd parity.
  check(4, SHL, 0x12345678, 4, 0, 0x23456780, fl::CF, fl::SF | fl::ZF | fl::PF | fl::CF);
  // SHR 0F0h by 5: 07h, CF = bit 4 = 1; 07h: odd parity.
  check(1, SHR, 0xf0, 5, 0, 0x07, fl::CF, fl::SF | fl::ZF | fl::PF | fl::CF);
  // SAR 8000h by 15: FFFFh, CF = bit 14 = 0, SF; FFh even parity.
  check(2, SAR, 0x8000, 15, fl::CF, 0xffff, fl::SF | fl::PF, fl::SF | fl::ZF | fl::PF | fl::CF);
  // SAR 80h by 31 (8-bit): every bit is the sign: FFh, CF = sign.
  check(1, SAR, 0x80, 31, 0, 0xff, fl::CF | fl::SF | fl::PF, fl::SF | fl::ZF | fl::PF | fl::CF);
  // SHL 0001h by 16 (16-bit): 0, CF = bit 0 (the last one shifted out), ZF PF.
  check(2, SHL, 0x0001, 16, 0, 0, fl::CF | fl::ZF | fl::PF, fl::SF | fl::ZF | fl::PF | fl::CF);
  // SHR by 33 is masked to 1: 3 -> 1, CF = 1.
  check(4, SHR, 3, 33, 0, 1, fl::CF, fl::CF | fl::ZF);
}

TEST_CASE("a masked count of 0 changes neither the operand nor the flags", "[cpu][shift]") {
  const uint32_t flags = fl::CF | fl::OF | fl::ZF | fl::AF | fl::PF;
  for (unsigned op : {ROL, ROR, RCL, RCR, SHL, SHR, SAR}) {
    check(4, op, 0x80000001, 0, flags, 0x80000001, flags, fl::kArith);
    check(1, op, 0x81, 32, flags, 0x81, flags, fl::kArith);  // 32 AND 1Fh = 0
  }
}

TEST_CASE("ROL/ROR: CF and OF only; count MOD size for the rotation", "[cpu][shift]") {
  const uint32_t others = fl::ZF | fl::SF | fl::PF;  // must be preserved
  // ROL 81h by 1: 03h, CF = LSB = 1, OF = MSB XOR CF = 1.
  check(1, ROL, 0x81, 1, others, 0x03, others | fl::CF | fl::OF, fl::kArith & ~fl::AF);
  // ROR 01h by 1: 80h, CF = MSB = 1, OF = MSB XOR next bit = 1.
  check(1, ROR, 0x01, 1, others, 0x80, others | fl::CF | fl::OF, fl::kArith & ~fl::AF);
  // ROL 12345678h by 8: 34567812h, CF = LSB = 0.
  check(4, ROL, 0x12345678, 8, fl::CF, 0x34567812, 0, fl::CF);
  // ROR 1234h by 4: 4123h, CF = MSB = 0.
  check(2, ROR, 0x1234, 4, fl::CF, 0x4123, 0, fl::CF);
  // ROL 81h by 8: rotation 8 MOD 8 = 0 leaves 81h, but the count is non-zero, so CF = LSB = 1.
  check(1, ROL, 0x81, 8, 0, 0x81, fl::CF, fl::CF);
  // ROR 8001h by 16: unchanged, CF = MSB = 1.
  check(2, ROR, 0x8001, 16, 0, 0x8001, fl::CF, fl::CF);
}

TEST_CASE("RCL/RCR rotate through CF; 8/16-bit counts are MOD 9/17", "[cpu][shift]") {
  const uint32_t others = fl::ZF | fl::SF | fl::PF;
  // RCL 80h by 1 with CF = 1: 01h, CF = old bit 7 = 1, OF = MSB(result) XOR CF = 1.
  check(1, RCL, 0x80, 1, others | fl::CF, 0x01, others | fl::CF | fl::OF, fl::kArith & ~fl::AF);
  // RCR 01h by 1 with CF = 1: 80h, CF = old bit 0 = 1, OF = MSB XOR next bit = 1.
  check(1, RCR, 0x01, 1, others | fl::CF, 0x80, others | fl::CF | fl::OF, fl::kArith & ~fl::AF);
  // RCL 40h by 2 with CF = 1, as the 9-bit value 1_0100_0000b rotated left twice:
  // 1_0000_0010b -> AL = 02h, CF = 1 (old bit 6).
  check(1, RCL, 0x40, 2, fl::CF, 0x02, fl::CF, fl::CF);
  // RCR 32-bit by 31 with CF = 0 is a left rotation by 2 of the 33-bit value CF:DEST =
  // 0:80000001h: bit 0 moves to bit 2, CF (0) to bit 1, bit 31 to bit 0 -> 00000005h; the new
  // CF is old bit 30 = 0.
  check(4, RCR, 0x80000001, 31, 0, 0x00000005, 0, fl::CF);
  // RCL 8-bit by 9: 9 MOD 9 = 0 -> value and CF unchanged.
  check(1, RCL, 0x5a, 9, fl::CF, 0x5a, fl::CF, fl::CF);
  check(1, RCL, 0x5a, 9, 0, 0x5a, 0, fl::CF);
  // RCR 16-bit by 17: unchanged.
  check(2, RCR, 0x1234, 17, fl::CF, 0x1234, fl::CF, fl::CF);
  // RCL 16-bit by 17 MOD 17 = 0; by 18 -> 1: 8000h with CF = 0 -> 0000h, CF = 1.
  check(2, RCL, 0x8000, 18, 0, 0x0000, fl::CF, fl::CF);
}

namespace {

// SHLD/SHRD dest = EAX (AX), src = EBX (BX) with an immediate or CL count.
Result double_shift(bool real, unsigned size, bool left, uint32_t dst, uint32_t src, uint8_t count,
                    bool use_cl) {
  test::TestCpu t;
  real ? t.real_mode() : t.flat32();
  t.s().regs[EAX] = dst;
  t.s().regs[EBX] = src;
  t.s().regs[ECX] = count;
  std::vector<uint8_t> code;
  if ((size == 2) != real) code.push_back(0x66);
  code.push_back(0x0f);
  code.push_back(uint8_t((left ? 0xa4 : 0xac) + (use_cl ? 1 : 0)));
  code.push_back(0xd8);  // eax, ebx
  if (!use_cl) code.push_back(count);
  code.push_back(0xf4);
  t.poke(t.s().seg[CS].base + t.s().eip, code);
  REQUIRE(t.engine.run(100) == jit::StopReason::Halted);
  const uint32_t mask = size == 4 ? 0xffffffffu : 0xffff;
  return {t.s().regs[EAX] & mask, t.flags()};
}

void check_double(unsigned size, bool left, uint32_t dst, uint32_t src, uint8_t count,
                  uint32_t want, uint32_t want_flags, uint32_t flag_mask) {
  for (bool real : {true, false})
    for (bool use_cl : {false, true}) {
      INFO("real=" << real << " cl=" << use_cl << " left=" << left << " count=" << int(count));
      const Result r = double_shift(real, size, left, dst, src, count, use_cl);
      CHECK(r.value == want);
      CHECK((r.flags & flag_mask) == (want_flags & flag_mask));
    }
}

}  // namespace

TEST_CASE("SHLD/SHRD fill from the source operand", "[cpu][shift]") {
  const uint32_t szpc = fl::SF | fl::ZF | fl::PF | fl::CF;
  // SHLD 12345678h, 9ABCDEF0h by 8: 3456789Ah; CF = bit 24 of the destination = 0; 9Ah: even.
  check_double(4, true, 0x12345678, 0x9abcdef0, 8, 0x3456789a, fl::PF, szpc);
  // SHRD 12345678h, 9ABCDEF0h by 4: 01234567h; CF = bit 3 = 1; 67h: odd parity.
  check_double(4, false, 0x12345678, 0x9abcdef0, 4, 0x01234567, fl::CF, szpc);
  // SHRD by 1 with a sign change: 00000001h, src bit 0 = 1 -> 80000000h; CF = 1; OF = 1.
  check_double(4, false, 0x00000001, 0x00000001, 1, 0x80000000, fl::CF | fl::OF | fl::SF | fl::PF,
               szpc | fl::OF);
  // SHLD 16-bit 1234h, 5678h by 4: 2345h, CF = bit 12 = 1; 45h: odd parity.
  check_double(2, true, 0x1234, 0x5678, 4, 0x2345, fl::CF, szpc);
  // SHLD 16-bit by 16: the result is the source; CF = bit 0 of the destination = 0.
  check_double(2, true, 0x1234, 0x5678, 16, 0x5678, 0, fl::CF);
  // Count 32 is masked to 0: nothing changes.
  check_double(4, true, 0x1234, 0x5678, 32, 0x1234, 0, 0);
}

TEST_CASE("SHLD/SHRD 16-bit counts above 16 act on DEST:SRC:DEST", "[cpu][shift]") {
  // Undefined in the SDM; this is the P6-family behaviour the emulator chooses. SHLD AX=1234h,
  // BX=5678h by 20: the 48-bit value 1234_5678_1234h shifted left 20 leaves its bits 27..12 in
  // the top 16: 6781h; CF = bit 48 - 20 = 28 = 1.
  check_double(2, true, 0x1234, 0x5678, 20, 0x6781, fl::CF, fl::CF);
  // SHRD AX=1234h, BX=5678h by 20: bits 35..20 of 1234_5678_1234h = 4567h; CF = bit 19 = 1.
  check_double(2, false, 0x1234, 0x5678, 20, 0x4567, fl::CF, fl::CF);
}

TEST_CASE("shifting memory with CL stores the result before the flags change", "[cpu][shift]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(0x10300, {0x01, 0x80});
  t.s().regs[ECX] = 1;
  // rcl word [0x300], cl with CF = 1: 8001h -> 0003h, CF = 1, OF = 0 XOR 1 = 1.
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0xd3, 0x16, 0x00, 0x03}) == jit::StopReason::Halted);
  CHECK(t.peek16(0x10300) == 0x0003);
  CHECK((t.flags() & (fl::CF | fl::OF)) == (fl::CF | fl::OF));

  // A read-only data segment: the load succeeds, the store raises #GP, and neither the memory
  // nor CF may change (the rotate would have cleared CF).
  t.real_mode();
  t.poke(13 * 4, {0x00, 0x02, 0x00, 0x10});
  t.poke(0x10200, {0xf4});
  t.poke(0x10300, {0x00, 0x00});
  t.s().seg[DS].access = kSegRead;
  t.s().regs[ECX] = 1;
  write_eflags(t.s(), fl::CF, fl::kArith);
  REQUIRE(t.run({0xd3, 0x16, 0x00, 0x03}) == jit::StopReason::Halted);
  CHECK(t.s().eip == 0x201);
  CHECK(t.peek16(0x1fff8) == 0x100);  // IP of the RCL
  CHECK(t.peek16(0x10300) == 0);
  CHECK(t.flags() & fl::CF);
}
