// One QMP connection, independent of the socket it arrives on: the greeting, capabilities
// negotiation, commands (execute/arguments/id) answered with return or error, and events once
// negotiated. The wire format is QEMU's, so QMP clients written for QEMU work unchanged.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "frontend/control/json_framer.h"

namespace frontend::control {

class MachineControl;

// A command's failure: QMP's error class ("GenericError", "CommandNotFound") and description.
struct QmpError {
  std::string cls, desc;
};

class QmpSession {
 public:
  // A message longer than this is refused with an error (and skipped), never buffered.
  static constexpr size_t kMaxMessage = 1 << 20;

  // `send` writes one reply or event (a JSON text and its CRLF) to the client.
  QmpSession(MachineControl& control, std::function<void(std::string)> send);
  // Sent once, on connection.
  void greet();
  void feed(std::string_view bytes);
  void event(const std::string& name, const nlohmann::json& data);

 private:
  void handle(const std::string& text);
  nlohmann::json execute(const std::string& name, const nlohmann::json& args);
  void reply(nlohmann::json msg, const nlohmann::json* id);

  MachineControl& control_;
  std::function<void(std::string)> send_;
  JsonFramer framer_{kMaxMessage};
  bool negotiated_ = false;
};

}  // namespace frontend::control
