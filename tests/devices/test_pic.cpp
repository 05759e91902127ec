#include <catch2/catch.hpp>

#include "devices/pic.h"

namespace {

// The PC/AT initialisation sequence (as BIOSes do it): edge, cascade, ICW4; master vectors at
// 08h, slave at 70h; the slave hangs off master IR2 (ICW3 = 04h / ID 2); 8086 mode.
void init_pc(devices::Pic& pic, uint8_t master_icw4 = 0x01, uint8_t slave_icw4 = 0x01) {
  pic.port_write(0x20, 1, 0x11);
  pic.port_write(0x21, 1, 0x08);
  pic.port_write(0x21, 1, 0x04);
  pic.port_write(0x21, 1, master_icw4);
  pic.port_write(0xa0, 1, 0x11);
  pic.port_write(0xa1, 1, 0x70);
  pic.port_write(0xa1, 1, 0x02);
  pic.port_write(0xa1, 1, slave_icw4);
}

void pulse(devices::Pic& pic, unsigned irq) {
  pic.set_irq(irq, true);
  pic.set_irq(irq, false);
}

constexpr uint8_t kNonSpecificEoi = 0x20;  // OCW2: EOI
uint8_t specific_eoi(unsigned level) { return uint8_t(0x60 | level); }

}  // namespace

TEST_CASE("PIC: initialisation clears the mask and delivers the programmed vector", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  CHECK(pic.port_read(0x21, 1) == 0x00);  // ICW1 clears IMR
  CHECK(pic.port_read(0xa1, 1) == 0x00);
  CHECK_FALSE(pic.intr_pending());
  pic.set_irq(0, true);
  REQUIRE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x08);  // ICW2 08h + IR0
  CHECK(pic.isr(0) == 0x01);
  CHECK(pic.irr(0) == 0x00);  // the edge request was consumed by the acknowledge
  CHECK_FALSE(pic.intr_pending());
  // An edge line held high does not request again after EOI; it must fall and rise.
  pic.port_write(0x20, 1, kNonSpecificEoi);
  CHECK(pic.isr(0) == 0);
  CHECK_FALSE(pic.intr_pending());
  pic.set_irq(0, false);
  pic.set_irq(0, true);
  CHECK(pic.intr_acknowledge() == 0x08);
}

TEST_CASE("PIC: fixed priority, nesting and the EOI sequence", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pulse(pic, 3);
  pulse(pic, 1);
  // IR1 outranks IR3 (IR0 highest ... IR7 lowest after ICW1).
  CHECK(pic.intr_acknowledge() == 0x09);
  CHECK_FALSE(pic.intr_pending());  // IR3 is blocked by IR1 in service
  pulse(pic, 0);
  REQUIRE(pic.intr_pending());       // a higher level nests
  CHECK(pic.intr_acknowledge() == 0x08);
  CHECK(pic.isr(0) == 0x03);
  // Non-specific EOI clears the highest-priority in-service bit: IR0.
  pic.port_write(0x20, 1, kNonSpecificEoi);
  CHECK(pic.isr(0) == 0x02);
  CHECK_FALSE(pic.intr_pending());
  pic.port_write(0x20, 1, kNonSpecificEoi);
  CHECK(pic.isr(0) == 0x00);
  REQUIRE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x0b);
  // Specific EOI names the level.
  pic.port_write(0x20, 1, specific_eoi(3));
  CHECK(pic.isr(0) == 0x00);
}

TEST_CASE("PIC: OCW3 selects IRR or ISR, OCW1 masks", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pic.port_write(0x21, 1, 0xfe);  // only IR0 unmasked
  CHECK(pic.port_read(0x21, 1) == 0xfe);
  pulse(pic, 4);
  CHECK_FALSE(pic.intr_pending());
  pic.port_write(0x20, 1, 0x0a);  // OCW3: read IRR
  CHECK(pic.port_read(0x20, 1) == 0x10);
  pic.port_write(0x21, 1, 0x00);
  CHECK(pic.intr_acknowledge() == 0x0c);
  pic.port_write(0x20, 1, 0x0b);  // OCW3: read ISR
  CHECK(pic.port_read(0x20, 1) == 0x10);
  pic.port_write(0x20, 1, 0x0a);
  CHECK(pic.port_read(0x20, 1) == 0x00);
}

TEST_CASE("PIC: rotation commands move the lowest priority", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  // Set priority (OCW2 R=1 SL=1): IR3 lowest, so the order is 4,5,6,7,0,1,2,3.
  pic.port_write(0x20, 1, 0xc3);
  pulse(pic, 1);
  pulse(pic, 5);
  CHECK(pic.intr_acknowledge() == 0x0d);
  // Rotate on non-specific EOI: IR5 becomes lowest, order 6,7,0,1,...: IR1 is next.
  pic.port_write(0x20, 1, 0xa0);
  CHECK(pic.isr(0) == 0);
  pulse(pic, 5);
  CHECK(pic.intr_acknowledge() == 0x09);
  // Rotate on specific EOI of IR1: order 2,3,4,5,...: pending IR5 goes before a new IR0.
  pic.port_write(0x20, 1, 0xe1);
  pulse(pic, 0);
  CHECK(pic.intr_acknowledge() == 0x0d);
}

TEST_CASE("PIC: cascade delivers the slave's vector and needs EOI on both chips", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pulse(pic, 12);
  REQUIRE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x74);  // slave ICW2 70h + IR4
  CHECK(pic.isr(0) == 0x04);  // master: IR2 in service
  CHECK(pic.isr(1) == 0x10);
  pulse(pic, 9);  // slave IR1 outranks IR4 on the slave, but master IR2 is in service
  CHECK_FALSE(pic.intr_pending());
  pic.port_write(0xa0, 1, kNonSpecificEoi);
  pic.port_write(0x20, 1, kNonSpecificEoi);
  REQUIRE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x71);
  // An ISA card's IRQ2 pin is IRQ9 on the AT.
  pic.port_write(0xa0, 1, kNonSpecificEoi);
  pic.port_write(0x20, 1, kNonSpecificEoi);
  pulse(pic, 2);
  CHECK(pic.intr_acknowledge() == 0x71);
}

TEST_CASE("PIC: special fully nested mode lets the slave nest", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic, 0x11);  // master ICW4: SFNM, 8086
  pulse(pic, 12);
  CHECK(pic.intr_acknowledge() == 0x74);
  pulse(pic, 9);  // higher priority on the slave while master IR2 is in service
  REQUIRE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x71);
}

TEST_CASE("PIC: ELCR makes a line level-triggered; IRQ 0, 1, 2, 8, 13 stay edge", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pic.port_write(0x4d0, 1, 0xff);
  pic.port_write(0x4d1, 1, 0xff);
  CHECK(pic.port_read(0x4d0, 1) == 0xf8);  // PIIX3: ELCR1 bits 0-2 read as zero
  CHECK(pic.port_read(0x4d1, 1) == 0xde);  // ELCR2 bits 0 (IRQ8) and 5 (IRQ13)
  pic.port_write(0x4d0, 2, 0x0800);        // a word write reaches both registers
  CHECK(pic.port_read(0x4d0, 2) == 0x0800);  // IRQ 11 level, everything else edge

  pic.set_irq(11, true);
  CHECK(pic.intr_acknowledge() == 0x73);
  pic.port_write(0xa0, 1, kNonSpecificEoi);
  pic.port_write(0x20, 1, kNonSpecificEoi);
  // Still asserted: a level line requests again after EOI.
  REQUIRE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x73);
  pic.port_write(0xa0, 1, kNonSpecificEoi);
  pic.port_write(0x20, 1, kNonSpecificEoi);
  pic.set_irq(11, false);
  CHECK_FALSE(pic.intr_pending());

  // IRQ 10 is edge: held high, it interrupts once.
  pic.set_irq(10, true);
  CHECK(pic.intr_acknowledge() == 0x72);
  pic.port_write(0xa0, 1, kNonSpecificEoi);
  pic.port_write(0x20, 1, kNonSpecificEoi);
  CHECK_FALSE(pic.intr_pending());
}

TEST_CASE("PIC: a request that vanishes before the acknowledge gives IR7 / IR15", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pic.port_write(0x4d0, 1, 0x20);  // IRQ 5 level
  pic.port_write(0x4d1, 1, 0x04);  // IRQ 10 level
  pic.set_irq(5, true);
  REQUIRE(pic.intr_pending());
  pic.set_irq(5, false);
  CHECK(pic.intr_acknowledge() == 0x0f);  // master default IR7; nothing goes in service
  CHECK(pic.isr(0) == 0x00);

  // The slave's INT falls with its request, and the master's IR2 request with it: the vanished
  // slave request ends up as the master's IR7 too, with nothing in service anywhere.
  pic.set_irq(10, true);
  REQUIRE(pic.intr_pending());
  pic.set_irq(10, false);
  CHECK(pic.intr_acknowledge() == 0x0f);
  CHECK(pic.isr(0) == 0x00);
  CHECK(pic.isr(1) == 0x00);
}

TEST_CASE("PIC: a level line held through EOI leaves no stale cascade request", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pic.port_write(0x4d1, 1, 0x04);  // IRQ 10 level
  pic.set_irq(10, true);
  CHECK(pic.intr_acknowledge() == 0x72);
  // The handler sends its EOIs before the device drops the line, then the line drops.
  pic.port_write(0xa0, 1, kNonSpecificEoi);
  pic.port_write(0x20, 1, kNonSpecificEoi);
  pic.set_irq(10, false);
  CHECK_FALSE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x0f);  // a stray acknowledge: the master's IR7
  CHECK(pic.isr(0) == 0x00);
}

TEST_CASE("PIC: automatic EOI and rotate in automatic EOI mode", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic, 0x03);  // master ICW4: AEOI, 8086
  pulse(pic, 4);
  CHECK(pic.intr_acknowledge() == 0x0c);
  CHECK(pic.isr(0) == 0x00);
  pulse(pic, 6);
  CHECK(pic.intr_acknowledge() == 0x0e);  // nothing in service blocks it
  pic.port_write(0x20, 1, 0x80);          // rotate in AEOI mode (set)
  pulse(pic, 3);
  CHECK(pic.intr_acknowledge() == 0x0b);  // IR3 is now the lowest
  pulse(pic, 2 + 5);                      // IR7
  pulse(pic, 3);
  CHECK(pic.intr_acknowledge() == 0x0f);
}

TEST_CASE("PIC: poll mode reads the highest request and puts it in service", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pic.port_write(0x20, 1, 0x0c);  // OCW3: poll
  CHECK(pic.port_read(0x20, 1) == 0x00);
  pulse(pic, 6);
  pic.port_write(0x20, 1, 0x0c);
  CHECK(pic.port_read(0x20, 1) == 0x86);
  CHECK(pic.isr(0) == 0x40);
  CHECK(pic.port_read(0x20, 1) == 0x00);  // poll lasts for one read: this is IRR again
}

TEST_CASE("PIC: special mask mode lets lower levels through", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pulse(pic, 3);
  CHECK(pic.intr_acknowledge() == 0x0b);
  pulse(pic, 5);
  CHECK_FALSE(pic.intr_pending());
  pic.port_write(0x21, 1, 0x08);  // mask the level in service
  pic.port_write(0x20, 1, 0x68);  // OCW3: set special mask
  REQUIRE(pic.intr_pending());
  CHECK(pic.intr_acknowledge() == 0x0d);
  pic.port_write(0x20, 1, specific_eoi(5));
  pic.port_write(0x20, 1, 0x48);  // reset special mask
  pic.port_write(0x21, 1, 0x00);
  pulse(pic, 4);
  CHECK_FALSE(pic.intr_pending());  // IR3 is still in service
}

TEST_CASE("PIC: state survives a serialize round trip", "[devices][pic]") {
  devices::Pic pic;
  init_pc(pic);
  pic.port_write(0x4d1, 1, 0x08);
  pic.port_write(0x20, 1, 0xc4);  // IR4 lowest: order 5,6,7,0,1,2,3,4
  pulse(pic, 12);
  pulse(pic, 3);
  CHECK(pic.intr_acknowledge() == 0x74);  // master IR2 (the slave) outranks IR3 now
  devices::StateWriter w;
  pic.serialize(w);

  // Behaviour after the snapshot point: EOI both chips, then take whatever is pending.
  auto drain = [](devices::Pic& p) {
    std::vector<int> seq;
    for (;;) {
      p.port_write(0xa0, 1, kNonSpecificEoi);
      p.port_write(0x20, 1, kNonSpecificEoi);
      if (!p.intr_pending()) break;
      seq.push_back(p.intr_acknowledge());
    }
    seq.push_back(p.port_read(0x4d1, 1));
    return seq;
  };
  const std::vector<int> expected = {0x0b, 0x08};  // IR3 (blocked until the EOIs), then ELCR2
  devices::Pic copy;
  devices::StateReader r(w.out);
  copy.serialize(r);
  CHECK(r.at_end());
  CHECK(drain(copy) == expected);

  pic.reset();
  CHECK(pic.port_read(0x21, 1) == 0xff);
  devices::StateReader r2(w.out);
  pic.serialize(r2);
  CHECK(drain(pic) == expected);
}

TEST_CASE("PIC: hostile programming does not crash", "[devices][pic]") {
  devices::Pic pic;
  uint32_t x = 12345;
  auto rnd = [&x] { return x = x * 1103515245u + 12345u, x >> 8; };
  const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x22, 0x1f};
  for (int i = 0; i < 200000; i++) {
    const uint32_t r = rnd();
    switch (r % 5) {
      case 0: pic.port_write(ports[(r >> 3) % 8], 1u << ((r >> 6) % 3), rnd()); break;
      case 1: (void)pic.port_read(ports[(r >> 3) % 8], 1u << ((r >> 6) % 3)); break;
      case 2: pic.set_irq((r >> 3) % 40, (r >> 9) & 1); break;
      case 3:
        if (pic.intr_pending()) (void)pic.intr_acknowledge();
        break;
      default: (void)pic.intr_acknowledge(); break;
    }
  }
  // A truncated or garbage snapshot is refused or sanitised, never trusted blindly.
  std::vector<uint8_t> junk(7, 0xff);
  devices::StateReader r(junk);
  CHECK_THROWS(pic.serialize(r));
  SUCCEED();
}
