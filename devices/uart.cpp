#include "devices/uart.h"

namespace devices {
namespace {

// Register bits (PC16550D datasheet, section 8).
constexpr uint8_t kIerRda = 0x01, kIerThre = 0x02, kIerRls = 0x04, kIerMsi = 0x08;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kMcrOut2 = 0x08, kMcrLoop = 0x10;
constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrErrors = 0x1e, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint8_t kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;

// IIR interrupt identification codes (bits 3:0), highest priority first (Table V).
constexpr uint8_t kIirNone = 0x01, kIirRls = 0x06, kIirRda = 0x04, kIirTimeout = 0x0c, kIirThre = 0x02,
                  kIirMsr = 0x00;

constexpr uint8_t kDefaultModemInputs = kMsrCts | kMsrDsr | kMsrDcd;

}  // namespace

Uart::Uart(machine::Clock& clock, IrqSink& irq_sink, uint16_t base, unsigned irq, Timing timing)
    : clock_(clock), irq_sink_(irq_sink), base_(base), irq_(irq), timing_(timing) {
  tx_timer_ = clock_.add_timer([this] { tx_complete(); });
  timeout_timer_ = clock_.add_timer([this] { on_timeout(); });
  s_.modem_inputs = kDefaultModemInputs;
}

void Uart::reset() {
  clock_.cancel(tx_timer_);
  clock_.cancel(timeout_timer_);
  const uint8_t inputs = s_.modem_inputs;  // the cable, not the chip
  const bool level = s_.irq_level;
  s_ = State{};
  s_.modem_inputs = inputs;
  s_.irq_level = level;
  update_irq();
}

uint64_t Uart::char_time_ns() const {
  // Bits on the wire, in half bits: start + 5..8 data + optional parity + 1, 1.5 (5-bit
  // characters) or 2 stop bits (LCR bits 0-3).
  const unsigned data_bits = 5 + (s_.lcr & 3);
  const unsigned parity = (s_.lcr >> 3) & 1;
  const unsigned stop_half = (s_.lcr & 4) ? (data_bits == 5 ? 3 : 4) : 2;
  const uint64_t half_bits = 2 * (1 + data_bits + parity) + stop_half;
  // Baud = clock / (16 x divisor); a divisor of 0 behaves as the 16-bit counter's 65536.
  const uint64_t divisor = s_.divisor ? s_.divisor : 65536;
  return half_bits * divisor * 16 * 1'000'000'000ull / (2ull * kInputClockHz);
}

unsigned Uart::rx_trigger() const {
  if (!fifo_mode()) return 1;
  constexpr unsigned kLevels[4] = {1, 4, 8, 14};  // FCR bits 7:6
  return kLevels[s_.fcr >> 6];
}

uint8_t Uart::lsr() const {
  uint8_t v = s_.lsr_errors;
  if (!s_.rx.empty()) v |= kLsrDr;
  if (s_.tx.empty()) v |= kLsrThre;
  if (s_.tx.empty() && !s_.tsr_busy) v |= kLsrTemt;
  // Bit 7 (error in RX FIFO) counts parity/framing/break errors, which a byte-stream backend
  // never produces.
  return v;
}

uint8_t Uart::effective_modem_inputs() const {
  if (!(s_.mcr & kMcrLoop)) return s_.modem_inputs;
  // Loopback ties DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD (datasheet 8.6, MCR bit 4).
  uint8_t v = 0;
  if (s_.mcr & 0x02) v |= kMsrCts;
  if (s_.mcr & 0x01) v |= kMsrDsr;
  if (s_.mcr & 0x04) v |= kMsrRi;
  if (s_.mcr & 0x08) v |= kMsrDcd;
  return v;
}

uint8_t Uart::iir() const {
  uint8_t id = kIirNone;
  if ((s_.ier & kIerRls) && (lsr() & kLsrErrors))
    id = kIirRls;
  else if ((s_.ier & kIerRda) && s_.rx.size() >= rx_trigger())
    id = kIirRda;
  else if ((s_.ier & kIerRda) && s_.timeout_pending)
    id = kIirTimeout;
  else if ((s_.ier & kIerThre) && s_.thre_pending)
    id = kIirThre;
  else if ((s_.ier & kIerMsi) && s_.msr_delta)
    id = kIirMsr;
  return uint8_t(id | (fifo_mode() ? 0xc0 : 0));
}

void Uart::update_irq() {
  // PC serial cards drive the IRQ line through a buffer enabled by -OUT2; loopback forces the
  // modem outputs inactive, so the line stays low then.
  const bool level = !(iir() & 1) && (s_.mcr & kMcrOut2) && !(s_.mcr & kMcrLoop);
  if (level == s_.irq_level) return;
  s_.irq_level = level;
  irq_sink_.set_irq(irq_, level);
}

uint32_t Uart::port_read(uint16_t port, unsigned size) {
  return split_read(port, size, [this](uint16_t p) -> uint8_t {
    const unsigned off = unsigned(p - base_);
    return off < 8 ? read_reg(uint8_t(off)) : 0xff;
  });
}

void Uart::port_write(uint16_t port, unsigned size, uint32_t value) {
  split_write(port, size, value, [this](uint16_t p, uint8_t v) {
    const unsigned off = unsigned(p - base_);
    if (off < 8) write_reg(uint8_t(off), v);
  });
}

uint8_t Uart::read_reg(uint8_t reg) {
  const bool dlab = s_.lcr & kLcrDlab;
  switch (reg) {
    case kData: {
      if (dlab) return uint8_t(s_.divisor);
      if (s_.rx.empty()) return s_.last_rbr;
      s_.last_rbr = s_.rx.pop();
      // Reading the FIFO clears a timeout indication and restarts the timer (datasheet 8.4).
      s_.timeout_pending = false;
      restart_timeout();
      update_irq();
      return s_.last_rbr;
    }
    case kIer: return dlab ? uint8_t(s_.divisor >> 8) : s_.ier;
    case kIir: {
      const uint8_t v = iir();
      if ((v & 0x0f) == kIirThre) {  // reading IIR with THRE as the source clears it
        s_.thre_pending = false;
        update_irq();
      }
      return v;
    }
    case kLcr: return s_.lcr;
    case kMcr: return s_.mcr;
    case kLsr: {
      const uint8_t v = lsr();
      s_.lsr_errors = 0;
      update_irq();
      return v;
    }
    case kMsr: {
      const uint8_t v = uint8_t(effective_modem_inputs() | s_.msr_delta);
      s_.msr_delta = 0;
      update_irq();
      return v;
    }
    default: return s_.scr;
  }
}

void Uart::write_reg(uint8_t reg, uint8_t v) {
  const bool dlab = s_.lcr & kLcrDlab;
  switch (reg) {
    case kData:
      if (dlab) {
        s_.divisor = uint16_t((s_.divisor & 0xff00) | v);
        return;
      }
      if (s_.tx.size() >= tx_capacity()) {
        if (fifo_mode()) return;  // a full transmit FIFO drops the byte
        s_.tx.clear();            // the 16450-mode THR is simply overwritten
      }
      s_.tx.push(v);
      s_.thre_pending = false;
      if (!s_.tsr_busy) start_tx(clock_.now_ns());
      update_irq();
      return;
    case kIer:
      if (dlab) {
        s_.divisor = uint16_t((s_.divisor & 0x00ff) | (v << 8));
        return;
      }
      // Enabling ETBEI while THR is empty raises the THRE interrupt at once.
      if (!(s_.ier & kIerThre) && (v & kIerThre) && s_.tx.empty()) s_.thre_pending = true;
      s_.ier = v & 0x0f;
      update_irq();
      return;
    case kIir: write_fcr(v); return;
    case kLcr: s_.lcr = v; return;
    case kMcr: write_mcr(v); return;
    case kLsr:
    case kMsr: return;  // read-only (the LSR write is a factory test mode)
    default: s_.scr = v; return;
  }
}

void Uart::write_fcr(uint8_t v) {
  const bool enable = v & 1;
  const bool had_tx = !s_.tx.empty();
  bool clear_rx = v & 0x02, clear_tx = v & 0x04;
  if (enable != fifo_mode()) clear_rx = clear_tx = true;  // changing FCR0 resets both FIFOs
  // The other bits only take when FCR0 is written as 1 (datasheet 8.5).
  s_.fcr = enable ? uint8_t(v & 0xc9) : uint8_t(s_.fcr & 0xc8);
  if (clear_rx) {
    s_.rx.clear();
    s_.timeout_pending = false;
    restart_timeout();
  }
  if (clear_tx) {
    s_.tx.clear();
    if (had_tx) s_.thre_pending = true;  // THR just became empty
  }
  update_irq();
}

void Uart::write_mcr(uint8_t v) {
  const uint8_t old_inputs = effective_modem_inputs();
  s_.mcr = v & 0x1f;  // bits 5-7 are always 0 on the 16550A
  update_modem_status(old_inputs);
}

void Uart::set_modem_inputs(bool cts, bool dsr, bool ri, bool dcd) {
  const uint8_t old_inputs = effective_modem_inputs();
  s_.modem_inputs = uint8_t((cts ? kMsrCts : 0) | (dsr ? kMsrDsr : 0) | (ri ? kMsrRi : 0) | (dcd ? kMsrDcd : 0));
  update_modem_status(old_inputs);
}

void Uart::update_modem_status(uint8_t old_inputs) {
  const uint8_t now = effective_modem_inputs();
  const uint8_t changed = old_inputs ^ now;
  if (changed & kMsrCts) s_.msr_delta |= 0x01;
  if (changed & kMsrDsr) s_.msr_delta |= 0x02;
  if ((old_inputs & kMsrRi) && !(now & kMsrRi)) s_.msr_delta |= 0x04;  // trailing edge only
  if (changed & kMsrDcd) s_.msr_delta |= 0x08;
  update_irq();
}

void Uart::receive(uint8_t byte) {
  if (s_.mcr & kMcrLoop) return;
  s_.rx_free_ns = clock_.now_ns() + wire_char_ns();
  rx_deposit(byte);
}

bool Uart::can_receive() const {
  return !(s_.mcr & kMcrLoop) && clock_.now_ns() >= s_.rx_free_ns && s_.rx.size() < rx_capacity();
}

void Uart::rx_deposit(uint8_t byte) {
  if (s_.rx.size() >= rx_capacity()) {
    s_.lsr_errors |= kLsrOe;
    // In FIFO mode the character in the shift register is lost; in 16450 mode it overwrites RBR.
    if (!fifo_mode()) {
      s_.rx.clear();
      s_.rx.push(byte);
    }
  } else {
    s_.rx.push(byte);
    if (!s_.timeout_pending) restart_timeout();
  }
  update_irq();
}

void Uart::restart_timeout() {
  if (fifo_mode() && !s_.rx.empty()) {
    // Four character times without FIFO activity (datasheet 8.4, Table V note).
    s_.timeout_ns = clock_.now_ns() + 4 * char_time_ns();
    clock_.arm(timeout_timer_, s_.timeout_ns);
  } else {
    s_.timeout_ns = machine::Clock::kNever;
    clock_.cancel(timeout_timer_);
  }
}

void Uart::on_timeout() {
  s_.timeout_ns = machine::Clock::kNever;
  if (fifo_mode() && !s_.rx.empty()) s_.timeout_pending = true;
  update_irq();
}

void Uart::start_tx(uint64_t now_ns) {
  if (s_.tx.empty()) return;
  s_.tsr = s_.tx.pop();
  s_.tsr_busy = true;
  s_.tx_done_ns = now_ns + wire_char_ns();
  clock_.arm(tx_timer_, s_.tx_done_ns);
  if (s_.tx.empty()) s_.thre_pending = true;  // THR / TX FIFO just emptied
}

void Uart::tx_complete() {
  // The next character starts exactly when this one ended, however late the timer ran.
  const uint64_t done = s_.tx_done_ns;
  s_.tx_done_ns = machine::Clock::kNever;
  if (!s_.tsr_busy) return;
  s_.tsr_busy = false;
  const uint8_t byte = s_.tsr;
  const bool loop = s_.mcr & kMcrLoop;
  start_tx(done);
  if (loop) {
    rx_deposit(byte);  // SOUT is held marking; the character goes to the receiver instead
  } else {
    update_irq();
    if (backend_ && !muted_) backend_->transmit(byte);
  }
}

void Uart::flush_tx() {
  while (s_.tsr_busy) tx_complete();  // each completion moves the next byte into the shifter
  clock_.cancel(tx_timer_);
}

void Uart::serialize(Serializer& s) {
  s.io(s_.divisor);
  for (uint8_t* b : {&s_.ier, &s_.lcr, &s_.mcr, &s_.scr, &s_.lsr_errors, &s_.msr_delta, &s_.fcr,
                     &s_.modem_inputs, &s_.last_rbr, &s_.tsr})
    s.io(*b);
  for (bool* b : {&s_.thre_pending, &s_.timeout_pending, &s_.tsr_busy, &s_.irq_level}) s.io(*b);
  for (uint64_t* t : {&s_.tx_done_ns, &s_.timeout_ns, &s_.rx_free_ns}) s.io(*t);
  s_.rx.serialize(s);
  s_.tx.serialize(s);
  if (!s.loading()) return;
  if (s_.tsr_busy != (s_.tx_done_ns != machine::Clock::kNever))
    throw std::runtime_error("uart: transmitter state is invalid");
  s_.ier &= 0x0f;
  s_.mcr &= 0x1f;
  // Timers belong to the device's state; re-arm them from it.
  if (s_.tx_done_ns != machine::Clock::kNever) clock_.arm(tx_timer_, s_.tx_done_ns);
  else clock_.cancel(tx_timer_);
  if (s_.timeout_ns != machine::Clock::kNever) clock_.arm(timeout_timer_, s_.timeout_ns);
  else clock_.cancel(timeout_timer_);
}

}  // namespace devices
