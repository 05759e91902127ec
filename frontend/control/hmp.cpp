#include "frontend/control/hmp.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "frontend/control/machine_control.h"
#include "frontend/control/qcode.h"

namespace frontend::control {
namespace {

struct HmpError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) i++;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') i++;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// A number as the monitor takes one: decimal, 0x-hex or 0-octal.
std::optional<uint64_t> number(std::string_view text) {
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// sendkey's argument: keys joined by '-', each a QKeyCode name or a hex key number.
std::vector<uint16_t> parse_keys(std::string_view spec) {
  std::vector<uint16_t> keys;
  size_t pos = 0;
  for (;;) {
    const size_t dash = spec.find('-', pos);
    const std::string_view name = spec.substr(pos, dash - pos);
    std::optional<uint16_t> key = qcode_to_ps2(name);
    if (!key && name.starts_with("0x"))
      if (const auto n = number(name)) key = keynum_to_ps2(int64_t(*n));
    if (!key) throw HmpError(fmt::format("invalid parameter: unknown key '{}'", name));
    keys.push_back(*key);
    if (dash == std::string_view::npos) return keys;
    pos = dash + 1;
  }
}

// x/xp /FMT ADDR: FMT is [count][format][size], format x (hex), d, u, o, c; size b, h, w, g.
// Each line starts with the address and holds 16 bytes' worth of items (8 for characters).
std::string examine(MachineControl& control, const std::vector<std::string_view>& w, bool linear) {
  std::string_view fmtspec = "/1xw";
  std::string_view addr_text;
  if (w.size() == 3 && w[1].starts_with("/")) {
    fmtspec = w[1];
    addr_text = w[2];
  } else if (w.size() == 2) {
    addr_text = w[1];
  } else {
    throw HmpError(fmt::format("usage: {} /fmt addr", w[0]));
  }
  if (fmtspec.size() > 1 && w.size() == 2) throw HmpError(fmt::format("usage: {} /fmt addr", w[0]));
  fmtspec.remove_prefix(1);
  size_t digits = 0;
  while (digits < fmtspec.size() && std::isdigit(static_cast<unsigned char>(fmtspec[digits])))
    digits++;
  uint64_t count = 1;
  if (digits)
    std::from_chars(fmtspec.data(), fmtspec.data() + digits, count);  // decimal, as QEMU reads it
  char format = 'x';
  unsigned size = 4;
  for (const char c : fmtspec.substr(digits)) {
    if (c == 'x' || c == 'd' || c == 'u' || c == 'o' || c == 'c')
      format = c;
    else if (c == 'b' || c == 'h' || c == 'w' || c == 'g')
      size = c == 'b' ? 1 : c == 'h' ? 2 : c == 'w' ? 4 : 8;
    else
      throw HmpError(fmt::format("invalid format '{}'", c));
  }
  if (format == 'c') size = 1;
  if (count == 0 || count > 4096) throw HmpError("invalid count (1 to 4096)");
  const auto addr = number(addr_text);
  if (!addr) throw HmpError(fmt::format("invalid address '{}'", addr_text));
  const auto bytes = control.read_memory(*addr, count * size, linear);
  if (!bytes) throw HmpError(fmt::format("cannot access memory at {:#x}", *addr));
  const unsigned per_line = (format == 'c' ? 8 : 16) / size;
  std::string out;
  for (uint64_t i = 0; i < count; i++) {
    if (i % per_line == 0) {
      if (i) out += '\n';
      out += linear ? fmt::format("{:08x}:", *addr + i * size)
                    : fmt::format("{:016x}:", *addr + i * size);
    }
    uint64_t v = 0;
    for (unsigned b = 0; b < size; b++) v |= uint64_t((*bytes)[i * size + b]) << (8 * b);
    const unsigned bits = size * 8;
    const int64_t sv = bits == 64 ? int64_t(v) : int64_t(v << (64 - bits)) >> (64 - bits);
    switch (format) {
      case 'x': out += fmt::format(" 0x{:0{}x}", v, size * 2); break;
      case 'd': out += fmt::format(" {}", sv); break;
      case 'u': out += fmt::format(" {}", v); break;
      case 'o': out += fmt::format(" {:#o}", v); break;
      case 'c':
        out +=
            v >= 0x20 && v < 0x7f ? fmt::format(" '{}'", char(v)) : fmt::format(" '\\x{:02x}'", v);
        break;
    }
  }
  return out + '\n';
}

constexpr std::string_view kHelp =
    "change vnc password PASSWORD -- set the VNC server's password (-vnc ...,password=on)\n"
    "cont|c -- resume emulation\n"
    "help|? -- show this help\n"
    "info status -- show the machine's run state\n"
    "info registers -- show the CPU registers\n"
    "info version -- show the version\n"
    "loadvm FILE -- load the machine from the snapshot in FILE\n"
    "quit|q -- quit the emulator\n"
    "savevm FILE -- write a snapshot of the machine to FILE\n"
    "screendump FILE [-f ppm|png|txt] -- save the screen (PPM unless FILE ends in .png or .txt)\n"
    "sendkey KEYS [HOLD_MS] -- send keys, e.g. ctrl-alt-delete (held 100 ms)\n"
    "set_password vnc PASSWORD [keep] -- the same as change vnc password\n"
    "stop -- pause emulation\n"
    "system_powerdown -- press the ACPI power button\n"
    "system_reset -- reset the machine\n"
    "x /fmt addr -- dump linear memory (fmt: count, x d u o c, b h w g)\n"
    "xp /fmt addr -- dump physical memory\n";

std::string run(MachineControl& control, std::string_view line) {
  const std::vector<std::string_view> w = words(line);
  if (w.empty()) return {};
  const std::string_view cmd = w[0];
  const auto no_args = [&] {
    if (w.size() != 1) throw HmpError(fmt::format("{}: too many arguments", cmd));
  };
  if (cmd == "help" || cmd == "?") return std::string(kHelp);
  if (cmd == "info") {
    const std::string_view what = w.size() > 1 ? w[1] : "";
    if (what == "status")
      return fmt::format("VM status: {}\n", control.running() ? "running" : "paused");
    if (what == "registers") return control.registers();
    if (what == "version") return "ghost86 " GHOST86_VERSION "\n";
    throw HmpError("info: expected status, registers or version");
  }
  if (cmd == "stop") return no_args(), control.stop(), std::string();
  if (cmd == "cont" || cmd == "c") return no_args(), control.cont(), std::string();
  if (cmd == "system_reset") return no_args(), control.system_reset(), std::string();
  if (cmd == "system_powerdown") return no_args(), control.system_powerdown(), std::string();
  if (cmd == "quit" || cmd == "q") return no_args(), control.quit(), std::string();
  if (cmd == "x" || cmd == "xp") return examine(control, w, cmd == "x");
  if (cmd == "sendkey") {
    if (w.size() < 2 || w.size() > 3) throw HmpError("usage: sendkey KEYS [HOLD_MS]");
    uint64_t hold_ms = 100;
    if (w.size() == 3) {
      const auto n = number(w[2]);
      if (!n || *n > 60'000)
        throw HmpError(fmt::format("invalid hold time '{}' (0 to 60000 ms)", w[2]));
      hold_ms = *n;
    }
    control.press_keys(parse_keys(w[1]), hold_ms * 1'000'000);
    return {};
  }
  // QEMU's two spellings; the password is given on the line (there is no prompt here).
  if (cmd == "change" && w.size() > 1 && w[1] == "vnc") {
    if (w.size() != 4 || w[2] != "password") throw HmpError("usage: change vnc password PASSWORD");
    control.set_vnc_password(std::string(w[3]));
    return {};
  }
  if (cmd == "set_password") {
    if (w.size() < 3 || w.size() > 4 || (w.size() == 4 && w[3] != "keep"))
      throw HmpError("usage: set_password vnc PASSWORD [keep]");
    if (w[1] != "vnc") throw HmpError(fmt::format("invalid protocol '{}' (vnc)", w[1]));
    control.set_vnc_password(std::string(w[2]));
    return {};
  }
  if (cmd == "savevm" || cmd == "loadvm") {
    // QEMU's NAME is a snapshot inside a qcow2 image; here it is a snapshot file.
    if (w.size() != 2) throw HmpError(fmt::format("usage: {} FILE", cmd));
    const std::string path(w[1]);
    if (cmd == "savevm")
      control.savevm(path);
    else
      control.loadvm(path);
    return {};
  }
  if (cmd == "screendump") {
    std::string format;
    if (w.size() == 4 && w[2] == "-f")
      format = w[3];
    else if (w.size() != 2)
      throw HmpError("usage: screendump FILE [-f ppm|png|txt]");
    const std::string path(w[1]);
    if (format.empty())
      format = path.ends_with(".png") ? "png" : path.ends_with(".txt") ? "txt" : "ppm";
    control.screendump(path, format);
    return {};
  }
  throw HmpError(fmt::format("unknown command: '{}'", cmd));
}

}  // namespace

std::string hmp_execute(MachineControl& control, std::string_view line) {
  try {
    return run(control, line);
  } catch (const std::exception& e) {
    return std::string(e.what()) + "\n";
  }
}

}  // namespace frontend::control
