#include "devices/ps2_mouse.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace devices {
namespace {

constexpr uint8_t kAck = 0xfa, kResend = 0xfe, kBatOk = 0xaa, kMouseId = 0x00;

bool valid_rate(uint8_t r) {
  for (uint8_t v : {10, 20, 40, 60, 80, 100, 200})
    if (r == v) return true;
  return false;
}

// 2:1 scaling applies to stream-mode reports only: 0,1,1,3,6,9 for |n| <= 5, then 2n.
int scale21(int n) {
  constexpr int kSmall[6] = {0, 1, 1, 3, 6, 9};
  const int m = n < 0 ? -n : n;
  const int v = m <= 5 ? kSmall[m] : 2 * m;
  return n < 0 ? -v : v;
}

}  // namespace

void Ps2Mouse::reset() { s_ = State{}; }

void Ps2Mouse::set_defaults() {
  // Stream mode, reporting off, 100 samples/s, 4 counts/mm, 1:1 (IBM PS/2 TR, "Set Default").
  s_.reporting = s_.remote = s_.wrap = s_.scale21 = false;
  s_.resolution = 2;
  s_.sample_rate = 100;
  s_.dx = s_.dy = 0;
  s_.moved = false;
}

void Ps2Mouse::respond(std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) s_.resp.push(b);
  notify();
}

bool Ps2Mouse::has_data() const {
  return !s_.resp.empty() || !s_.packet.empty() || (s_.reporting && !s_.remote && !s_.wrap && s_.moved);
}

uint8_t Ps2Mouse::read() {
  if (!s_.resp.empty()) return s_.last_sent = s_.resp.pop();
  if (s_.packet.empty() && has_data()) make_packet(true, nullptr);
  if (s_.packet.empty()) return 0;
  return s_.last_sent = s_.packet.pop();
}

void Ps2Mouse::move(int dx, int dy, uint8_t buttons) {
  buttons &= kLeft | kRight | kMiddle;
  const bool counting = s_.remote || s_.reporting;  // stream mode with reporting off drops motion
  if (counting && (dx || dy)) {
    s_.dx = std::clamp(s_.dx + std::clamp(dx, -kMaxAccum, kMaxAccum), -kMaxAccum, kMaxAccum);
    s_.dy = std::clamp(s_.dy + std::clamp(dy, -kMaxAccum, kMaxAccum), -kMaxAccum, kMaxAccum);
    s_.moved = true;
  }
  if (buttons != s_.buttons) {
    s_.buttons = buttons;
    s_.moved = true;
  }
  if (has_data()) notify();
}

// Builds a packet from the counters into the stream packet buffer, or into `into` (a response).
void Ps2Mouse::make_packet(bool stream, RingFifo<uint8_t, 8>* into) {
  int x = s_.dx, y = s_.dy;
  if (stream && s_.scale21) x = scale21(x), y = scale21(y);
  // Byte 0: Y overflow, X overflow, Y sign, X sign, 1, middle, right, left; bytes 1 and 2 are
  // the low 8 bits of 9-bit two's-complement counts.
  uint8_t b0 = uint8_t(0x08 | s_.buttons);
  if (x < -256 || x > 255) b0 |= 0x40, x = std::clamp(x, -256, 255);
  if (y < -256 || y > 255) b0 |= 0x80, y = std::clamp(y, -256, 255);
  if (x < 0) b0 |= 0x10;
  if (y < 0) b0 |= 0x20;
  for (uint8_t b : {b0, uint8_t(x & 0xff), uint8_t(y & 0xff)}) into ? into->push(b) : s_.packet.push(b);
  s_.dx = s_.dy = 0;
  s_.moved = false;
}

void Ps2Mouse::write(uint8_t byte) {
  if (s_.wrap && byte != 0xec && byte != 0xff) return respond({byte});  // wrap mode echoes
  if (s_.arg_cmd && byte < 0xe6) {  // bytes from E6h up are commands, never arguments
    const uint8_t cmd = s_.arg_cmd;
    if (cmd == 0xf3 ? !valid_rate(byte) : byte > 3) return respond({kResend});
    (cmd == 0xf3 ? s_.sample_rate : s_.resolution) = byte;
    s_.arg_cmd = 0;
    return respond({kAck});
  }
  s_.arg_cmd = 0;
  command(byte);
}

void Ps2Mouse::command(uint8_t cmd) {
  // A command from the host aborts a stream packet in flight; the rest of it is dropped.
  if (cmd != 0xfe) s_.packet.clear();
  switch (cmd) {
    case 0xff:
      set_defaults();
      s_.resp.clear();
      return respond({kAck, kBatOk, kMouseId});
    case 0xfe: return respond({s_.last_sent});
    case 0xf6: set_defaults(); return respond({kAck});
    case 0xf5:
    case 0xf4:
      s_.reporting = cmd == 0xf4;
      s_.dx = s_.dy = 0;
      s_.moved = false;
      return respond({kAck});
    case 0xf3:
    case 0xe8: s_.arg_cmd = cmd; return respond({kAck});
    case 0xf2: return respond({kAck, kMouseId});
    case 0xf0:
    case 0xea:
      s_.remote = cmd == 0xf0;
      s_.dx = s_.dy = 0;
      s_.moved = false;
      return respond({kAck});
    case 0xee:
    case 0xec:
      s_.wrap = cmd == 0xee;
      s_.dx = s_.dy = 0;
      return respond({kAck});
    case 0xeb:  // read data: a packet now, whatever the mode
      s_.resp.push(kAck);
      make_packet(false, &s_.resp);
      return notify();
    case 0xe9: {  // status: mode/enable/scaling and buttons (left, middle, right), resolution, rate
      uint8_t st = uint8_t((s_.remote ? 0x40 : 0) | (s_.reporting ? 0x20 : 0) | (s_.scale21 ? 0x10 : 0));
      if (s_.buttons & kLeft) st |= 0x04;
      if (s_.buttons & kMiddle) st |= 0x02;
      if (s_.buttons & kRight) st |= 0x01;
      return respond({kAck, st, s_.resolution, s_.sample_rate});
    }
    case 0xe7:
    case 0xe6: s_.scale21 = cmd == 0xe7; return respond({kAck});
    default: return respond({kResend});
  }
}

void Ps2Mouse::serialize(Serializer& s) {
  for (bool* b : {&s_.reporting, &s_.remote, &s_.wrap, &s_.scale21, &s_.moved}) s.io(*b);
  for (uint8_t* b : {&s_.resolution, &s_.sample_rate, &s_.buttons, &s_.arg_cmd, &s_.last_sent}) s.io(*b);
  s.io(s_.dx);
  s.io(s_.dy);
  s_.resp.serialize(s);
  s_.packet.serialize(s);
  if (s.loading() && (std::abs(s_.dx) > kMaxAccum || std::abs(s_.dy) > kMaxAccum || s_.buttons > 7))
    throw std::runtime_error("ps2-mouse: state is invalid");
}

}  // namespace devices
