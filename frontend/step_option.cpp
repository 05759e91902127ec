#include "frontend/step_option.h"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

#include "devices/ps2_mouse.h"
#include "frontend/control/qcode.h"

namespace frontend {
namespace {

using Kind = machine::AutomationStep::Kind;

// "ctrl-alt-delete": QKeyCode names (frontend/control/qcode.h) joined by '-', as the monitor's
// sendkey takes them. No QKeyCode name contains a '-'.
std::vector<uint16_t> key_combination(std::string_view text) {
  std::vector<uint16_t> keys;
  for (size_t pos = 0;;) {
    const size_t dash = text.find('-', pos);
    const std::string_view name =
        text.substr(pos, dash == std::string_view::npos ? dash : dash - pos);
    const auto key = control::qcode_to_ps2(name);
    if (!key)
      throw std::invalid_argument(fmt::format(
          "'{}' is no key name (QEMU's QKeyCode names: ret, f2, ctrl, alt, delete, a...)", name));
    keys.push_back(*key);
    if (keys.size() > 16) throw std::invalid_argument("more than 16 keys at once");
    if (dash == std::string_view::npos) return keys;
    pos = dash + 1;
  }
}

uint8_t button(std::string_view name) {
  if (name == "left") return devices::Ps2Mouse::kLeft;
  if (name == "right") return devices::Ps2Mouse::kRight;
  if (name == "middle") return devices::Ps2Mouse::kMiddle;
  throw std::invalid_argument(fmt::format("'{}' is no mouse button (left, right or middle)", name));
}

int movement(std::string_view text) {
  int v = 0;
  const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < -10000 ||
      v > 10000)
    throw std::invalid_argument(
        fmt::format("'{}' is no movement in counts (-10000 to 10000)", text));
  return v;
}

}  // namespace

bool parse_device_step(std::string_view kind, machine::AutomationStep& step) {
  if (kind == "needle") {
    step.kind = Kind::Needle;
    if (step.arg.empty())
      throw std::invalid_argument("expected needle:PATH (PATH.png and PATH.json)");
  } else if (kind == "key") {
    step.kind = Kind::Key;
    step.keys = key_combination(step.arg);
  } else if (kind == "mouse") {
    // DX,DY[,BUTTON]: a relative move, then a click.
    step.kind = Kind::Mouse;
    const std::string_view arg = step.arg;
    const size_t c1 = arg.find(','), c2 = c1 == std::string_view::npos ? c1 : arg.find(',', c1 + 1);
    if (c1 == std::string_view::npos)
      throw std::invalid_argument("expected mouse:DX,DY or mouse:DX,DY,BUTTON");
    step.dx = movement(arg.substr(0, c1));
    step.dy = movement(arg.substr(c1 + 1, c2 == std::string_view::npos ? c2 : c2 - c1 - 1));
    if (c2 != std::string_view::npos) step.buttons = button(arg.substr(c2 + 1));
  } else if (kind == "click") {
    step.kind = Kind::Mouse;
    step.buttons = button(step.arg);
  } else if (kind == "qmp") {
    step.kind = Kind::Command;
    if (step.arg.empty())
      throw std::invalid_argument("expected qmp:JSON, e.g. qmp:{\"execute\":\"system_reset\"}");
  } else if (kind == "savevm") {
    step.kind = Kind::Savevm;
    if (step.arg.empty()) throw std::invalid_argument("expected savevm:FILE");
  } else {
    return false;
  }
  return true;
}

}  // namespace frontend
