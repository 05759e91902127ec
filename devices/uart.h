// National Semiconductor PC16550D-compatible UART (16550A): eight byte registers at `base`,
// 16-byte receive and transmit FIFOs, and an interrupt output gated by OUT2 as PC serial cards
// wire it.
//
// Two transmit timings, both in virtual time and so deterministic:
// - Fast (the default, as QEMU behaves): a character leaves the transmitter kFastCharNs after it
//   entered it, whatever the divisor, and the receiver takes host bytes at that pace. A console
//   at 9600 baud then costs the guest no more than one at 115200.
// - Baud: a character occupies the line for its real time at the programmed divisor and LCR
//   (start, data, parity and stop bits at 1.8432 MHz / (16 x divisor)), for guests that time
//   themselves by the serial line.
// The receiver's character timeout counts character times at the programmed rate in both.
#pragma once

#include <cstdint>

#include "devices/device.h"
#include "devices/fifo.h"
#include "machine/clock.h"

namespace devices {

// The host side of a serial port. Bytes the guest transmits arrive here one at a time, when
// their last stop bit has left the transmitter in virtual time (or when the machine stops).
class SerialBackend {
 public:
  virtual ~SerialBackend() = default;
  virtual void transmit(uint8_t byte) = 0;
};

class Uart : public Device, public PortDevice {
 public:
  static constexpr uint32_t kInputClockHz = 1'843'200;  // the PC's 1.8432 MHz crystal
  static constexpr unsigned kFifoDepth = 16;
  // Fast timing's character time: far below any real rate's (86.8 us at 115200 baud), but not
  // zero, so THRE still rises after the write that cleared it, as drivers expect.
  static constexpr uint64_t kFastCharNs = 1'000;
  enum class Timing : uint8_t { Fast, Baud };

  // Occupies ports base..base+7 (3F8h/2F8h/3E8h/2E8h) and drives `irq` (4 or 3) on `irq_sink`.
  Uart(machine::Clock& clock, IrqSink& irq_sink, uint16_t base, unsigned irq, Timing timing = Timing::Fast);

  const char* name() const override { return "uart16550a"; }
  void reset() override;
  void serialize(Serializer& s) override;
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  uint16_t base() const { return base_; }
  unsigned irq() const { return irq_; }
  void set_backend(SerialBackend* backend) { backend_ = backend; }
  // While muted (the replays of reverse execution, which run again what the host has seen),
  // transmitted bytes do not reach the backend. Host side, not device state.
  void set_muted(bool on) { muted_ = on; }

  // Host input (a non-deterministic event the replay log records with its icount): one complete
  // character has arrived at the receiver. Ignored in loopback mode, where SIN is disconnected.
  void receive(uint8_t byte);
  // Whether the receiver can take another character without overrun and the previous one has
  // had its time on the wire. A frontend that paces input with this never loses characters.
  bool can_receive() const;
  // Host modem-status inputs (CTS, DSR, RI, DCD; true = asserted). Default: CTS, DSR, DCD on.
  void set_modem_inputs(bool cts, bool dsr, bool ri, bool dcd);

  // Virtual duration of one character (start + data + parity + stop bits) at the current
  // divisor and LCR, in ns.
  uint64_t char_time_ns() const;
  // How long a character takes to go out or come in with this UART's timing.
  uint64_t wire_char_ns() const { return timing_ == Timing::Baud ? char_time_ns() : kFastCharNs; }
  Timing timing() const { return timing_; }

  // The machine stops: the characters still in the transmitter (shift register, then THR or
  // FIFO) go out now, as if their time had passed, so that nothing the guest wrote is lost.
  void flush_tx();

 private:
  enum Reg : uint8_t { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };

  struct State {
    uint16_t divisor = 12;  // 9600 baud until the guest programs it
    uint8_t ier = 0, lcr = 0, mcr = 0, scr = 0;
    uint8_t lsr_errors = 0;    // OE/PE/FE/BI (LSR bits 1-4), cleared by reading LSR
    uint8_t msr_delta = 0;     // DCTS/DDSR/TERI/DDCD (MSR bits 0-3), cleared by reading MSR
    uint8_t fcr = 0;           // FIFO enable (bit 0), DMA mode (bit 3), trigger (bits 7:6)
    uint8_t modem_inputs = 0;  // host-side CTS/DSR/RI/DCD in MSR bit positions 4..7
    uint8_t last_rbr = 0;      // what RBR reads when the receiver is empty
    bool thre_pending = false;      // THRE interrupt latched, cleared by IIR read / THR write
    bool timeout_pending = false;   // RX character timeout occurred
    bool tsr_busy = false;          // transmitter shift register holds tsr
    uint8_t tsr = 0;
    bool irq_level = false;         // level currently driven on the IRQ line
    uint64_t tx_done_ns = machine::Clock::kNever;   // when tsr's stop bit completes
    uint64_t timeout_ns = machine::Clock::kNever;   // when the RX character timeout fires
    uint64_t rx_free_ns = 0;                        // receiver shift register free again
    RingFifo<uint8_t, kFifoDepth> rx, tx;
  };

  bool fifo_mode() const { return s_.fcr & 1; }
  size_t rx_capacity() const { return fifo_mode() ? kFifoDepth : 1; }
  size_t tx_capacity() const { return fifo_mode() ? kFifoDepth : 1; }
  unsigned rx_trigger() const;
  uint8_t lsr() const;
  uint8_t effective_modem_inputs() const;
  uint8_t iir() const;

  uint8_t read_reg(uint8_t reg);
  void write_reg(uint8_t reg, uint8_t v);
  void write_fcr(uint8_t v);
  void write_mcr(uint8_t v);
  void rx_deposit(uint8_t byte);
  void start_tx(uint64_t now_ns);
  void tx_complete();
  void restart_timeout();
  void on_timeout();
  void update_modem_status(uint8_t old_inputs);
  void update_irq();

  machine::Clock& clock_;
  IrqSink& irq_sink_;
  SerialBackend* backend_ = nullptr;
  bool muted_ = false;
  uint16_t base_;
  unsigned irq_;
  Timing timing_;  // configuration, like the backend: not part of the chip's state
  machine::Clock::TimerId tx_timer_, timeout_timer_;
  State s_;
};

}  // namespace devices
