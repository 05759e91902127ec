#include "devices/pit.h"

#include <algorithm>

#include "devices/byte_ports.h"

namespace devices {
namespace {

constexpr uint64_t kNsPerSec = 1'000'000'000;
// Bounds the work when OUT0 has fallen far behind (only possible if timers were not run): the
// missed transitions collapse into one pulse.
constexpr int kMaxCatchUpSteps = 64;

constexpr int64_t kMaxTick = int64_t(1) << 62;

int64_t floor_mod(int64_t a, int64_t m) { return ((a % m) + m) % m; }

}  // namespace

Pit::Pit(machine::Clock& clock, IrqSink& irq_sink, unsigned irq)
    : clock_(clock), irq_sink_(irq_sink), irq_(irq) {
  timer_ = clock_.add_timer([this] { on_timer(); });
  reset();
}

int64_t Pit::ticks_at(uint64_t ns) { return int64_t((unsigned __int128)ns * kHz / kNsPerSec); }

uint64_t Pit::tick_ns(int64_t tick) {
  return uint64_t(((unsigned __int128)tick * kNsPerSec + kHz - 1) / kHz);
}

void Pit::reset() {
  // Power-on: no control word written yet; GATE inputs are wires and keep their level.
  for (Counter& c : counters_) {
    const bool gate = c.gate;
    c = Counter{};
    c.gate = gate;
  }
  synced_ = now_tick();
  irq_level_ = counters_[0].hold_out;
  irq_sink_.set_irq(irq_, irq_level_);
  rearm();
}

void Pit::serialize(Serializer& s) {
  for (Counter& c : counters_) {
    s.io(c.control), s.io(c.mode), s.io(c.rw), s.io(c.bcd), s.io(c.write_msb), s.io(c.read_msb);
    s.io(c.write_lsb), s.io(c.cr), s.io(c.latch), s.io(c.latch_bytes), s.io(c.latch_msb);
    s.io(c.status_latched), s.io(c.status), s.io(c.null_count), s.io(c.null_until), s.io(c.gate);
    s.io(c.phase), s.io(c.start), s.io(c.n), s.io(c.offset), s.io(c.frozen_elapsed);
    s.io(c.hold_out), s.io(c.hold_ce), s.io(c.pend), s.io(c.pend_at), s.io(c.pend_n);
    s.io(c.pend_offset);
    if (s.loading()) {  // keep a damaged snapshot from dividing by zero or indexing out of range
      if (c.mode > 5) c.mode = 0;
      if (c.rw < 1 || c.rw > 3) c.rw = 3;
      if (c.phase > kPaused) c.phase = kIdle;
      if (c.latch_bytes > 2) c.latch_bytes = 0;
      // A count of 0 is a counter never loaded (power-on); only a counting one needs one.
      if (c.n > 65536 || (c.n == 0 && (c.phase == kRunning || c.phase == kPaused))) c.n = 65536;
      if (c.pend_n > 65536 || (c.pend_n == 0 && c.pend)) c.pend_n = 65536;
      c.offset = c.n ? c.offset % c.n : 0;
      c.pend_offset = c.pend_n ? c.pend_offset % c.pend_n : 0;
      // Ticks stay far from overflow: 2^62 CLKs is 10^5 years.
      c.frozen_elapsed = std::clamp<int64_t>(c.frozen_elapsed, 0, kMaxTick);
      c.start = std::clamp<int64_t>(c.start, 0, kMaxTick);
      c.pend_at = std::clamp<int64_t>(c.pend_at, 0, kMaxTick);
    }
  }
  s.io(irq_level_);
  s.io(synced_);
  if (s.loading()) {
    synced_ = std::clamp<int64_t>(synced_, 0, kMaxTick);
    rearm();
  }
}

uint32_t Pit::port_read(uint16_t port, unsigned size) {
  return read_bytewise(port, size, [this](uint16_t p) { return read8(p); });
}

void Pit::port_write(uint16_t port, unsigned size, uint32_t value) {
  write_bytewise(port, size, value, [this](uint16_t p, uint8_t v) { write8(p, v); });
}

uint8_t Pit::read8(uint16_t port) {
  if (port < 0x40 || port > 0x42) return 0xff;  // the control register is write-only
  const int64_t t = now_tick();
  sync(t);
  const uint8_t v = read_count(counters_[port - 0x40], t);
  rearm();  // a read may complete a mode-2/3 reload
  return v;
}

void Pit::write8(uint16_t port, uint8_t v) {
  if (port < 0x40 || port > 0x43) return;
  const int64_t t = now_tick();
  sync(t);
  if (port == 0x43)
    write_control(v);
  else
    write_count(counters_[port - 0x40], v, t);
  emit(eval(counters_[0], t).out);
  rearm();
}

void Pit::write_control(uint8_t v) {
  const int64_t t = synced_;
  const unsigned sc = v >> 6;
  if (sc == 3) {
    // Read-back (8254 datasheet): bit 5 = /COUNT, bit 4 = /STATUS, bits 3-1 select counters.
    for (unsigned i = 0; i < 3; i++) {
      if (!(v & (2u << i))) continue;
      if (!(v & 0x10)) latch_status(counters_[i], t);
      if (!(v & 0x20)) latch_count(counters_[i], t);
    }
    return;
  }
  Counter& c = counters_[sc];
  const uint8_t rw = (v >> 4) & 3;
  if (rw == 0) {
    latch_count(c, t);
    return;
  }
  // A control word resets the counter's logic and puts OUT in its initial state: low in mode 0,
  // high otherwise. CE keeps its value but stops until a count is written.
  const uint32_t ce = eval(c, t).ce;
  const uint8_t mode = (v >> 1) & 7;
  c.control = v & 0x3f;
  c.rw = rw;
  c.mode = mode > 5 ? mode - 4 : mode;  // 110 and 111 are modes 2 and 3
  c.bcd = v & 1;
  c.write_msb = c.read_msb = c.latch_msb = c.status_latched = c.pend = false;
  c.latch_bytes = 0;
  c.phase = kIdle;
  c.hold_out = c.mode != 0;
  c.hold_ce = ce % modulus(c);
  c.null_count = true;
  c.null_until = kNeverTick;
}

void Pit::latch_count(Counter& c, int64_t t) {
  if (c.latch_bytes) return;  // a second latch before the first is read is ignored
  c.latch = encode(c, eval(c, t).ce);
  c.latch_bytes = c.rw == 3 ? 2 : 1;
  c.latch_msb = c.rw == 2;
}

void Pit::latch_status(Counter& c, int64_t t) {
  if (c.status_latched) return;
  const bool null_count = c.null_count && t < c.null_until;
  c.status = uint8_t((eval(c, t).out ? 0x80 : 0) | (null_count ? 0x40 : 0) | c.control);
  c.status_latched = true;
}

uint8_t Pit::read_count(Counter& c, int64_t t) {
  if (c.status_latched) {
    c.status_latched = false;
    return c.status;
  }
  if (c.latch_bytes) {
    const uint8_t b = uint8_t(c.latch_msb ? c.latch >> 8 : c.latch);
    c.latch_bytes--;
    c.latch_msb = !c.latch_msb;
    return b;
  }
  const uint16_t v = encode(c, eval(c, t).ce);
  bool msb = c.rw == 2;
  if (c.rw == 3) {
    msb = c.read_msb;
    c.read_msb = !c.read_msb;
  }
  return uint8_t(msb ? v >> 8 : v);
}

void Pit::write_count(Counter& c, uint8_t v, int64_t t) {
  switch (c.rw) {
    case 1: c.cr = v; break;  // the other byte of the count is zero
    case 2: c.cr = uint16_t(v << 8); break;
    default:
      if (!c.write_msb) {
        c.write_lsb = v;
        c.write_msb = true;
        // Mode 0: writing the first byte of a new count stops counting.
        if (c.mode == 0 && c.phase == kRunning) freeze(c, t);
        return;
      }
      c.cr = uint16_t(c.write_lsb | v << 8);
      c.write_msb = false;
      break;
  }
  load_count(c, t);
}

// A complete count is in CR. Modes 0, 2, 3 and 4 move it to CE on the next CLK; modes 1 and 5
// wait for a GATE trigger; a running mode 2/3 counter takes it at its next reload.
void Pit::load_count(Counter& c, int64_t t) {
  const uint32_t n = decode(c, c.cr);
  const Eval now = eval(c, t);
  c.null_count = true;
  switch (c.mode) {
    case 0:
    case 4:
      c.hold_out = c.mode == 4;  // mode 0: OUT goes low when a count is written
      c.hold_ce = now.ce;
      c.n = n;
      c.offset = 0;
      c.null_until = t + 1;
      if (c.gate) {
        c.phase = kRunning;
        c.start = t + 1;
      } else {
        c.phase = kPaused;
        c.frozen_elapsed = 0;
        c.hold_ce = n % modulus(c);
      }
      return;
    case 1:
    case 5:
      if (c.phase == kIdle) c.phase = kWaiting;
      c.null_until = kNeverTick;
      return;
    default:  // modes 2 and 3
      if (c.phase == kRunning && t < c.start) {
        c.n = n;  // not loaded yet: the newer count wins
        c.null_until = c.start;
      } else if (c.phase == kRunning) {
        const int64_t e = t - c.start;
        c.pend = true;
        c.pend_n = n;
        c.pend_offset = 0;
        if (c.mode == 2) {
          c.pend_at = c.start + (e / c.n + 1) * c.n;
        } else {
          // Mode 3 reloads at the end of each half-cycle; after a high half the new count starts
          // with its low half.
          const int64_t p = (e + c.offset) % c.n, h = (c.n + 1) / 2;
          c.pend_at = t + (p < h ? h - p : c.n - p);
          if (p < h) c.pend_offset = (n + 1) / 2;
        }
        c.null_until = c.pend_at;
      } else if (c.gate) {
        c.phase = kRunning;
        c.start = t + 1;
        c.n = n;
        c.offset = 0;
        c.hold_out = true;
        c.hold_ce = now.ce;
        c.null_until = t + 1;
      } else {
        if (c.phase == kIdle) c.phase = kWaiting;
        c.hold_out = true;
        c.null_until = kNeverTick;
      }
      return;
  }
}

void Pit::set_gate(unsigned counter, bool level) {
  const int64_t t = now_tick();
  sync(t);
  Counter& c = counters_[counter % 3];
  if (c.gate != level) {
    c.gate = level;
    if (level) {
      switch (c.mode) {
        case 0:
        case 4:
          if (c.phase == kPaused) {
            c.phase = kRunning;
            c.start = t - c.frozen_elapsed;
          }
          break;
        case 1:
        case 5:
          if (c.phase == kIdle) break;
          // Trigger: CE is (re)loaded from CR on the next CLK. Mode 1's OUT falls then.
          {
            const Eval now = eval(c, t);
            c.hold_out = now.out;
            c.hold_ce = now.ce;
          }
          c.phase = kRunning;
          c.start = t + 1;
          c.n = decode(c, c.cr);
          c.null_until = std::min(c.null_until, t + 1);
          break;
        default:  // modes 2 and 3: a rising GATE reloads the count on the next CLK
          if (c.phase != kPaused && c.phase != kWaiting) break;
          c.phase = kRunning;
          c.start = t + 1;
          c.n = decode(c, c.cr);
          c.offset = 0;
          c.pend = false;
          c.null_until = std::min(c.null_until, t + 1);
          break;
      }
    } else if (c.phase == kRunning && c.mode != 1 && c.mode != 5) {
      freeze(c, t);
    }
  }
  emit(eval(counters_[0], t).out);
  rearm();
}

// GATE low in modes 0/2/3/4 (or a half-written mode 0 count): CE stops. Modes 2 and 3 also drive
// OUT high at once; a rising GATE then restarts them from CR.
void Pit::freeze(Counter& c, int64_t t) {
  const Eval now = eval(c, t);
  c.frozen_elapsed = t >= c.start ? t - c.start : 0;
  c.hold_ce = t >= c.start ? now.ce : c.n % modulus(c);
  c.hold_out = c.mode == 2 || c.mode == 3 ? true : now.out;
  c.pend = false;
  c.phase = kPaused;
}

bool Pit::out(unsigned counter) {
  const int64_t t = now_tick();
  if (counter % 3 == 0) {
    sync(t);
    rearm();
  }
  return eval(counters_[counter % 3], t).out;
}

uint32_t Pit::decode(const Counter& c, uint16_t raw) {
  uint32_t v = raw;
  if (c.bcd)  // invalid digits (A-F) are weighted like valid ones; the chip's result is undefined
    v = ((raw >> 12) & 15) * 1000 + ((raw >> 8) & 15) * 100 + ((raw >> 4) & 15) * 10 + (raw & 15);
  v %= modulus(c);
  return v ? v : modulus(c);  // a count of 0 is the largest: 2^16 or 10^4
}

uint16_t Pit::encode(const Counter& c, uint32_t v) {
  v %= modulus(c);
  if (!c.bcd) return uint16_t(v);
  return uint16_t((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

void Pit::rebase(Counter& c, int64_t t) {
  if (!c.pend || t < c.pend_at) return;
  c.start = c.pend_at;
  c.n = c.pend_n;
  c.offset = c.pend_offset;
  c.pend = false;
}

// OUT and CE `elapsed` CLKs after CE was loaded (8254 datasheet, mode descriptions).
Pit::Eval Pit::eval_at(const Counter& c, int64_t elapsed) {
  const int64_t n = c.n, m = modulus(c);
  switch (c.mode) {
    case 0:
    case 1:  // OUT rises at terminal count and stays high; CE wraps and keeps counting
      return {elapsed >= n, uint32_t(floor_mod(n - elapsed, m))};
    case 4:
    case 5:  // OUT is low for the one CLK at which CE reaches zero
      return {elapsed != n, uint32_t(floor_mod(n - elapsed, m))};
    case 2: {  // OUT low while CE is 1, then CE reloads: period n
      if (n <= 1) return {true, 1};  // count 1 is illegal in mode 2
      const int64_t pos = elapsed % n;
      return {pos != n - 1, uint32_t((n - pos) % m)};
    }
    default: {  // mode 3: high for ceil(n/2) CLKs, low for floor(n/2); CE counts down by two
      if (n <= 1) return {true, 0};
      const int64_t p = (elapsed + c.offset) % n, h = (n + 1) / 2;
      if (p < h) return {true, uint32_t((2 * (h - p) - (n & 1 ? 2 : 0)) % m)};
      return {false, uint32_t(2 * (n - p) % m)};
    }
  }
}

Pit::Eval Pit::eval(Counter& c, int64_t t) {
  rebase(c, t);
  if (c.phase == kRunning && t >= c.start) return eval_at(c, t - c.start);
  return {c.hold_out, c.hold_ce};
}

// The first tick after `t` at which OUT may change or a pending reload happens.
int64_t Pit::next_event(Counter& c, int64_t t) {
  if (c.phase != kRunning) return kNeverTick;
  rebase(c, t);
  if (t < c.start) return c.start;
  const int64_t e = t - c.start, n = c.n;
  int64_t next = kNeverTick;
  switch (c.mode) {
    case 0:
    case 1:
      if (e < n) next = c.start + n;
      break;
    case 4:
    case 5:
      if (e < n) next = c.start + n;
      else if (e == n) next = c.start + n + 1;
      break;
    case 2:
      if (n > 1) {
        const int64_t pos = e % n;
        next = pos < n - 1 ? t + (n - 1 - pos) : t + 1;
      }
      break;
    default:
      if (n > 1) {
        const int64_t p = (e + c.offset) % n, h = (n + 1) / 2;
        next = p < h ? t + (h - p) : t + (n - p);
      }
      break;
  }
  if (c.pend) next = std::min(next, c.pend_at);
  return next;
}

void Pit::emit(bool level) {
  if (level == irq_level_) return;
  irq_level_ = level;
  irq_sink_.set_irq(irq_, level);
}

void Pit::sync(int64_t t) {
  if (t < synced_) t = synced_;
  Counter& c = counters_[0];
  int64_t cur = synced_;
  for (int steps = 0;; steps++) {
    const int64_t e = next_event(c, cur);
    if (e > t) break;
    if (steps == kMaxCatchUpSteps) {
      emit(false);
      emit(true);
      break;
    }
    cur = e;
    emit(eval(c, e).out);
  }
  emit(eval(c, t).out);
  synced_ = t;
}

void Pit::rearm() {
  const int64_t next = next_event(counters_[0], synced_);
  if (next == kNeverTick)
    clock_.cancel(timer_);
  else
    clock_.arm(timer_, tick_ns(next));
}

void Pit::on_timer() {
  sync(now_tick());
  rearm();
}

}  // namespace devices
