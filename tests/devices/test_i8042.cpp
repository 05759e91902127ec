#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

#include "devices/i8042.h"
#include "devices/port92.h"

namespace {

using Bytes = std::vector<uint8_t>;

struct IrqLog : devices::IrqSink {
  std::map<unsigned, bool> level;
  std::map<unsigned, int> rises;
  void set_irq(unsigned irq, bool l) override {
    if (l && !level[irq]) rises[irq]++;
    level[irq] = l;
  }
};

// A keyboard controller with keyboard and mouse, 1 ns of virtual time per instruction.
struct Kbc {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  IrqLog irqs;
  std::vector<bool> a20;
  int resets = 0;
  devices::Ps2Keyboard kbd{clock};
  devices::Ps2Mouse mouse;
  devices::I8042 kbc{kbd, mouse, irqs, [this](bool on) { a20.push_back(on); }, [this] { resets++; }};

  uint8_t status() { return uint8_t(kbc.port_read(0x64, 1)); }
  uint8_t data() { return uint8_t(kbc.port_read(0x60, 1)); }
  void cmd(uint8_t c) { kbc.port_write(0x64, 1, c); }
  void put(uint8_t v) { kbc.port_write(0x60, 1, v); }
  void cmd(uint8_t c, uint8_t arg) {
    cmd(c);
    put(arg);
  }
  // Everything the guest can read now, as a polling driver would (OBF set -> read 60h).
  Bytes drain() {
    Bytes b;
    for (int i = 0; i < 64 && (status() & 1); i++) b.push_back(data());
    return b;
  }
  void advance_to(uint64_t ns) {
    for (uint64_t next; (next = clock.next_event_icount()) <= ns;) {
      icount = std::max(icount, next);
      clock.run_due();
    }
    icount = std::max(icount, ns);
  }
};

}  // namespace

TEST_CASE("i8042: self-test, interface tests and status flags", "[devices][i8042]") {
  Kbc k;
  CHECK(k.status() == 0x10);  // empty, keyboard not inhibited
  k.cmd(0xaa);
  CHECK(k.status() == (0x10 | 0x08 | 0x01));  // OBF, last write was a command (A2)
  CHECK(k.data() == 0x55);
  CHECK((k.status() & 1) == 0);
  k.cmd(0xab);
  CHECK(k.drain() == Bytes{0x00});
  k.cmd(0xa9);
  CHECK(k.drain() == Bytes{0x00});
  k.cmd(0xa4);
  CHECK(k.drain() == Bytes{0xf1});  // no password installed
}

TEST_CASE("i8042: command byte read and write", "[devices][i8042]") {
  Kbc k;
  k.cmd(0x60, 0x45);  // translate, SYS, keyboard IRQ
  CHECK((k.status() & 0x08) == 0);  // the data write clears A2
  k.cmd(0x20);
  CHECK(k.drain() == Bytes{0x45});
  CHECK(k.status() & 0x04);  // SYS flag follows command byte bit 2
  k.cmd(0xad);               // disable keyboard: bit 4
  k.cmd(0xa7);               // disable mouse: bit 5
  CHECK(k.kbc.command_byte() == 0x75);
  k.cmd(0xae);
  k.cmd(0xa8);
  CHECK(k.kbc.command_byte() == 0x45);
  k.cmd(0x60, 0x00);
  CHECK((k.status() & 0x04) == 0);
  // Internal RAM beyond the command byte: 61h writes byte 1, 21h reads it.
  k.cmd(0x61, 0xa5);
  k.cmd(0x21);
  CHECK(k.drain() == Bytes{0xa5});
}

TEST_CASE("i8042: A20 and reset through the output port", "[devices][i8042]") {
  Kbc k;
  k.cmd(0xd1, 0xdd);  // A20 off (bit 1 clear), reset line high
  k.cmd(0xd1, 0xdf);  // A20 on
  CHECK(k.a20 == std::vector<bool>{false, true});
  CHECK(k.resets == 0);
  k.cmd(0xd0);
  CHECK(k.drain() == Bytes{0xcf});  // as written, with bits 4/5 (OBF lines) low: buffer empty
  k.cmd(0xd1, 0xde);  // bit 0 low asserts the CPU reset line
  CHECK(k.resets == 1);
}

TEST_CASE("i8042: pulse commands FEh..F0h reset the CPU when bit 0 is 0", "[devices][i8042]") {
  Kbc k;
  k.cmd(0xfe);
  CHECK(k.resets == 1);
  k.cmd(0xff);  // pulses nothing
  k.cmd(0xfd);  // bit 0 set: no reset
  CHECK(k.resets == 1);
  k.cmd(0xf0);
  CHECK(k.resets == 2);
}

TEST_CASE("port92: fast A20 and fast reset", "[devices][i8042][port92]") {
  std::vector<bool> a20;
  int resets = 0;
  devices::Port92 p([&](bool on) { a20.push_back(on); }, [&] { resets++; });
  CHECK(p.port_read(0x92, 1) == 0x00);
  p.port_write(0x92, 1, 0x02);
  CHECK(a20 == std::vector<bool>{true});
  CHECK(p.port_read(0x92, 1) == 0x02);
  CHECK(resets == 0);
  p.port_write(0x92, 1, 0x03);  // 0 -> 1 on bit 0 resets
  CHECK(resets == 1);
  p.port_write(0x92, 1, 0x03);  // no transition, no reset
  CHECK(resets == 1);
  p.port_write(0x92, 1, 0x00);
  CHECK(a20.back() == false);
  // Round trip and hostile values.
  p.port_write(0x92, 1, 0x0a);
  devices::StateWriter w;
  p.serialize(w);
  devices::Port92 q(nullptr, nullptr);
  devices::StateReader r(w.out);
  q.serialize(r);
  CHECK(q.port_read(0x92, 1) == 0x0a);
  for (uint32_t v = 0; v < 0x300; v++) q.port_write(uint16_t(0x90 + v % 4), 1u << (v % 3), v * 0x01010101u);
  CHECK((q.port_read(0x92, 1) & 0x08) == 0x08);  // the lock bit stays set
}

TEST_CASE("keyboard: reset, identify, echo, resend", "[devices][i8042][ps2kbd]") {
  Kbc k;
  k.put(0xff);
  CHECK(k.drain() == Bytes{0xfa, 0xaa});  // ACK, basic assurance test passed
  k.put(0xf2);
  CHECK(k.drain() == Bytes{0xfa, 0xab, 0x83});  // MF2 keyboard
  k.cmd(0x60, 0x40);                            // translation on
  k.put(0xf2);
  CHECK(k.drain() == Bytes{0xfa, 0xab, 0x41});  // 83h translates to 41h
  k.put(0xee);
  CHECK(k.drain() == Bytes{0xee});
  k.put(0xfe);
  CHECK(k.drain() == Bytes{0xee});  // resend the last byte
  k.put(0x12);                      // not a command
  CHECK(k.drain() == Bytes{0xfe});
}

TEST_CASE("keyboard: LEDs, scan code sets, typematic byte", "[devices][i8042][ps2kbd]") {
  Kbc k;
  k.put(0xed);
  k.put(0x07);
  CHECK(k.drain() == Bytes{0xfa, 0xfa});
  CHECK(k.kbd.leds() == 7);
  k.put(0xf0);
  k.put(0x00);
  CHECK(k.drain() == Bytes{0xfa, 0xfa, 0x02});
  k.cmd(0x60, 0x40);
  k.put(0xf0);
  k.put(0x00);
  CHECK(k.drain() == Bytes{0xfa, 0xfa, 0x41});  // translated "set 2"
  k.cmd(0x60, 0x00);
  k.put(0xf0);
  k.put(0x01);
  CHECK(k.drain() == Bytes{0xfa, 0xfa});
  CHECK(k.kbd.scan_code_set() == 1);
  k.kbd.press(devices::ps2key::kA);
  k.kbd.release(devices::ps2key::kA);
  CHECK(k.drain() == Bytes{0x1e, 0x9e});  // a set-1 keyboard, no translation
  k.put(0xf0);
  k.put(0x07);
  CHECK(k.drain() == Bytes{0xfa, 0xfe});  // no such set
  k.put(0xf3);
  k.put(0x00);
  CHECK(k.drain() == Bytes{0xfa, 0xfa});
}

TEST_CASE("keyboard: set-2 codes and their set-1 translation", "[devices][i8042][ps2kbd]") {
  Kbc k;
  k.cmd(0x60, 0x00);
  k.kbd.press(devices::ps2key::kA);
  k.kbd.release(devices::ps2key::kA);
  CHECK(k.drain() == Bytes{0x1c, 0xf0, 0x1c});
  k.kbd.press(devices::ps2key::kUp);
  k.kbd.release(devices::ps2key::kUp);
  CHECK(k.drain() == Bytes{0xe0, 0x75, 0xe0, 0xf0, 0x75});

  k.cmd(0x60, 0x40);
  // 'A': set-2 make 1Ch is set-1 1Eh; break F0 1C becomes 1Eh | 80h = 9Eh.
  k.kbd.press(devices::ps2key::kA);
  k.kbd.release(devices::ps2key::kA);
  CHECK(k.drain() == Bytes{0x1e, 0x9e});
  // Up arrow: E0 75 -> E0 48 (keypad 8's position); break E0 C8.
  k.kbd.press(devices::ps2key::kUp);
  k.kbd.release(devices::ps2key::kUp);
  CHECK(k.drain() == Bytes{0xe0, 0x48, 0xe0, 0xc8});
  // Esc 76h -> 01h, Enter 5Ah -> 1Ch, Left Shift 12h -> 2Ah, F7 83h -> 41h, F12 07h -> 58h.
  for (auto [key, set1] : {std::pair<uint16_t, uint8_t>{0x76, 0x01}, {0x5a, 0x1c}, {0x12, 0x2a}, {0x83, 0x41},
                           {0x07, 0x58}}) {
    k.kbd.press(key);
    CHECK(k.drain() == Bytes{set1});
  }
  // Pause: E1 14 77 E1 F0 14 F0 77 in set 2 is E1 1D 45 E1 9D C5 in set 1; no break.
  k.kbd.press(devices::ps2key::kPause);
  k.kbd.release(devices::ps2key::kPause);
  CHECK(k.drain() == Bytes{0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5});
  CHECK_FALSE(k.kbd.press(0x1234));
  CHECK_FALSE(k.kbd.press(0xe0f0));
}

TEST_CASE("i8042: IRQ 1 follows the output buffer and the enable bit", "[devices][i8042]") {
  Kbc k;
  k.cmd(0x60, 0x00);  // keyboard interrupt disabled
  k.kbd.press(devices::ps2key::kA);
  CHECK(k.status() & 1);
  CHECK_FALSE(k.irqs.level[1]);
  k.drain();
  k.cmd(0x60, 0x41);  // enabled, translated
  CHECK_FALSE(k.irqs.level[1]);
  k.kbd.release(devices::ps2key::kA);
  CHECK(k.irqs.level[1]);
  CHECK_FALSE(k.irqs.level[12]);
  CHECK(k.data() == 0x9e);
  CHECK_FALSE(k.irqs.level[1]);
  // Each byte of a multi-byte sequence makes its own rising edge.
  const int before = k.irqs.rises[1];
  k.kbd.press(devices::ps2key::kUp);
  CHECK(k.data() == 0xe0);
  CHECK(k.data() == 0x48);
  CHECK(k.irqs.rises[1] - before == 2);
  // A disabled keyboard interface holds its data back until enabled again.
  k.cmd(0xad);
  k.kbd.press(devices::ps2key::kEsc);
  CHECK((k.status() & 1) == 0);
  k.cmd(0xae);
  CHECK(k.irqs.level[1]);
  CHECK(k.data() == 0x01);
}

TEST_CASE("keyboard: typematic repeat in virtual time", "[devices][i8042][ps2kbd]") {
  Kbc k;
  k.cmd(0x60, 0x00);
  k.kbd.press(devices::ps2key::kA);
  CHECK(k.drain() == Bytes{0x1c});
  // Default typematic byte 2Bh: delay (1+1) x 250 ms = 500 ms; period (8+3) x 2^1 / 240 s
  // = 91.67 ms (10.9 characters per second).
  k.advance_to(499'999'999);
  CHECK(k.drain().empty());
  k.advance_to(500'000'000);
  CHECK(k.drain() == Bytes{0x1c});
  k.advance_to(591'666'000);
  CHECK(k.drain().empty());
  k.advance_to(591'667'000);
  CHECK(k.drain() == Bytes{0x1c});
  k.kbd.release(devices::ps2key::kA);
  CHECK(k.drain() == Bytes{0xf0, 0x1c});
  k.advance_to(2'000'000'000);
  CHECK(k.drain().empty());
  // F3h 00h: 250 ms delay, (8+0) / 240 s = 33.3 ms period (30 per second).
  k.put(0xf3);
  k.put(0x00);
  k.drain();
  k.kbd.press(devices::ps2key::kEsc);
  k.advance_to(2'000'000'000ull + 250'000'000 + 4 * 33'333'334);
  CHECK(k.drain() == Bytes(6, 0x76));  // make, first repeat, then four more
}

TEST_CASE("mouse: reset, identify, status, packets", "[devices][i8042][ps2mouse]") {
  Kbc k;
  k.cmd(0x60, 0x03);  // both interrupts on, no translation
  k.cmd(0xd4, 0xff);
  CHECK((k.status() & 0x21) == 0x21);  // mouse data: OBF and AUX OBF
  CHECK(k.irqs.level[12]);
  CHECK_FALSE(k.irqs.level[1]);
  CHECK(k.drain() == Bytes{0xfa, 0xaa, 0x00});
  k.cmd(0xd4, 0xf2);
  CHECK(k.drain() == Bytes{0xfa, 0x00});
  // Status: stream mode, disabled, 1:1; resolution 2 (4 counts/mm); 100 samples/s.
  k.cmd(0xd4, 0xe9);
  CHECK(k.drain() == Bytes{0xfa, 0x00, 0x02, 0x64});
  k.cmd(0xd4, 0xf3);
  k.cmd(0xd4, 40);
  k.cmd(0xd4, 0xe8);
  k.cmd(0xd4, 3);
  k.cmd(0xd4, 0xf4);
  CHECK(k.drain() == Bytes{0xfa, 0xfa, 0xfa, 0xfa, 0xfa});
  k.mouse.move(0, 0, devices::Ps2Mouse::kLeft);
  CHECK(k.drain() == Bytes{0x09, 0x00, 0x00});  // a button change is reported too
  k.cmd(0xd4, 0xe9);
  CHECK(k.drain() == Bytes{0xfa, 0x20 | 0x04, 0x03, 40});
  k.mouse.move(0, 0, 0);
  k.drain();

  // dx = -5, dy = +3 with the left button: byte 0 = 1 (always) << 3 | X sign << 4 | left
  // = 19h; X = -5 as 8-bit two's complement = FBh; Y = 03h.
  k.mouse.move(-5, 3, devices::Ps2Mouse::kLeft);
  CHECK(k.drain() == Bytes{0x19, 0xfb, 0x03});
  // Beyond the 9-bit range: overflow bits; dx = 300 -> X overflow (40h), dy = -2 -> Y sign.
  k.mouse.move(300, -2, 0);
  CHECK(k.drain() == Bytes{0x08 | 0x40 | 0x20, 0xff, 0xfe});
  // Disabled reporting: nothing is sent.
  k.cmd(0xd4, 0xf5);
  k.drain();
  k.mouse.move(1, 1, 0);
  CHECK(k.drain().empty());
}

TEST_CASE("mouse: remote mode, wrap mode, 2:1 scaling, AUX loopback", "[devices][i8042][ps2mouse]") {
  Kbc k;
  k.cmd(0x60, 0x00);
  k.cmd(0xd4, 0xf0);  // remote
  k.drain();
  k.mouse.move(4, -1, 0);
  CHECK(k.drain().empty());
  k.cmd(0xd4, 0xeb);  // read data
  CHECK(k.drain() == Bytes{0xfa, 0x08 | 0x20, 0x04, 0xff});
  k.cmd(0xd4, 0xea);  // stream
  k.cmd(0xd4, 0xe7);  // 2:1 scaling: 4 -> 6
  k.cmd(0xd4, 0xf4);
  k.drain();
  k.mouse.move(4, 0, 0);
  CHECK(k.drain() == Bytes{0x08, 0x06, 0x00});
  k.cmd(0xd4, 0xee);  // wrap: echo
  k.cmd(0xd4, 0x42);
  CHECK(k.drain() == Bytes{0xfa, 0x42});
  k.cmd(0xd4, 0xec);
  CHECK(k.drain() == Bytes{0xfa});
  // D3h: the controller places a byte in the output buffer as if from the mouse.
  k.cmd(0x60, 0x02);
  k.cmd(0xd3, 0x5a);
  CHECK((k.status() & 0x21) == 0x21);
  CHECK(k.irqs.level[12]);
  CHECK(k.data() == 0x5a);
  // D2h: as if from the keyboard.
  k.cmd(0xd2, 0x33);
  CHECK((k.status() & 0x21) == 0x01);
  CHECK(k.data() == 0x33);
}

TEST_CASE("i8042: state round-trips through serialize", "[devices][i8042]") {
  Kbc a;
  a.cmd(0x60, 0x47);
  a.put(0xed);
  a.put(0x05);
  a.drain();
  a.kbd.press(devices::ps2key::kA);
  a.kbd.press(devices::ps2key::kEnter);  // typematic on Enter
  a.cmd(0xd4, 0xf4);
  a.mouse.move(-7, 9, 2);
  a.cmd(0x70);  // pending RAM write
  auto save = [](devices::Device& d) {
    devices::StateWriter w;
    d.serialize(w);
    return w.out;
  };
  const Bytes s1 = save(a.kbc), s2 = save(a.kbd), s3 = save(a.mouse);
  Kbc b;
  b.icount = a.icount;
  for (auto [dev, st] : {std::pair<devices::Device*, const Bytes*>{&b.kbc, &s1}, {&b.kbd, &s2}, {&b.mouse, &s3}}) {
    devices::StateReader r(*st);
    dev->serialize(r);
    CHECK(r.at_end());
  }
  CHECK(save(b.kbc) == s1);
  CHECK(save(b.kbd) == s2);
  CHECK(save(b.mouse) == s3);
  a.put(0x11);
  b.put(0x11);
  a.advance_to(600'000'000);
  b.advance_to(600'000'000);
  const Bytes out = a.drain();
  CHECK(b.drain() == out);
  // 'A' (held in the output buffer), Enter (5Ah -> 1Ch) and its repeats at 500 ms and
  // 500 + 91.7 ms, then the mouse's ACK and packet: right button | X sign | 08h = 1Ah,
  // -7 = F9h, 9.
  CHECK(out == Bytes{0x1e, 0x1c, 0x1c, 0x1c, 0xfa, 0x1a, 0xf9, 0x09});
  a.cmd(0x30);
  b.cmd(0x30);
  CHECK(a.drain() == b.drain());
  CHECK(b.kbd.leds() == 5);
}

TEST_CASE("i8042: hostile port values and host input do not crash", "[devices][i8042]") {
  Kbc k;
  uint32_t x = 777;
  auto rnd = [&] { return x = x * 1103515245u + 12345u; };
  for (int i = 0; i < 50000; i++) {
    const uint16_t port = uint16_t(0x5e + rnd() % 8);
    const unsigned size = 1u << (rnd() % 3);
    if (rnd() & 1)
      k.kbc.port_write(port, size, rnd());
    else
      k.kbc.port_read(port, size);
    switch (rnd() % 16) {
      case 0: k.kbd.press(uint16_t(rnd())); break;
      case 1: k.kbd.release(uint16_t(rnd())); break;
      case 2: k.mouse.move(int(rnd()), int(rnd()), uint8_t(rnd())); break;
      case 3: k.advance_to(k.icount + rnd() % 100'000'000); break;
      default: break;
    }
  }
  // Damaged state is refused.
  devices::StateWriter w;
  k.kbd.serialize(w);
  w.out[0] = 9;  // scan code set 9
  devices::StateReader r(w.out);
  CHECK_THROWS(k.kbd.serialize(r));
}
