// An MF2 PS/2 keyboard: the device at the far end of the 8042's keyboard port. It answers the
// keyboard command set, keeps an output queue of scan codes, and repeats the last key held
// (typematic) in virtual time. Keys arrive from the host as set-2 make codes.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/device.h"
#include "devices/fifo.h"
#include "machine/clock.h"

namespace devices {

// Host key codes: the key's set-2 make code, with 0xE0 in the high byte for E0-prefixed keys
// (Right Ctrl = 0xE014, Up = 0xE075, Print Screen = 0xE07C). Pause has no single make code.
namespace ps2key {
constexpr uint16_t kA = 0x1C, kEnter = 0x5A, kLeftShift = 0x12, kEsc = 0x76, kUp = 0xE075;
constexpr uint16_t kPrintScreen = 0xE07C;
constexpr uint16_t kPause = 0xE114;
}  // namespace ps2key

// The 8042's set-2 -> set-1 translation of one byte (the F0 break prefix is handled by the
// caller: it sets bit 7 of the next translated byte). Bytes without a set-1 meaning other than
// the ones listed in the table pass through unchanged (E0, E1, FA, AA, EE, FE, ...).
uint8_t set2_to_set1(uint8_t code);
// A set-1 make code (E0 in the high byte for E0-prefixed keys) as the host key code of the same
// key, the inverse of that translation; 0 for a code no key makes.
uint16_t set1_to_key(uint16_t code);

class Ps2Keyboard : public Device {
 public:
  explicit Ps2Keyboard(machine::Clock& clock);

  const char* name() const override { return "ps2-keyboard"; }
  void reset() override;
  void serialize(Serializer& s) override;

  // Host input (recorded by the replay log). Returns false for a code that is no key.
  bool press(uint16_t key);
  bool release(uint16_t key);
  // LED state from the last EDh command: bit 0 Scroll, bit 1 Num, bit 2 Caps Lock.
  uint8_t leds() const { return s_.leds; }
  unsigned scan_code_set() const { return s_.set; }

  // The controller side of the serial link.
  void write(uint8_t byte);  // a byte from the host (controller)
  bool has_data() const { return !s_.resp.empty() || !s_.keys.empty(); }
  uint8_t read();            // next byte to the host; 0 when there is none
  // Called whenever a byte becomes available, so the controller can collect it.
  void set_data_callback(std::function<void()> fn) { on_data_ = std::move(fn); }

  // Typematic timing from a rate/delay byte (F3h argument; IBM PS/2 Technical Reference).
  static uint64_t typematic_delay_ns(uint8_t tm);
  static uint64_t typematic_period_ns(uint8_t tm);

 private:
  static constexpr uint8_t kDefaultTypematic = 0x2b;  // 10.9 characters/s after 500 ms

  struct State {
    uint8_t set = 2;
    bool scanning = true;
    uint8_t leds = 0;
    uint8_t typematic = kDefaultTypematic;
    uint8_t arg_cmd = 0;     // command awaiting its argument byte (EDh, F0h, F3h, FBh-FDh), or 0
    uint8_t last_sent = 0;   // for FEh resend
    uint16_t repeat_key = 0; // key being repeated, 0 if none
    uint64_t repeat_ns = machine::Clock::kNever;
    RingFifo<uint8_t, 8> resp;   // command responses, sent ahead of scan codes
    RingFifo<uint8_t, 16> keys;  // the keyboard's scan code buffer
  };

  void command(uint8_t cmd);
  void argument(uint8_t arg);
  void respond(std::initializer_list<uint8_t> bytes);
  void set_defaults();
  void stop_repeat();
  void emit_key(uint16_t key, bool make);
  void queue_scan_codes(const uint8_t* seq, size_t len);
  void arm_repeat(uint64_t from_ns, uint64_t after_ns);
  void on_repeat();
  void notify() {
    if (on_data_) on_data_();
  }

  machine::Clock& clock_;
  machine::Clock::TimerId repeat_timer_;
  std::function<void()> on_data_;
  State s_;
};

}  // namespace devices
