// -display sdl: a window showing the VGA picture, sending keyboard and mouse input to the guest.
// Frames are drawn at host-time intervals (this is the frontend; the guest only ever sees
// virtual time). The picture is scaled by whole multiples or to fit the window (nearest pixel, so
// each guest pixel stays a sharp block); the title shows the machine's name, whether it is paused
// and the guest's speed in MIPS, measured about once a host second for the person watching (it
// is never fed back to the machine). A click captures mouse and keyboard (the host's shortcuts
// go to the guest); Ctrl+Alt+G captures or releases them; closing the window quits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "frontend/display_option.h"

namespace machine {
class PcMachine;
}

namespace frontend {

class SdlDisplay {
 public:
  // Throws std::runtime_error with a one-line message when SDL cannot open a window.
  explicit SdlDisplay(machine::PcMachine& pc, const SdlOptions& options = {});
  ~SdlDisplay();
  SdlDisplay(const SdlDisplay&) = delete;
  SdlDisplay& operator=(const SdlDisplay&) = delete;

  // Handles window events and redraws when a frame is due.
  void poll();
  // The guest is idle for `ns` of virtual time: wait for an event up to that long (at most
  // 10 ms) instead of spinning.
  void idle(uint64_t ns);

  // Frames drawn so far, and the window's title (tests).
  uint64_t frames() const;
  std::string title() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontend
