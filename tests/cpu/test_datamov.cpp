// Data movement instructions. Expected values follow the SDM Vol.2 entry of each instruction;
// the reasoning is in the comments.
#include <catch2/catch.hpp>

#include "tests/cpu/run_util.h"

using namespace cpu;
using jit::StopReason;

namespace {

constexpr uint32_t kRealBase = 0x10000;  // real_mode(): every segment is 1000h

}  // namespace

TEST_CASE("MOV register, memory, immediate and moffs forms in real mode", "[cpu][datamov]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(0x20010, {0x5a});  // ES:0010h once ES = 2000h
  // mov ax,1234h; mov [2000h],ax; mov bl,[2001h]; mov byte [bx+si+5],7fh (bx=0012h, si=2000h);
  // mov cx,2000h; mov es,cx; mov al,es:[0010h]; mov [2010h],al
  t.s().regs[ESI] = 0x2000;
  REQUIRE(test::run(t, {0xb8, 0x34, 0x12, 0xa3, 0x00, 0x20, 0x8a, 0x1e, 0x01, 0x20, 0xc6, 0x40, 0x05,
                 0x7f, 0xb9, 0x00, 0x20, 0x8e, 0xc1, 0x26, 0xa0, 0x10, 0x00, 0xa2, 0x10, 0x20}) ==
          StopReason::Halted);
  CHECK(t.peek16(kRealBase + 0x2000) == 0x1234);  // little-endian store of AX
  CHECK((t.s().regs[EBX] & 0xff) == 0x12);        // the high byte of the word
  CHECK(t.peek8(kRealBase + 0x2000 + 0x12 + 5) == 0x7f);
  CHECK((t.s().regs[EAX] & 0xff) == 0x5a);  // moffs with the ES override reads 2000h:0010h
  CHECK(t.peek8(kRealBase + 0x2010) == 0x5a);
}

TEST_CASE("MOV moffs with 32-bit and 16-bit address sizes in flat 32-bit code", "[cpu][datamov]") {
  test::TestCpu t;
  t.flat32();
  t.poke(0x3000, {0x78, 0x56, 0x34, 0x12});
  t.poke(0x4000, {0xcd, 0xab});
  // mov eax,[3000h]; 66 67 mov ax,[4000h] (16-bit moffs); mov [3100h],eax
  REQUIRE(test::run(t, {0xa1, 0x00, 0x30, 0x00, 0x00, 0x66, 0x67, 0xa1, 0x00, 0x40, 0xa3, 0x00, 0x31,
                 0x00, 0x00}) == StopReason::Halted);
  // EAX = 12345678h, then AX replaced by ABCDh: 1234ABCDh.
  CHECK(t.s().regs[EAX] == 0x1234abcd);
  CHECK(t.peek32(0x3100) == 0x1234abcd);
}

TEST_CASE("MOVZX and MOVSX extend bytes and words", "[cpu][datamov]") {
  SECTION("flat 32-bit") {
    test::TestCpu t;
    t.flat32();
    t.s().regs[EBX] = 0x80;
    t.s().regs[EAX] = 0xdeadbeef;
    t.poke(0x3000, {0x01, 0x80});
    // movsx esi,bl; movzx ecx,bl; movsx edx,word [3000h]; movzx edi,word [3000h]; 66 movzx ax,bl
    REQUIRE(test::run(t, {0x0f, 0xbe, 0xf3, 0x0f, 0xb6, 0xcb, 0x0f, 0xbf, 0x15, 0x00, 0x30, 0x00, 0x00,
                   0x0f, 0xb7, 0x3d, 0x00, 0x30, 0x00, 0x00, 0x66, 0x0f, 0xb6, 0xc3}) ==
            StopReason::Halted);
    CHECK(t.s().regs[ESI] == 0xffffff80);  // 80h has the sign bit set
    CHECK(t.s().regs[ECX] == 0x00000080);
    CHECK(t.s().regs[EDX] == 0xffff8001);  // word 8001h
    CHECK(t.s().regs[EDI] == 0x00008001);
    CHECK(t.s().regs[EAX] == 0xdead0080);  // a 16-bit destination keeps bits 31:16
  }
  SECTION("real mode") {
    test::TestCpu t;
    t.real_mode();
    t.s().regs[EBX] = 0xfe;
    // movsx ax,bl; movzx cx,bl
    REQUIRE(test::run(t, {0x0f, 0xbe, 0xc3, 0x0f, 0xb6, 0xcb}) == StopReason::Halted);
    CHECK((t.s().regs[EAX] & 0xffff) == 0xfffe);
    CHECK((t.s().regs[ECX] & 0xffff) == 0x00fe);
  }
}

TEST_CASE("LEA truncates to the address size, then to the operand size", "[cpu][datamov]") {
  SECTION("real mode") {
    test::TestCpu t;
    t.real_mode();
    t.s().regs[EBX] = 0xfff0;
    t.s().regs[ESI] = 0x20;
    t.s().regs[EAX] = 0xaaaa0000;
    t.s().regs[ECX] = 0xbbbb0000;
    // lea ax,[bx+si+10h]; 66 lea ecx,[bx+si+10h]
    REQUIRE(test::run(t, {0x8d, 0x40, 0x10, 0x66, 0x8d, 0x48, 0x10}) == StopReason::Halted);
    // FFF0h + 20h + 10h = 10020h, wrapped to 16 bits = 0020h.
    CHECK(t.s().regs[EAX] == 0xaaaa0020);  // 16-bit operand: bits 31:16 unchanged
    CHECK(t.s().regs[ECX] == 0x00000020);  // 32-bit operand: 16-bit address zero-extended
  }
  SECTION("flat 32-bit") {
    test::TestCpu t;
    t.flat32();
    t.s().regs[ECX] = 0x12345678;
    t.s().regs[EDX] = 0x10;
    t.s().regs[EAX] = 0xffffffff;
    t.s().regs[EBX] = 0xffff;
    t.s().regs[ESI] = 2;
    // 66 lea ax,[ecx+edx*4+8]; 67 lea edi,[bx+si]
    REQUIRE(test::run(t, {0x66, 0x8d, 0x44, 0x91, 0x08, 0x67, 0x8d, 0x38}) == StopReason::Halted);
    // 12345678h + 40h + 8 = 123456C0h; the low word goes to AX.
    CHECK(t.s().regs[EAX] == 0xffff56c0);
    // FFFFh + 2 wraps to 0001h in 16-bit addressing, zero-extended.
    CHECK(t.s().regs[EDI] == 1);
  }
}

TEST_CASE("XCHG registers and memory, with and without LOCK", "[cpu][datamov]") {
  test::TestCpu t;
  t.real_mode();
  t.s().regs[EAX] = 0x1234;
  t.s().regs[EBX] = 0x5678;
  t.poke(kRealBase + 0x2000, {0xcd, 0xab});
  // xchg ah,al; lock xchg [2000h],bx; xchg cx,ax (91h)
  t.s().regs[ECX] = 0x9999;
  REQUIRE(test::run(t, {0x86, 0xe0, 0xf0, 0x87, 0x1e, 0x00, 0x20, 0x91}) == StopReason::Halted);
  CHECK((t.s().regs[ECX] & 0xffff) == 0x3412);  // AX after the byte swap
  CHECK((t.s().regs[EAX] & 0xffff) == 0x9999);
  CHECK((t.s().regs[EBX] & 0xffff) == 0xabcd);
  CHECK(t.peek16(kRealBase + 0x2000) == 0x5678);
}

TEST_CASE("LOCK with a register-only XCHG raises #UD", "[cpu][datamov]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kUD);
  t.s().regs[EAX] = 0x1234;
  REQUIRE(test::run(t, {0xf0, 0x86, 0xe0}) == StopReason::Halted);  // lock xchg ah,al
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == 0x100);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x1234);
}

TEST_CASE("XADD exchanges and adds, with ADD flags", "[cpu][datamov]") {
  SECTION("registers, 32-bit") {
    test::TestCpu t;
    t.flat32();
    t.s().regs[EAX] = 0x7fffffff;
    t.s().regs[ECX] = 1;
    t.s().regs[EDX] = 3;
    REQUIRE(test::run(t, {0x0f, 0xc1, 0xc8, 0x0f, 0xc1, 0xd2}) == StopReason::Halted);  // xadd eax,ecx; xadd edx,edx
    CHECK(t.s().regs[EAX] == 0x80000000);
    CHECK(t.s().regs[ECX] == 0x7fffffff);
    // Same register: SRC = DEST happens first, DEST = sum last, so EDX = 3 + 3.
    CHECK(t.s().regs[EDX] == 6);
    // Flags are those of the last XADD: 3 + 3 = 6: no carry, PF (110b has two bits), no AF.
    CHECK((t.flags() & fl::kArith) == fl::PF);
  }
  SECTION("memory, byte, real mode") {
    test::TestCpu t;
    t.real_mode();
    t.poke(kRealBase + 0x2000, {0xff});
    t.s().regs[ECX] = 0x01;
    REQUIRE(test::run(t, {0x0f, 0xc0, 0x0e, 0x00, 0x20}) == StopReason::Halted);  // xadd [2000h],cl
    CHECK(t.peek8(kRealBase + 0x2000) == 0x00);
    CHECK((t.s().regs[ECX] & 0xff) == 0xff);
    // FFh + 01h = 100h: CF, ZF, AF (carry out of bit 3), PF (00h).
    CHECK((t.flags() & fl::kArith) == (fl::CF | fl::ZF | fl::AF | fl::PF));
  }
}

TEST_CASE("CMPXCHG compares with the accumulator", "[cpu][datamov]") {
  SECTION("equal: destination takes the source") {
    test::TestCpu t;
    t.flat32();
    t.s().regs[EAX] = 5;
    t.s().regs[EBX] = 5;
    t.s().regs[ECX] = 9;
    REQUIRE(test::run(t, {0x0f, 0xb1, 0xcb}) == StopReason::Halted);  // cmpxchg ebx,ecx
    CHECK(t.s().regs[EBX] == 9);
    CHECK(t.s().regs[EAX] == 5);
    CHECK((t.flags() & fl::kArith) == (fl::ZF | fl::PF));  // 5 - 5 = 0
  }
  SECTION("different: accumulator takes the destination") {
    test::TestCpu t;
    t.flat32();
    t.s().regs[EAX] = 4;
    t.s().regs[EBX] = 5;
    t.s().regs[ECX] = 9;
    REQUIRE(test::run(t, {0x0f, 0xb1, 0xcb}) == StopReason::Halted);
    CHECK(t.s().regs[EBX] == 5);
    CHECK(t.s().regs[EAX] == 5);
    // 4 - 5 = FFFFFFFFh: borrow (CF), SF, AF (borrow from bit 4), PF (FFh has eight bits).
    CHECK((t.flags() & fl::kArith) == (fl::CF | fl::SF | fl::AF | fl::PF));
  }
  SECTION("the accumulator as the destination") {
    test::TestCpu t;
    t.real_mode();
    t.s().regs[EAX] = 7;
    t.s().regs[ECX] = 9;
    REQUIRE(test::run(t, {0x0f, 0xb0, 0xc8}) == StopReason::Halted);  // cmpxchg al,cl: AL = AL always
    CHECK((t.s().regs[EAX] & 0xff) == 9);
  }
  SECTION("memory, different: the destination is written back, so a read-only one faults") {
    test::TestCpu t;
    t.real_mode();
    test::catch_vector(t, kGP);
    t.poke(kRealBase + 0x2000, {0x34, 0x12});
    t.s().seg[DS].access = kSegRead;  // a read-only data segment in the descriptor cache
    t.s().regs[EAX] = 0x1111;
    t.s().regs[ECX] = 0x2222;
    REQUIRE(test::run(t, {0x0f, 0xb1, 0x0e, 0x00, 0x20}) == StopReason::Halted);  // cmpxchg [2000h],cx
    CHECK(test::in_handler(t));
    CHECK(test::pushed_ip(t) == 0x100);
    CHECK((t.s().regs[EAX] & 0xffff) == 0x1111);  // precise: AX not yet loaded
    CHECK(t.peek16(kRealBase + 0x2000) == 0x1234);
  }
  SECTION("memory, equal") {
    test::TestCpu t;
    t.real_mode();
    t.poke(kRealBase + 0x2000, {0x34, 0x12});
    t.s().regs[EAX] = 0x1234;
    t.s().regs[ECX] = 0x2222;
    REQUIRE(test::run(t, {0x0f, 0xb1, 0x0e, 0x00, 0x20}) == StopReason::Halted);
    CHECK(t.peek16(kRealBase + 0x2000) == 0x2222);
    CHECK((t.flags() & fl::ZF) != 0);
  }
}

TEST_CASE("CMPXCHG8B sets only ZF", "[cpu][datamov]") {
  test::TestCpu t;
  t.flat32();
  t.poke(0x3000, {0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22});
  t.s().regs[EAX] = 0x11111111;
  t.s().regs[EDX] = 0x22222222;
  t.s().regs[EBX] = 0xaaaaaaaa;
  t.s().regs[ECX] = 0xbbbbbbbb;
  t.s().regs[EDI] = 0x3000;
  // stc; cmpxchg8b [edi] (equal: m64 = ECX:EBX); cmpxchg8b [edi] again (now different)
  REQUIRE(test::run(t, {0xf9, 0x0f, 0xc7, 0x0f}) == StopReason::Halted);
  CHECK(t.peek32(0x3000) == 0xaaaaaaaa);
  CHECK(t.peek32(0x3004) == 0xbbbbbbbb);
  CHECK((t.flags() & (fl::ZF | fl::CF)) == (fl::ZF | fl::CF));  // CF untouched
  REQUIRE(test::run(t, {0x0f, 0xc7, 0x0f}) == StopReason::Halted);
  // EDX:EAX (22222222h:11111111h) differs from m64: it is loaded from memory, ZF cleared.
  CHECK(t.s().regs[EAX] == 0xaaaaaaaa);
  CHECK(t.s().regs[EDX] == 0xbbbbbbbb);
  CHECK((t.flags() & fl::ZF) == 0);
  CHECK(t.peek32(0x3000) == 0xaaaaaaaa);
}

TEST_CASE("BSWAP reverses a 32-bit register; the 16-bit form clears the word", "[cpu][datamov]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x11223344;
  t.s().regs[ECX] = 0x11223344;
  REQUIRE(test::run(t, {0x0f, 0xc8, 0x66, 0x0f, 0xc9}) == StopReason::Halted);  // bswap eax; 66 bswap cx
  CHECK(t.s().regs[EAX] == 0x44332211);
  CHECK(t.s().regs[ECX] == 0x11220000);  // undefined in the SDM; our documented choice
}

TEST_CASE("XLAT reads [seg:(E)BX + AL]", "[cpu][datamov]") {
  SECTION("real mode, DS, ES override and 16-bit wrap") {
    test::TestCpu t;
    t.real_mode();
    t.poke(kRealBase + 0x3005, {0x77});
    t.poke(0x20000 + 0x3005, {0x88});
    t.poke(kRealBase + 0x0001, {0x99});
    t.s().regs[EBX] = 0x3000;
    t.s().regs[EAX] = 0x05;
    REQUIRE(test::run(t, {0xd7}) == StopReason::Halted);
    CHECK((t.s().regs[EAX] & 0xff) == 0x77);
    t.s().regs[EAX] = 0x05;
    t.s().seg[ES].base = 0x20000;
    REQUIRE(test::run(t, {0x26, 0xd7}) == StopReason::Halted);  // es xlat
    CHECK((t.s().regs[EAX] & 0xff) == 0x88);
    t.s().regs[EBX] = 0xffff;
    t.s().regs[EAX] = 0x02;
    REQUIRE(test::run(t, {0xd7}) == StopReason::Halted);  // FFFFh + 2 wraps to 0001h
    CHECK((t.s().regs[EAX] & 0xff) == 0x99);
  }
  SECTION("flat 32-bit, both address sizes") {
    test::TestCpu t;
    t.flat32();
    t.poke(0x13005, {0x44});
    t.poke(0x0001, {0x55});
    t.s().regs[EBX] = 0x13000;
    t.s().regs[EAX] = 0x05;
    REQUIRE(test::run(t, {0xd7}) == StopReason::Halted);
    CHECK((t.s().regs[EAX] & 0xff) == 0x44);
    t.s().regs[EBX] = 0x1ffff;  // 67h: BX = FFFFh, + 2 wraps to 0001h
    t.s().regs[EAX] = 0x02;
    REQUIRE(test::run(t, {0x67, 0xd7}) == StopReason::Halted);
    CHECK((t.s().regs[EAX] & 0xff) == 0x55);
  }
}

TEST_CASE("CBW CWDE CWD CDQ sign-extend the accumulator", "[cpu][datamov]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x12345680;
  REQUIRE(test::run(t, {0x66, 0x98}) == StopReason::Halted);  // cbw: AX = sext(80h)
  CHECK(t.s().regs[EAX] == 0x1234ff80);
  t.s().regs[EAX] = 0x00008000;
  REQUIRE(test::run(t, {0x98}) == StopReason::Halted);  // cwde
  CHECK(t.s().regs[EAX] == 0xffff8000);
  t.s().regs[EAX] = 0x8000;
  t.s().regs[EDX] = 0xabcd0000;
  REQUIRE(test::run(t, {0x66, 0x99}) == StopReason::Halted);  // cwd: DX = FFFFh
  CHECK(t.s().regs[EDX] == 0xabcdffff);
  t.s().regs[EAX] = 0x7fffffff;
  REQUIRE(test::run(t, {0x99}) == StopReason::Halted);  // cdq of a positive value
  CHECK(t.s().regs[EDX] == 0);
  t.s().regs[EAX] = 0x80000000;
  REQUIRE(test::run(t, {0x99}) == StopReason::Halted);
  CHECK(t.s().regs[EDX] == 0xffffffff);
}

TEST_CASE("LAHF and SAHF move SF ZF AF PF CF through AH", "[cpu][datamov]") {
  test::TestCpu t;
  t.real_mode();
  // mov al,0ffh; add al,1 -> CF ZF AF PF, not SF; lahf
  REQUIRE(test::run(t, {0xb0, 0xff, 0x04, 0x01, 0x9f}) == StopReason::Halted);
  // AH = SF:ZF:0:AF:0:PF:1:CF = 0101 0111b.
  CHECK(((t.s().regs[EAX] >> 8) & 0xff) == 0x57);
  // mov al,7fh; add al,1 -> OF; mov ah,0d5h; sahf: SF ZF AF PF CF set, OF kept.
  REQUIRE(test::run(t, {0xb0, 0x7f, 0x04, 0x01, 0xb4, 0xd5, 0x9e}) == StopReason::Halted);
  CHECK((t.flags() & fl::kArith) == fl::kArith);
  // mov ah,0; sahf: the five flags clear, OF still set.
  REQUIRE(test::run(t, {0xb4, 0x00, 0x9e}) == StopReason::Halted);
  CHECK((t.flags() & fl::kArith) == fl::OF);
}

TEST_CASE("CMOVcc tests each of the 16 conditions", "[cpu][datamov]") {
  // After cmp eax,ebx with 1 and 2: 1 - 2 = FFFFFFFFh, so CF=1 ZF=0 SF=1 OF=0 PF=1.
  // Conditions in encoding order: O NO B AE E NE BE A S NS P NP L GE LE G.
  constexpr bool expect[16] = {false, true, true,  false, false, true, true, false,
                               true,  false, true, false, true, false, true, false};
  for (uint8_t cc = 0; cc < 16; cc++) {
    INFO("condition " << int(cc));
    test::TestCpu t;
    t.flat32();
    t.s().regs[EAX] = 1;
    t.s().regs[EBX] = 2;
    t.s().regs[ECX] = 0xaaaa;
    t.s().regs[EDX] = 0xbbbb;
    REQUIRE(test::run(t, {0x39, 0xd8, 0x0f, uint8_t(0x40 | cc), 0xca}) == StopReason::Halted);  // cmovcc ecx,edx
    CHECK(t.s().regs[ECX] == (expect[cc] ? 0xbbbbu : 0xaaaau));
  }
}

TEST_CASE("CMOVcc reads its memory operand even when the condition is false", "[cpu][datamov]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kGP);
  t.s().regs[EAX] = 0x1234;
  // stc; cmovnc ax,[0ffffh]: false, but the word at FFFFh crosses the segment limit -> #GP.
  REQUIRE(test::run(t, {0xf9, 0x0f, 0x43, 0x06, 0xff, 0xff}) == StopReason::Halted);
  CHECK(test::in_handler(t));
  CHECK(test::pushed_ip(t) == 0x101);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x1234);
}

TEST_CASE("NOP forms never touch memory", "[cpu][datamov]") {
  test::TestCpu t;
  t.real_mode();
  t.s().seg[DS].access = 0;  // any data access through DS would fault
  const uint32_t before = t.s().regs[EAX];
  // nop; 66 nop; pause; nop word [bx] (0f 1f 07); nop word [bx+si+1234h] (0f 1f 80 34 12)
  REQUIRE(test::run(t, {0x90, 0x66, 0x90, 0xf3, 0x90, 0x0f, 0x1f, 0x07, 0x0f, 0x1f, 0x80, 0x34, 0x12}) ==
          StopReason::Halted);
  CHECK(t.s().eip == 0x100 + 13 + 1);
  CHECK(t.s().regs[EAX] == before);
}
