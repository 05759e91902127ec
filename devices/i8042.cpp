#include "devices/i8042.h"

namespace devices {
namespace {

// Command byte bits (IBM PS/2 Technical Reference, "Keyboard/Auxiliary Device Controller").
constexpr uint8_t kCmdKbdInt = 0x01, kCmdAuxInt = 0x02, kCmdSys = 0x04, kCmdKbdOff = 0x10,
                  kCmdAuxOff = 0x20, kCmdTranslate = 0x40;
// Status register bits.
constexpr uint8_t kStObf = 0x01, kStSys = 0x04, kStA2 = 0x08, kStNotInhibited = 0x10, kStAuxObf = 0x20;
// Output port bits.
constexpr uint8_t kOutReset = 0x01, kOutA20 = 0x02, kOutKbdObf = 0x10, kOutAuxObf = 0x20;
// Input port as read by C0h: keyboard not inhibited, no manufacturing jumper, 512 KB on board.
constexpr uint8_t kInputPort = 0xb0;

}  // namespace

I8042::I8042(Ps2Keyboard& kbd, Ps2Mouse& mouse, IrqSink& irq_sink, A20Fn a20, ResetFn reset)
    : kbd_(kbd), mouse_(mouse), irq_sink_(irq_sink), a20_(std::move(a20)), reset_(std::move(reset)) {
  kbd_.set_data_callback([this] { service(); });
  mouse_.set_data_callback([this] { service(); });
}

void I8042::reset() {
  const bool irq1 = s_.irq1, irq12 = s_.irq12;
  s_ = State{};
  s_.irq1 = irq1, s_.irq12 = irq12;  // lowered below if they were high
  update_irqs();
}

uint8_t I8042::status() const {
  uint8_t st = kStNotInhibited;  // the keylock is open
  if (s_.obf) st |= s_.out_aux ? (kStObf | kStAuxObf) : kStObf;
  if (s_.ram[0] & kCmdSys) st |= kStSys;
  if (s_.last_was_command) st |= kStA2;
  // IBF (bit 1) never shows: every write is taken at once. Timeout and parity (6, 7) stay 0.
  return st;
}

uint8_t I8042::output_port() const {
  uint8_t v = s_.out_port & ~(kOutKbdObf | kOutAuxObf);
  if (s_.obf) v |= s_.out_aux ? kOutAuxObf : kOutKbdObf;
  return v;
}

uint32_t I8042::port_read(uint16_t port, unsigned size) {
  return split_read(port, size, [this](uint16_t p) -> uint8_t {
    if (p == kDataPort) return read_data();
    if (p == kCommandPort) return status();
    return 0xff;
  });
}

void I8042::port_write(uint16_t port, unsigned size, uint32_t value) {
  split_write(port, size, value, [this](uint16_t p, uint8_t v) {
    if (p == kDataPort) write_data(v);
    if (p == kCommandPort) write_command(v);
  });
  if (reset_requested_) {
    reset_requested_ = false;
    if (reset_) reset_();
  }
}

uint8_t I8042::read_data() {
  const uint8_t v = s_.out;  // an empty buffer reads its last contents
  if (s_.obf) {
    s_.obf = false;
    update_irqs();  // drop the line first, so the next byte makes a fresh edge
    service();
  }
  return v;
}

void I8042::write_data(uint8_t v) {
  s_.last_was_command = false;
  const uint8_t cmd = s_.pending;
  s_.pending = 0;
  switch (cmd) {
    case 0:
      s_.ram[0] &= ~kCmdKbdOff;  // sending to the keyboard enables its interface
      kbd_.write(v);
      break;
    case 0xa5:  // password bytes, up to the terminating 00h
      if (v) s_.pending = cmd;
      break;
    case 0xd1: write_output_port(v); break;
    case 0xd2: reply(v, false); break;
    case 0xd3: reply(v, true); break;
    case 0xd4: mouse_.write(v); break;
    default:  // 60h-7Fh: write internal RAM; byte 0 is the command byte
      s_.ram[cmd & 0x1f] = v;
      break;
  }
  service();
}

void I8042::write_command(uint8_t cmd) {
  s_.last_was_command = true;
  s_.pending = 0;
  if (cmd >= 0x20 && cmd <= 0x3f) {
    reply(s_.ram[cmd & 0x1f]);
  } else if ((cmd >= 0x60 && cmd <= 0x7f) || cmd == 0xa5 || (cmd >= 0xd1 && cmd <= 0xd4)) {
    s_.pending = cmd;
  } else if (cmd >= 0xf0) {
    // Pulse output port bits 0-3 whose command bit is 0; bit 0 is the CPU reset line.
    if (!(cmd & kOutReset)) reset_requested_ = true;
  } else {
    switch (cmd) {
      case 0xa4: reply(0xf1); break;  // no password installed
      case 0xa7: s_.ram[0] |= kCmdAuxOff; break;
      case 0xa8: s_.ram[0] &= ~kCmdAuxOff; break;
      case 0xa9: reply(0x00); break;  // auxiliary interface test: no error
      case 0xaa: reply(0x55); break;  // controller self-test passed
      case 0xab: reply(0x00); break;  // keyboard interface test: no error
      case 0xad: s_.ram[0] |= kCmdKbdOff; break;
      case 0xae: s_.ram[0] &= ~kCmdKbdOff; break;
      case 0xc0: reply(kInputPort); break;
      case 0xd0: reply(output_port()); break;
      case 0xe0: reply(0x00); break;  // test inputs
      default: break;                 // unknown commands are ignored
    }
  }
  service();
}

void I8042::write_output_port(uint8_t v) {
  s_.out_port = v;
  if (a20_) a20_(v & kOutA20);
  if (!(v & kOutReset)) reset_requested_ = true;  // the reset line is active low
}

void I8042::service() {
  if (!s_.obf) {
    if (!s_.replies.empty()) {
      const uint16_t r = s_.replies.pop();
      s_.out = uint8_t(r);
      s_.out_aux = r & 0x100;
      s_.obf = true;
    }
    while (!s_.obf && !(s_.ram[0] & kCmdKbdOff) && kbd_.has_data()) {
      uint8_t b = kbd_.read();
      if (s_.ram[0] & kCmdTranslate) {
        // A set-2 break prefix F0h is absorbed and becomes bit 7 of the next byte.
        if (b == 0xf0) {
          s_.f0_seen = true;
          continue;
        }
        b = uint8_t(set2_to_set1(b) | (s_.f0_seen ? 0x80 : 0));
        s_.f0_seen = false;
      }
      s_.out = b;
      s_.out_aux = false;
      s_.obf = true;
    }
    if (!s_.obf && !(s_.ram[0] & kCmdAuxOff) && mouse_.has_data()) {
      s_.out = mouse_.read();
      s_.out_aux = true;
      s_.obf = true;
    }
  }
  update_irqs();
}

void I8042::update_irqs() {
  const bool l1 = s_.obf && !s_.out_aux && (s_.ram[0] & kCmdKbdInt);
  const bool l12 = s_.obf && s_.out_aux && (s_.ram[0] & kCmdAuxInt);
  if (l1 != s_.irq1) irq_sink_.set_irq(kKeyboardIrq, s_.irq1 = l1);
  if (l12 != s_.irq12) irq_sink_.set_irq(kMouseIrq, s_.irq12 = l12);
}

void I8042::serialize(Serializer& s) {
  for (uint8_t& b : s_.ram) s.io(b);
  for (uint8_t* b : {&s_.out, &s_.pending, &s_.out_port}) s.io(*b);
  for (bool* b : {&s_.obf, &s_.out_aux, &s_.last_was_command, &s_.f0_seen, &s_.irq1, &s_.irq12}) s.io(*b);
  s_.replies.serialize(s);
}

}  // namespace devices
