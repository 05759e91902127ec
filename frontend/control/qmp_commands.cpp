#include "frontend/control/qmp_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "devices/ps2_mouse.h"
#include "frontend/control/hmp.h"
#include "frontend/control/machine_control.h"
#include "frontend/control/qcode.h"
#include "frontend/control/qmp_session.h"

#ifndef GHOST86_VERSION
#define GHOST86_VERSION "0.0.0"
#endif

namespace frontend::control {
namespace {

using nlohmann::json;

QmpError generic(std::string desc) { return {"GenericError", std::move(desc)}; }

// A command's arguments, checked as QEMU checks them: unknown members, missing ones and wrong
// types are errors naming the member.
class Args {
 public:
  Args(const json& args, std::initializer_list<std::string_view> known) : args_(args) {
    for (const auto& [key, value] : args.items())
      if (std::find(known.begin(), known.end(), key) == known.end())
        throw generic(fmt::format("Parameter '{}' is unexpected", key));
  }
  const json* find(std::string_view name) const {
    const auto it = args_.find(name);
    return it == args_.end() ? nullptr : &*it;
  }
  const json& need(std::string_view name) const {
    if (const json* v = find(name)) return *v;
    throw generic(fmt::format("Parameter '{}' is missing", name));
  }
  static std::string str(const json& v, std::string_view name) {
    if (!v.is_string())
      throw generic(fmt::format("Invalid parameter type for '{}', expected: string", name));
    return v.get<std::string>();
  }
  static int64_t integer(const json& v, std::string_view name) {
    if (!v.is_number_integer())
      throw generic(fmt::format("Invalid parameter type for '{}', expected: integer", name));
    return v.get<int64_t>();
  }
  static bool boolean(const json& v, std::string_view name) {
    if (!v.is_boolean())
      throw generic(fmt::format("Invalid parameter type for '{}', expected: boolean", name));
    return v.get<bool>();
  }
  static const json& object(const json& v, std::string_view name) {
    if (!v.is_object())
      throw generic(fmt::format("Invalid parameter type for '{}', expected: object", name));
    return v;
  }
  static const json& array(const json& v, std::string_view name) {
    if (!v.is_array())
      throw generic(fmt::format("Invalid parameter type for '{}', expected: array", name));
    return v;
  }

 private:
  const json& args_;
};

// A KeyValue: {"type": "qcode", "data": NAME} or {"type": "number", "data": N}.
uint16_t key_value(const json& v) {
  const Args kv(Args::object(v, "key"), {"type", "data"});
  const std::string type = Args::str(kv.need("type"), "type");
  if (type == "qcode") {
    const std::string name = Args::str(kv.need("data"), "data");
    if (const auto key = qcode_to_ps2(name)) return *key;
    throw generic(fmt::format("Parameter 'data' does not accept value '{}'", name));
  }
  if (type == "number") {
    const int64_t n = Args::integer(kv.need("data"), "data");
    if (const auto key = keynum_to_ps2(n)) return *key;
    throw generic(fmt::format("key number {} is no PS/2 key", n));
  }
  throw generic(fmt::format("Parameter 'type' does not accept value '{}'", type));
}

json send_key(MachineControl& control, const json& args) {
  const Args a(args, {"keys", "hold-time"});
  std::vector<uint16_t> keys;
  for (const json& k : Args::array(a.need("keys"), "keys")) keys.push_back(key_value(k));
  if (keys.empty()) throw generic("Parameter 'keys' must not be empty");
  int64_t hold_ms = 100;  // QEMU's default
  if (const json* h = a.find("hold-time")) hold_ms = Args::integer(*h, "hold-time");
  if (hold_ms < 0 || hold_ms > 60'000)
    throw generic("Parameter 'hold-time' must be 0 to 60000 (ms)");
  control.press_keys(keys, uint64_t(hold_ms) * 1'000'000);
  return json::object();
}

// Checked in full before any event is passed on, so a bad list changes nothing.
json input_send_event(MachineControl& control, const json& args) {
  const Args a(args, {"device", "head", "events"});
  struct Event {
    enum { Key, Button, Move } kind;
    uint16_t key = 0;
    bool down = false;
    uint8_t button = 0;
    int dx = 0, dy = 0;
  };
  std::vector<Event> events;
  for (const json& e : Args::array(a.need("events"), "events")) {
    const Args ev(Args::object(e, "events"), {"type", "data"});
    const std::string type = Args::str(ev.need("type"), "type");
    const json& data = Args::object(ev.need("data"), "data");
    if (type == "key") {
      const Args d(data, {"down", "key"});
      events.push_back(
          {Event::Key, key_value(d.need("key")), Args::boolean(d.need("down"), "down")});
    } else if (type == "btn") {
      const Args d(data, {"down", "button"});
      const std::string b = Args::str(d.need("button"), "button");
      const uint8_t bit = b == "left"     ? devices::Ps2Mouse::kLeft
                          : b == "right"  ? devices::Ps2Mouse::kRight
                          : b == "middle" ? devices::Ps2Mouse::kMiddle
                                          : 0;
      if (!bit)
        throw generic(fmt::format("button '{}' is not supported (left, right or middle)", b));
      events.push_back({Event::Button, 0, Args::boolean(d.need("down"), "down"), bit});
    } else if (type == "rel") {
      const Args d(data, {"axis", "value"});
      const std::string axis = Args::str(d.need("axis"), "axis");
      const int64_t value =
          std::clamp<int64_t>(Args::integer(d.need("value"), "value"), -4096, 4096);
      if (axis != "x" && axis != "y")
        throw generic(fmt::format("Parameter 'axis' does not accept value '{}'", axis));
      // QMP's y grows downwards, PS/2's upwards.
      events.push_back(
          {Event::Move, 0, false, 0, axis == "x" ? int(value) : 0, axis == "y" ? -int(value) : 0});
    } else if (type == "abs") {
      throw generic("absolute pointer events are not supported (the PS/2 mouse is relative)");
    } else {
      throw generic(fmt::format("Parameter 'type' does not accept value '{}'", type));
    }
  }
  for (const Event& e : events) {
    switch (e.kind) {
      case Event::Key: control.key(e.key, e.down); break;
      case Event::Button: control.mouse_button(e.button, e.down); break;
      case Event::Move: control.mouse_move(e.dx, e.dy); break;
    }
  }
  return json::object();
}

// QEMU writes PPM unless asked for PNG; a file name ending in .png or .txt (the text grid, as
// --screendump writes it) chooses that format too.
json screendump(MachineControl& control, const json& args) {
  const Args a(args, {"filename", "device", "head", "format"});
  const std::string path = Args::str(a.need("filename"), "filename");
  if (const json* d = a.find("device")) Args::str(*d, "device");
  if (const json* h = a.find("head"))
    if (Args::integer(*h, "head") != 0) throw generic("there is only one head (0)");
  std::string format = path.ends_with(".png") ? "png" : path.ends_with(".txt") ? "txt" : "ppm";
  if (const json* f = a.find("format")) {
    format = Args::str(*f, "format");
    if (format != "ppm" && format != "png" && format != "txt")
      throw generic(fmt::format("Parameter 'format' does not accept value '{}'", format));
  }
  try {
    control.screendump(path, format);
  } catch (const std::runtime_error& e) {
    throw generic(e.what());
  }
  return json::object();
}

// change-vnc-password, and set_password for the VNC protocol (the only one there is).
json vnc_password(MachineControl& control, const std::string& password) {
  try {
    control.set_vnc_password(password);
  } catch (const std::runtime_error& e) {
    throw generic(e.what());
  }
  return json::object();
}

// ghost86's own snapshot commands: {"name": N} or {"file": F}, one of them; either names the
// snapshot file (QEMU's names are snapshots inside a qcow2 image, which ghost86 does not keep).
template <void (MachineControl::*Op)(const std::string&)>
json snapshot(MachineControl& control, const json& args) {
  const Args a(args, {"name", "file"});
  const json* name = a.find("name");
  const json* file = a.find("file");
  if (!name == !file) throw generic("exactly one of 'name' and 'file' is expected");
  const std::string path = name ? Args::str(*name, "name") : Args::str(*file, "file");
  if (path.empty()) throw generic("the snapshot's name is empty");
  try {
    (control.*Op)(path);
  } catch (const std::runtime_error& e) {
    throw generic(e.what());
  }
  return json::object();
}

json set_password(MachineControl& control, const json& args) {
  const Args a(args, {"protocol", "password", "connected", "display"});
  const std::string protocol = Args::str(a.need("protocol"), "protocol");
  if (protocol != "vnc") throw generic(fmt::format("Parameter 'protocol' does not accept value '{}'", protocol));
  if (const json* c = a.find("connected"); c && Args::str(*c, "connected") != "keep")
    throw generic("VNC protocol doesn't support 'connected' values other than 'keep'");
  if (const json* d = a.find("display")) Args::str(*d, "display");
  return vnc_password(control, Args::str(a.need("password"), "password"));
}

json version() {
  unsigned v[3] = {0, 0, 0};
  std::sscanf(GHOST86_VERSION, "%u.%u.%u", &v[0], &v[1], &v[2]);
  return {{"qemu", {{"major", v[0]}, {"minor", v[1]}, {"micro", v[2]}}},
          {"package", "ghost86 " GHOST86_VERSION}};
}

using Handler = json (*)(MachineControl&, const json&);
struct Command {
  std::string_view name;
  Handler run;
};

// Commands without arguments.
template <void (MachineControl::*Op)()>
json simple(MachineControl& control, const json& args) {
  Args(args, {});
  (control.*Op)();
  return json::object();
}

const std::array kCommands = {
    Command{"query-status",
            [](MachineControl& c, const json& args) -> json {
              Args(args, {});
              return {{"running", c.running()},
                      {"singlestep", false},
                      {"status", c.running() ? "running" : "paused"}};
            }},
    Command{"query-version",
            [](MachineControl&, const json& args) { return Args(args, {}), version(); }},
    Command{"query-commands",
            [](MachineControl&, const json& args) {
              Args(args, {});
              json list = json::array({{{"name", "qmp_capabilities"}}});
              for (const std::string& name : qmp_command_names()) list.push_back({{"name", name}});
              return list;
            }},
    Command{"query-icount",
            [](MachineControl& c, const json& args) -> json {
              Args(args, {});
              return {{"icount", c.icount()}, {"virtual-ns", c.virtual_ns()}};
            }},
    Command{"stop", simple<&MachineControl::stop>},
    Command{"cont", simple<&MachineControl::cont>},
    Command{"system_reset", simple<&MachineControl::system_reset>},
    Command{"system_powerdown", simple<&MachineControl::system_powerdown>},
    Command{"quit", simple<&MachineControl::quit>},
    Command{"screendump", screendump},
    Command{"savevm", snapshot<&MachineControl::savevm>},
    Command{"loadvm", snapshot<&MachineControl::loadvm>},
    Command{"send-key", send_key},
    Command{"input-send-event", input_send_event},
    Command{"human-monitor-command",
            [](MachineControl& c, const json& args) -> json {
              const Args a(args, {"command-line", "cpu-index"});
              if (const json* cpu = a.find("cpu-index"))
                if (Args::integer(*cpu, "cpu-index") != 0)
                  throw generic("there is only one CPU (0)");
              return hmp_execute(c, Args::str(a.need("command-line"), "command-line"));
            }},
    Command{"change-vnc-password",
            [](MachineControl& c, const json& args) {
              const Args a(args, {"password"});
              return vnc_password(c, Args::str(a.need("password"), "password"));
            }},
    Command{"set_password", set_password},
};

}  // namespace

json qmp_execute(MachineControl& control, const std::string& name, const json& args) {
  for (const Command& c : kCommands)
    if (c.name == name) return c.run(control, args);
  throw QmpError{"CommandNotFound", fmt::format("The command {} has not been found", name)};
}

std::vector<std::string> qmp_command_names() {
  std::vector<std::string> names;
  for (const Command& c : kCommands) names.emplace_back(c.name);
  return names;
}

}  // namespace frontend::control
