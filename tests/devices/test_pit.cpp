#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "devices/pit.h"
#include "devices/port61.h"
#include "machine/clock.h"

namespace {

// Expected times come from the 1.193182 MHz input clock: CLK k happens at k / 1.193182 us, and
// an event at CLK k is seen at the first whole ns at or after it.
uint64_t clk_ns(uint64_t k) { return uint64_t(std::ceil(double(k) * 1e9 / 1193182.0 - 1e-6)); }

struct Edge {
  uint64_t ns;
  bool level;
};

struct Recorder : devices::IrqSink {
  explicit Recorder(const machine::Clock& c) : clock(&c) {}
  const machine::Clock* clock;
  std::vector<Edge> edges;
  void set_irq(unsigned irq, bool level) override {
    REQUIRE(irq == 0);
    edges.push_back({clock->now_ns(), level});
  }
  std::vector<uint64_t> rising() const {
    std::vector<uint64_t> r;
    for (const Edge& e : edges)
      if (e.level) r.push_back(e.ns);
    return r;
  }
};

// One ns per instruction, so icount is virtual ns. run_to() steps like the machine's run loop:
// to each timer deadline in turn, firing it there.
struct Rig {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  Recorder rec{clock};
  devices::Pit pit{clock, rec};
  devices::Port61 port61{pit, clock};
  Rig() { rec.edges.clear(); }
  void run_to(uint64_t ns) {
    for (;;) {
      const uint64_t next = clock.next_event_icount();
      if (next > ns) break;
      icount = std::max(icount, next);
      clock.run_due();
    }
    icount = ns;
  }
  void out(uint16_t port, uint8_t v) { pit.port_write(port, 1, v); }
  uint8_t in(uint16_t port) { return uint8_t(pit.port_read(port, 1)); }
  uint16_t read16(uint16_t port) { return uint16_t(in(port) | in(port) << 8); }
};

}  // namespace

TEST_CASE("PIT: mode 2 with count 0 interrupts every 65536 clocks (54.925 ms)", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x34);  // counter 0, LSB then MSB, mode 2, binary
  r.out(0x40, 0x00);
  r.out(0x40, 0x00);  // 0 = 65536
  r.run_to(1'000'000'000);
  const std::vector<uint64_t> up = r.rec.rising();
  // 1 s holds 1193182 / 65536 = 18.2 periods.
  REQUIRE(up.size() == 18);
  // CE loads on the CLK after the write and OUT pulses low for the CLK at which CE is 1, rising
  // again at the reload: CLK 1 + 65536.
  CHECK(up[0] == clk_ns(65537));
  for (size_t i = 1; i < up.size(); i++) {
    CHECK(up[i] == clk_ns(65537 + 65536 * i));
    CHECK(std::abs(double(up[i] - up[i - 1]) - 54925401.15) < 1.0);  // 65536 / 1.193182 MHz
  }
  // The low pulse lasts one clock (838 ns).
  REQUIRE(r.rec.edges.size() >= 3);
  CHECK_FALSE(r.rec.edges[0].level);
  CHECK(r.rec.edges[0].ns == clk_ns(65536));
  CHECK(r.rec.edges[1].ns - r.rec.edges[0].ns == Approx(838).margin(1));
}

TEST_CASE("PIT: mode 3 square wave, even and odd counts", "[devices][pit]") {
  SECTION("count 0 gives IRQ0 every 54.925 ms") {
    Rig r;
    r.out(0x43, 0x36);  // counter 0, LSB/MSB, mode 3
    r.out(0x40, 0x00);
    r.out(0x40, 0x00);
    r.run_to(200'000'000);
    const std::vector<uint64_t> up = r.rec.rising();
    // High for 32768 CLKs from the load at CLK 1, low for 32768, rising again at CLK 65537.
    REQUIRE(up.size() == 3);
    CHECK(r.rec.edges[0].ns == clk_ns(1 + 32768));
    CHECK(up[0] == clk_ns(1 + 65536));
    CHECK(up[1] - up[0] == Approx(54925401.15).margin(1));
  }
  SECTION("odd count: high (N+1)/2, low (N-1)/2") {
    Rig r;
    r.out(0x43, 0x36);
    r.out(0x40, 1001 & 0xff);
    r.out(0x40, 1001 >> 8);
    r.run_to(3'000'000);
    REQUIRE(r.rec.edges.size() >= 4);
    CHECK(r.rec.edges[0].ns == clk_ns(1 + 501));  // falls after 501 high CLKs
    CHECK(r.rec.edges[1].ns == clk_ns(1 + 1001));  // rises after 500 low CLKs
    CHECK(r.rec.edges[2].ns == clk_ns(1 + 1001 + 501));
    CHECK(r.rec.edges[3].ns == clk_ns(1 + 2002));
  }
  SECTION("the count reads back decremented by two") {
    Rig r;
    r.out(0x43, 0x36);
    r.out(0x40, 0xe8);
    r.out(0x40, 0x03);  // 1000
    r.icount = clk_ns(1 + 100);  // 100 CLKs after the load
    CHECK(r.read16(0x40) == 1000 - 200);
    r.icount = clk_ns(1 + 500 + 10);  // second half-cycle, reloaded with 1000
    CHECK(r.read16(0x40) == 1000 - 20);
  }
}

TEST_CASE("PIT: a new mode 2 count takes effect at the next reload", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x34);
  r.out(0x40, 0x10);
  r.out(0x40, 0x27);  // 10000
  r.run_to(clk_ns(5000));
  r.out(0x40, 0x88);
  r.out(0x40, 0x13);  // 5000, written mid-period
  r.run_to(clk_ns(30000));
  const std::vector<uint64_t> up = r.rec.rising();
  REQUIRE(up.size() >= 3);
  CHECK(up[0] == clk_ns(1 + 10000));         // the running period is not cut short
  CHECK(up[1] == clk_ns(1 + 10000 + 5000));  // then 5000-CLK periods
  CHECK(up[2] == clk_ns(1 + 10000 + 10000));
}

TEST_CASE("PIT: mode 0 OUT rises at terminal count and stays high", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x30);  // counter 0, LSB/MSB, mode 0
  r.out(0x40, 100);
  r.out(0x40, 0);
  r.run_to(1'000'000);
  // The control word drops OUT; CE loads on CLK 1 and reaches 0 at CLK 101: OUT rises N+1
  // clocks after the write.
  REQUIRE(r.rec.edges.size() == 2);
  CHECK_FALSE(r.rec.edges[0].level);
  CHECK(r.rec.edges[0].ns == 0);
  CHECK(r.rec.edges[1].level);
  CHECK(r.rec.edges[1].ns == clk_ns(101));
  // CE wraps and keeps counting: 5 CLKs after terminal count it reads 65536 - 5.
  r.icount = clk_ns(106);
  CHECK(r.read16(0x40) == 65531);
  // A new count drops OUT at once and it rises again at the new terminal count.
  const uint64_t t0 = r.icount;
  const int64_t k0 = devices::Pit::ticks_at(t0);
  r.out(0x40, 50);
  r.out(0x40, 0);
  CHECK(r.rec.edges.back().level == false);
  CHECK(r.rec.edges.back().ns == t0);
  r.run_to(t0 + 1'000'000);
  CHECK(r.rec.edges.back().level);
  CHECK(r.rec.edges.back().ns == clk_ns(uint64_t(k0) + 1 + 50));
}

TEST_CASE("PIT: counter latch holds the count until both bytes are read", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x74);  // counter 1, LSB/MSB, mode 2
  r.out(0x41, 0x10);
  r.out(0x41, 0x27);  // 10000
  r.icount = 1'000'000;  // 1 ms: floor(1193.182) = 1193 CLKs, the first one loads CE
  r.out(0x43, 0x40);     // latch counter 1
  r.icount = 2'000'000;
  CHECK(r.in(0x41) == ((10000 - 1192) & 0xff));
  r.out(0x43, 0x40);  // a second latch before the MSB is read is ignored
  CHECK(r.in(0x41) == ((10000 - 1192) >> 8));
  // Unlatched reads follow CE: 2 ms is 2386 CLKs.
  CHECK(r.read16(0x41) == 10000 - 2385);
}

TEST_CASE("PIT: read-back returns status then count", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x34);
  r.out(0x40, 0x00);
  r.out(0x40, 0x10);  // 0x1000
  // Before the next CLK the count has not reached CE: NULL COUNT is set. OUT is high (mode 2).
  r.out(0x43, 0xe2);  // read-back: status only (/COUNT=1), counter 0
  CHECK(r.in(0x40) == (0x80 | 0x40 | 0x34));
  r.icount = clk_ns(1 + 0x100);  // 256 CLKs after the load
  r.out(0x43, 0xc2);             // read-back: count and status
  CHECK(r.in(0x40) == (0x80 | 0x34));
  r.icount = clk_ns(1 + 0x800);  // the latched values do not move
  CHECK(r.in(0x40) == 0x00);
  CHECK(r.in(0x40) == 0x0f);
  // Status of a mode 0 counter before terminal count: OUT low.
  r.out(0x43, 0xb0);  // counter 2, LSB/MSB, mode 0
  r.out(0x42, 0xff);
  r.out(0x42, 0xff);
  r.icount += 1000;
  r.out(0x43, 0xe8);  // read-back status of counter 2
  CHECK(r.in(0x42) == 0x30);
}

TEST_CASE("PIT: BCD counting", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x35);  // counter 0, LSB/MSB, mode 2, BCD
  r.out(0x40, 0x00);
  r.out(0x40, 0x10);  // BCD 1000
  r.icount = clk_ns(1 + 1);
  CHECK(r.read16(0x40) == 0x0999);
  r.run_to(clk_ns(3000));
  const std::vector<uint64_t> up = r.rec.rising();
  REQUIRE(up.size() >= 2);
  CHECK(up[0] == clk_ns(1 + 1000));
  CHECK(up[1] == clk_ns(1 + 2000));
  // Count 0 in BCD is 10^4.
  r.out(0x43, 0x31);  // mode 0, BCD
  const int64_t k = devices::Pit::ticks_at(r.icount);
  r.out(0x40, 0);
  r.out(0x40, 0);
  r.icount = clk_ns(uint64_t(k) + 1 + 1);
  CHECK(r.read16(0x40) == 0x9999);
}

TEST_CASE("PIT: LSB-only and MSB-only access", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x50);  // counter 1, LSB only, mode 0
  r.out(0x41, 0x80);
  r.icount = clk_ns(1 + 0x10);
  CHECK(r.in(0x41) == 0x70);
  CHECK(r.in(0x41) == 0x70);  // no flip-flop
  r.out(0x43, 0x60);          // counter 1, MSB only, mode 0
  const int64_t k = devices::Pit::ticks_at(r.icount);
  r.out(0x41, 0x02);          // count 0x0200
  r.icount = clk_ns(uint64_t(k) + 1 + 0x100);
  CHECK(r.in(0x41) == 0x01);
}

TEST_CASE("PIT: mode 4 software strobe", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x38);  // counter 0, LSB/MSB, mode 4
  r.out(0x40, 20);
  r.out(0x40, 0);
  r.run_to(1'000'000);
  // OUT high, low for the one CLK at which CE reaches zero (CLK 1 + 20), then high for good.
  REQUIRE(r.rec.edges.size() == 2);
  CHECK(r.rec.edges[0].ns == clk_ns(21));
  CHECK_FALSE(r.rec.edges[0].level);
  CHECK(r.rec.edges[1].ns == clk_ns(22));
  CHECK(r.rec.edges[1].level);
}

TEST_CASE("PIT: counter 2 is gated from port 61h and its OUT is bit 5", "[devices][pit]") {
  Rig r;
  CHECK((r.port61.port_read(0x61, 1) & 0x01) == 0);
  // The BIOS-style delay: GATE low, mode 0, then raise GATE and wait for OUT2.
  r.out(0x43, 0xb0);  // counter 2, LSB/MSB, mode 0
  r.out(0x42, 0xe8);
  r.out(0x42, 0x03);  // 1000 CLKs
  r.icount = 5'000'000;
  CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0);
  CHECK(r.read16(0x42) == 1000);  // GATE low: not counting
  const int64_t g = devices::Pit::ticks_at(r.icount);
  r.port61.port_write(0x61, 1, 0x03);  // GATE2 on, speaker data on
  CHECK(r.port61.port_read(0x61, 1) & 0x01);
  CHECK(r.port61.speaker_data());
  r.icount = clk_ns(uint64_t(g) + 999);
  CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0);
  r.icount = clk_ns(uint64_t(g) + 1000);
  CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0x20);
  // GATE low stops counting in mode 0; OUT stays as it is.
  r.port61.port_write(0x61, 1, 0x00);
  const uint16_t held = r.read16(0x42);
  r.icount += 1'000'000;
  CHECK(r.read16(0x42) == held);
  CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0x20);

  SECTION("mode 1: a rising GATE fires the one-shot") {
    r.out(0x43, 0xb2);  // counter 2, LSB/MSB, mode 1
    r.out(0x42, 0xf4);
    r.out(0x42, 0x01);  // 500
    CHECK(r.port61.port_read(0x61, 1) & 0x20);  // OUT high until triggered
    const int64_t t = devices::Pit::ticks_at(r.icount);
    r.port61.port_write(0x61, 1, 0x01);
    r.icount = clk_ns(uint64_t(t) + 1);  // OUT falls on the CLK after the trigger
    CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0);
    r.icount = clk_ns(uint64_t(t) + 500);
    CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0);
    r.icount = clk_ns(uint64_t(t) + 501);
    CHECK(r.port61.port_read(0x61, 1) & 0x20);
  }
  SECTION("mode 3: GATE low forces OUT high, a rising GATE restarts the wave") {
    r.out(0x43, 0xb6);  // counter 2, LSB/MSB, mode 3
    r.out(0x42, 100);
    r.out(0x42, 0);
    const int64_t t = devices::Pit::ticks_at(r.icount);
    r.port61.port_write(0x61, 1, 0x01);
    r.icount = clk_ns(uint64_t(t) + 1 + 60);  // second half: low
    CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0);
    r.port61.port_write(0x61, 1, 0x00);
    CHECK(r.port61.port_read(0x61, 1) & 0x20);
    const int64_t t2 = devices::Pit::ticks_at(r.icount);
    r.port61.port_write(0x61, 1, 0x01);
    r.icount = clk_ns(uint64_t(t2) + 1 + 49);
    CHECK(r.port61.port_read(0x61, 1) & 0x20);
    r.icount = clk_ns(uint64_t(t2) + 1 + 50);
    CHECK((r.port61.port_read(0x61, 1) & 0x20) == 0);
  }
}

TEST_CASE("PIT: port 61h refresh toggle flips every 15.085 us of virtual time", "[devices][pit]") {
  Rig r;
  r.icount = 1000;
  CHECK((r.port61.port_read(0x61, 1) & 0x10) == 0);
  r.icount = 15085 + 1000;
  CHECK((r.port61.port_read(0x61, 1) & 0x10) == 0x10);
  r.icount = 2 * 15085 + 1000;
  CHECK((r.port61.port_read(0x61, 1) & 0x10) == 0);
  r.port61.port_write(0x61, 1, 0xff);  // only bits 0-3 are writable
  CHECK((r.port61.port_read(0x61, 1) & 0xcf) == 0x0f);
}

TEST_CASE("PIT: state survives a serialize round trip", "[devices][pit]") {
  Rig r;
  r.out(0x43, 0x34);
  r.out(0x40, 0x34);
  r.out(0x40, 0x12);  // 0x1234, mode 2
  r.out(0x43, 0xb6);
  r.out(0x42, 0x00);
  r.out(0x42, 0x01);  // counter 2 square wave, 256
  r.port61.port_write(0x61, 1, 0x01);
  r.run_to(10'000'000);
  r.out(0x43, 0x00);  // a latch in progress is state too
  (void)r.in(0x40);   // LSB read, MSB pending

  devices::StateWriter w;
  r.pit.serialize(w);
  r.port61.serialize(w);
  const uint64_t deadline = r.clock.deadline(0);

  auto behaviour = [](Rig& x) {
    std::vector<uint64_t> v;
    v.push_back(x.in(0x40));  // the latched MSB
    x.run_to(x.icount + 50'000'000);
    v.push_back(x.read16(0x40));
    v.push_back(x.port61.port_read(0x61, 1) & 0x21);
    v.push_back(x.rec.rising().size());
    v.push_back(x.rec.rising().back());
    return v;
  };
  const uint64_t t = r.icount;
  r.rec.edges.clear();
  const std::vector<uint64_t> expected = behaviour(r);

  Rig other;
  other.icount = t;
  other.pit.reset();
  other.rec.edges.clear();
  devices::StateReader rd(w.out);
  other.pit.serialize(rd);
  other.port61.serialize(rd);
  CHECK(rd.at_end());
  CHECK(other.clock.deadline(0) == deadline);
  CHECK(behaviour(other) == expected);
}

TEST_CASE("PIT: hostile programming does not crash or hang", "[devices][pit]") {
  Rig r;
  uint32_t x = 987654321;
  auto rnd = [&x] { return x = x * 1103515245u + 12345u, x >> 8; };
  for (int i = 0; i < 100000; i++) {
    const uint32_t v = rnd();
    const uint16_t port = uint16_t(0x3f + (v % 6));
    switch ((v >> 4) % 4) {
      case 0: r.pit.port_write(port, 1u << ((v >> 8) % 3), rnd()); break;
      case 1: (void)r.pit.port_read(port, 1u << ((v >> 8) % 3)); break;
      case 2: r.port61.port_write(0x61, 1, rnd()); break;
      default: r.run_to(r.icount + (v >> 10) % 200000); break;
    }
  }
  // Time jumping far ahead with a 2-CLK square wave on IRQ0 is bounded work.
  r.out(0x43, 0x36);
  r.out(0x40, 2);
  r.out(0x40, 0);
  r.icount += 10'000'000'000ull;
  r.clock.run_due();
  std::vector<uint8_t> junk(100, 0xff);
  devices::StateReader rd(junk);
  CHECK_THROWS(r.pit.serialize(rd));
  // A complete but garbage snapshot is sanitised, not trusted.
  devices::StateWriter w;
  r.pit.serialize(w);
  std::vector<uint8_t> garbage(w.out.size(), 0xff);
  devices::StateReader rg(garbage);
  r.pit.serialize(rg);
  for (int i = 0; i < 1000; i++) {
    (void)r.pit.port_read(uint16_t(0x40 + i % 3), 1);
    r.run_to(r.icount + 100000);
  }
  // Random snapshots: whatever loads must keep working.
  for (int round = 0; round < 200; round++) {
    devices::StateWriter sw;
    r.pit.serialize(sw);
    std::vector<uint8_t> bytes(sw.out.size());
    for (uint8_t& b : bytes) b = uint8_t(rnd());
    devices::StateReader sr(bytes);
    r.pit.serialize(sr);
    for (int i = 0; i < 20; i++) {
      const uint32_t v = rnd();
      r.pit.port_write(uint16_t(0x40 + v % 4), 1, rnd());
      (void)r.pit.port_read(uint16_t(0x40 + (v >> 2) % 4), 1);
      r.run_to(r.icount + (v >> 4) % 5'000'000);
    }
  }
  SUCCEED();
}
