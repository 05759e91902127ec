// Segment loads: protected mode entered through LGDT / MOV CR0 / far JMP, descriptor checks of
// MOV Sreg and far transfers (SDM Vol.2 MOV, JMP, CALL, RET, IRET; Vol.3 §3.4, §5.5-5.8),
// LDS/LES/LSS.
#include <catch2/catch.hpp>
#include <utility>

#include "cpu/helpers/helpers.h"
#include "tests/cpu/harness.h"

using namespace cpu;
using jit::StopReason;

namespace {

constexpr uint32_t kGdt = 0x1000;
constexpr uint64_t kGdtEntries[] = {
    0,
    0x00CF9A000000FFFF,  // 08: code, 32-bit, flat, DPL 0, readable, not yet accessed
    0x00CF92000000FFFF,  // 10: data, flat, DPL 0, writable, not yet accessed
    0x00009A020000FFFF,  // 18: code, 16-bit, base 20000h, limit FFFFh
    0x00CF12000000FFFF,  // 20: data, not present
    0x00CFFA000000FFFF,  // 28: code, 32-bit, flat, DPL 3
    0x00CF90000000FFFF,  // 30: data, read-only
    0x00CF98000000FFFF,  // 38: code, execute-only
    0x0000960000000FFF,  // 40: data, expand-down, writable, B = 0, limit 0FFFh
    0x00CF1A000000FFFF,  // 48: code, not present
    0x00CFF2000000FFFF,  // 50: data, flat, DPL 3, writable
    0x00CF9E000000FFFF,  // 58: code, conforming, DPL 0
    0x0000820000000FFF,  // 60: LDT (a system descriptor)
    0x00CFFE000000FFFF,  // 68: code, conforming, DPL 3
};
constexpr uint16_t kGdtLimit = sizeof(kGdtEntries) - 1;

using test::fault_of;
constexpr std::pair<int, int> kNone{-1, -1};

uint8_t access_byte(test::TestCpu& t, uint16_t sel) { return t.peek8(kGdt + (sel & ~7u) + 5); }

// Real mode at 0000:7C00 -> LGDT, MOV CR0 (PE), far JMP 08:7C40 into 32-bit code that loads
// DS, ES, SS with 10h and ESP, and halts. The whole entry runs through the instructions under
// test.
void enter_protected_mode(test::TestCpu& t) {
  for (size_t i = 0; i < std::size(kGdtEntries); i++)
    for (unsigned b = 0; b < 8; b++) t.poke(kGdt + uint32_t(i * 8 + b), {uint8_t(kGdtEntries[i] >> (8 * b))});
  t.poke(0x0f00, {uint8_t(kGdtLimit), uint8_t(kGdtLimit >> 8), 0x00, 0x10, 0x00, 0x00});
  t.real_mode(0, 0x7c00);
  t.poke(0x7c40, {0x66, 0xb8, 0x10, 0x00,        // mov ax,10h
                  0x8e, 0xd8, 0x8e, 0xc0,        // mov ds,ax; mov es,ax
                  0x8e, 0xd0,                    // mov ss,ax
                  0xbc, 0x00, 0x00, 0x08, 0x00,  // mov esp,80000h
                  0xf4});
  REQUIRE(t.run({0x0f, 0x01, 0x16, 0x00, 0x0f,                // lgdt [0F00h]
                 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0,  // mov eax,cr0; or al,1; mov cr0,eax
                 0x66, 0xea, 0x40, 0x7c, 0x00, 0x00, 0x08, 0x00}) == StopReason::Halted);  // jmp 08:7C40
  t.s().halted = 0;  // the tests continue from here
}

}  // namespace

TEST_CASE("LGDT, MOV CR0 and a far JMP enter 32-bit protected mode", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  const CpuState& s = t.s();
  CHECK(s.gdtr.base == kGdt);
  CHECK(s.gdtr.limit == kGdtLimit);
  CHECK(s.cr0 == (cr0::ET | cr0::PE));
  CHECK(s.eip == 0x7c50);
  CHECK(s.seg[CS].sel == 0x08);
  CHECK(t.cpu.code32());
  CHECK(t.cpu.stack32());
  CHECK(s.cpl == 0);
  // G = 1 scales limit FFFFFh to FFFFFFFFh.
  CHECK(s.seg[DS].base == 0);
  CHECK(s.seg[DS].hi == 0xffffffffu);
  CHECK(s.seg[DS].access == (kSegRead | kSegWrite));
  CHECK(s.regs[ESP] == 0x80000);
  // The loads set the accessed bit (type bit 0) in the GDT.
  CHECK(access_byte(t, 0x08) == 0x9b);
  CHECK(access_byte(t, 0x10) == 0x93);
}

TEST_CASE("protected-mode far JMP to a 16-bit code segment", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  t.poke(0x20010, {0x8c, 0xc8, 0xf4});  // mov ax,cs; hlt (16-bit code)
  REQUIRE(t.run({0xea, 0x10, 0x00, 0x00, 0x00, 0x18, 0x00}) == StopReason::Halted);
  CHECK((t.s().regs[EAX] & 0xffff) == 0x18);
  CHECK(t.s().seg[CS].base == 0x20000);
  CHECK(!t.cpu.code32());
  CHECK(t.s().eip == 0x13);
}

TEST_CASE("protected-mode far CALL and RETF at the same privilege level", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  t.poke(0x30000, {0xbb, 0x05, 0, 0, 0, 0xcb});  // mov ebx,5; retf
  // call 08:30000h at 7C50; the next instruction (HLT) is at 7C57.
  REQUIRE(t.run({0x9a, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00}) == StopReason::Halted);
  CHECK(t.s().regs[EBX] == 5);
  CHECK(t.s().eip == 0x7c58);
  CHECK(t.peek32(0x7fffc) == 0x08);  // CS in a 32-bit slot
  CHECK(t.peek32(0x7fff8) == 0x7c57);
  CHECK(t.s().regs[ESP] == 0x80000);
}

TEST_CASE("far JMP/CALL target checks in protected mode", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  Cpu& c = t.cpu;
  auto jmp = [&](uint16_t sel, uint32_t off) {
    return fault_of(c, [&] { helper_far_jmp(c, sel, off, 0, 4); });
  };
  CHECK(jmp(0x0000, 0) == std::pair{int(kGP), 0});     // null selector: #GP(0)
  CHECK(jmp(0x0070, 0) == std::pair{int(kGP), 0x70});  // beyond the GDT limit: #GP(sel)
  CHECK(jmp(0x0010, 0) == std::pair{int(kGP), 0x10});  // data segment: #GP(sel)
  CHECK(jmp(0x0060, 0) == std::pair{int(kGP), 0x60});  // system descriptor: #GP(sel)
  CHECK(jmp(0x002b, 0) == std::pair{int(kGP), 0x28});  // non-conforming DPL 3 != CPL 0
  CHECK(jmp(0x000b, 0) == std::pair{int(kGP), 0x08});  // RPL 3 > CPL 0 (non-conforming)
  CHECK(jmp(0x006b, 0) == std::pair{int(kGP), 0x68});  // conforming DPL 3 > CPL 0
  CHECK(jmp(0x0048, 0) == std::pair{int(kNP), 0x48});  // not present: #NP(sel)
  CHECK(jmp(0x0018, 0x10000) == std::pair{int(kGP), 0});  // offset beyond the limit: #GP(0)
  CHECK(t.s().seg[CS].sel == 0x08);  // nothing was loaded by the failed jumps
  // A conforming DPL 0 segment is reachable with any RPL; CS.RPL becomes CPL.
  CHECK(jmp(0x005b, 0x1234) == kNone);
  CHECK(t.s().seg[CS].sel == 0x58);
  // A failed far CALL leaves ESP alone.
  const uint32_t esp = t.s().regs[ESP];
  CHECK(fault_of(c, [&] { helper_far_call(c, 0x18, 0x10000, 0, 4); }) == std::pair{int(kGP), 0});
  CHECK(t.s().regs[ESP] == esp);
}

TEST_CASE("MOV to data segment registers: protected-mode checks", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  Cpu& c = t.cpu;
  auto ld = [&](unsigned seg, uint16_t sel) { return fault_of([&] { c.load_seg(seg, sel); }); };
  CHECK(ld(DS, 0x20) == std::pair{int(kNP), 0x20});  // not present: #NP(sel)
  CHECK(ld(DS, 0x38) == std::pair{int(kGP), 0x38});  // execute-only code
  CHECK(ld(DS, 0x60) == std::pair{int(kGP), 0x60});  // system descriptor
  CHECK(ld(DS, 0x13) == std::pair{int(kGP), 0x10});  // RPL 3 > DPL 0
  CHECK(ld(DS, 0x78) == std::pair{int(kGP), 0x78});  // beyond the GDT limit
  CHECK(ld(DS, 0x53) == kNone);                      // DPL 3 data from CPL 0: allowed
  CHECK(ld(ES, 0x0b) == std::pair{int(kGP), 0x08});  // non-conforming code: RPL 3 > DPL 0
  CHECK(ld(ES, 0x5b) == kNone);                      // conforming code ignores RPL and CPL
  CHECK(ld(FS, 0x08) == kNone);                      // readable code, DPL 0
  CHECK(c.s.seg[FS].access == kSegRead);             // code segments are never writable
  CHECK(fault_of([&] { c.store<1>(FS, 0, 0); }) == std::pair{int(kGP), 0});
  // A null selector loads, and any access through it is #GP(0).
  CHECK(ld(GS, 0x0003) == kNone);
  CHECK(c.s.seg[GS].sel == 3);
  CHECK(fault_of([&] { c.load<1>(GS, 0); }) == std::pair{int(kGP), 0});
  // Read-only data: reads pass, writes fault.
  CHECK(ld(DS, 0x30) == kNone);
  CHECK(fault_of([&] { c.load<4>(DS, 0x100); }) == kNone);
  CHECK(fault_of([&] { c.store<4>(DS, 0x100, 1); }) == std::pair{int(kGP), 0});
}

TEST_CASE("MOV SS: protected-mode checks", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  Cpu& c = t.cpu;
  auto ld = [&](uint16_t sel) { return fault_of([&] { c.load_seg(SS, sel); }); };
  CHECK(ld(0x00) == std::pair{int(kGP), 0});     // null SS
  CHECK(ld(0x30) == std::pair{int(kGP), 0x30});  // not writable
  CHECK(ld(0x08) == std::pair{int(kGP), 0x08});  // code
  CHECK(ld(0x13) == std::pair{int(kGP), 0x10});  // RPL != CPL
  CHECK(ld(0x53) == std::pair{int(kGP), 0x50});  // RPL 3 != CPL 0 (and DPL 3 != CPL)
  CHECK(ld(0x50) == std::pair{int(kGP), 0x50});  // DPL 3 != CPL 0
  CHECK(ld(0x20) == std::pair{int(kSS), 0x20});  // not present: #SS(sel)
  CHECK(c.s.seg[SS].sel == 0x10);
  CHECK(ld(0x40) == kNone);
}

TEST_CASE("expand-down data segments allow offsets above the limit only", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  Cpu& c = t.cpu;
  REQUIRE(fault_of([&] { c.load_seg(ES, 0x40); }) == kNone);
  // Limit 0FFFh, B = 0: valid offsets are 1000h..FFFFh (SDM Vol.3 §3.4.5.1).
  CHECK(fault_of([&] { c.load<1>(ES, 0x0fff); }) == std::pair{int(kGP), 0});
  CHECK(fault_of([&] { c.load<1>(ES, 0x1000); }) == kNone);
  CHECK(fault_of([&] { c.load<1>(ES, 0xffff); }) == kNone);
  CHECK(fault_of([&] { c.load<2>(ES, 0xffff); }) == std::pair{int(kGP), 0});
  // As a stack segment, a limit violation is #SS(0).
  REQUIRE(fault_of([&] { c.load_seg(SS, 0x40); }) == kNone);
  CHECK(fault_of([&] { c.load<4>(SS, 0x0ffc); }) == std::pair{int(kSS), 0});
}

TEST_CASE("a faulting LDS leaves the destination register unchanged", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  t.poke(0x20000, {0x78, 0x56, 0x34, 0x12, 0x20, 0x00});  // 0020:12345678 (not present)
  t.s().regs[EBX] = 0xdeadbeef;
  // lds ebx,[20000h]: #NP(20h). Protected-mode delivery is not there yet, so the machine shuts
  // down, but the state is that of the faulting instruction.
  CHECK(t.run({0xc5, 0x1d, 0x00, 0x00, 0x02, 0x00}) == StopReason::Shutdown);
  CHECK(t.s().regs[EBX] == 0xdeadbeef);
  CHECK(t.s().eip == 0x7c50);
  CHECK(t.s().seg[DS].sel == 0x10);
}

TEST_CASE("RETF to an outer privilege level switches stacks and nulls DS/ES", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  // retf 8 frame: EIP 10100h, CS 2Bh, 8 bytes of parameters, ESP 90000h, SS 53h.
  t.poke(0x7fff0, {0x00, 0x01, 0x01, 0x00, 0x2b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                   0x00, 0x00, 0x09, 0x00, 0x53, 0, 0, 0});
  t.s().regs[ESP] = 0x7fff0;
  t.poke(0x10100, {0xf4});  // HLT at CPL 3 is #GP, which ends the run (no IDT delivery yet)
  REQUIRE(fault_of([&] { t.cpu.load_seg(FS, 0x53); }) == kNone);  // DPL 3 data survives
  t.run({0xca, 0x08, 0x00});
  const CpuState& s = t.s();
  CHECK(s.eip == 0x10100);
  CHECK(s.cpl == 3);
  CHECK(s.seg[CS].sel == 0x2b);
  CHECK(s.seg[SS].sel == 0x53);
  CHECK(s.regs[ESP] == 0x90008);  // the caller's parameters are released too
  CHECK(s.seg[DS].sel == 0);      // DPL 0 data is not usable at CPL 3
  CHECK(s.seg[DS].access == 0);
  CHECK(s.seg[ES].sel == 0);
  CHECK(s.seg[FS].sel == 0x53);
}

TEST_CASE("protected-mode IRET: flag rules by CPL and IOPL", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  // IRETD at CPL 0 to 08:7C60 with EFLAGS = IOPL 3 | IF | CF: all of them load.
  t.poke(0x7fff4, {0x60, 0x7c, 0, 0, 0x08, 0, 0, 0, 0x01, 0x32, 0, 0});
  t.s().regs[ESP] = 0x7fff4;
  t.poke(0x7c60, {0xf4});
  REQUIRE(t.run({0xcf}) == StopReason::Halted);
  CHECK(t.s().eip == 0x7c61);
  CHECK(t.flags() == (fl::kFixed1 | 0x3000 | fl::IF | fl::CF));
  CHECK(t.s().regs[ESP] == 0x80000);

  // At CPL 3 with IOPL 0, IRET to CPL 3 may change neither IF nor IOPL (SDM Vol.2 IRET).
  Cpu& c = t.cpu;
  REQUIRE(fault_of([&] { c.load_seg(DS, 0x53); }) == kNone);
  c.set_cpl(3);
  c.s.seg[SS].sel = 0x53;
  write_eflags(c.s, 0, ~0u);
  t.poke(0x7fff4, {0x00, 0x01, 0, 0, 0x2b, 0, 0, 0, 0xc1, 0x32, 0, 0});  // IOPL 3, IF, ZF, CF
  c.s.regs[ESP] = 0x7fff4;
  uint32_t eip = 0;
  REQUIRE(fault_of(c, [&] { eip = helper_iret(c, 0, 0, 0, 4); }) == kNone);
  CHECK(eip == 0x100);
  CHECK(read_eflags(c.s) == (fl::kFixed1 | fl::ZF | fl::CF | 0x80));
  CHECK(c.s.seg[CS].sel == 0x2b);
}

TEST_CASE("LES, LDS and LSS in real mode", "[cpu][segment]") {
  test::TestCpu t;
  t.real_mode();
  t.poke(0x10300, {0x34, 0x12, 0x78, 0x56, 0x00, 0xf0, 0x00, 0x20});
  // les bx,[300h]; lss sp,[304h]
  REQUIRE(t.run({0xc4, 0x1e, 0x00, 0x03, 0x0f, 0xb2, 0x26, 0x04, 0x03}) == StopReason::Halted);
  CHECK((t.s().regs[EBX] & 0xffff) == 0x1234);
  CHECK(t.s().seg[ES].sel == 0x5678);
  CHECK(t.s().seg[ES].base == 0x56780);
  CHECK((t.s().regs[ESP] & 0xffff) == 0xf000);
  CHECK(t.s().seg[SS].base == 0x20000);
  t.real_mode();
  // 66 lds ebx,[300h]: 32-bit offset 56781234h, selector F000h.
  REQUIRE(t.run({0x66, 0xc5, 0x1e, 0x00, 0x03}) == StopReason::Halted);
  CHECK(t.s().regs[EBX] == 0x56781234);
  CHECK(t.s().seg[DS].sel == 0xf000);
}

TEST_CASE("IRETD at CPL 0 with VM set enters virtual-8086 mode", "[cpu][segment]") {
  test::TestCpu t;
  enter_protected_mode(t);
  Cpu& c = t.cpu;
  // Frame (SDM Vol.2 IRET, RETURN-TO-VIRTUAL-8086-MODE): EIP, CS, EFLAGS (VM | IF), ESP, SS,
  // ES, DS, FS, GS, each in a dword.
  const uint32_t frame[] = {0x100, 0x2000, fl::VM | fl::IF | fl::kFixed1, 0xfffe, 0x3000,
                            0x4000, 0x5000, 0x6000, 0x7000};
  for (unsigned i = 0; i < 9; i++)
    for (unsigned b = 0; b < 4; b++) t.poke(0x7ffdc + 4 * i + b, {uint8_t(frame[i] >> (8 * b))});
  c.s.regs[ESP] = 0x7ffdc;
  uint32_t eip = 0;
  REQUIRE(fault_of(c, [&] { eip = helper_iret(c, 0, 0, 0, 4); }) == kNone);
  CHECK(eip == 0x100);
  CHECK(c.v86());
  CHECK(c.s.cpl == 3);
  CHECK(c.s.regs[ESP] == 0xfffe);
  CHECK(c.s.seg[CS].base == 0x20000);
  CHECK(c.s.seg[SS].base == 0x30000);
  CHECK(c.s.seg[ES].base == 0x40000);
  CHECK(c.s.seg[DS].base == 0x50000);
  CHECK(c.s.seg[FS].base == 0x60000);
  CHECK(c.s.seg[GS].base == 0x70000);
  CHECK(c.s.seg[DS].hi == 0xffff);
  CHECK(!c.code32());
  // In V86 mode with IOPL 0, INT n, IRET, CLI are #GP(0); INT3 is not IOPL-sensitive: it goes
  // on to IDT delivery, where the all-zero entry 3 is no gate: #GP(3 * 8 + 2) (SDM Vol.2 INT n).
  CHECK(fault_of(c, [&] {
          helper_interrupt(c, 0x21, 0, 0, uint32_t(IntKind::Software) | kIntN);
        }) == std::pair{int(kGP), 0});
  CHECK(fault_of(c, [&] { helper_interrupt(c, 3, 0, 0, uint32_t(IntKind::Software)); }) ==
        std::pair{int(kGP), 3 * 8 + 2});
  CHECK(fault_of(c, [&] { helper_iret(c, 0, 0, 0, 2); }) == std::pair{int(kGP), 0});
  CHECK(fault_of(c, [&] { helper_cli(c, 0, 0, 0, 0); }) == std::pair{int(kGP), 0});
  // Segment loads are real-mode style: MOV DS, 1234h gives base 12340h.
  REQUIRE(fault_of([&] { c.load_seg(DS, 0x1234); }) == kNone);
  CHECK(c.s.seg[DS].base == 0x12340);
}

TEST_CASE("real mode writes through CS after returning from protected mode", "[cpu][segment]") {
  // A protected-mode code segment cache is execute/read only; back in real mode a far jump
  // reloads CS real-mode style, and real mode does not check segment types (only limits), so
  // a CS-override store must work (FreeDOS's kernel patches itself this way).
  test::TestCpu t;
  t.real_mode(0x1000, 0x100);
  t.s().seg[CS].access = kSegRead;  // as left by a protected-mode code descriptor
  // jmp 1000:0105; mov byte cs:[0200h], 5Ah
  REQUIRE(t.run({0xea, 0x05, 0x01, 0x00, 0x10, 0x2e, 0xc6, 0x06, 0x00, 0x02, 0x5a}) == StopReason::Halted);
  CHECK(t.peek8(0x10200) == 0x5a);
}
