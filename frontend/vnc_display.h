// -vnc: a VNC (RFB) server showing the guest's screen, the same pixels as --screendump, and taking
// a viewer's keys and mouse for the guest's PS/2 devices. It has no thread of its own: the run
// loop's host poll accepts viewers, refreshes the picture (about 30 times a host second, and only
// while someone watches) and serves them without waiting, so the machine stays single-threaded
// and a viewer's input arrives, like the SDL window's, at an instruction boundary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "frontend/display_option.h"

namespace machine {
class PcMachine;
}

namespace frontend {

class VncDisplay {
 public:
  // Listens at `where`; throws std::runtime_error with a one-line message naming -vnc (port in
  // use, bad path).
  VncDisplay(machine::PcMachine& pc, const VncOptions& where);
  ~VncDisplay();
  VncDisplay(const VncDisplay&) = delete;
  VncDisplay& operator=(const VncDisplay&) = delete;

  // Takes new viewers and their input, and sends them what changed. Never blocks.
  void poll();
  // The guest is idle for `ns` of virtual time: wait up to that long (at most 10 ms) for a
  // viewer's input instead of spinning.
  void idle(uint64_t ns);

  // A viewer's key (an X11 keysym) and pointer (absolute position, RFB button mask), as the RFB
  // messages give them; public for the tests.
  void key_event(bool down, uint32_t keysym);
  void pointer_event(int button_mask, int x, int y);

  // Viewers connected now (tests).
  unsigned clients() const;

  // The password viewers log in with (QMP change-vnc-password). False, changing nothing, unless
  // the server was started with password=on. Only its first 8 characters count (the DES key of
  // VNC authentication, RFC 6143 section 7.2.2).
  bool set_password(const std::string& password);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontend
