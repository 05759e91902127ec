#include <catch2/catch.hpp>

#include "devices/debug_exit.h"
#include "machine/bus.h"
#include "machine/clock.h"

namespace {

struct Latch : devices::PortDevice {
  uint32_t value = 0;
  std::vector<std::tuple<uint16_t, unsigned, uint32_t>> writes;
  uint32_t port_read(uint16_t port, unsigned size) override { return value + port + size; }
  void port_write(uint16_t port, unsigned size, uint32_t v) override { writes.emplace_back(port, size, v); }
};

}  // namespace

TEST_CASE("unassigned ports read as all ones and swallow writes", "[machine][bus]") {
  machine::Bus bus;
  CHECK(bus.io_read(0x300, 1) == 0xff);
  CHECK(bus.io_read(0x300, 2) == 0xffff);
  CHECK(bus.io_read(0x300, 4) == 0xffffffffu);
  bus.io_write(0x300, 4, 0x12345678);
}

TEST_CASE("port registration dispatches and refuses overlaps", "[machine][bus]") {
  machine::Bus bus;
  Latch a, b;
  bus.register_ports(0x60, 1, &a, "kbd");
  bus.register_ports(0x64, 1, &b, "kbd-cmd");
  CHECK_THROWS_WITH(bus.register_ports(0x5f, 2, &b, "other"), Catch::Contains("already claimed by kbd"));
  CHECK_THROWS(bus.register_ports(0xfffe, 4, &b, "wrap"));
  CHECK(bus.io_read(0x60, 1) == 0x61);
  bus.io_write(0x64, 1, 0xd1);
  REQUIRE(b.writes.size() == 1);
  CHECK(b.writes[0] == std::make_tuple(uint16_t(0x64), 1u, 0xd1u));
  // A word access starting on an unassigned port reaches the device behind it byte-wise.
  CHECK(bus.io_read(0x63, 2) == ((0x65u & 0xff) << 8 | 0xff));
}

TEST_CASE("timers fire in deadline order in virtual time", "[machine][clock]") {
  uint64_t icount = 0;
  machine::Clock clk(icount, 10);  // 10 ns per instruction
  std::vector<int> fired;
  auto t1 = clk.add_timer([&] { fired.push_back(1); });
  auto t2 = clk.add_timer([&] { fired.push_back(2); });
  auto t3 = clk.add_timer([&] { fired.push_back(3); });
  CHECK(clk.next_event_icount() == machine::Clock::kNever);
  clk.arm(t1, 500);
  clk.arm(t2, 95);  // due at the first instruction count whose time is >= 95 ns: 10
  clk.arm(t3, 500);
  CHECK(clk.next_event_icount() == 10);
  icount = 9;
  clk.run_due();
  CHECK(fired.empty());
  icount = 49;  // 490 ns: only t2 is due
  clk.run_due();
  CHECK(fired == std::vector<int>{2});
  CHECK_FALSE(clk.armed(t2));
  icount = 60;
  clk.run_due();  // t1 and t3 share a deadline: they fire in creation order
  CHECK(fired == std::vector<int>{2, 1, 3});
  clk.arm(t1, 700);
  clk.cancel(t1);
  CHECK(clk.next_event_icount() == machine::Clock::kNever);
}

TEST_CASE("a timer callback may re-arm itself", "[machine][clock]") {
  uint64_t icount = 0;
  machine::Clock clk(icount, 1);
  int n = 0;
  machine::Clock::TimerId id = 0;
  id = clk.add_timer([&] {
    if (++n < 3) clk.arm(id, clk.now_ns() + 100);
  });
  clk.arm(id, 100);
  for (icount = 0; icount <= 1000; icount += 50) clk.run_due();
  CHECK(n == 3);
}

TEST_CASE("a timer armed inside the current run cuts the run short", "[machine][clock]") {
  uint64_t icount = 10;
  machine::Clock clock(icount, 2);
  int cuts = 0;
  clock.set_cut_short([&] { cuts++; });
  const auto t = clock.add_timer([] {});
  clock.arm(t, 100);  // not running: nothing to cut
  CHECK(cuts == 0);
  clock.set_run_horizon(60);  // the CPU may run to icount 60 (120 ns)
  clock.arm(t, 200);
  CHECK(cuts == 0);
  clock.arm(t, 117);  // due at icount 59
  CHECK(cuts == 1);
  clock.set_run_horizon(0);
}

TEST_CASE("isa-debug-exit reports (value << 1) | 1", "[devices]") {
  int status = -1;
  devices::DebugExit dev([&](int s) { status = s; });
  dev.port_write(0xf4, 1, 0x00);
  CHECK(status == 1);
  dev.port_write(0xf4, 1, 0x2a);
  CHECK(status == 0x55);
  dev.port_write(0xf4, 4, 0x1ff);
  CHECK(status == 0x3ff);
}

// PIIX3: ISA clock = PCICLK / 4 = 8.33 MHz (120 ns); an 8-bit I/O cycle is 6 of them.
TEST_CASE("ISA and unclaimed ports take an ISA cycle per byte; fast ports take none", "[machine][bus]") {
  uint64_t icount = 0;
  machine::Clock clock(icount, 1);
  uint64_t tsc_follows = 0;
  clock.set_stall_listener([&](uint64_t ns) { tsc_follows += ns; });
  machine::Bus bus;
  bus.set_clock(&clock);
  Latch isa, pci;
  bus.register_ports(0x40, 4, &isa, "pit");
  bus.register_ports(0xcf8, 8, &pci, "pci", machine::Bus::Timing::Fast);
  CHECK(machine::Bus::kIsaCycleNs == 6 * 120);
  bus.io_read(0x40, 1);
  CHECK(clock.now_ns() == 720);
  bus.io_write(0x41, 2, 0x1234);  // two bytes to an 8-bit device: two cycles
  CHECK(clock.now_ns() == 3 * 720);
  bus.io_write(0x80, 1, 0);  // nobody claims port 80h: the ISA bus still runs the cycle
  CHECK(clock.now_ns() == 4 * 720);
  bus.io_read(0xcfc, 4);
  bus.io_write(0xcf8, 4, 0x80000000u);
  CHECK(clock.now_ns() == 4 * 720);
  CHECK(clock.stalled_ns() == 4 * 720);
  CHECK(tsc_follows == 4 * 720);
  CHECK(icount == 0);  // no instruction retired: the time is the bus's
  // Without a clock (unit tests of devices, tools) accesses cost nothing.
  machine::Bus untimed;
  untimed.io_read(0x80, 1);
}

TEST_CASE("a stall moves timers' instruction counts and cuts a run short when one falls due", "[machine][clock]") {
  uint64_t icount = 100;
  machine::Clock clock(icount, 2);
  int fired = 0, cuts = 0;
  const auto t = clock.add_timer([&] { fired++; });
  clock.set_cut_short([&] { cuts++; });
  clock.arm(t, 1000);
  CHECK(clock.next_event_icount() == 500);
  clock.set_run_horizon(500);
  clock.stall(400);  // now 600 ns: the timer is due at icount 300
  CHECK(clock.now_ns() == 600);
  CHECK(clock.next_event_icount() == 300);
  CHECK(cuts == 1);  // the run was allowed to 500, past the new due point
  clock.stall(500);  // 1100 ns: overdue
  CHECK(clock.next_event_icount() <= icount);
  clock.run_due();
  CHECK(fired == 1);
  clock.set_run_horizon(0);
  clock.arm(t, 2000);
  clock.stall(10);  // not running: nothing to cut
  CHECK(cuts == 2);
}
