// The 8042 keyboard controller of PS/2-compatible PCs: data port 60h, status/command port 64h,
// a keyboard port (IRQ 1) and an auxiliary (mouse) port (IRQ 12). It owns the command byte,
// the output port (A20 gate and CPU reset line) and the set-2 -> set-1 scan code translation.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/device.h"
#include "devices/fifo.h"
#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"

namespace devices {

class I8042 : public Device, public PortDevice {
 public:
  static constexpr uint16_t kDataPort = 0x60, kCommandPort = 0x64;
  static constexpr unsigned kKeyboardIrq = 1, kMouseIrq = 12;

  using A20Fn = std::function<void(bool enabled)>;
  using ResetFn = std::function<void()>;

  // `a20` is called with the output port's A20 bit on every output-port write; `reset` is
  // called (last, after all state is updated) when the guest pulses the CPU reset line.
  I8042(Ps2Keyboard& kbd, Ps2Mouse& mouse, IrqSink& irq_sink, A20Fn a20, ResetFn reset);

  const char* name() const override { return "i8042"; }
  void reset() override;
  void serialize(Serializer& s) override;
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  uint8_t command_byte() const { return s_.ram[0]; }
  uint8_t output_port() const;

 private:
  struct State {
    uint8_t ram[32] = {};       // internal RAM; byte 0 is the command byte
    uint8_t out = 0;            // output buffer (port 60h)
    bool obf = false, out_aux = false;
    bool last_was_command = false;  // status bit 3 (A2)
    uint8_t pending = 0;        // controller command waiting for its data byte, or 0
    uint8_t out_port = 0xcf;    // reset line high, A20 on, keyboard clock/data high
    bool f0_seen = false;       // translation: a set-2 break prefix is pending
    bool irq1 = false, irq12 = false;
    RingFifo<uint16_t, 8> replies;  // controller replies; bit 8 set = as if from the mouse
  };

  uint8_t status() const;
  uint8_t read_data();
  void write_data(uint8_t v);
  void write_command(uint8_t cmd);
  void reply(uint8_t v, bool aux = false) { s_.replies.push(uint16_t(v | (aux ? 0x100 : 0))); }
  void write_output_port(uint8_t v);
  void service();
  void update_irqs();

  Ps2Keyboard& kbd_;
  Ps2Mouse& mouse_;
  IrqSink& irq_sink_;
  A20Fn a20_;
  ResetFn reset_;
  State s_;
  bool reset_requested_ = false;  // raised during a port write, reported when it ends
};

}  // namespace devices
