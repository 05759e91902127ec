#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "devices/uart.h"

namespace {

struct IrqLog : devices::IrqSink {
  std::map<unsigned, bool> level;
  int edges = 0;
  void set_irq(unsigned irq, bool l) override {
    if (l && !level[irq]) edges++;
    level[irq] = l;
  }
};

struct Capture : devices::SerialBackend {
  const uint64_t* icount = nullptr;
  std::vector<std::pair<uint8_t, uint64_t>> sent;  // byte, virtual ns (1 ns per instruction)
  void transmit(uint8_t b) override { sent.emplace_back(b, *icount); }
};

using Timing = devices::Uart::Timing;

// COM1 with 1 ns of virtual time per instruction, so icount reads as nanoseconds. Baud timing
// unless told otherwise: most tests here check the chip's timing at the programmed rate.
struct Com1 {
  static constexpr uint16_t kBase = 0x3f8;
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  IrqLog irqs;
  Capture out;
  devices::Uart uart;
  explicit Com1(Timing timing = Timing::Baud) : uart(clock, irqs, kBase, 4, timing) {
    out.icount = &icount;
    uart.set_backend(&out);
  }
  uint8_t in(unsigned reg) { return uint8_t(uart.port_read(uint16_t(kBase + reg), 1)); }
  void out_(unsigned reg, uint8_t v) { uart.port_write(uint16_t(kBase + reg), 1, v); }
  // Runs virtual time forward to `ns` as the machine's run loop does: stopping at each event.
  void advance_to(uint64_t ns) {
    for (uint64_t next; (next = clock.next_event_icount()) <= ns;) {
      icount = std::max(icount, next);
      clock.run_due();
    }
    icount = std::max(icount, ns);
  }
  // 115200 baud (divisor 1), 8 data bits, no parity, 1 stop bit.
  void set_115200_8n1() {
    out_(3, 0x80);
    out_(0, 1);
    out_(1, 0);
    out_(3, 0x03);
  }
  bool irq() { return irqs.level[4]; }
  // Programs the divisor latch for `baud` (115200 / divisor) with 8N1.
  void set_baud_8n1(unsigned baud) {
    const unsigned divisor = 115200 / baud;
    out_(3, 0x80);
    out_(0, uint8_t(divisor));
    out_(1, uint8_t(divisor >> 8));
    out_(3, 0x03);
  }
};

// What a guest writes in the writer tests below: more than a FIFO's worth, all byte values.
std::vector<uint8_t> message() {
  std::vector<uint8_t> m;
  for (int i = 0; i < 300; i++) m.push_back(uint8_t(i * 7 + 3));
  return m;
}

std::vector<uint8_t> bytes_sent(const Com1& c) {
  std::vector<uint8_t> v;
  for (const auto& [b, t] : c.out.sent) v.push_back(b);
  return v;
}

void open_port(Com1& c, unsigned baud, bool fifo) {
  c.set_baud_8n1(baud);
  if (fifo) c.out_(2, 0x07);  // FIFOs on, both reset
}

// A guest's polling loop: one LSR read per `step` ns of virtual time until `mask` is all set.
void poll_lsr(Com1& c, uint8_t mask, uint64_t step = 500) {
  for (int i = 0; (c.in(5) & mask) != mask; i++) {
    REQUIRE(i < 10'000'000);  // the transmitter must drain at some point
    c.advance_to(c.icount + step);
  }
}

// 8N1 is 10 bits on the wire; at 115200 baud a character takes 10 / 115200 s = 86805.6 ns.
constexpr double kChar115200 = 1e9 * 10 / 115200;

}  // namespace

TEST_CASE("uart: register values after reset", "[devices][uart]") {
  Com1 c;
  CHECK(c.in(1) == 0x00);  // IER
  CHECK(c.in(2) == 0x01);  // IIR: no interrupt pending, FIFOs off
  CHECK(c.in(3) == 0x00);  // LCR
  CHECK(c.in(4) == 0x00);  // MCR
  CHECK(c.in(5) == 0x60);  // LSR: THRE and TEMT
  CHECK(c.in(6) == 0xb0);  // MSR: the default cable asserts DCD, DSR, CTS; no deltas
  c.out_(7, 0x5a);
  CHECK(c.in(7) == 0x5a);  // scratch
  CHECK_FALSE(c.irq());
}

TEST_CASE("uart: divisor latch behind DLAB", "[devices][uart]") {
  Com1 c;
  c.out_(3, 0x83);
  c.out_(0, 0x34);
  c.out_(1, 0x12);
  CHECK(c.in(0) == 0x34);
  CHECK(c.in(1) == 0x12);
  CHECK(c.out.sent.empty());  // DLL writes are not transmitted
  c.out_(3, 0x03);
  CHECK(c.in(1) == 0x00);     // IER again, untouched by DLM writes
  // Divisor 0x1234 = 4660: 115200 / 4660 baud, 10 bits per character.
  CHECK(c.uart.char_time_ns() == Approx(1e9 * 10 * 4660 / 115200).margin(1));
}

TEST_CASE("uart: character time follows divisor and LCR", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  CHECK(c.uart.char_time_ns() == Approx(kChar115200).margin(1));
  // 9600 baud = divisor 12; 7 data bits, even parity, 2 stop bits: 1+7+1+2 = 11 bits.
  c.out_(3, 0x80);
  c.out_(0, 12);
  c.out_(3, 0x1e);
  CHECK(c.uart.char_time_ns() == Approx(1e9 * 11 / 9600).margin(1));
  // 5 data bits with "2" stop bits means 1.5 stop bits: 1+5+1.5 = 7.5 bits.
  c.out_(3, 0x84);
  c.out_(0, 1);
  c.out_(3, 0x04);
  CHECK(c.uart.char_time_ns() == Approx(1e9 * 7.5 / 115200).margin(1));
}

TEST_CASE("uart: transmission completes in virtual time at 115200 8N1", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  c.out_(2, 0x07);  // FIFOs on, both reset
  c.out_(0, 'h');
  c.out_(0, 'i');
  CHECK((c.in(5) & 0x60) == 0x00);  // 'i' waits in the FIFO, 'h' shifts out
  c.advance_to(86'000);
  CHECK(c.out.sent.empty());
  c.advance_to(87'000);  // one character time: 86.8 us
  REQUIRE(c.out.sent.size() == 1);
  CHECK(c.out.sent[0].first == 'h');
  CHECK(c.out.sent[0].second == Approx(kChar115200).margin(1));
  CHECK((c.in(5) & 0x60) == 0x20);  // FIFO empty (THRE), shifter busy (no TEMT)
  c.advance_to(200'000);
  REQUIRE(c.out.sent.size() == 2);
  CHECK(c.out.sent[1].first == 'i');
  CHECK(c.out.sent[1].second == Approx(2 * kChar115200).margin(2));
  CHECK((c.in(5) & 0x60) == 0x60);
}

TEST_CASE("uart: THRE interrupt set when THR empties, cleared by IIR read or THR write", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  c.out_(4, 0x08);  // OUT2: let the interrupt reach the bus
  c.out_(1, 0x02);  // ETBEI with THR empty: the interrupt is raised at once
  CHECK(c.irq());
  CHECK(c.in(2) == 0x02);
  // The IIR read above identified THRE and so cleared it.
  CHECK(c.in(2) == 0x01);
  CHECK_FALSE(c.irq());

  // 16450 mode: the first byte moves straight into the shifter, emptying THR again.
  c.out_(0, 'a');
  CHECK(c.in(2) == 0x02);
  c.out_(0, 'b');  // THR now holds 'b' behind 'a': no THRE, and the write cleared it
  CHECK(c.in(2) == 0x01);
  CHECK_FALSE(c.irq());
  c.advance_to(87'000);  // 'a' done, 'b' moves to the shifter, THR empty
  CHECK(c.irq());
  c.out_(0, 'c');  // a THR write clears it too
  CHECK_FALSE(c.irq());

  // With ETBEI off nothing reaches the line.
  c.out_(1, 0x00);
  c.advance_to(1'000'000);
  CHECK(c.in(2) == 0x01);
  CHECK_FALSE(c.irq());
}

TEST_CASE("uart: OUT2 gates the IRQ line", "[devices][uart]") {
  Com1 c;
  c.out_(1, 0x02);
  CHECK((c.in(2) & 0x0f) == 0x02);  // pending inside the chip (the read consumed it)...
  c.out_(1, 0x00);
  c.out_(1, 0x02);
  CHECK_FALSE(c.irq());             // ...but OUT2 is off
  c.out_(4, 0x08);
  CHECK(c.irq());
  c.out_(4, 0x00);
  CHECK_FALSE(c.irq());
}

TEST_CASE("uart: interrupt identification priorities", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  c.out_(4, 0x08);
  c.uart.receive('x');
  c.uart.receive('y');              // 16450 mode: overruns 'x'
  c.uart.set_modem_inputs(false, true, false, true);  // CTS drops: DCTS
  c.out_(1, 0x0f);                  // all four sources enabled, THR empty
  CHECK(c.in(2) == 0x06);           // 1: receiver line status (overrun)
  CHECK(c.in(5) == 0x63);           // DR, OE, THRE, TEMT; reading clears OE
  CHECK(c.in(2) == 0x04);           // 2: received data available
  CHECK(c.in(0) == 'y');
  CHECK(c.in(2) == 0x02);           // 3: THRE (read clears it)
  CHECK(c.in(2) == 0x00);           // 4: modem status
  CHECK(c.in(6) == (0xa0 | 0x01));  // DSR, DCD, delta CTS; reading clears the delta
  CHECK(c.in(2) == 0x01);
  CHECK_FALSE(c.irq());
}

TEST_CASE("uart: modem status deltas and interrupt", "[devices][uart]") {
  Com1 c;
  c.out_(4, 0x08);
  c.out_(1, 0x08);
  CHECK_FALSE(c.irq());
  c.uart.set_modem_inputs(true, true, true, true);  // RI rises: no delta (TERI is trailing edge)
  CHECK(c.in(6) == 0xf0);
  CHECK_FALSE(c.irq());
  c.uart.set_modem_inputs(true, true, false, false);  // RI falls, DCD falls
  CHECK(c.irq());
  CHECK(c.in(2) == 0x00);
  CHECK(c.in(6) == (0x30 | 0x08 | 0x04));  // CTS, DSR; DDCD, TERI
  CHECK_FALSE(c.irq());
  CHECK(c.in(6) == 0x30);
}

TEST_CASE("uart: FCR transmit reset empties THR", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  c.out_(2, 0x01);
  c.out_(4, 0x08);
  for (int i = 0; i < 5; i++) c.out_(0, uint8_t('a' + i));
  c.out_(1, 0x02);
  CHECK_FALSE(c.irq());  // THR not empty
  c.out_(2, 0x05);       // TX FIFO reset: the shifter keeps its character
  CHECK(c.irq());
  CHECK((c.in(5) & 0x60) == 0x20);
  c.advance_to(1'000'000);
  REQUIRE(c.out.sent.size() == 1);
  CHECK(c.out.sent[0].first == 'a');
}

TEST_CASE("uart: FIFO trigger level and character timeout", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  c.out_(4, 0x08);
  c.out_(2, 0x81);  // FIFOs on, RX trigger level 8
  c.out_(1, 0x01);
  for (int i = 0; i < 7; i++) c.uart.receive(uint8_t('0' + i));
  CHECK(c.in(2) == 0xc1);  // 7 < 8: nothing yet (bits 7:6 show the FIFOs)
  CHECK_FALSE(c.irq());
  c.uart.receive('7');
  CHECK(c.in(2) == 0xc4);
  CHECK(c.irq());
  CHECK(c.in(0) == '0');   // down to 7: below the trigger again
  CHECK(c.in(2) == 0xc1);
  CHECK_FALSE(c.irq());
  // Timeout: 4 character times (4 x 86.8 us = 347.2 us) after the last FIFO activity.
  c.advance_to(347'000);
  CHECK(c.in(2) == 0xc1);
  c.advance_to(347'300);
  CHECK(c.in(2) == 0xcc);
  CHECK(c.irq());
  CHECK(c.in(0) == '1');   // a read clears the timeout and restarts the timer
  CHECK(c.in(2) == 0xc1);
  c.advance_to(347'300 + 347'300);
  CHECK(c.in(2) == 0xcc);
  for (int i = 2; i < 8; i++) CHECK(c.in(0) == '0' + i);
  CHECK((c.in(5) & 1) == 0);
  c.advance_to(10'000'000);
  CHECK(c.in(2) == 0xc1);  // an empty FIFO never times out
}

TEST_CASE("uart: trigger levels 1, 4 and 14", "[devices][uart]") {
  for (auto [fcr, level] : {std::pair{0x01, 1}, {0x41, 4}, {0xc1, 14}}) {
    Com1 c;
    c.out_(2, uint8_t(fcr));
    c.out_(1, 0x01);
    for (int i = 0; i < level - 1; i++) c.uart.receive(0);
    CHECK((c.in(2) & 0x0f) == 0x01);
    c.uart.receive(0);
    CHECK((c.in(2) & 0x0f) == 0x04);
  }
}

TEST_CASE("uart: loopback", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  c.out_(4, 0x1a);          // LOOP, OUT2, RTS
  CHECK((c.in(6) & 0xf0) == 0x90);  // RTS -> CTS, OUT2 -> DCD
  c.out_(4, 0x1f);
  CHECK((c.in(6) & 0xf0) == 0xf0);
  c.out_(1, 0x01);
  c.out_(0, 0x55);
  c.uart.receive(0x11);     // SIN is disconnected in loopback
  CHECK((c.in(5) & 1) == 0);
  c.advance_to(87'000);
  CHECK(c.in(5) & 1);
  CHECK(c.in(2) == 0x04);   // the chip's interrupt works...
  CHECK_FALSE(c.irq());     // ...but loopback holds OUT2 inactive, so the PC line stays low
  CHECK(c.in(0) == 0x55);
  CHECK(c.out.sent.empty());
  c.out_(4, 0x08);
  c.out_(0, 0x66);
  c.advance_to(200'000);
  REQUIRE(c.out.sent.size() == 1);
  CHECK(c.out.sent[0].first == 0x66);
}

TEST_CASE("uart: receiver overrun", "[devices][uart]") {
  Com1 c;
  c.out_(2, 0x01);
  for (int i = 0; i < 17; i++) c.uart.receive(uint8_t(i));
  CHECK(c.in(5) == 0x63);  // OE with DR
  CHECK(c.in(5) == 0x61);  // cleared by the read
  for (int i = 0; i < 16; i++) CHECK(c.in(0) == i);  // the 17th character was lost
  CHECK((c.in(5) & 1) == 0);

  c.out_(2, 0x00);         // 16450 mode: a second character overwrites RBR
  c.uart.receive(1);
  c.uart.receive(2);
  CHECK(c.in(5) == 0x63);
  CHECK(c.in(0) == 2);
}

TEST_CASE("uart: can_receive paces host input at the line rate", "[devices][uart]") {
  Com1 c;
  c.set_115200_8n1();
  c.out_(2, 0x01);
  REQUIRE(c.uart.can_receive());
  c.uart.receive('a');
  CHECK_FALSE(c.uart.can_receive());  // the wire is busy for one character time
  c.advance_to(87'000);
  CHECK(c.uart.can_receive());
  for (int i = 0; i < 15; i++) c.uart.receive('b');
  CHECK_FALSE(c.uart.can_receive());  // FIFO full
}

TEST_CASE("uart: state round-trips through serialize", "[devices][uart]") {
  Com1 a;
  a.set_115200_8n1();
  a.out_(4, 0x0b);
  a.out_(2, 0x41);
  a.out_(1, 0x03);
  a.out_(7, 0x77);
  a.out_(0, 'p');
  a.out_(0, 'q');
  a.uart.receive('r');
  a.advance_to(40'000);  // mid-character
  devices::StateWriter w;
  a.uart.serialize(w);

  Com1 b;
  b.icount = a.icount;
  devices::StateReader r(w.out);
  b.uart.serialize(r);
  CHECK(r.at_end());
  for (unsigned reg = 1; reg < 8; reg++)
    if (reg != 2 && reg != 5 && reg != 6) CHECK(b.in(reg) == a.in(reg));
  CHECK(b.in(5) == a.in(5));
  for (Com1* c : {&a, &b}) c->advance_to(400'000);
  CHECK(b.out.sent == a.out.sent);
  CHECK(b.out.sent.size() == 2);
  CHECK(b.in(0) == 'r');

  std::vector<uint8_t> cut(w.out.begin(), w.out.end() - 1);
  devices::StateReader short_reader(cut);
  Com1 d;
  CHECK_THROWS(d.uart.serialize(short_reader));
}

TEST_CASE("uart: hostile register values do not crash", "[devices][uart]") {
  Com1 c;
  uint32_t x = 12345;
  auto rnd = [&] { return x = x * 1103515245u + 12345u; };
  for (int i = 0; i < 20000; i++) {
    const uint16_t port = uint16_t(Com1::kBase - 2 + rnd() % 12);
    const unsigned size = 1u << (rnd() % 3);
    if (rnd() & 1)
      c.uart.port_write(port, size, rnd());
    else
      c.uart.port_read(port, size);
    if (rnd() % 8 == 0) c.uart.receive(uint8_t(rnd()));
    c.advance_to(c.icount + rnd() % 5000);
  }
  // Divisor 0 still gives a finite character time (as 65536).
  c.out_(3, 0x80);
  c.out_(0, 0);
  c.out_(1, 0);
  c.out_(3, 0x07);
  CHECK(c.uart.char_time_ns() > 0);
  CHECK(c.uart.char_time_ns() < 10'000'000'000ull);
}

// 16550A datasheet: baud = 1.8432 MHz / (16 x divisor); an 8N1 character is 10 bits.
TEST_CASE("uart: baud timing takes a character's time on the line at 9600 and 115200", "[devices][uart]") {
  const auto [baud, divisor] = GENERATE(std::pair{9600u, 12u}, std::pair{115200u, 1u});
  const double char_ns = 10.0 * 16 * divisor * 1e9 / 1'843'200;
  Com1 c(Timing::Baud);
  c.set_baud_8n1(baud);
  c.out_(2, 0x07);
  const uint64_t t0 = c.icount;
  for (uint8_t b : {'a', 'b', 'c'}) c.out_(0, b);
  c.advance_to(t0 + uint64_t(3 * char_ns) + 10);
  REQUIRE(c.out.sent.size() == 3);
  for (size_t i = 0; i < 3; i++) CHECK(double(c.out.sent[i].second - t0) == Approx((i + 1) * char_ns).margin(1));
}

TEST_CASE("uart: fast timing sends each character after a fixed short time, whatever the divisor", "[devices][uart]") {
  const unsigned baud = GENERATE(9600u, 115200u, 50u);
  Com1 c(Timing::Fast);
  c.set_baud_8n1(baud);
  c.out_(2, 0x07);
  const uint64_t t0 = c.icount;
  for (uint8_t b : {'a', 'b', 'c'}) c.out_(0, b);
  c.advance_to(t0 + 3 * devices::Uart::kFastCharNs);
  REQUIRE(c.out.sent.size() == 3);
  for (size_t i = 0; i < 3; i++) CHECK(c.out.sent[i].second - t0 == (i + 1) * devices::Uart::kFastCharNs);
  CHECK((c.in(5) & 0x60) == 0x60);
  // The receiver's pacing follows the same time.
  c.uart.receive('x');
  CHECK_FALSE(c.uart.can_receive());
  c.advance_to(c.icount + devices::Uart::kFastCharNs);
  CHECK(c.uart.can_receive());
}

// The polled writers: one waits for THRE before each byte; the other, with FIFOs on, fills the
// whole FIFO each time THRE is set (THRE then means the FIFO is empty; the shifter may be busy).
TEST_CASE("uart: a writer that polls THRE, byte by byte or a FIFO at a time, never loses a byte", "[devices][uart]") {
  const Timing timing = GENERATE(Timing::Fast, Timing::Baud);
  const unsigned baud = GENERATE(9600u, 115200u);
  const unsigned burst = GENERATE(1u, devices::Uart::kFifoDepth);
  const bool fifo = burst > 1 || GENERATE(false, true);
  Com1 c(timing);
  open_port(c, baud, fifo);
  const std::vector<uint8_t> m = message();
  for (size_t i = 0; i < m.size();) {
    poll_lsr(c, 0x20);
    for (unsigned n = 0; n < burst && i < m.size(); n++) c.out_(0, m[i++]);
  }
  poll_lsr(c, 0x60);
  CHECK(bytes_sent(c) == m);
}

TEST_CASE("uart: a writer driven by THRE interrupts never loses a byte", "[devices][uart]") {
  const Timing timing = GENERATE(Timing::Fast, Timing::Baud);
  const unsigned baud = GENERATE(9600u, 115200u);
  const bool fifo = GENERATE(false, true);
  Com1 c(timing);
  open_port(c, baud, fifo);
  c.out_(4, 0x08);  // OUT2
  const std::vector<uint8_t> m = message();
  size_t i = 0;
  c.out_(1, 0x02);  // ETBEI: THR is empty, so the first interrupt comes at once
  for (int steps = 0; i < m.size(); steps++) {
    REQUIRE(steps < 10'000'000);
    if (c.irq()) {
      // The handler: IIR says THRE (reading it acknowledges), then as much as the chip takes.
      REQUIRE((c.in(2) & 0x0f) == 0x02);
      const unsigned room = fifo ? devices::Uart::kFifoDepth : 1;
      for (unsigned n = 0; n < room && i < m.size(); n++) c.out_(0, m[i++]);
    }
    c.advance_to(c.icount + 500);
  }
  poll_lsr(c, 0x60);
  CHECK(bytes_sent(c) == m);
}

TEST_CASE("uart: a reader that keeps up never loses a byte the host offers", "[devices][uart]") {
  const Timing timing = GENERATE(Timing::Fast, Timing::Baud);
  const bool fifo = GENERATE(false, true);
  Com1 c(timing);
  c.set_115200_8n1();
  if (fifo) c.out_(2, 0x07);
  const std::vector<uint8_t> m = message();
  std::vector<uint8_t> got;
  size_t offered = 0;
  for (int steps = 0; got.size() < m.size(); steps++) {
    REQUIRE(steps < 10'000'000);
    // The host side offers the next byte whenever the UART says it can take one.
    if (offered < m.size() && c.uart.can_receive()) c.uart.receive(m[offered++]);
    const uint8_t lsr = c.in(5);
    CHECK_FALSE(lsr & 0x02);  // never an overrun
    if (lsr & 0x01) got.push_back(c.in(0));
    c.advance_to(c.icount + 700);
  }
  CHECK(got == m);
}

TEST_CASE("uart: flush_tx passes what the transmitter holds to the backend at once", "[devices][uart]") {
  const Timing timing = GENERATE(Timing::Fast, Timing::Baud);
  Com1 c(timing);
  c.out_(2, 0x07);
  for (uint8_t b : {'e', 'n', 'd'}) c.out_(0, b);
  CHECK(c.out.sent.empty());  // not one character time has passed
  c.uart.flush_tx();
  CHECK(bytes_sent(c) == std::vector<uint8_t>{'e', 'n', 'd'});
  CHECK((c.in(5) & 0x60) == 0x60);
  c.advance_to(100'000'000);
  CHECK(c.out.sent.size() == 3);  // nothing is sent twice
}
