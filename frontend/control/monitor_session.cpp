#include "frontend/control/monitor_session.h"

#include "frontend/control/hmp.h"

#ifndef GHOST86_VERSION
#define GHOST86_VERSION "0.0.0"
#endif

namespace frontend::control {

constexpr std::string_view kPrompt = "(qemu) ";

MonitorSession::MonitorSession(MachineControl& control, std::function<void(std::string)> send)
    : control_(control), send_(std::move(send)) {}

void MonitorSession::greet() {
  send_("ghost86 " GHOST86_VERSION " monitor - type 'help' for more information\n" +
        std::string(kPrompt));
}

void MonitorSession::feed(std::string_view bytes) {
  for (const char c : bytes) {
    if (c != '\n') {
      if (line_.size() < kMaxLine)
        line_ += c;
      else
        too_long_ = true;
      continue;
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    std::string out =
        too_long_ ? "line too long (the limit is 64 KiB)\n" : hmp_execute(control_, line_);
    send_(out + std::string(kPrompt));
    line_.clear();
    too_long_ = false;
  }
}

}  // namespace frontend::control
