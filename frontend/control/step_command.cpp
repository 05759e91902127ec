#include "frontend/control/step_command.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "frontend/control/qmp_commands.h"
#include "frontend/control/qmp_session.h"

namespace frontend::control {

std::string run_step_command(MachineControl& control, const std::string& text) {
  const nlohmann::json cmd = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (cmd.is_discarded()) return "not valid JSON";
  if (!cmd.is_object() || !cmd.contains("execute") || !cmd["execute"].is_string())
    return "expected {\"execute\": NAME, \"arguments\": {...}}";
  for (const auto& [key, value] : cmd.items())
    if (key != "execute" && key != "arguments" && key != "id")
      return fmt::format("unknown key '{}' (expected execute and arguments)", key);
  const nlohmann::json args = cmd.value("arguments", nlohmann::json::object());
  if (!args.is_object()) return "'arguments' must be an object";
  const std::string name = cmd["execute"].get<std::string>();
  if (name == "qmp_capabilities") return {};  // a session's handshake: nothing to do here
  try {
    qmp_execute(control, name, args);
  } catch (const QmpError& e) {
    return fmt::format("{}: {}", e.cls, e.desc);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace frontend::control
