// -display sdl: a window showing the VGA picture, sending keyboard and mouse input to the guest.
// Frames are drawn at host-time intervals (this is the frontend; the guest only ever sees
// virtual time). A click captures the mouse; Ctrl+Alt+G releases it; closing the window quits.
#pragma once

#include <cstdint>
#include <memory>

namespace machine {
class PcMachine;
}

namespace frontend {

class SdlDisplay {
 public:
  // Throws std::runtime_error with a one-line message when SDL cannot open a window.
  explicit SdlDisplay(machine::PcMachine& pc);
  ~SdlDisplay();
  SdlDisplay(const SdlDisplay&) = delete;
  SdlDisplay& operator=(const SdlDisplay&) = delete;

  // Handles window events and redraws when a frame is due.
  void poll();
  // The guest is idle for `ns` of virtual time: wait for an event up to that long (at most
  // 10 ms) instead of spinning.
  void idle(uint64_t ns);

  // Frames drawn so far (tests).
  uint64_t frames() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontend
