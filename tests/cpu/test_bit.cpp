// BT, BTS, BTR, BTC, BSF, BSR, SETcc. Expected values follow SDM Vol.2 "BT" (including its
// bit-base addressing for memory operands), "BSF", "BSR" and "SETcc".
#include <catch2/catch.hpp>

#include "tests/cpu/harness.h"

using namespace cpu;

TEST_CASE("BT family on registers: offset MOD operand size, only CF changes", "[cpu][bit]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x80000001;
  // cmp eax, eax sets ZF (BT leaves ZF alone); bt eax, 63 -> bit 63 MOD 32 = 31 = 1.
  REQUIRE(t.run({0x39, 0xc0, 0x0f, 0xba, 0xe0, 0x3f}) == jit::StopReason::Halted);
  CHECK((t.flags() & (fl::CF | fl::ZF)) == (fl::CF | fl::ZF));
  CHECK(t.s().regs[EAX] == 0x80000001);

  // bts eax, 4; btr eax, 0 (bit was 1 -> CF = 1); btc eax, ecx with ECX = 33 -> bit 1.
  t.s().regs[ECX] = 33;
  REQUIRE(t.run({0x0f, 0xba, 0xe8, 0x04, 0x0f, 0xba, 0xf0, 0x00, 0x0f, 0xbb, 0xc8}) ==
          jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x80000012);
  CHECK(!(t.flags() & fl::CF));  // BTC saw bit 1 = 0

  t.real_mode();
  t.s().regs[EAX] = 0x0002;
  t.s().regs[EBX] = 17;
  // bt ax, bx: 17 MOD 16 = 1 -> CF = 1.
  REQUIRE(t.run({0x0f, 0xa3, 0xd8}) == jit::StopReason::Halted);
  CHECK(t.flags() & fl::CF);
}

TEST_CASE("BT with a memory operand and a register offset addresses beyond the operand",
          "[cpu][bit]") {
  test::TestCpu t;
  t.flat32();
  t.poke(0x20000, {0x00, 0x00, 0x00, 0x80});  // dword at 20000h: bit 31
  t.s().regs[ESI] = 0x20004;
  t.s().regs[EAX] = uint32_t(-1);
  // bt [esi], eax: offset -1 -> dword at ESI + 4 * (-1 SAR 5) = ESI - 4, bit -1 MOD 32 = 31.
  REQUIRE(t.run({0x0f, 0xa3, 0x06}) == jit::StopReason::Halted);
  CHECK(t.flags() & fl::CF);

  // bts [esi], eax with EAX = 40: dword at ESI + 4 = 20008h, bit 8.
  t.s().regs[EAX] = 40;
  REQUIRE(t.run({0x0f, 0xab, 0x06}) == jit::StopReason::Halted);
  CHECK(!(t.flags() & fl::CF));
  CHECK(t.peek32(0x20008) == 0x100);

  // lock btr [esi], eax with EAX = -32: dword at ESI + 4 * (-32 SAR 5) = ESI - 4, bit
  // -32 MOD 32 = 0, which is clear: CF = 0 and memory is unchanged. LOCK is allowed here.
  t.s().regs[EAX] = uint32_t(-32);
  REQUIRE(t.run({0xf0, 0x0f, 0xb3, 0x06}) == jit::StopReason::Halted);
  CHECK(!(t.flags() & fl::CF));
  CHECK(t.peek32(0x20000) == 0x80000000);

  // Real mode, 16-bit: btc [si], ax with AX = 17 -> word at SI + 2, bit 1.
  t.real_mode();
  t.poke(0x10302, {0x02, 0x00});
  t.s().regs[ESI] = 0x300;
  t.s().regs[EAX] = 17;
  REQUIRE(t.run({0x0f, 0xbb, 0x04}) == jit::StopReason::Halted);
  CHECK(t.flags() & fl::CF);
  CHECK(t.peek16(0x10302) == 0);

  // AX = -1 (FFFFh) -> word at SI - 2, bit 15.
  t.poke(0x102fe, {0x00, 0x80});
  t.s().regs[EAX] = 0xffff;
  REQUIRE(t.run({0x0f, 0xa3, 0x04}) == jit::StopReason::Halted);
  CHECK(t.flags() & fl::CF);

  // With an immediate offset the operand itself is used: bt word [si], 17 -> bit 1 of [SI].
  t.poke(0x10300, {0x02, 0x00});
  REQUIRE(t.run({0x0f, 0xba, 0x24, 0x11}) == jit::StopReason::Halted);
  CHECK(t.flags() & fl::CF);
}

TEST_CASE("BSF/BSR find the lowest/highest set bit; a zero source sets ZF and keeps the destination",
          "[cpu][bit]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EBX] = 0x00010100;
  REQUIRE(t.run({0x0f, 0xbc, 0xc3, 0x0f, 0xbd, 0xcb}) == jit::StopReason::Halted);  // bsf eax,ebx; bsr ecx,ebx
  CHECK(t.s().regs[EAX] == 8);
  CHECK(t.s().regs[ECX] == 16);
  CHECK(!(t.flags() & fl::ZF));

  t.s().regs[EAX] = 0xdeadbeef;
  t.s().regs[EBX] = 0;
  REQUIRE(t.run({0x0f, 0xbc, 0xc3}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0xdeadbeef);
  CHECK(t.flags() & fl::ZF);

  t.real_mode();
  t.s().regs[EAX] = 0x12345678;
  t.s().regs[EBX] = 0x8000;
  REQUIRE(t.run({0x0f, 0xbd, 0xc3}) == jit::StopReason::Halted);  // bsr ax, bx
  CHECK(t.s().regs[EAX] == 0x1234000f);
  t.poke(0x10300, {0x00, 0x00});
  REQUIRE(t.run({0x0f, 0xbc, 0x06, 0x00, 0x03}) == jit::StopReason::Halted);  // bsf ax, [0x300]
  CHECK(t.s().regs[EAX] == 0x1234000f);
  CHECK(t.flags() & fl::ZF);
}

TEST_CASE("F3 0F BC/BD run as BSF/BSR on a processor without BMI1/LZCNT", "[cpu][bit]") {
  // SDM Vol.2 "TZCNT"/"LZCNT": on processors that do not support them the encodings execute as
  // BSF/BSR (the REP prefix is ignored). 8 = bit 3: BSF gives 3 (TZCNT would too), BSR gives 3
  // (LZCNT would give 28).
  test::TestCpu t;
  t.flat32();
  t.s().regs[ECX] = 8;
  REQUIRE(t.run({0xf3, 0x0f, 0xbc, 0xc1, 0xf3, 0x0f, 0xbd, 0xd1}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 3);
  CHECK(t.s().regs[EDX] == 3);
  // A zero source: ZF set, destination unchanged (TZCNT would write 32 and set CF).
  t.s().regs[ECX] = 0;
  t.s().regs[EAX] = 0x1234;
  REQUIRE(t.run({0xf3, 0x0f, 0xbc, 0xc1}) == jit::StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x1234);
  CHECK(t.flags() & fl::ZF);
}

TEST_CASE("SETcc evaluates all 16 conditions", "[cpu][bit]") {
  for (bool real : {true, false}) {
    test::TestCpu t;
    real ? t.real_mode() : t.flat32();
    const uint32_t base = real ? 0x10300 : 0x20000;
    t.s().regs[EAX] = 1;
    t.s().regs[EBX] = 2;
    t.s().regs[EDI] = real ? 0x300 : 0x20000;
    // cmp eax, ebx (ax, bx): 1 - 2 = -1: CF (borrow), SF, PF (FFh), not ZF, not OF.
    // Then setcc byte [edi + cc] for cc = 0..15 (0F 9x 47 cc; 16-bit: [bx] forms differ, so
    // real mode uses [di + cc], modrm 45).
    std::vector<uint8_t> code = {0x39, 0xd8};
    for (uint8_t cc = 0; cc < 16; cc++) {
      code.insert(code.end(), {0x0f, uint8_t(0x90 + cc), uint8_t(real ? 0x45 : 0x47), cc});
    }
    code.push_back(0xf4);
    t.poke(t.s().seg[CS].base + t.s().eip, code);
    REQUIRE(t.engine.run(100) == jit::StopReason::Halted);
    //                      O  NO B  AE E  NE BE A  S  NS P  NP L  GE LE G
    const uint8_t want[] = {0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
    for (unsigned cc = 0; cc < 16; cc++) {
      INFO("cc=" << cc << " real=" << real);
      CHECK(t.peek8(base + cc) == want[cc]);
    }
  }
}

TEST_CASE("SETcc after signed overflow: L/GE follow SF != OF", "[cpu][bit]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x7fffffff;
  // add eax, 1 overflows: SF = OF = 1 -> GE (SF = OF) and O hold, L does not; setge cl; seto dl;
  // setl bl.
  REQUIRE(t.run({0x83, 0xc0, 0x01, 0x0f, 0x9d, 0xc1, 0x0f, 0x90, 0xc2, 0x0f, 0x9c, 0xc3}) ==
          jit::StopReason::Halted);
  CHECK((t.s().regs[ECX] & 0xff) == 1);
  CHECK((t.s().regs[EDX] & 0xff) == 1);
  CHECK((t.s().regs[EBX] & 0xff) == 0);
}

TEST_CASE("LOCK BT (no write) raises #UD", "[cpu][bit]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(kUD * 4u, {0x00, 0x02, 0x00, 0x10});
  t.poke(0x10200, {0xf4});
  REQUIRE(t.run({0xf0, 0x0f, 0xa3, 0x06, 0x00, 0x03}) == jit::StopReason::Halted);
  CHECK(t.s().eip == 0x201);
  CHECK(t.peek16(0x1fff8) == 0x100);
}
