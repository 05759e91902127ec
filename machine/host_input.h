// The one way host input reaches the machine: keys, mouse, serial bytes, and the control
// requests that change it (reset, power button). Every source (the window, the terminal, QMP
// and the monitor, --step automation) calls in here; the events wait in a queue and take
// effect only at the end of a turn of the run loop, after the timers due then, at an
// instruction count the replay log records (machine/record_replay.h). A replayed run applies
// the log's events at the same point and drops live ones.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace machine {

// Besides the host's input, the changes a debugger or monitor makes behind the guest's back
// (gdb's memory and register writes, loading a snapshot) are events too: they take effect at
// an instruction count like a key does, so a log can hold them and a replay make them again.
struct InputEvent {
  enum class Kind : uint8_t {
    Key = 1, Mouse = 2, Serial = 3, Reset = 4, PowerButton = 5,
    MemoryWrite = 6, RegisterWrite = 7, Loadvm = 8
  };
  Kind kind = Kind::Key;
  // Key: the keyboard's key code; Mouse: the buttons; Serial: the byte; MemoryWrite: the
  // physical address; RegisterWrite: the register's number (machine/debug_registers.h).
  uint32_t code = 0;
  bool down = false;       // Key: pressed (or released)
  uint8_t port = 0;        // Serial: the UART (0 = COM1)
  int32_t dx = 0, dy = 0;  // Mouse: movement, y growing away from the user (PS/2)
  // MemoryWrite: the bytes; RegisterWrite: the value (target byte order); Loadvm: the file.
  std::vector<uint8_t> data = {};
  // Loadvm: the XXH3-64 of the whole snapshot file, and the instruction count it starts at.
  uint64_t hash = 0, icount_after = 0;
  bool operator==(const InputEvent&) const = default;
};

class HostInput {
 public:
  // `wake` ends the engine's run at the next instruction boundary so a queued event is taken
  // soon; `serial_room` says whether a UART's receiver can take a byte now.
  HostInput(std::function<void()> wake, std::function<bool(unsigned port)> serial_room)
      : wake_(std::move(wake)), serial_room_(std::move(serial_room)) {}

  void key(uint16_t key, bool down) { push({InputEvent::Kind::Key, key, down, 0, 0, 0, {}, 0, 0}); }
  void mouse(int dx, int dy, uint8_t buttons) {
    push({InputEvent::Kind::Mouse, buttons, false, 0, dx, dy, {}, 0, 0});
  }
  // False (and nothing queued) while the UART cannot take the byte or one is still queued for
  // it: the source keeps the byte and offers it again, so input is paced by the guest.
  bool serial(unsigned port, uint8_t byte);
  void reset() { push({InputEvent::Kind::Reset}); }
  void power_button() { push({InputEvent::Kind::PowerButton}); }

  // A replayed run takes no live input: the sources' events are dropped.
  void set_live(bool on) { live_ = on; }
  bool live() const { return live_; }

  // The run loop's side: the events queued, oldest first.
  bool empty() const { return queue_.empty(); }
  InputEvent pop();

 private:
  void push(const InputEvent& e);
  std::function<void()> wake_;
  std::function<bool(unsigned)> serial_room_;
  std::deque<InputEvent> queue_;
  bool live_ = true;
};

}  // namespace machine
