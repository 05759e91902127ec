// A standard PS/2 mouse (device ID 00h) on the 8042's auxiliary port: stream and remote modes,
// wrap mode, sample rate, resolution, scaling and status request. Movement from the host is
// accumulated and sent as 3-byte packets when the link is free, so a fast host never floods
// the controller and no motion is lost.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/device.h"
#include "devices/fifo.h"

namespace devices {

class Ps2Mouse : public Device {
 public:
  // Button bits, as in byte 0 of a packet.
  static constexpr uint8_t kLeft = 1, kRight = 2, kMiddle = 4;

  const char* name() const override { return "ps2-mouse"; }
  void reset() override;
  void serialize(Serializer& s) override;

  // Host input (recorded by the replay log). dx > 0 is right, dy > 0 is up (away from the
  // user), as PS/2 counts; `buttons` is a mask of kLeft/kRight/kMiddle.
  void move(int dx, int dy, uint8_t buttons);

  // The controller side of the serial link.
  void write(uint8_t byte);
  bool has_data() const;
  uint8_t read();  // next byte to the host; 0 when there is none
  void set_data_callback(std::function<void()> fn) { on_data_ = std::move(fn); }

 private:
  static constexpr int kMaxAccum = 1 << 16;  // accumulated counts saturate here

  struct State {
    bool reporting = false, remote = false, wrap = false, scale21 = false;
    uint8_t resolution = 2;   // 4 counts/mm
    uint8_t sample_rate = 100;
    uint8_t buttons = 0;
    uint8_t arg_cmd = 0;      // F3h or E8h awaiting its argument, or 0
    uint8_t last_sent = 0;
    bool moved = false;       // movement or buttons changed since the last packet
    int32_t dx = 0, dy = 0;
    RingFifo<uint8_t, 8> resp;    // command responses
    RingFifo<uint8_t, 3> packet;  // the stream packet being sent
  };

  void command(uint8_t cmd);
  void respond(std::initializer_list<uint8_t> bytes);
  void set_defaults();
  void make_packet(bool stream, RingFifo<uint8_t, 8>* into);
  void notify() {
    if (on_data_) on_data_();
  }

  std::function<void()> on_data_;
  State s_;
};

}  // namespace devices
