// The 8254 programmable interval timer at 40h-43h, clocked at 1.193182 MHz of virtual time.
// Reference: Intel 8254 datasheet (control word, read-back command, modes 0-5 and their GATE and
// OUT behaviour).
//
// Integrator: register ports 0x40-0x43; OUT0 drives `irq` (IRQ 0) through the IrqSink. Counters
// 0 and 1 have GATE tied high; counter 2's GATE and OUT are reached through port 61h (Port61).
//
// No per-tick work: each counter is described by when its counting element was loaded and with
// what, and OUT/count are computed from the PIT tick at the moment they are needed. A clock timer
// is armed only for the next OUT0 transition.
#pragma once

#include <array>
#include <cstdint>

#include "devices/device.h"
#include "machine/clock.h"

namespace devices {

class Pit : public Device, public PortDevice {
 public:
  static constexpr uint64_t kHz = 1193182;

  Pit(machine::Clock& clock, IrqSink& irq_sink, unsigned irq = 0);

  const char* name() const override { return "pit"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  void set_gate(unsigned counter, bool level);
  bool gate(unsigned counter) const { return counters_[counter % 3].gate; }
  // The counter's OUT pin now.
  bool out(unsigned counter);

  // PIT ticks elapsed at a virtual time, and the first virtual ns at which `tick` has happened.
  static int64_t ticks_at(uint64_t ns);
  static uint64_t tick_ns(int64_t tick);

 private:
  enum Phase : uint8_t { kIdle, kWaiting, kRunning, kPaused };

  struct Counter {
    // Programming (control word bits 5-0, as returned in the read-back status).
    uint8_t control = 0;
    uint8_t mode = 0, rw = 3;
    bool bcd = false;
    // Bus interface: write and read flip-flops, output latch, status latch.
    bool write_msb = false, read_msb = false;
    uint8_t write_lsb = 0;
    uint16_t cr = 0;  // count register, as written
    uint16_t latch = 0;
    uint8_t latch_bytes = 0;  // bytes of the latched count still to read
    bool latch_msb = false;
    bool status_latched = false;
    uint8_t status = 0;
    bool null_count = true;
    int64_t null_until = 0;  // tick at which CR reaches CE (kNeverTick: waiting for a trigger)
    bool gate = true;
    // Counting element: from tick `start` on, CE was loaded with `n` (1..65536 or 1..10000) and
    // counts; `offset` shifts mode 3's square wave. Before `start`, or when not running, OUT and
    // CE hold `hold_out`/`hold_ce`.
    Phase phase = kIdle;
    int64_t start = 0;
    uint32_t n = 0, offset = 0;
    int64_t frozen_elapsed = 0;  // kPaused in modes 0/4: counts done before GATE fell
    bool hold_out = true;  // before any control word: OUT high, so programming gives no edge
    uint32_t hold_ce = 0;
    // Modes 2/3: a count written while counting takes over at the next reload (tick `pend_at`).
    bool pend = false;
    int64_t pend_at = 0;
    uint32_t pend_n = 0, pend_offset = 0;
  };

  struct Eval {
    bool out;
    uint32_t ce;  // counting element, 0..modulus-1
  };

  static constexpr int64_t kNeverTick = INT64_MAX;

  uint8_t read8(uint16_t port);
  void write8(uint16_t port, uint8_t v);
  void write_control(uint8_t v);
  void latch_count(Counter& c, int64_t t);
  void latch_status(Counter& c, int64_t t);
  void write_count(Counter& c, uint8_t v, int64_t t);
  void load_count(Counter& c, int64_t t);
  uint8_t read_count(Counter& c, int64_t t);

  static uint32_t modulus(const Counter& c) { return c.bcd ? 10000 : 65536; }
  static uint32_t decode(const Counter& c, uint16_t raw);
  static uint16_t encode(const Counter& c, uint32_t v);
  static void rebase(Counter& c, int64_t t);
  static Eval eval_at(const Counter& c, int64_t elapsed);
  static Eval eval(Counter& c, int64_t t);
  static int64_t next_event(Counter& c, int64_t t);
  void freeze(Counter& c, int64_t t);

  int64_t now_tick() const { return ticks_at(clock_.now_ns()); }
  // Brings OUT0 and the IRQ line up to tick `t`, one transition at a time, then re-arms.
  void sync(int64_t t);
  void emit(bool level);
  void rearm();
  void on_timer();

  machine::Clock& clock_;
  IrqSink& irq_sink_;
  unsigned irq_;
  machine::Clock::TimerId timer_;
  std::array<Counter, 3> counters_;
  bool irq_level_ = false;
  int64_t synced_ = 0;  // OUT0 transitions up to this tick have been delivered
};

}  // namespace devices
