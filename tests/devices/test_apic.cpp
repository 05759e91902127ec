// Local APIC and I/O APIC. Expected values follow Intel SDM Vol. 3A chapter 10 (APIC) and the
// 82093AA I/O APIC datasheet; the timer's input is one tick per virtual ns (devices/lapic.h), so
// a count of N with divide-by-D lasts N * D ns.
#include <catch2/catch.hpp>
#include <vector>

#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "machine/clock.h"

namespace {

using devices::Ioapic;
using devices::Lapic;

// An 8259 pair reduced to its INTR output and acknowledge cycle.
struct FakePic : cpu::InterruptSource {
  int pending = -1;
  unsigned acks = 0;
  bool intr_pending() override { return pending >= 0; }
  uint8_t intr_acknowledge() override {
    acks++;
    const int v = pending;
    pending = -1;
    return uint8_t(v < 0 ? 0x0f : v);
  }
};

struct Rig {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  FakePic pic;
  Lapic lapic{clock, pic};
  Ioapic ioapic{lapic};
  std::vector<uint64_t> mapped;  // mapper calls: base | 1 when mapped
  Rig() {
    lapic.set_eoi_listener([this](uint8_t v) { ioapic.eoi(v); });
    lapic.set_mapper([this](uint32_t base, bool on) { mapped.push_back(base | (on ? 1 : 0)); });
  }
  // Steps like the machine's run loop: to each timer deadline in turn, firing it there.
  void run_to(uint64_t ns) {
    for (;;) {
      const uint64_t next = clock.next_event_icount();
      if (next > ns) break;
      icount = std::max(icount, next);
      clock.run_due();
    }
    icount = ns;
  }
  uint32_t rd(uint32_t reg) { return lapic.mmio_read(reg, 4); }
  void wr(uint32_t reg, uint32_t v) { lapic.mmio_write(reg, 4, v); }
  void enable() { wr(Lapic::kSvr, 0x1ff); }
  // Interrupt acknowledge then EOI, as a handler would; returns the vector.
  int take() {
    if (!lapic.intr_pending()) return -1;
    const int v = lapic.intr_acknowledge();
    wr(Lapic::kEoi, 0);
    return v;
  }
  uint32_t io_read(uint32_t index) {
    ioapic.mmio_write(Ioapic::kSelect, 4, index);
    return ioapic.mmio_read(Ioapic::kWindow, 4);
  }
  void io_write(uint32_t index, uint32_t v) {
    ioapic.mmio_write(Ioapic::kSelect, 4, index);
    ioapic.mmio_write(Ioapic::kWindow, 4, v);
  }
  void redirect(unsigned pin, uint32_t low, uint8_t dest = 0) {
    io_write(0x11 + 2 * pin, uint32_t(dest) << 24);
    io_write(0x10 + 2 * pin, low);
  }
};

}  // namespace

TEST_CASE("LAPIC: reset state and identification", "[devices][apic]") {
  Rig r;
  CHECK(r.rd(Lapic::kVer) == 0x00050014);  // 6 LVT entries (max index 5), version 14h
  CHECK(r.rd(Lapic::kId) == 0);
  CHECK(r.rd(Lapic::kSvr) == 0xff);         // software-disabled, spurious vector FFh
  CHECK(r.rd(Lapic::kDfr) == 0xffffffffu);  // flat model
  for (uint32_t lvt = Lapic::kLvtTimer; lvt <= Lapic::kLvtError; lvt += 0x10)
    CHECK(r.rd(lvt) == 0x00010000);
  CHECK(r.rd(Lapic::kTimerCurrent) == 0);
  // The page sits at FEE00000h after reset and follows IA32_APIC_BASE.
  REQUIRE(r.mapped == std::vector<uint64_t>{0xfee00001});
  r.lapic.set_base_msr(0xfed00900);
  CHECK(r.mapped == std::vector<uint64_t>{0xfee00001, 0xfee00000, 0xfed00001});
  r.lapic.set_base_msr(0xfed00100);  // global enable (bit 11) clear: no page
  CHECK(r.mapped.back() == 0xfed00000);
}

TEST_CASE("LAPIC timer: one-shot counts down in virtual time and interrupts once at 0",
          "[devices][apic]") {
  Rig r;
  r.enable();
  r.wr(Lapic::kTimerDivide, 0xb);  // divide by 1
  r.wr(Lapic::kLvtTimer, 0x40);    // one-shot, vector 40h, unmasked
  r.wr(Lapic::kTimerInitial, 1000);
  CHECK(r.rd(Lapic::kTimerCurrent) == 1000);
  r.run_to(400);
  CHECK(r.rd(Lapic::kTimerCurrent) == 600);
  r.run_to(999);
  CHECK(r.rd(Lapic::kTimerCurrent) == 1);
  CHECK_FALSE(r.lapic.irr(0x40));
  r.run_to(1000);
  CHECK(r.lapic.irr(0x40));
  CHECK(r.rd(Lapic::kTimerCurrent) == 0);
  CHECK(r.take() == 0x40);
  r.run_to(100000);
  CHECK(r.take() == -1);  // one-shot: stays at 0
  CHECK(r.rd(Lapic::kTimerCurrent) == 0);
}

TEST_CASE("LAPIC timer: periodic reloads the initial count", "[devices][apic]") {
  Rig r;
  r.enable();
  r.wr(Lapic::kTimerDivide, 0x0);          // divide by 2
  r.wr(Lapic::kLvtTimer, 0x20000 | 0x41);  // periodic, vector 41h
  r.wr(Lapic::kTimerInitial, 100);         // a period of 200 ns
  r.run_to(250);                           // 125 ticks: one period and 25 more
  CHECK(r.rd(Lapic::kTimerCurrent) == 75);
  CHECK(r.take() == 0x41);  // the first period ended at 200
  std::vector<uint64_t> fired;
  for (uint64_t t = 251; t <= 1000; t++) {
    r.run_to(t);
    if (r.take() == 0x41) fired.push_back(t);
  }
  CHECK(fired == std::vector<uint64_t>{400, 600, 800, 1000});
}

TEST_CASE("LAPIC timer: the divide configuration register", "[devices][apic]") {
  // SDM Figure 10-10: bits 3, 1, 0.
  const std::pair<uint32_t, unsigned> table[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
                                                 {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};
  for (auto [dcr, div] : table) {
    Rig r;
    r.enable();
    r.wr(Lapic::kTimerDivide, dcr);
    CHECK(r.rd(Lapic::kTimerDivide) == dcr);
    r.wr(Lapic::kLvtTimer, 0x42);
    r.wr(Lapic::kTimerInitial, 10);
    r.run_to(4 * div);
    CHECK(r.rd(Lapic::kTimerCurrent) == 6);
    r.run_to(10 * div - 1);
    CHECK_FALSE(r.lapic.irr(0x42));
    r.run_to(10 * div);
    CHECK(r.lapic.irr(0x42));
  }
}

TEST_CASE("LAPIC timer: masked, it counts but does not interrupt", "[devices][apic]") {
  Rig r;
  r.enable();
  r.wr(Lapic::kTimerDivide, 0xb);
  r.wr(Lapic::kLvtTimer, 0x10043);
  r.wr(Lapic::kTimerInitial, 100);
  r.run_to(60);
  CHECK(r.rd(Lapic::kTimerCurrent) == 40);
  r.run_to(500);
  CHECK(r.rd(Lapic::kTimerCurrent) == 0);
  r.wr(Lapic::kLvtTimer, 0x43);  // unmasked after the count reached 0: nothing is owed
  r.run_to(1000);
  CHECK(r.take() == -1);
  // While the APIC is software-disabled the LVT mask bits stay set (SDM §10.4.7.2).
  r.wr(Lapic::kSvr, 0xff);
  r.wr(Lapic::kLvtTimer, 0x43);
  CHECK(r.rd(Lapic::kLvtTimer) == 0x10043);
}

TEST_CASE("LAPIC: priority classes, TPR, PPR, ISR and EOI", "[devices][apic]") {
  Rig r;
  r.enable();
  r.lapic.deliver(0x52, false, 0, false);
  r.lapic.deliver(0x61, false, 0, false);
  REQUIRE(r.lapic.intr_pending());
  CHECK(r.lapic.intr_acknowledge() == 0x61);  // the highest vector first
  CHECK(r.lapic.isr(0x61));
  CHECK_FALSE(r.lapic.irr(0x61));
  CHECK(r.rd(Lapic::kPpr) == 0x60);       // PPR: the in-service class
  CHECK(r.rd(Lapic::kIsr + 0x30) == 2u);  // ISR bits 96-127: vector 61h is bit 1
  CHECK_FALSE(r.lapic.intr_pending());    // class 5 does not interrupt class 6
  r.wr(Lapic::kEoi, 0);
  CHECK_FALSE(r.lapic.isr(0x61));
  CHECK(r.take() == 0x52);
  // TPR: only classes above it interrupt; PPR = TPR when no higher class is in service.
  r.wr(Lapic::kTpr, 0x5a);
  CHECK(r.rd(Lapic::kPpr) == 0x5a);
  r.lapic.deliver(0x55, false, 0, false);
  CHECK_FALSE(r.lapic.intr_pending());
  r.lapic.deliver(0x65, false, 0, false);
  CHECK(r.take() == 0x65);
  r.wr(Lapic::kTpr, 0);
  CHECK(r.take() == 0x55);
  // Nested: a higher class interrupts one in service, EOI ends the highest first.
  r.lapic.deliver(0x31, false, 0, false);
  CHECK(r.lapic.intr_acknowledge() == 0x31);
  r.lapic.deliver(0x81, false, 0, false);
  CHECK(r.lapic.intr_acknowledge() == 0x81);
  r.wr(Lapic::kEoi, 0);
  CHECK(r.lapic.isr(0x31));
  CHECK_FALSE(r.lapic.isr(0x81));
}

TEST_CASE("LAPIC: self-IPI, destinations and illegal vectors", "[devices][apic]") {
  Rig r;
  r.enable();
  r.wr(Lapic::kIcrLo, 0x00040045);  // shorthand self, fixed, vector 45h
  CHECK(r.lapic.irr(0x45));
  CHECK((r.rd(Lapic::kIcrLo) & 0x1000) == 0);  // delivery status idle
  r.wr(Lapic::kIcrHi, 0x05000000);
  r.wr(Lapic::kIcrLo, 0x00000046);  // physical destination 5: another processor
  CHECK_FALSE(r.lapic.irr(0x46));
  r.wr(Lapic::kIcrHi, 0x00000000);
  r.wr(Lapic::kIcrLo, 0x00000046);  // physical destination 0: this one
  CHECK(r.lapic.irr(0x46));
  // Logical flat model: a destination bit in common with the LDR.
  r.wr(Lapic::kLdr, 0x04000000);
  CHECK(r.lapic.accepts(0x04, true));
  CHECK(r.lapic.accepts(0x06, true));
  CHECK_FALSE(r.lapic.accepts(0x01, true));
  r.wr(Lapic::kDfr, 0x0fffffff);  // cluster model: cluster 0, member bit 2
  CHECK(r.lapic.accepts(0x04, true));
  CHECK_FALSE(r.lapic.accepts(0x14, true));
  // Vectors 0-15: the send (bit 5) and receive (bit 6) illegal vector errors, latched into the
  // ESR by a write.
  r.wr(Lapic::kIcrLo, 0x00040005);
  r.lapic.deliver(0x07, false, 0, false);
  CHECK(r.rd(Lapic::kEsr) == 0);
  r.wr(Lapic::kEsr, 0);
  CHECK(r.rd(Lapic::kEsr) == 0x60);
  r.wr(Lapic::kEsr, 0);
  CHECK(r.rd(Lapic::kEsr) == 0);
}

TEST_CASE("LAPIC: the 8259 through LINT0 (virtual wire) and while the APIC is disabled",
          "[devices][apic]") {
  Rig r;
  // Software-disabled (after RESET): INTR passes straight, as on a PC without an APIC.
  r.pic.pending = 0x08;
  REQUIRE(r.lapic.intr_pending());
  CHECK(r.lapic.intr_acknowledge() == 0x08);
  CHECK(r.pic.acks == 1);
  // Enabled with LINT0 masked: the 8259 is cut off.
  r.enable();
  r.pic.pending = 0x09;
  CHECK_FALSE(r.lapic.intr_pending());
  // LINT0 in ExtINT mode: the vector comes from the 8259's acknowledge cycle, before any
  // fixed interrupt.
  r.wr(Lapic::kLvtLint0, 0x700);
  r.lapic.deliver(0x90, false, 0, false);
  REQUIRE(r.lapic.intr_pending());
  CHECK(r.lapic.intr_acknowledge() == 0x09);
  CHECK(r.pic.acks == 2);
  CHECK(r.lapic.intr_acknowledge() == 0x90);
  // Globally disabled (IA32_APIC_BASE bit 11 clear): straight through again.
  r.wr(Lapic::kLvtLint0, 0x10700);
  r.pic.pending = 0x0a;
  CHECK_FALSE(r.lapic.intr_pending());
  r.lapic.set_base_msr(0xfee00100);
  CHECK(r.lapic.intr_pending());
  CHECK(r.lapic.intr_acknowledge() == 0x0a);
}

TEST_CASE("I/O APIC: identification and redirection table access", "[devices][apic]") {
  Rig r;
  CHECK(r.io_read(0x01) == 0x00170011);  // 24 entries (17h + 1), version 11h
  r.io_write(0x00, 0x0f00ffffu);
  CHECK(r.io_read(0x00) == 0x0f000000);  // ID in bits 27:24
  for (unsigned pin = 0; pin < 24; pin++) CHECK(r.io_read(0x10 + 2 * pin) == 0x00010000);  // masked
  r.redirect(3, 0x0001ffff, 0xff);
  // Delivery status (12) and remote IRR (14) are read-only.
  CHECK(r.io_read(0x16) == 0x0001afff);
  CHECK(r.io_read(0x17) == 0xff000000);
  CHECK(r.ioapic.mmio_read(Ioapic::kSelect, 4) == 0x17);
}

TEST_CASE("I/O APIC: edge-triggered, masked and active-low inputs", "[devices][apic]") {
  Rig r;
  r.enable();
  r.redirect(4, 0x34);  // fixed, physical destination 0, edge, active high
  r.ioapic.set_pin(4, true);
  CHECK(r.take() == 0x34);
  CHECK_FALSE(r.lapic.tmr(0x34));
  r.ioapic.set_pin(4, true);  // no new edge
  CHECK(r.take() == -1);
  r.ioapic.set_pin(4, false);
  r.ioapic.set_pin(4, true);
  CHECK(r.take() == 0x34);
  // Masked: the edge is lost, unmasking does not bring it back.
  r.ioapic.set_pin(4, false);
  r.redirect(4, 0x10034);
  r.ioapic.set_pin(4, true);
  r.redirect(4, 0x34);
  CHECK(r.take() == -1);
  // Active low (bit 13): the falling edge of the line is the asserting one.
  r.redirect(5, 0x2035);
  r.ioapic.set_pin(5, true);
  CHECK(r.take() == -1);
  r.ioapic.set_pin(5, false);
  CHECK(r.take() == 0x35);
  // A destination that names no processor here.
  r.redirect(6, 0x36, 0x03);
  r.ioapic.set_pin(6, true);
  CHECK(r.take() == -1);
}

TEST_CASE("I/O APIC: level-triggered inputs, remote IRR and the local APIC's EOI",
          "[devices][apic]") {
  Rig r;
  r.enable();
  r.redirect(10, 0x803a);  // level, active high, vector 3Ah
  r.ioapic.set_pin(10, true);
  CHECK(r.io_read(0x24) & 0x4000);  // remote IRR set on delivery
  REQUIRE(r.lapic.intr_pending());
  CHECK(r.lapic.intr_acknowledge() == 0x3a);
  CHECK(r.lapic.tmr(0x3a));
  // Still asserted at the EOI: remote IRR clears and the message is sent again.
  r.wr(Lapic::kEoi, 0);
  CHECK(r.io_read(0x24) & 0x4000);
  CHECK(r.lapic.irr(0x3a));
  CHECK(r.lapic.intr_acknowledge() == 0x3a);
  // The device deasserts before the EOI: nothing more.
  r.ioapic.set_pin(10, false);
  r.wr(Lapic::kEoi, 0);
  CHECK_FALSE(r.io_read(0x24) & 0x4000);
  CHECK(r.take() == -1);
  // Masked while asserted, then unmasked: delivered at the unmask.
  r.redirect(11, 0x1803b);
  r.ioapic.set_pin(11, true);
  CHECK(r.take() == -1);
  r.redirect(11, 0x803b);
  r.ioapic.set_pin(11, false);  // deasserted before the EOI: no second message
  CHECK(r.take() == 0x3b);
  // Active low and level: an idle-high line is quiet, driven low it interrupts.
  r.ioapic.set_pin(12, true);
  r.redirect(12, 0xa03c);
  CHECK(r.take() == -1);
  r.ioapic.set_pin(12, false);
  CHECK(r.take() == 0x3c);
}

TEST_CASE("ISA IRQs reach both the 8259s and the I/O APIC, IRQ 0 on pin 2", "[devices][apic]") {
  struct Lines : devices::IrqSink {
    std::vector<std::pair<unsigned, bool>> seen;
    void set_irq(unsigned irq, bool level) override { seen.push_back({irq, level}); }
  } pic_lines;
  Rig r;
  r.enable();
  devices::IsaIrqs isa(pic_lines, r.ioapic);
  r.redirect(2, 0x30);
  r.redirect(0, 0x50);
  isa.set_irq(0, true);
  CHECK(pic_lines.seen == std::vector<std::pair<unsigned, bool>>{{0, true}});
  CHECK(r.take() == 0x30);
}
