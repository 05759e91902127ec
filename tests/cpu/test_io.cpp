// Port I/O: IN, OUT, INS, OUTS, and the protected-mode I/O permission rules (SDM Vol.2 IN, OUT,
// INS, OUTS; Vol.1 §19.5).
#include <catch2/catch.hpp>

#include <vector>

#include "tests/cpu/run_util.h"

using namespace cpu;
using jit::StopReason;

namespace {

constexpr uint32_t kRealBase = 0x10000;  // real_mode(): every segment is 1000h

// Records every access. Reads return A1B2C300h plus a counter, as 32 bits, so tests can see
// that the CPU keeps only the accessed size.
class FakeBus : public IoBus {
 public:
  struct Access {
    uint16_t port;
    unsigned size;
    uint32_t value;
    bool write;
  };
  std::vector<Access> log;

  uint32_t io_read(uint16_t port, unsigned size) override {
    const uint32_t v = 0xa1b2c300u | ++count_;
    log.push_back({port, size, v, false});
    return v;
  }
  void io_write(uint16_t port, unsigned size, uint32_t value) override {
    log.push_back({port, size, value, true});
  }

 private:
  uint32_t count_ = 0;
};

// Protected mode at CPL 3 with a 32-bit TSS at 5000h whose I/O bitmap (at TSS offset 68h) denies
// only port 61h. HLT faults at CPL 3, so tests run single instructions.
void user_mode_with_bitmap(test::TestCpu& t, uint32_t iopl) {
  t.flat32();
  t.cpu.set_cpl(3);
  t.s().eflags = fl::kFixed1 | (iopl << 12);
  t.s().tr.base = 0x5000;
  t.s().tr.limit = 0x68 + 0x2000;
  t.s().tr.flags = 0x8b;  // present, busy 32-bit TSS
  t.poke(0x5066, {0x68, 0x00});
  t.poke(0x5068 + 0x61 / 8, {uint8_t(1u << (0x61 % 8))});
}

}  // namespace

TEST_CASE("IN and OUT with immediate and DX ports, all sizes", "[cpu][io]") {
  test::TestCpu t;
  t.real_mode();
  FakeBus bus;
  t.cpu.io = &bus;
  t.s().regs[EAX] = 0x12345678;
  t.s().regs[EDX] = 0x1f0;
  // in al,60h; in ax,dx; 66 in eax,dx
  REQUIRE(test::run(t, {0xe4, 0x60}) == StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x12345601);  // only AL is replaced
  REQUIRE(test::run(t, {0xed}) == StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0x1234c302);
  REQUIRE(test::run(t, {0x66, 0xed}) == StopReason::Halted);
  CHECK(t.s().regs[EAX] == 0xa1b2c303);
  // out 61h,al; out dx,ax; 66 out dx,eax
  REQUIRE(test::run(t, {0xe6, 0x61, 0xef, 0x66, 0xef}) == StopReason::Halted);
  REQUIRE(bus.log.size() == 6);
  CHECK((bus.log[0].port == 0x60 && bus.log[0].size == 1 && !bus.log[0].write));
  CHECK((bus.log[1].port == 0x1f0 && bus.log[1].size == 2));
  CHECK((bus.log[2].port == 0x1f0 && bus.log[2].size == 4));
  CHECK((bus.log[3].port == 0x61 && bus.log[3].size == 1 && bus.log[3].write && bus.log[3].value == 0x03));
  CHECK((bus.log[4].port == 0x1f0 && bus.log[4].size == 2 && bus.log[4].value == 0xc303));
  CHECK((bus.log[5].port == 0x1f0 && bus.log[5].size == 4 && bus.log[5].value == 0xa1b2c303));
}

TEST_CASE("IN without a bus reads all ones", "[cpu][io]") {
  test::TestCpu t;
  t.flat32();
  t.s().regs[EAX] = 0x12345678;
  REQUIRE(test::run(t, {0x66, 0xe5, 0x40}) == StopReason::Halted);  // in ax,40h
  CHECK(t.s().regs[EAX] == 0x1234ffff);
}

TEST_CASE("REP INSW and REP OUTSB move data between ports and memory", "[cpu][io][string]") {
  test::TestCpu t;
  t.real_mode();
  FakeBus bus;
  t.cpu.io = &bus;
  t.s().regs[EDX] = 0x1f0;
  t.s().regs[EDI] = 0x3000;
  t.s().regs[ECX] = 3;
  REQUIRE(test::run(t, {0xf3, 0x6d}) == StopReason::Halted);  // rep insw
  CHECK(t.peek16(kRealBase + 0x3000) == 0xc301);
  CHECK(t.peek16(kRealBase + 0x3002) == 0xc302);
  CHECK(t.peek16(kRealBase + 0x3004) == 0xc303);
  CHECK(uint16_t(t.s().regs[EDI]) == 0x3006);
  CHECK(uint16_t(t.s().regs[ECX]) == 0);
  // std; rep outsb with SI = 2003h, CX = 4: bytes 2003h, 2002h, 2001h, 2000h in that order.
  t.poke(kRealBase + 0x2000, {0x10, 0x20, 0x30, 0x40});
  t.s().regs[ESI] = 0x2003;
  t.s().regs[ECX] = 4;
  bus.log.clear();
  REQUIRE(test::run(t, {0xfd, 0xf3, 0x6e}) == StopReason::Halted);
  REQUIRE(bus.log.size() == 4);
  CHECK(bus.log[0].value == 0x40);
  CHECK(bus.log[3].value == 0x10);
  CHECK(uint16_t(t.s().regs[ESI]) == 0x1fff);
  // cld; es outsb: the source segment follows the override.
  t.s().seg[ES].base = 0x20000;
  t.poke(0x20000 + 0x2000, {0x99});
  t.s().regs[ESI] = 0x2000;
  bus.log.clear();
  REQUIRE(test::run(t, {0xfc, 0x26, 0x6e}) == StopReason::Halted);
  REQUIRE(bus.log.size() == 1);
  CHECK(bus.log[0].value == 0x99);
}

TEST_CASE("INSD in flat 32-bit code uses EDI", "[cpu][io][string]") {
  test::TestCpu t;
  t.flat32();
  FakeBus bus;
  t.cpu.io = &bus;
  t.s().regs[EDX] = 0xcf8;
  t.s().regs[EDI] = 0x123456;
  REQUIRE(test::run(t, {0x6d}) == StopReason::Halted);  // insd
  CHECK(t.peek32(0x123456) == 0xa1b2c301);
  CHECK(t.s().regs[EDI] == 0x12345a);
}

TEST_CASE("INS checks the destination before reading the port", "[cpu][io][string]") {
  test::TestCpu t;
  t.real_mode();
  test::catch_vector(t, kGP);
  FakeBus bus;
  t.cpu.io = &bus;
  t.s().seg[ES].hi = 0x2fff;
  t.s().regs[EDI] = 0x3000;
  REQUIRE(test::run(t, {0x6c}) == StopReason::Halted);  // insb to ES:3000h, past the limit
  CHECK(test::in_handler(t));
  CHECK(bus.log.empty());  // no input byte was consumed
  CHECK(uint16_t(t.s().regs[EDI]) == 0x3000);
}

TEST_CASE("I/O permission bitmap when CPL > IOPL", "[cpu][io]") {
  // Protected-mode exception delivery is not there yet, so a #GP escalates to a shutdown; the
  // tests look at whether the port was accessed.
  SECTION("allowed and denied ports") {
    auto check = [](std::initializer_list<uint8_t> code, bool allowed) {
      test::TestCpu t;
      user_mode_with_bitmap(t, 0);
      FakeBus bus;
      t.cpu.io = &bus;
      CHECK(test::run(t, code, 1) == (allowed ? StopReason::Limit : StopReason::Shutdown));
      CHECK(bus.log.size() == (allowed ? 1u : 0u));
    };
    check({0xe4, 0x60}, true);         // in al,60h
    check({0xe4, 0x61}, false);        // in al,61h: its bit is set
    check({0x66, 0xe5, 0x60}, false);  // in ax,60h covers ports 60h and 61h
    check({0x66, 0xe5, 0x5f}, true);   // in ax,5Fh covers 5Fh and 60h
    check({0xe6, 0x61}, false);        // out 61h,al
  }
  SECTION("CPL <= IOPL skips the bitmap") {
    test::TestCpu t;
    user_mode_with_bitmap(t, 3);
    FakeBus bus;
    t.cpu.io = &bus;
    CHECK(test::run(t, {0xe4, 0x61}, 1) == StopReason::Limit);
    CHECK(bus.log.size() == 1);
  }
  SECTION("a 16-bit TSS has no bitmap") {
    test::TestCpu t;
    user_mode_with_bitmap(t, 0);
    t.s().tr.flags = 0x83;  // busy 16-bit TSS
    FakeBus bus;
    t.cpu.io = &bus;
    CHECK(test::run(t, {0xe4, 0x60}, 1) == StopReason::Shutdown);
    CHECK(bus.log.empty());
  }
  SECTION("virtual-8086 mode consults the bitmap even with IOPL 3") {
    test::TestCpu t;
    user_mode_with_bitmap(t, 3);
    t.s().eflags |= fl::VM;
    for (unsigned i = 0; i < kNumSegs; i++) {
      t.s().seg[i].flags = 0x93;  // 16-bit segments
      t.s().seg[i].base = 0x10000;
      t.s().seg[i].hi = 0xffff;
    }
    t.s().eip = 0x100;
    t.s().regs[ESP] = 0xfffe;
    FakeBus bus;
    t.cpu.io = &bus;
    CHECK(test::run(t, {0xe4, 0x61}, 1) == StopReason::Shutdown);
    CHECK(bus.log.empty());
  }
  SECTION("INS and OUTS are checked too, before any memory access") {
    test::TestCpu t;
    user_mode_with_bitmap(t, 0);
    FakeBus bus;
    t.cpu.io = &bus;
    t.s().regs[EDX] = 0x61;
    t.s().regs[EDI] = 0x20000;
    CHECK(test::run(t, {0x6c}, 1) == StopReason::Shutdown);  // insb
    CHECK(bus.log.empty());
    CHECK(t.s().regs[EDI] == 0x20000);
  }
}
