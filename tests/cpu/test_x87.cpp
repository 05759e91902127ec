// x87 FPU as a CPU unit: stack and tag handling, condition codes, environment layouts and the
// exceptions of SDM Vol.1 ch.8 and Vol.3 §2.5; arithmetic checked against the host's x87 where
// the host is x86-64 (tests/cpu/x87_util.h).
#include <catch2/catch.hpp>

#include "cpu/helpers/helpers.h"
#include "tests/cpu/run_util.h"
#include "tests/cpu/x87_util.h"

using namespace cpu;
using jit::StopReason;
using test::get;
using test::put;

namespace {

using Bytes = std::vector<uint8_t>;

// ModRM memory operand [EBX + disp32] with ModRM.reg = r.
Bytes m(uint8_t op, unsigned r, uint32_t disp) {
  return {op, uint8_t(0x83 | r << 3), uint8_t(disp), uint8_t(disp >> 8), uint8_t(disp >> 16),
          uint8_t(disp >> 24)};
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

constexpr uint32_t kOut = 0x80;    // results
constexpr uint32_t kSw = 0x1f0;    // FNSTSW at the end
// Appends FNSTSW [EBX+kSw]; results are compared over the whole data area.
Bytes with_status(Bytes code) {
  Bytes tail = m(0xdd, 7, kSw);
  code.insert(code.end(), tail.begin(), tail.end());
  return code;
}

// Runs on the emulator and (x86-64 hosts) natively and requires identical memory.
void same_as_host(const Bytes& code, const Bytes& data) {
  const test::X87Run emu = test::run_emulated(with_status(code), data);
  REQUIRE(emu.ok);
  if (!test::kHostReference) return;
  const test::X87Run ref = test::run_native(with_status(code), data);
  REQUIRE(ref.ok);
  for (size_t i = 0; i < data.size(); i += 2) {
    INFO("offset " << i);
    CHECK(get(emu.data, i, 2) == get(ref.data, i, 2));
  }
}

Bytes data_area() { return Bytes(test::kX87DataSize, 0); }

// A flat 32-bit CPU that has executed FNINIT.
struct Fpu32 {
  test::TestCpu t;
  Fpu32() {
    t.flat32();
    REQUIRE(t.run({0xdb, 0xe3}) == StopReason::Halted);
  }
  StopReason run(std::initializer_list<uint8_t> code) { return test::run(t, code); }
  FpuState& f() { return t.s().fpu; }
  unsigned top() const { return (t.cpu.s.fpu.fsw >> 11) & 7; }
};

const double kValues[] = {1.0, -2.5, 3.0, 0.1, 1e300, -1e-300, 4.9e-324, 0.0, -0.0, 7.0, 1e10, 123456.789};

uint64_t bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

}  // namespace

TEST_CASE("x87 power-up and FNINIT state (SDM Vol.3 table 9-1)", "[cpu][x87]") {
  test::TestCpu t;
  t.flat32();
  CHECK(t.s().fpu.fcw == 0x0040);
  CHECK(t.s().fpu.fsw == 0);
  CHECK(t.s().fpu.ftw == 0x5555);
  t.s().fpu.fsw = 0x1234;
  t.s().fpu.fip = 5;
  // fninit; fnstsw ax; fnstcw [0x40000]
  REQUIRE(t.run({0xdb, 0xe3, 0xdf, 0xe0, 0xd9, 0x3d, 0x00, 0x00, 0x04, 0x00}) == StopReason::Halted);
  CHECK(t.s().fpu.fcw == 0x037f);
  CHECK(t.s().fpu.ftw == 0xffff);
  CHECK(t.s().fpu.fip == 0);
  CHECK((t.s().regs[EAX] & 0xffff) == 0);
  CHECK(t.peek16(0x40000) == 0x037f);
}

TEST_CASE("x87 CPUID reports the FPU", "[cpu][x87]") {
  test::TestCpu t;
  t.flat32();
  REQUIRE(t.run({0xb8, 0x01, 0, 0, 0, 0x0f, 0xa2}) == StopReason::Halted);
  CHECK((t.s().regs[EDX] & 1) == 1);
}

TEST_CASE("x87 pushes and pops move TOP and the tags", "[cpu][x87]") {
  Fpu32 c;
  REQUIRE(c.run({0xd9, 0xe8, 0xd9, 0xee}) == StopReason::Halted);  // fld1; fldz
  CHECK(c.top() == 6);
  // R7 = 1.0 (valid, 00), R6 = +0 (zero, 01), the rest empty.
  CHECK(c.f().ftw == 0x1fff);
  CHECK(c.f().r[7] == sf::F80{0x8000000000000000ull, 0x3fff});
  REQUIRE(c.run({0xde, 0xc1}) == StopReason::Halted);  // faddp st1, st0
  CHECK(c.top() == 7);
  CHECK(c.f().ftw == 0x3fff);
  REQUIRE(c.run({0xd9, 0xf6}) == StopReason::Halted);  // fdecstp
  CHECK(c.top() == 6);
  REQUIRE(c.run({0xd9, 0xf7, 0xdd, 0xc0}) == StopReason::Halted);  // fincstp; ffree st0
  CHECK(c.f().ftw == 0xffff);
  CHECK(c.top() == 7);
}

TEST_CASE("x87 stack overflow and underflow (#IS, masked responses)", "[cpu][x87]") {
  Fpu32 c;
  for (int i = 0; i < 8; i++) REQUIRE(c.run({0xd9, 0xe8}) == StopReason::Halted);
  CHECK(c.f().fsw == (0 << 11));
  REQUIRE(c.run({0xd9, 0xeb}) == StopReason::Halted);  // fldpi onto a full stack
  // IE + SF, C1 = 1 (overflow); the indefinite replaces the top; TOP moved.
  CHECK((c.f().fsw & 0x3ff) == (fsw::IE | fsw::SF | fsw::C1));
  CHECK(c.top() == 7);
  CHECK(c.f().r[7] == sf::kIndefinite);

  Fpu32 u;
  REQUIRE(u.run({0xd8, 0xc1}) == StopReason::Halted);  // fadd st0, st1 on an empty stack
  CHECK((u.f().fsw & 0x3ff) == (fsw::IE | fsw::SF));  // C1 = 0: underflow
  // The masked response writes the indefinite to the destination ST0 (R0: tag special).
  CHECK(u.f().ftw == 0xfffe);
  CHECK(u.f().r[0] == sf::kIndefinite);
}

TEST_CASE("x87 unmasked stack fault leaves the stack alone and sets ES/B", "[cpu][x87]") {
  Fpu32 c;
  c.f().fcw = 0x037e;  // IE unmasked
  REQUIRE(c.run({0xd9, 0xc9}) == StopReason::Halted);  // fxch st1 with both empty
  CHECK(c.f().fsw == (fsw::IE | fsw::SF | fsw::ES | fsw::B));
  CHECK(c.f().ftw == 0xffff);
}

TEST_CASE("x87 FCOM/FUCOM condition codes and FCOMI/FUCOMI flags", "[cpu][x87]") {
  struct Case {
    uint8_t a, b;  // which constant: 0 = fldz, 1 = fld1, 2 = fldpi
    uint16_t cc;   // C3 C2 C0 for ST0 = a, ST1 = b
    uint32_t flags;
  };
  const uint8_t load[] = {0xee, 0xe8, 0xeb};
  const Case cases[] = {{1, 2, fsw::C0, fl::CF}, {2, 1, 0, 0}, {1, 1, fsw::C3, fl::ZF}, {0, 1, fsw::C0, fl::CF}};
  for (const Case& k : cases) {
    Fpu32 c;
    // fld b; fld a; fcom st1; fnstsw ax; fcomi st1 ; sets flags
    REQUIRE(c.run({0xd9, load[k.b], 0xd9, load[k.a], 0xd8, 0xd1, 0xdf, 0xe0, 0xdb, 0xf1}) ==
            StopReason::Halted);
    CHECK((c.t.s().regs[EAX] & (fsw::kCond)) == k.cc);
    CHECK((c.t.flags() & (fl::ZF | fl::PF | fl::CF | fl::OF | fl::SF | fl::AF)) == k.flags);
  }
  // Unordered: NaN (0/0 = indefinite) against 1: C3 C2 C0 = 111, ZF PF CF = 111; FUCOM of a QNaN
  // raises nothing, FCOM raises IE.
  Fpu32 c;
  REQUIRE(c.run({0xd9, 0xe8, 0xd9, 0xee, 0xd9, 0xee, 0xde, 0xf9}) == StopReason::Halted);  // 1, 0/0
  CHECK(c.f().fsw & fsw::IE);
  REQUIRE(c.run({0xdb, 0xe2, 0xdd, 0xe1, 0xdf, 0xe0}) == StopReason::Halted);  // fnclex; fucom st1
  CHECK((c.t.s().regs[EAX] & (fsw::kCond | fsw::IE)) == (fsw::C3 | fsw::C2 | fsw::C0));
  REQUIRE(c.run({0xd8, 0xd1, 0xdf, 0xe0}) == StopReason::Halted);  // fcom st1
  CHECK((c.t.s().regs[EAX] & (fsw::kCond | fsw::IE)) == (fsw::C3 | fsw::C2 | fsw::C0 | fsw::IE));
  REQUIRE(c.run({0xdf, 0xe9}) == StopReason::Halted);  // fucomip st1
  CHECK((c.t.flags() & (fl::ZF | fl::PF | fl::CF)) == (fl::ZF | fl::PF | fl::CF));
  CHECK(c.top() == 7);
}

TEST_CASE("x87 FXAM classes (SDM Vol.2 FXAM)", "[cpu][x87]") {
  Fpu32 c;
  REQUIRE(c.run({0xd9, 0xe5, 0xdf, 0xe0}) == StopReason::Halted);  // empty
  CHECK((c.t.s().regs[EAX] & (fsw::C3 | fsw::C2 | fsw::C0)) == (fsw::C3 | fsw::C0));
  REQUIRE(c.run({0xd9, 0xee, 0xd9, 0xe0, 0xd9, 0xe5, 0xdf, 0xe0}) == StopReason::Halted);  // -0
  CHECK((c.t.s().regs[EAX] & fsw::kCond) == (fsw::C3 | fsw::C1));
  REQUIRE(c.run({0xd9, 0xe8, 0xd9, 0xe5, 0xdf, 0xe0}) == StopReason::Halted);  // 1.0
  CHECK((c.t.s().regs[EAX] & fsw::kCond) == fsw::C2);
}

TEST_CASE("x87 FNSAVE/FRSTOR and FNSTENV layouts in each mode (SDM Vol.1 figs 8-9..8-12)", "[cpu][x87]") {
  SECTION("32-bit protected mode") {
    Fpu32 c;
    // fld1 at 0x10000 (after the fninit run, EIP continues), fld qword [0x40010]; fnsave [0x40100]
    test::TestCpu& t = c.t;
    t.poke(0x40010, {0, 0, 0, 0, 0, 0, 0xf8, 0x3f});  // 1.5
    const uint32_t at = t.s().eip;
    REQUIRE(c.run({0xd9, 0xe8, 0xdd, 0x05, 0x10, 0x00, 0x04, 0x00, 0xdd, 0x35, 0x00, 0x01, 0x04, 0x00}) ==
            StopReason::Halted);
    CHECK(t.peek32(0x40100) == 0xffff037f);
    CHECK(t.peek32(0x40104) == 0xffff3000);  // TOP = 6
    CHECK(t.peek32(0x40108) == 0xffff0fff);  // R7, R6 valid
    CHECK(t.peek32(0x4010c) == at + 2);      // FIP: the fld qword
    CHECK(t.peek32(0x40110) == (0x08u | (0x505u << 16)));  // FCS, FOP = DD 05 -> 5 05
    CHECK(t.peek32(0x40114) == 0x40010);     // FDP
    CHECK(t.peek32(0x40118) == 0xffff0010);  // FDS
    // ST0 = 1.5, ST1 = 1.0 at 0x4011c.
    CHECK(t.peek32(0x4011c + 4) == 0xc0000000u);
    CHECK(t.peek16(0x4011c + 8) == 0x3fff);
    CHECK(t.peek32(0x40126 + 4) == 0x80000000u);
    // FNSAVE reinitialises.
    CHECK(t.s().fpu.ftw == 0xffff);
    CHECK(t.s().fpu.fcw == 0x037f);
    // frstor [0x40100] brings everything back.
    REQUIRE(c.run({0xdd, 0x25, 0x00, 0x01, 0x04, 0x00}) == StopReason::Halted);
    CHECK(c.top() == 6);
    CHECK(t.s().fpu.ftw == 0x0fff);
    CHECK(t.s().fpu.r[6] == sf::F80{0xc000000000000000ull, 0x3fff});
    CHECK(t.s().fpu.fop == 0x505);
  }
  SECTION("16-bit real mode") {
    test::TestCpu t;
    t.real_mode(0x1000, 0x100);
    // fninit; fld1; fnsave [0x200]  (16-bit operand size: 94 bytes)
    REQUIRE(t.run({0xdb, 0xe3, 0xd9, 0xe8, 0xdd, 0x36, 0x00, 0x02}) == StopReason::Halted);
    const uint32_t b = 0x10200;
    CHECK(t.peek16(b) == 0x037f);
    CHECK(t.peek16(b + 2) == 0x3800);
    CHECK(t.peek16(b + 4) == 0x3fff);
    // Linear FIP 0x10102 (the fld1): low 16 bits, then bits 19:16 in 15:12 with FOP 1E8h.
    CHECK(t.peek16(b + 6) == 0x0102);
    CHECK(t.peek16(b + 8) == ((0x1 << 12) | 0x1e8));
    CHECK(t.peek16(b + 14 + 8) == 0x3fff);  // ST0 = 1.0 exponent
  }
  SECTION("32-bit real mode (66h prefix) and FNSTENV masking") {
    test::TestCpu t;
    t.real_mode(0x1000, 0x100);
    // fninit; fld1; fnstenv [0x200] with 66h: 28-byte real-mode format
    REQUIRE(t.run({0xdb, 0xe3, 0xd9, 0xe8, 0x66, 0xd9, 0x36, 0x00, 0x02}) == StopReason::Halted);
    const uint32_t b = 0x10200;
    CHECK(t.peek32(b) == 0xffff037f);
    CHECK(t.peek32(b + 12) == 0xffff0102);
    CHECK(t.peek32(b + 16) == ((0x1u << 12) | 0x1e8));
    CHECK(t.s().fpu.fcw == 0x037f);
  }
  SECTION("16-bit protected mode format") {
    Fpu32 c;
    c.f().fcw = 0x0360;  // everything unmasked
    REQUIRE(c.run({0xd9, 0xe8, 0x66, 0xd9, 0x35, 0x00, 0x01, 0x04, 0x00}) == StopReason::Halted);
    CHECK(c.t.peek16(0x40100) == 0x0360);
    CHECK(c.t.peek16(0x40108) == 0x08);   // FCS
    CHECK(c.t.peek16(0x4010a) == 0);      // FDP: fld1 has no memory operand
    CHECK(c.f().fcw == 0x037f);           // FNSTENV masks all exceptions
  }
}

TEST_CASE("x87 #NM with CR0.EM or CR0.TS; WAIT only with MP and TS", "[cpu][x87]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kNM);
  t.s().cr0 |= cr0::TS;
  REQUIRE(t.run({0x9b}) == StopReason::Halted);  // WAIT without MP: no fault
  CHECK(!test::in_handler(t));
  t.real_mode();
  t.s().cr0 |= cr0::TS | cr0::MP;
  REQUIRE(t.run({0x9b}) == StopReason::Halted);
  CHECK(test::in_handler(t));
  t.real_mode();
  t.s().cr0 |= cr0::EM;
  REQUIRE(t.run({0x90, 0xdb, 0xe3}) == StopReason::Halted);  // even FNINIT faults
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == 0x101);
  t.real_mode();
  t.s().cr0 |= cr0::EM;
  REQUIRE(t.run({0x9b}) == StopReason::Halted);  // WAIT ignores EM
  CHECK(!test::in_handler(t));
}

TEST_CASE("x87 FISTTP is SSE3: #UD on a P6", "[cpu][x87]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kUD);
  REQUIRE(t.run({0xdb, 0x0e, 0x00, 0x02}) == StopReason::Halted);
  CHECK(test::in_handler(t));
}

TEST_CASE("x87 pending unmasked exception: #MF with CR0.NE, FERR# without", "[cpu][x87]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kMF);
  // fninit; fldcw [0x300] (ZE unmasked); fld1; fldz; fdivp st1 (#Z: destination untouched);
  // nop; fld1 (waiting -> #MF)
  t.poke(0x10300, {0x7b, 0x03});
  t.s().cr0 |= cr0::NE;
  REQUIRE(t.run({0xdb, 0xe3, 0xd9, 0x2e, 0x00, 0x03, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x90, 0xd9, 0xe8}) ==
          StopReason::Halted);
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == 0x10d);
  CHECK((t.s().fpu.fsw & (fsw::ZE | fsw::ES | fsw::B)) == (fsw::ZE | fsw::ES | fsw::B));
  CHECK(((t.s().fpu.fsw >> 11) & 7) == 6);  // not popped
  CHECK(t.s().fpu.fip == 0x10a);             // the FDIVP

  // The same with NE = 0: FERR# is signalled and the instruction runs; FNCLEX clears it.
  test::TestCpu u;
  u.real_mode();
  int ferr = 0;
  u.cpu.fpu_error = [&] { ferr++; };
  u.poke(0x10300, {0x7b, 0x03});
  REQUIRE(u.run({0xdb, 0xe3, 0xd9, 0x2e, 0x00, 0x03, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x90, 0xd9, 0xe8,
                 0xdb, 0xe2, 0xd9, 0xe8}) == StopReason::Halted);
  CHECK(ferr == 1);
  CHECK(((u.s().fpu.fsw >> 11) & 7) == 4);
  CHECK(!(u.s().fpu.fsw & fsw::ES));
}

TEST_CASE("x87 a faulting 10-byte store writes nothing", "[cpu][x87]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kGP);
  t.s().regs[ESP] = 0x8000;  // keep the exception frame away from the target
  t.poke(0x1fffa, {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa});
  t.poke(0x10000, {0xaa, 0xaa, 0xaa, 0xaa});
  // fninit; fld1; fstp tword [0xfffa]: crosses the 64 KB limit of DS -> #GP
  REQUIRE(t.run({0xdb, 0xe3, 0xd9, 0xe8, 0xdb, 0x3e, 0xfa, 0xff}) == StopReason::Halted);
  CHECK(test::in_handler(t));
  CHECK(t.peek32(0x1fffa) == 0xaaaaaaaa);
  CHECK(t.peek32(0x10000) == 0xaaaaaaaa);
  CHECK(((t.s().fpu.fsw >> 11) & 7) == 7);  // not popped
}

TEST_CASE("x87 arithmetic in every operand form matches the host", "[cpu][x87][host]") {
  Bytes data = data_area();
  for (unsigned i = 0; i < std::size(kValues); i++) put(data, 8 * i, bits(kValues[i]), 8);
  put(data, 0x60, 0x0000c0de, 4);  // an m32int
  put(data, 0x64, 0xfff3, 2);      // an m16int (-13)
  put(data, 0x68, bits(3.25) >> 32, 4);
  // Each ModRM.reg of D8/DA/DC/DE against memory, and D8/DC/DE register forms.
  for (unsigned r : {0u, 1u, 4u, 5u, 6u, 7u}) {
    for (unsigned a = 0; a < std::size(kValues); a += 3) {
      for (unsigned b = 1; b < std::size(kValues); b += 2) {
        INFO("reg " << r << " a " << kValues[a] << " b " << kValues[b]);
        same_as_host(cat({m(0xdd, 0, 8 * a), m(0xdc, r, 8 * b), m(0xdd, 3, kOut)}), data);
        same_as_host(cat({m(0xdd, 0, 8 * a), m(0xd8, r, 0x68), m(0xda, r, 0x60), m(0xde, r, 0x64),
                          m(0xdb, 7, kOut)}),
                     data);
        same_as_host(cat({m(0xdd, 0, 8 * b), m(0xdd, 0, 8 * a), {0xd8, uint8_t(0xc1 | r << 3)},
                          m(0xdd, 3, kOut), {0xdc, uint8_t(0xc0 | r << 3)}, m(0xdb, 7, kOut + 16)}),
                     data);
        same_as_host(cat({m(0xdd, 0, 8 * b), m(0xdd, 0, 8 * a), {0xde, uint8_t(0xc1 | r << 3)},
                          m(0xdd, 3, kOut)}),
                     data);
      }
    }
  }
}

TEST_CASE("x87 conversions, rounding modes and integer stores match the host", "[cpu][x87][host]") {
  Bytes data = data_area();
  for (unsigned i = 0; i < std::size(kValues); i++) put(data, 8 * i, bits(kValues[i]), 8);
  const double extra[] = {2.5, -2.5, 3.5, -0.5, 1e19, -9.3e18, 65535.7, -40000.2};
  for (unsigned i = 0; i < std::size(extra); i++) put(data, 0x60 + 8 * i, bits(extra[i]), 8);
  for (unsigned rc = 0; rc < 4; rc++) {
    put(data, 0x1e0, 0x037f | rc << 10, 2);
    for (unsigned i = 0; i < 20; i++) {
      const uint32_t src = i < 12 ? 8 * i : 0x60 + 8 * (i - 12);
      INFO("rc " << rc << " value " << i);
      // fldcw; fld m64; fst m32; fist m16; fist m32; fistp m64
      same_as_host(cat({m(0xd9, 5, 0x1e0), m(0xdd, 0, src), m(0xd9, 2, kOut), m(0xdf, 2, kOut + 4),
                        m(0xdb, 2, kOut + 8), m(0xdf, 7, kOut + 12)}),
                   data);
      // FRNDINT, then FBSTP; FILD back through m64int; FLD/FSTP m80.
      same_as_host(cat({m(0xd9, 5, 0x1e0), m(0xdd, 0, src), {0xd9, 0xfc}, m(0xdd, 2, kOut),
                        m(0xdf, 6, kOut + 8), m(0xdd, 0, src), m(0xdb, 7, kOut + 20),
                        m(0xdb, 5, kOut + 20), {0xd9, 0xfa}, m(0xdb, 7, kOut + 32)}),
                   data);
    }
  }
}

TEST_CASE("x87 FPREM, FPREM1, FSCALE, FXTRACT, FCHS, FABS, constants match the host", "[cpu][x87][host]") {
  Bytes data = data_area();
  const double v[] = {10.0, 3.0, -7.5, 1e30, 0.3, 2.0, -1.0, 1e-5};
  for (unsigned i = 0; i < std::size(v); i++) put(data, 8 * i, bits(v[i]), 8);
  for (unsigned a = 0; a < std::size(v); a++) {
    for (unsigned b = 0; b < std::size(v); b++) {
      INFO("a " << v[a] << " b " << v[b]);
      for (uint8_t op : {0xf8, 0xf5, 0xfd}) {
        // fld b; fld a; op; fnstsw [kOut+30]; fstp m80; fstp m80
        same_as_host(cat({m(0xdd, 0, 8 * b), m(0xdd, 0, 8 * a), {0xd9, op}, m(0xdd, 7, kOut + 30),
                          m(0xdb, 7, kOut), m(0xdb, 7, kOut + 10)}),
                     data);
      }
    }
    same_as_host(cat({m(0xdd, 0, 8 * a), {0xd9, 0xf4, 0xd9, 0xe0}, m(0xdb, 7, kOut), {0xd9, 0xe1},
                      m(0xdb, 7, kOut + 10)}),
                 data);
  }
  for (unsigned rc = 0; rc < 4; rc++) {
    put(data, 0x1e0, 0x037f | rc << 10, 2);
    Bytes code = m(0xd9, 5, 0x1e0);
    for (uint8_t k = 0xe8; k <= 0xee; k++) code.insert(code.end(), {0xd9, k});
    for (unsigned i = 0; i < 7; i++) {
      Bytes st = m(0xdb, 7, kOut + 10 * i);
      code.insert(code.end(), st.begin(), st.end());
    }
    same_as_host(code, data);
  }
}

TEST_CASE("x87 FCMOVcc, FXCH, FST ST(i) and FICOM match the host", "[cpu][x87][host]") {
  Bytes data = data_area();
  put(data, 0, bits(1.5), 8);
  put(data, 8, bits(-4.0), 8);
  put(data, 16, 7, 4);
  for (uint8_t cmp : {0xf1, 0xe9}) {  // fcomi/fucomi st1 sets the flags the moves test
    for (uint8_t mv : {0xc1, 0xc9, 0xd1, 0xd9}) {
      for (uint8_t esc : {0xda, 0xdb}) {
        same_as_host(cat({m(0xdd, 0, 8), m(0xdd, 0, 0), {0xdb, cmp, esc, mv}, m(0xdb, 7, kOut)}), data);
        same_as_host(cat({m(0xdd, 0, 0), m(0xdd, 0, 8), {0xdb, cmp, esc, mv}, m(0xdb, 7, kOut)}), data);
      }
    }
  }
  same_as_host(cat({m(0xdd, 0, 8), m(0xdd, 0, 0), {0xd9, 0xc9}, m(0xdd, 3, kOut), {0xdd, 0xd1, 0xd9, 0xe8},
                    {0xdd, 0xda}, m(0xdb, 7, kOut + 8), m(0xdb, 7, kOut + 18)}),
               data);
  for (unsigned r : {2u, 3u}) {
    same_as_host(cat({m(0xdd, 0, 0), m(0xda, r, 16), {0xdf, 0xe0, 0x66, 0x89, 0x43, 0x70}}), data);
    same_as_host(cat({m(0xdd, 0, 8), m(0xde, r, 16), {0xd9, 0xe4, 0xdf, 0xe0, 0x66, 0x89, 0x43, 0x70}}), data);
  }
}

TEST_CASE("FXSAVE layout, FXRSTOR round trip, alignment #GP, CR4.OSFXSR writable", "[cpu][x87]") {
  Fpu32 c;
  test::TestCpu& t = c.t;
  t.poke(0x40010, {0, 0, 0, 0, 0, 0, 0xf8, 0x3f});  // 1.5
  for (uint32_t i = 0; i < 512; i += 4) t.poke(0x40200 + i, {0xaa, 0xaa, 0xaa, 0xaa});
  const uint32_t at = t.s().eip;
  // fld1; fld qword [0x40010]; fxsave [0x40200]
  REQUIRE(c.run({0xd9, 0xe8, 0xdd, 0x05, 0x10, 0x00, 0x04, 0x00, 0x0f, 0xae, 0x05, 0x00, 0x02, 0x04, 0x00}) ==
          StopReason::Halted);
  CHECK(t.peek16(0x40200) == 0x037f);
  CHECK(t.peek16(0x40202) == 0x3000);  // TOP = 6
  CHECK(t.peek8(0x40204) == 0xc0);     // abridged tags: R6, R7 in use
  CHECK(t.peek16(0x40206) == 0x505);   // FOP
  CHECK(t.peek32(0x40208) == at + 2);  // FIP
  CHECK(t.peek16(0x4020c) == 0x08);    // FCS
  CHECK(t.peek32(0x40210) == 0x40010);
  CHECK(t.peek16(0x40214) == 0x10);
  CHECK(t.peek32(0x40218) == 0x1f80);  // MXCSR
  CHECK(t.peek32(0x40220 + 4) == 0xc0000000u);  // ST0 = 1.5
  CHECK(t.peek16(0x40220 + 8) == 0x3fff);
  CHECK(t.peek16(0x40220 + 10) == 0);
  CHECK(t.peek32(0x40230 + 4) == 0x80000000u);  // ST1 = 1.0
  CHECK(t.peek32(0x402a0) == 0);                // XMM area
  CHECK(t.peek32(0x403fc) == 0);
  // FXSAVE does not reinitialise; fninit, then fxrstor brings the stack back.
  CHECK(t.s().fpu.ftw == 0x0fff);
  REQUIRE(c.run({0xdb, 0xe3, 0x0f, 0xae, 0x0d, 0x00, 0x02, 0x04, 0x00}) == StopReason::Halted);
  CHECK(c.top() == 6);
  CHECK(t.s().fpu.ftw == 0x0fff);
  CHECK(t.s().fpu.r[6] == sf::F80{0xc000000000000000ull, 0x3fff});

  test::TestCpu r;
  r.real_mode();
  test::catch_vector(r, kGP);
  REQUIRE(r.run({0x0f, 0xae, 0x06, 0x08, 0x02}) == StopReason::Halted);  // fxsave [0x208]: misaligned
  CHECK(test::in_handler(r));
  r.real_mode();
  REQUIRE(r.run({0x0f, 0x20, 0xe0, 0x66, 0x0d, 0x00, 0x02, 0x00, 0x00, 0x0f, 0x22, 0xe0}) ==
          StopReason::Halted);  // mov eax, cr4; or eax, 0x200; mov cr4, eax
  CHECK(r.s().cr4 == cr4::OSFXSR);
}
