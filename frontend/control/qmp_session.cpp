#include "frontend/control/qmp_session.h"

#include <fmt/format.h>

#include <chrono>

#include "frontend/control/machine_control.h"
#include "frontend/control/qmp_commands.h"

namespace frontend::control {
namespace {

using nlohmann::json;

// Replies and events are single lines ending in CRLF, as QEMU sends them. Text that is not
// UTF-8 (a client's stray bytes quoted in an error) is replaced, never a reason to fail.
std::string wire(const json& msg) {
  return msg.dump(-1, ' ', false, json::error_handler_t::replace) + "\r\n";
}

json error_reply(const QmpError& e) { return {{"error", {{"class", e.cls}, {"desc", e.desc}}}}; }

}  // namespace

QmpSession::QmpSession(MachineControl& control, std::function<void(std::string)> send)
    : control_(control), send_(std::move(send)) {}

void QmpSession::greet() {
  json version = qmp_execute(control_, "query-version", json::object());
  send_(wire({{"QMP", {{"version", version}, {"capabilities", json::array()}}}}));
}

// The host's time of day: QMP's event timestamp, for the client's logs. The guest never sees it.
void QmpSession::event(const std::string& name, const json& data) {
  if (!negotiated_) return;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  json msg = {{"event", name},
              {"timestamp", {{"seconds", us / 1'000'000}, {"microseconds", us % 1'000'000}}}};
  if (!data.empty()) msg["data"] = data;
  send_(wire(msg));
}

void QmpSession::feed(std::string_view bytes) {
  std::vector<JsonFramer::Item> items;
  framer_.feed(bytes, items);
  for (const JsonFramer::Item& item : items) {
    if (item.error)
      reply(error_reply({"GenericError", item.text}), nullptr);
    else
      handle(item.text);
  }
}

void QmpSession::reply(json msg, const json* id) {
  if (id) msg["id"] = *id;
  send_(wire(msg));
}

void QmpSession::handle(const std::string& text) {
  const json msg = json::parse(text, nullptr, false);
  if (msg.is_discarded()) return reply(error_reply({"GenericError", "JSON parse error"}), nullptr);
  if (!msg.is_object())
    return reply(error_reply({"GenericError", "QMP input must be a JSON object"}), nullptr);
  const auto id_it = msg.find("id");
  const json* id = id_it == msg.end() ? nullptr : &*id_it;
  try {
    for (const auto& [key, value] : msg.items())
      if (key != "execute" && key != "arguments" && key != "id")
        throw QmpError{"GenericError", fmt::format("QMP input member '{}' is unexpected", key)};
    const auto exec = msg.find("execute");
    if (exec == msg.end()) throw QmpError{"GenericError", "QMP input lacks member 'execute'"};
    if (!exec->is_string())
      throw QmpError{"GenericError", "QMP input member 'execute' must be a string"};
    const std::string name = exec->get<std::string>();
    const auto args_it = msg.find("arguments");
    const json args = args_it == msg.end() ? json::object() : *args_it;
    if (!args.is_object())
      throw QmpError{"GenericError", "QMP input member 'arguments' must be an object"};
    if (name == "qmp_capabilities") {
      if (negotiated_)
        throw QmpError{"CommandNotFound",
                       "Capabilities negotiation is already complete, command ignored"};
      for (const auto& [key, value] : args.items()) {
        if (key != "enable")
          throw QmpError{"GenericError", fmt::format("Parameter '{}' is unexpected", key)};
        if (!value.is_array())
          throw QmpError{"GenericError", "Invalid parameter type for 'enable', expected: array"};
        if (!value.empty())  // ghost86 offers no optional capability (such as oob)
          throw QmpError{
              "GenericError",
              fmt::format("Capability '{}' not available",
                          value[0].is_string() ? value[0].get<std::string>() : std::string("?"))};
      }
      negotiated_ = true;
      return reply({{"return", json::object()}}, id);
    }
    if (!negotiated_)
      throw QmpError{"CommandNotFound",
                     "Expecting capabilities negotiation with 'qmp_capabilities'"};
    reply({{"return", qmp_execute(control_, name, args)}}, id);
  } catch (const QmpError& e) {
    reply(error_reply(e), id);
  } catch (const std::exception& e) {  // a command's own failure (a file it could not write...)
    reply(error_reply({"GenericError", e.what()}), id);
  }
}

}  // namespace frontend::control
