#include <catch2/catch.hpp>

#include <vector>

#include "devices/rtc.h"
#include "machine/clock.h"

namespace {

constexpr uint64_t kMs = 1'000'000, kSec = 1'000'000'000;

struct Recorder : devices::IrqSink {
  explicit Recorder(const machine::Clock& c) : clock(c) {}
  const machine::Clock& clock;
  bool level = false;
  std::vector<uint64_t> rising;
  void set_irq(unsigned irq, bool l) override {
    REQUIRE(irq == 8);
    if (l && !level) rising.push_back(clock.now_ns());
    level = l;
  }
};

// One ns per instruction: icount is virtual ns. run_to() steps through timer deadlines like the
// machine's run loop; with `ack`, an interrupt handler reads register C at each interrupt.
struct Rig {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  Recorder rec{clock};
  devices::Rtc rtc{clock, rec};
  std::vector<uint8_t> acked;

  uint8_t get(uint8_t i) {
    rtc.port_write(0x70, 1, i);
    return uint8_t(rtc.port_read(0x71, 1));
  }
  void put(uint8_t i, uint8_t v) {
    rtc.port_write(0x70, 1, i);
    rtc.port_write(0x71, 1, v);
  }
  void run_to(uint64_t ns, bool ack = false) {
    for (;;) {
      const uint64_t next = clock.next_event_icount();
      if (next > ns) break;
      icount = std::max(icount, next);
      clock.run_due();
      if (ack && rec.level) acked.push_back(get(0x0c));
    }
    icount = ns;
  }
};

}  // namespace

TEST_CASE("RTC: starts at the epoch and counts seconds in virtual time", "[devices][rtc]") {
  Rig r;
  // Default epoch 2026-01-01 00:00:00 UTC, a Thursday (day of week 5 with Sunday = 1), in the
  // BCD 24-hour format the power-on register B (02h) selects.
  CHECK(r.get(0x00) == 0x00);
  CHECK(r.get(0x02) == 0x00);
  CHECK(r.get(0x04) == 0x00);
  CHECK(r.get(0x06) == 0x05);
  CHECK(r.get(0x07) == 0x01);
  CHECK(r.get(0x08) == 0x01);
  CHECK(r.get(0x09) == 0x26);
  CHECK(r.get(0x32) == 0x20);  // century
  CHECK(r.get(0x0d) == 0x80);  // VRT
  r.icount = kSec - 1;
  CHECK(r.get(0x00) == 0x00);
  r.icount = kSec;
  CHECK(r.get(0x00) == 0x01);
  r.icount = 61 * kSec + 500 * kMs;
  CHECK(r.get(0x00) == 0x01);
  CHECK(r.get(0x02) == 0x01);
  // A day and an hour later: Friday 2 January, 01:00:00.
  r.icount = (86400 + 3600) * kSec;
  CHECK(r.get(0x04) == 0x01);
  CHECK(r.get(0x02) == 0x00);
  CHECK(r.get(0x07) == 0x02);
  CHECK(r.get(0x06) == 0x06);
}

TEST_CASE("RTC: a configured epoch", "[devices][rtc]") {
  uint64_t icount = 0;
  machine::Clock clock(icount, 1);
  Recorder rec(clock);
  // 2000-02-29 23:59:58 UTC = 951868798: a Tuesday (3), in a leap year the chip knows as 00.
  devices::Rtc rtc(clock, rec, 951868798);
  auto get = [&](uint8_t i) {
    rtc.port_write(0x70, 1, i);
    return rtc.port_read(0x71, 1);
  };
  CHECK(get(0x09) == 0x00);
  CHECK(get(0x08) == 0x02);
  CHECK(get(0x07) == 0x29);
  CHECK(get(0x04) == 0x23);
  CHECK(get(0x00) == 0x58);
  CHECK(get(0x06) == 0x03);
  CHECK(get(0x32) == 0x20);
  icount = 2 * kSec;
  CHECK(get(0x08) == 0x03);
  CHECK(get(0x07) == 0x01);
  CHECK(get(0x06) == 0x04);
}

TEST_CASE("RTC: UIP is set for the 244 + 1984 us before each update", "[devices][rtc]") {
  Rig r;
  // The first update after power-on completes at 1 s.
  r.icount = kSec - 2228'000 - 1;
  CHECK((r.get(0x0a) & 0x80) == 0);
  r.icount = kSec - 2228'000;
  CHECK(r.get(0x0a) & 0x80);
  r.icount = kSec - 244'000;
  CHECK(r.get(0x0a) & 0x80);
  CHECK(r.get(0x00) == 0x00);  // the old time until the cycle ends
  r.icount = kSec;
  CHECK((r.get(0x0a) & 0x80) == 0);
  CHECK(r.get(0x00) == 0x01);
  CHECK(r.get(0x0a) == 0x26);  // UIP is read-only; the rest reads back
  // SET stops updates, and UIP with them.
  r.put(0x0b, 0x82);
  r.icount = 2 * kSec - 1000;
  CHECK((r.get(0x0a) & 0x80) == 0);
  r.icount = 5 * kSec + 1;
  CHECK(r.get(0x00) == 0x01);
  r.put(0x00, 0x30);
  r.put(0x0b, 0x02);
  r.icount = 6 * kSec;  // updates resume on the same one-second phase
  CHECK(r.get(0x00) == 0x31);
}

TEST_CASE("RTC: periodic interrupt at the rate from register A", "[devices][rtc]") {
  Rig r;
  SECTION("rate 6: 1024 Hz") {
    r.put(0x0b, 0x42);  // PIE, 24 h, BCD; register A is 26h: rate 6
    r.run_to(kSec, true);
    REQUIRE(r.rec.rising.size() == 1024);
    // Ticks every 32 cycles of 32.768 kHz: 976562.5 ns apart, the first at 976563 (rounded up).
    CHECK(r.rec.rising[0] == 976563);
    CHECK(r.rec.rising[1] == 1953125);
    CHECK(r.rec.rising[1023] == kSec);
    CHECK(r.acked[0] == 0xc0);  // IRQF | PF
  }
  SECTION("rate 15: 2 Hz, rate 3: 8192 Hz") {
    r.put(0x0a, 0x2f);
    r.put(0x0b, 0x42);
    r.run_to(2 * kSec, true);
    CHECK(r.rec.rising == std::vector<uint64_t>{500 * kMs, 1000 * kMs, 1500 * kMs, 2000 * kMs});
    r.put(0x0a, 0x23);
    const uint64_t t0 = r.icount;
    r.rec.rising.clear();
    r.run_to(t0 + 10 * kMs, true);
    // Ticks keep the divider's phase (multiples of 4 cycles since power-on): 16384 by 2 s and
    // floor(2.01 * 8192) = 16465 by 2.01 s.
    CHECK(r.rec.rising.size() == 81);
  }
  SECTION("no interrupt without PIE, and no timer either") {
    r.run_to(kSec, true);
    CHECK(r.rec.rising.empty());
    CHECK(r.clock.next_event_icount() == machine::Clock::kNever);
  }
}

TEST_CASE("RTC: register C flags are cleared by reading it", "[devices][rtc]") {
  Rig r;
  r.run_to(kSec + 1);
  // An update ended (UF) and periodic ticks passed (PF); nothing enabled, so no IRQF.
  CHECK(r.get(0x0c) == 0x50);
  CHECK(r.get(0x0c) == 0x00);
  CHECK(r.rec.rising.empty());
  // Enabling UIE with UF pending raises the interrupt at once; reading C drops it.
  r.run_to(2 * kSec + 1);
  r.put(0x0b, 0x12);
  CHECK(r.rec.level);
  CHECK(r.get(0x0c) == 0xd0);
  CHECK_FALSE(r.rec.level);
}

TEST_CASE("RTC: update-ended interrupt every second", "[devices][rtc]") {
  Rig r;
  r.put(0x0b, 0x12);  // UIE
  r.run_to(3 * kSec + 1, true);
  CHECK(r.rec.rising == std::vector<uint64_t>{kSec, 2 * kSec, 3 * kSec});
}

TEST_CASE("RTC: BCD and binary, 12 and 24 hour formats", "[devices][rtc]") {
  Rig r;
  SECTION("binary 24 h: end of a century") {
    r.put(0x0b, 0x86);  // SET, binary, 24 h
    r.put(0x00, 59);
    r.put(0x02, 59);
    r.put(0x04, 23);
    r.put(0x07, 31);
    r.put(0x08, 12);
    r.put(0x09, 99);
    r.put(0x0b, 0x06);
    r.icount = kSec;
    CHECK(r.get(0x00) == 0);
    CHECK(r.get(0x02) == 0);
    CHECK(r.get(0x04) == 0);
    CHECK(r.get(0x07) == 1);
    CHECK(r.get(0x08) == 1);
    CHECK(r.get(0x09) == 0);
  }
  SECTION("binary 12 h: PM 11:59:59 becomes AM 12") {
    r.put(0x0b, 0x84);  // SET, binary, 12 h
    r.put(0x04, 0x8b);  // PM, 11
    r.put(0x02, 59);
    r.put(0x00, 59);
    r.put(0x0b, 0x04);
    r.icount = kSec;
    CHECK(r.get(0x04) == 12);  // AM (bit 7 clear), 12
  }
  SECTION("BCD 12 h: AM 11:59:59 becomes PM 12") {
    r.put(0x0b, 0x80);  // SET, BCD, 12 h
    r.put(0x04, 0x11);
    r.put(0x02, 0x59);
    r.put(0x00, 0x59);
    r.put(0x0b, 0x00);
    r.icount = kSec;
    CHECK(r.get(0x04) == 0x92);
    CHECK(r.get(0x02) == 0x00);
  }
  SECTION("BCD: 28 February in leap and common years") {
    r.put(0x0b, 0x82);
    r.put(0x09, 0x28);
    r.put(0x08, 0x02);
    r.put(0x07, 0x28);
    r.put(0x04, 0x23);
    r.put(0x02, 0x59);
    r.put(0x00, 0x59);
    r.put(0x0b, 0x02);
    r.icount = kSec;
    CHECK(r.get(0x08) == 0x02);
    CHECK(r.get(0x07) == 0x29);
    r.put(0x0b, 0x82);
    r.put(0x09, 0x27);
    r.put(0x07, 0x28);
    r.put(0x04, 0x23);
    r.put(0x02, 0x59);
    r.put(0x00, 0x59);
    r.put(0x0b, 0x02);
    r.icount = 2 * kSec;
    CHECK(r.get(0x08) == 0x03);
    CHECK(r.get(0x07) == 0x01);
  }
}

TEST_CASE("RTC: alarm interrupt, with don't-care bytes", "[devices][rtc]") {
  Rig r;
  SECTION("an exact time") {
    r.put(0x01, 0x05);
    r.put(0x03, 0x00);
    r.put(0x05, 0x00);
    r.put(0x0b, 0x22);  // AIE
    r.run_to(20 * kSec, true);
    // The clock shows 00:00:05 after the update that ends at 5 s.
    CHECK(r.rec.rising == std::vector<uint64_t>{5 * kSec});
    REQUIRE(r.acked.size() == 1);
    CHECK((r.acked[0] & 0xa0) == 0xa0);  // IRQF | AF
  }
  SECTION("seconds 10 of every minute") {
    r.put(0x01, 0x10);
    r.put(0x03, 0xff);
    r.put(0x05, 0xc0);
    r.put(0x0b, 0x22);
    r.run_to(200 * kSec, true);
    CHECK(r.rec.rising == std::vector<uint64_t>{10 * kSec, 70 * kSec, 130 * kSec, 190 * kSec});
  }
  SECTION("AF is set even without AIE, and seen after a long gap") {
    r.put(0x01, 0xc0);
    r.put(0x03, 0x30);
    r.put(0x05, 0xc0);
    r.icount = 29 * 60 * kSec;
    CHECK((r.get(0x0c) & 0x20) == 0);
    r.icount = 31 * 60 * kSec;
    CHECK(r.get(0x0c) & 0x20);
  }
  SECTION("a byte that cannot match never fires") {
    r.put(0x01, 0x75);  // not a BCD second
    r.put(0x03, 0xc0);
    r.put(0x05, 0xc0);
    r.put(0x0b, 0x22);
    r.run_to(200 * kSec, true);
    CHECK(r.rec.rising.empty());
  }
}

TEST_CASE("RTC: daylight saving (DSE) on the last Sundays of April and October", "[devices][rtc]") {
  Rig r;
  auto set_time = [&](uint8_t month, uint8_t day, uint8_t hour, uint8_t min, uint8_t sec) {
    r.put(0x0b, 0x83);  // SET, BCD, 24 h, DSE
    r.put(0x09, 0x26);
    r.put(0x08, month);
    r.put(0x07, day);
    r.put(0x06, 0x01);  // Sunday (26 Apr, 19 Apr and 25 Oct 2026 are Sundays)
    r.put(0x04, hour);
    r.put(0x02, min);
    r.put(0x00, sec);
    r.put(0x0b, 0x03);
  };
  SECTION("April: 1:59:59 is followed by 3:00:00") {
    set_time(0x04, 0x26, 0x01, 0x59, 0x59);
    r.icount = kSec;
    CHECK(r.get(0x04) == 0x03);
    CHECK(r.get(0x02) == 0x00);
    CHECK(r.get(0x00) == 0x00);
  }
  SECTION("not the last Sunday: no change") {
    set_time(0x04, 0x19, 0x01, 0x59, 0x59);
    r.icount = kSec;
    CHECK(r.get(0x04) == 0x02);
  }
  SECTION("October: the first 1:59:59 is followed by 1:00:00, the second by 2:00:00") {
    set_time(0x10, 0x25, 0x01, 0x59, 0x59);
    r.icount = kSec;
    CHECK(r.get(0x04) == 0x01);
    CHECK(r.get(0x02) == 0x00);
    r.icount = 3601 * kSec;
    CHECK(r.get(0x04) == 0x02);
    CHECK(r.get(0x02) == 0x00);
    CHECK(r.get(0x00) == 0x00);
  }
  SECTION("a long gap crosses the October change once") {
    set_time(0x10, 0x25, 0x01, 0x00, 0x00);
    r.icount = 3 * 3600 * kSec;  // 3 h of updates, one hour of them repeated
    CHECK(r.get(0x04) == 0x03);
    CHECK(r.get(0x02) == 0x00);
    CHECK(r.get(0x07) == 0x25);
  }
}

TEST_CASE("RTC: leaving divider reset starts the first update 500 ms later", "[devices][rtc]") {
  Rig r;
  r.put(0x0a, 0x76);  // divider reset
  r.icount = 10 * kSec;
  CHECK(r.get(0x00) == 0x00);
  CHECK((r.get(0x0a) & 0x80) == 0);
  r.put(0x0a, 0x26);
  r.icount = 10 * kSec + 500 * kMs - 1;
  CHECK(r.get(0x00) == 0x00);
  r.icount = 10 * kSec + 500 * kMs;
  CHECK(r.get(0x00) == 0x01);
}

TEST_CASE("RTC: index port, NMI mask bit and CMOS RAM", "[devices][rtc]") {
  Rig r;
  r.rtc.port_write(0x70, 1, 0x8f);
  CHECK(r.rtc.nmi_masked());
  r.rtc.port_write(0x71, 1, 0x5a);
  CHECK(r.get(0x0f) == 0x5a);
  CHECK_FALSE(r.rtc.nmi_masked());
  r.put(0x7f, 0xa5);
  CHECK(r.get(0xff) == 0xa5);  // the index is 7 bits
  r.put(0x0c, 0xff);           // C and D are read-only
  r.put(0x0d, 0x00);
  CHECK(r.get(0x0d) == 0x80);
}

TEST_CASE("RTC: CMOS configuration helpers follow the layout SeaBIOS reads", "[devices][rtc]") {
  Rig r;
  // 128 MiB: base 640 KB (0280h); 127 MiB above 1 MB caps at FFFFh KB; SeaBIOS computes RAM as
  // (34h-35h) * 64 KB + 16 MB, so 112 MiB / 64 KB = 0700h there. 1 GiB above 4 GB = 4000h.
  r.rtc.set_memory_size(128ull << 20, 1ull << 30);
  CHECK(r.get(0x15) == 0x80);
  CHECK(r.get(0x16) == 0x02);
  CHECK(r.get(0x17) == 0xff);
  CHECK(r.get(0x18) == 0xff);
  CHECK(r.get(0x30) == 0xff);
  CHECK(r.get(0x31) == 0xff);
  CHECK(r.get(0x34) == 0x00);
  CHECK(r.get(0x35) == 0x07);
  CHECK(r.get(0x5b) == 0x00);
  CHECK(r.get(0x5c) == 0x40);
  CHECK(r.get(0x5d) == 0x00);
  // 8 MiB: 7168 KB of extended memory (1C00h), nothing above 16 MB.
  r.rtc.set_memory_size(8ull << 20);
  CHECK(r.get(0x30) == 0x00);
  CHECK(r.get(0x31) == 0x1c);
  CHECK(r.get(0x34) == 0x00);
  CHECK(r.get(0x35) == 0x00);

  // SeaBIOS: order = 3Dh | (38h & F0h) << 4, one device per nibble from the bottom.
  r.rtc.set_boot_order(devices::Rtc::Boot::CdRom, devices::Rtc::Boot::HardDisk,
                       devices::Rtc::Boot::Floppy, false);
  CHECK(r.get(0x3d) == 0x23);
  CHECK(r.get(0x38) == 0x11);

  r.rtc.set_floppy_types(devices::Rtc::Floppy::M1_44);
  CHECK(r.get(0x10) == 0x40);
  CHECK(r.get(0x14) == 0x03);  // coprocessor + one floppy drive
  r.rtc.set_floppy_types(devices::Rtc::Floppy::M1_44, devices::Rtc::Floppy::M1_2);
  CHECK(r.get(0x10) == 0x42);
  CHECK(r.get(0x14) == 0x43);

  r.rtc.set_hard_disk(0, 1024, 16, 63);
  CHECK(r.get(0x12) == 0xf0);
  CHECK(r.get(0x19) == 47);
  CHECK(r.get(0x1b) == 0x00);
  CHECK(r.get(0x1c) == 0x04);
  CHECK(r.get(0x1d) == 16);
  CHECK(r.get(0x20) == 0xc8);
  CHECK(r.get(0x23) == 63);
  unsigned sum = 0;
  for (uint8_t i = 0x10; i <= 0x2d; i++) sum += r.get(i);
  CHECK(r.get(0x2e) == (sum >> 8));
  CHECK(r.get(0x2f) == (sum & 0xff));
}

TEST_CASE("RTC: reset clears enables and flags but keeps the time", "[devices][rtc]") {
  Rig r;
  r.put(0x0b, 0x72);
  r.run_to(kSec + 1);
  CHECK(r.rec.level);
  r.rtc.reset();
  CHECK_FALSE(r.rec.level);
  CHECK(r.get(0x0b) == 0x02);
  CHECK(r.get(0x0c) == 0x00);
  CHECK(r.get(0x00) == 0x01);
}

TEST_CASE("RTC: state survives a serialize round trip", "[devices][rtc]") {
  Rig r;
  r.put(0x0a, 0x2a);  // 64 Hz
  r.put(0x01, 0x07);
  r.put(0x03, 0x00);
  r.put(0x05, 0x00);
  r.put(0x0b, 0x62);  // PIE, AIE
  r.put(0x40, 0x99);
  r.run_to(3 * kSec + 123, true);
  devices::StateWriter w;
  r.rtc.serialize(w);
  const uint64_t deadline = r.clock.deadline(0);
  const uint64_t t = r.icount;

  auto behaviour = [](Rig& x) {
    const size_t before = x.rec.rising.size();
    x.run_to(x.icount + 10 * kSec, true);
    std::vector<uint64_t> v(x.rec.rising.begin() + long(before), x.rec.rising.end());
    for (uint8_t i : {0x00, 0x02, 0x04, 0x07, 0x0a, 0x0b, 0x40}) v.push_back(x.get(i));
    return v;
  };
  const std::vector<uint64_t> expected = behaviour(r);
  CHECK(expected.size() > 600);

  Rig other;
  other.icount = t;
  other.rtc.reset();
  devices::StateReader rd(w.out);
  other.rtc.serialize(rd);
  CHECK(rd.at_end());
  CHECK(other.clock.deadline(0) == deadline);
  CHECK(behaviour(other) == expected);
}

TEST_CASE("RTC: hostile programming does not crash or hang", "[devices][rtc]") {
  Rig r;
  uint32_t x = 424242;
  auto rnd = [&x] { return x = x * 1103515245u + 12345u, x >> 8; };
  for (int i = 0; i < 100000; i++) {
    const uint32_t v = rnd();
    switch (v % 4) {
      case 0: r.rtc.port_write(uint16_t(0x6f + (v >> 2) % 4), 1u << ((v >> 4) % 3), rnd()); break;
      case 1: (void)r.rtc.port_read(uint16_t(0x6f + (v >> 2) % 4), 1u << ((v >> 4) % 3)); break;
      case 2: r.put(uint8_t((v >> 2) % 14), uint8_t(rnd())); break;
      default: r.run_to(r.icount + (v >> 6) % (3 * kSec), (v >> 5) & 1); break;
    }
  }
  r.icount += 100ull * 365 * 86400 * kSec;  // a century in one step
  r.clock.run_due();
  (void)r.get(0x00);
  std::vector<uint8_t> junk(10, 0xff);
  devices::StateReader rd(junk);
  CHECK_THROWS(r.rtc.serialize(rd));
  devices::StateWriter w;
  r.rtc.serialize(w);
  std::vector<uint8_t> garbage(w.out.size(), 0xff);
  devices::StateReader rg(garbage);
  r.rtc.serialize(rg);
  for (int i = 0; i < 100; i++) {
    for (uint8_t j = 0; j < 14; j++) (void)r.get(j);
    r.run_to(r.icount + kSec, true);
  }
  // Random snapshots: whatever loads must keep working.
  for (int round = 0; round < 200; round++) {
    devices::StateWriter sw;
    r.rtc.serialize(sw);
    std::vector<uint8_t> bytes(sw.out.size());
    for (uint8_t& b : bytes) b = uint8_t(rnd());
    devices::StateReader sr(bytes);
    r.rtc.serialize(sr);
    for (int i = 0; i < 20; i++) {
      const uint32_t v = rnd();
      r.rtc.port_write(uint16_t(0x70 + v % 4), 1, rnd());
      (void)r.rtc.port_read(uint16_t(0x70 + (v >> 2) % 4), 1);
      r.run_to(r.icount + (v >> 4) % 5'000'000);
    }
  }
  SUCCEED();
}
