// MMX: register aliasing on the x87 registers, EMMS, the CR0.EM/TS rules, and every Pentium
// MMX instruction checked against the host processor (x86-64 hosts) and SDM examples.
#include <catch2/catch.hpp>

#include "tests/cpu/run_util.h"
#include "tests/cpu/x87_util.h"

using namespace cpu;
using jit::StopReason;
using test::get;
using test::put;

namespace {

using Bytes = std::vector<uint8_t>;

// mm0 = [ebx], mm1 = [ebx+8]; op mm0, mm1; [ebx+0x40] = mm0; op mm1, [ebx+0x10];
// [ebx+0x48] = mm1; emms.
Bytes binary_sequence(uint8_t opc) {
  return {0x0f, 0x6f, 0x43, 0x00, 0x0f, 0x6f, 0x4b, 0x08, 0x0f, opc, 0xc1, 0x0f, 0x7f, 0x43, 0x40,
          0x0f, opc,  0x4b, 0x10, 0x0f, 0x7f, 0x4b, 0x48, 0x0f, 0x77};
}

// Compares the result area [0x40, 0x60) of the emulated and the native run.
void same_as_host(const Bytes& code, const Bytes& data, uint64_t* out0 = nullptr) {
  const test::X87Run emu = test::run_emulated(code, data);
  REQUIRE(emu.ok);
  if (out0) *out0 = get(emu.data, 0x40, 8);
  if (!test::kHostReference) return;
  const test::X87Run ref = test::run_native(code, data);
  REQUIRE(ref.ok);
  for (unsigned i = 0x40; i < 0x60; i += 8) {
    INFO("offset " << i);
    CHECK(get(emu.data, i, 8) == get(ref.data, i, 8));
  }
}

const uint64_t kPatterns[] = {0x0123456789abcdefull, 0x7fff80007f80ff01ull, 0xffffffffffffffffull,
                              0x8000000080000000ull, 0x00ff00ff7f7f8080ull, 0x0000000000000005ull,
                              0x7fffffff00000021ull, 0xfedcba9876543210ull};

}  // namespace

TEST_CASE("MMX arithmetic, logic, compare, pack, unpack and shifts match the host", "[cpu][mmx][host]") {
  const uint8_t ops[] = {0xfc, 0xfd, 0xfe, 0xec, 0xed, 0xdc, 0xdd, 0xf8, 0xf9, 0xfa, 0xe8, 0xe9, 0xd8, 0xd9,
                         0x74, 0x75, 0x76, 0x64, 0x65, 0x66, 0xd5, 0xe5, 0xf5, 0xdb, 0xdf, 0xeb, 0xef, 0x63,
                         0x6b, 0x67, 0x68, 0x69, 0x6a, 0x60, 0x61, 0x62, 0xf1, 0xf2, 0xf3, 0xd1, 0xd2, 0xd3,
                         0xe1, 0xe2};
  Bytes data(test::kX87DataSize, 0);
  for (uint8_t op : ops) {
    for (uint64_t a : kPatterns) {
      for (uint64_t b : kPatterns) {
        put(data, 0, a, 8);
        put(data, 8, b, 8);
        put(data, 0x10, a ^ b, 8);
        INFO("op 0F " << std::hex << int(op) << " a " << a << " b " << b);
        same_as_host(binary_sequence(op), data);
      }
    }
  }
  // Shift counts from registers: 0, in range, the lane width and beyond.
  for (uint8_t op : {0xf1, 0xf2, 0xf3, 0xd1, 0xd2, 0xd3, 0xe1, 0xe2}) {
    for (uint64_t count : {0ull, 1ull, 7ull, 15ull, 16ull, 31ull, 32ull, 63ull, 64ull, 0x100000001ull}) {
      put(data, 0, 0x8001f00f12345678ull, 8);
      put(data, 8, count, 8);
      put(data, 0x10, count, 8);
      same_as_host(binary_sequence(op), data);
    }
  }
}

TEST_CASE("MMX shifts by immediate, MOVD and MOVQ in every form match the host", "[cpu][mmx][host]") {
  Bytes data(test::kX87DataSize, 0);
  put(data, 0, 0x8001f00f92345678ull, 8);
  put(data, 8, 0x1122334455667788ull, 8);
  for (uint8_t grp : {0x71, 0x72, 0x73}) {
    for (uint8_t r : {2, 4, 6}) {
      if (grp == 0x73 && r == 4) continue;  // no PSRAQ
      for (uint8_t imm : {0, 1, 5, 15, 16, 31, 32, 63, 64, 200}) {
        // mm2 = [ebx]; shift mm2, imm; [ebx+0x40] = mm2; emms
        same_as_host({0x0f, 0x6f, 0x53, 0x00, 0x0f, grp, uint8_t(0xc2 | r << 3), imm, 0x0f, 0x7f, 0x53, 0x40,
                      0x0f, 0x77},
                     data);
      }
    }
  }
  // movd mm3, [ebx+8]; movd [ebx+0x40], mm3; movq mm4, mm3; movq [ebx+0x48], mm4;
  // mov eax, 0x9abcdef0 (b8 imm32); movd mm5, eax; movd ecx, mm3 -> movd mm6, ecx;
  // movq [ebx+0x50], mm5; movq [ebx+0x58], mm6
  same_as_host({0x0f, 0x6e, 0x5b, 0x08, 0x0f, 0x7e, 0x5b, 0x40, 0x0f, 0x6f, 0xe3, 0x0f, 0x7f, 0x63, 0x48,
                0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x0f, 0x6e, 0xe8, 0x0f, 0x7e, 0xd9, 0x0f, 0x6e, 0xf1,
                0x0f, 0x7f, 0x6b, 0x50, 0x0f, 0x7f, 0x73, 0x58, 0x0f, 0x77},
               data);
}

TEST_CASE("MMX saturation (SDM Vol.1 §9.2.3 examples)", "[cpu][mmx]") {
  Bytes data(test::kX87DataSize, 0);
  put(data, 0, 0x7f80ff00'7fff8000ull, 8);
  put(data, 8, 0x01ff0101'00010001ull, 8);
  uint64_t r;
  same_as_host(binary_sequence(0xec), data, &r);  // PADDSB
  // bytes (hi..lo): 7f+01=7f (sat), 80+ff=80 (sat), ff+01=00, 00+01=01, 7f+00, ff+01=00, 80+00, 00+01
  CHECK(r == 0x7f800001'7f008001ull);
  same_as_host(binary_sequence(0xdc), data, &r);  // PADDUSB
  CHECK(r == 0x80ffff01'7fff8001ull);
  same_as_host(binary_sequence(0xed), data, &r);  // PADDSW: 7fff+0001 saturates
  CHECK(r == 0x7fff0001'7fff8001ull);
  put(data, 0, 0x00007fff'ffff8000ull, 8);
  put(data, 8, 0x01230100'00ff0080ull, 8);
  same_as_host(binary_sequence(0x63), data, &r);  // PACKSSWB
  CHECK(r == 0x7f7f7f7f'007fff80ull);
}

TEST_CASE("MMX aliases the x87 significands; TOP = 0, tags valid; EMMS empties", "[cpu][mmx]") {
  test::TestCpu t;
  t.flat32();
  t.poke(0x40000, {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11});
  // fninit; fld1 (TOP = 7); movq mm3, [0x40000]
  REQUIRE(t.run({0xdb, 0xe3, 0xd9, 0xe8, 0x0f, 0x6f, 0x1d, 0x00, 0x00, 0x04, 0x00}) == StopReason::Halted);
  CHECK(t.s().fpu.r[3] == sf::F80{0x1122334455667788ull, 0xffff});
  CHECK(t.s().fpu.r[7] == sf::F80{0x8000000000000000ull, 0x3fff});  // MM7 is 1.0's significand
  CHECK(((t.s().fpu.fsw >> 11) & 7) == 0);
  CHECK(t.s().fpu.ftw == 0);
  // movq [0x40008], mm7 reads the significand of 1.0.
  REQUIRE(test::run(t, {0x0f, 0x7f, 0x3d, 0x08, 0x00, 0x04, 0x00}) == StopReason::Halted);
  CHECK(t.peek32(0x4000c) == 0x80000000u);
  REQUIRE(test::run(t, {0x0f, 0x77}) == StopReason::Halted);  // emms
  CHECK(t.s().fpu.ftw == 0xffff);
}

TEST_CASE("MMX with CR0.EM is #UD, with CR0.TS #NM, and reports a pending x87 exception", "[cpu][mmx]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kUD);
  test::catch_vector(t, kNM);  // same handler address: check the vector through the state instead
  t.s().cr0 |= cr0::EM;
  t.poke(6 * 4, {0x00, 0x09, 0x00, 0x10});  // #UD -> 1000:0900
  t.poke(0x10900, {0xf4});
  REQUIRE(t.run({0x0f, 0xfc, 0xc1}) == StopReason::Halted);
  CHECK(t.s().eip == 0x901);
  t.real_mode();
  t.s().cr0 |= cr0::TS;
  REQUIRE(t.run({0x0f, 0xfc, 0xc1}) == StopReason::Halted);
  CHECK(test::in_handler(t));  // #NM
  t.real_mode();
  t.s().cr0 |= cr0::NE;
  t.s().fpu.fsw = fsw::ZE | fsw::ES | fsw::B;
  t.s().fpu.fcw = 0x037b;
  test::catch_vector(t, kMF);
  REQUIRE(t.run({0x0f, 0xfc, 0xc1}) == StopReason::Halted);
  CHECK(test::in_handler(t));
}

TEST_CASE("MMX and FXSR are reported by CPUID; SSE forms stay #UD", "[cpu][mmx]") {
  test::TestCpu t;
  t.flat32();
  REQUIRE(t.run({0xb8, 0x01, 0, 0, 0, 0x0f, 0xa2}) == StopReason::Halted);
  CHECK((t.s().regs[EDX] & (1u << 23)) != 0);
  CHECK((t.s().regs[EDX] & (1u << 24)) != 0);
  CHECK((t.s().regs[EDX] & (1u << 25)) == 0);  // no SSE
  t.real_mode();
  test::catch_vector(t, kUD);
  REQUIRE(t.run({0x66, 0x0f, 0xfc, 0xc1}) == StopReason::Halted);  // paddb xmm0, xmm1
  CHECK(test::in_handler(t));
  t.real_mode();
  REQUIRE(t.run({0x0f, 0xd4, 0xc1}) == StopReason::Halted);  // paddq mm0, mm1 is SSE2
  CHECK(test::in_handler(t));
}
