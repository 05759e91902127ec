// One human monitor connection (-monitor stdio or a monitor socket): a banner, a prompt, and
// each line run as an HMP command. The prompt is QEMU's "(qemu) ", so scripts that wait for it
// work unchanged.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace frontend::control {

class MachineControl;

class MonitorSession {
 public:
  static constexpr size_t kMaxLine = 64 * 1024;

  MonitorSession(MachineControl& control, std::function<void(std::string)> send);
  void greet();
  void feed(std::string_view bytes);

 private:
  MachineControl& control_;
  std::function<void(std::string)> send_;
  std::string line_;
  bool too_long_ = false;
};

}  // namespace frontend::control
