#include "frontend/display_option.h"

#include <fmt/format.h>
#include <sys/un.h>

#include <charconv>
#include <stdexcept>
#include <string>

namespace frontend {
namespace {

// RFB's display numbers start at TCP port 5900 (RFC 6143 section 1, the registered port).
constexpr unsigned kVncBasePort = 5900;
constexpr unsigned kMaxScale = 8;

std::optional<unsigned> whole(std::string_view text) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

SdlOptions parse_sdl_options(std::string_view text) {
  SdlOptions out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view field = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (!field.starts_with("scale="))
      throw std::invalid_argument(
          fmt::format("unknown sdl option '{}' (expected scale=fit or scale=N)", field));
    const std::string_view value = field.substr(6);
    if (value == "fit") {
      out.scale = SdlOptions::Scale::Fit;
      continue;
    }
    const auto n = whole(value);
    if (!n || *n < 1 || *n > kMaxScale)
      throw std::invalid_argument(
          fmt::format("invalid scale '{}' (expected fit or 1 to {})", value, kMaxScale));
    out.scale = SdlOptions::Scale::Integer;
    out.factor = *n;
  }
  return out;
}

std::optional<VncOptions> parse_vnc(std::string_view text) {
  if (text == "none") return std::nullopt;
  VncOptions spec;
  if (const size_t comma = text.find(','); comma != std::string_view::npos) {
    for (std::string_view rest = text.substr(comma + 1);;) {
      const size_t next = rest.find(',');
      const std::string_view field = rest.substr(0, next);
      if (field == "password=on" || field == "password")
        spec.password = true;
      else if (field == "password=off")
        spec.password = false;
      else
        throw std::invalid_argument(
            fmt::format("option '{}' is not supported (expected password=on or password=off)", field));
      if (next == std::string_view::npos) break;
      rest = rest.substr(next + 1);
    }
    text = text.substr(0, comma);
  }
  if (text.starts_with("unix:")) {
    spec.kind = control::SocketSpec::Kind::Unix;
    spec.path = text.substr(5);
    if (spec.path.empty()) throw std::invalid_argument("unix: needs a path");
    if (spec.path.size() >= sizeof(sockaddr_un::sun_path))
      throw std::invalid_argument(fmt::format("socket path '{}' is too long", spec.path));
    return spec;
  }
  const size_t colon = text.rfind(':');
  const auto display =
      colon == std::string_view::npos ? std::nullopt : whole(text.substr(colon + 1));
  if (!display || *display > 65535 - kVncBasePort)
    throw std::invalid_argument(fmt::format(
        "'{}' is not a VNC display (expected :N, HOST:N with N from 0 to {}, unix:PATH or none)",
        text, 65535 - kVncBasePort));
  spec.kind = control::SocketSpec::Kind::Tcp;
  spec.host = text.substr(0, colon);
  if (spec.host.size() > 2 && spec.host.front() == '[' && spec.host.back() == ']')
    spec.host = spec.host.substr(1, spec.host.size() - 2);
  spec.port = std::to_string(kVncBasePort + *display);
  return spec;
}

}  // namespace frontend
