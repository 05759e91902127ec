#include "machine/host_input.h"

#include <algorithm>

namespace machine {

bool HostInput::serial(unsigned port, uint8_t byte) {
  if (!live_) return true;  // taken (and dropped): a replay feeds the log's bytes instead
  const bool queued = std::any_of(queue_.begin(), queue_.end(), [port](const InputEvent& e) {
    return e.kind == InputEvent::Kind::Serial && e.port == port;
  });
  if (queued || !serial_room_(port)) return false;
  InputEvent e{InputEvent::Kind::Serial, byte};
  e.port = uint8_t(port);
  push(e);
  return true;
}

void HostInput::push(const InputEvent& e) {
  if (!live_) return;
  queue_.push_back(e);
  wake_();
}

InputEvent HostInput::pop() {
  InputEvent e = queue_.front();
  queue_.pop_front();
  return e;
}

}  // namespace machine
