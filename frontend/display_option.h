// The host-side displays' options: -display sdl[,scale=fit|N] and -vnc. They shape what the
// person at the host sees and nothing else, so they live here rather than in the machine's config.
#pragma once

#include <optional>
#include <string_view>

#include "frontend/control/listener.h"

namespace frontend {

struct SdlOptions {
  // Integer: the picture is drawn at a whole multiple of its size (the largest that fits the
  // window), so every guest pixel is the same square of host pixels; the window opens at
  // `factor` times the guest's size. Fit: the picture fills the window keeping its shape.
  enum class Scale { Integer, Fit } scale = Scale::Integer;
  unsigned factor = 1;
};

// -vnc: where the VNC server listens, and how viewers log in.
struct VncOptions : control::SocketSpec {
  // password=on: VNC authentication (RFB security type 2, a DES challenge) with the password a
  // control command sets; until one does, every viewer is refused.
  bool password = false;
};

struct DisplayOptions {
  SdlOptions sdl;
  std::optional<VncOptions> vnc;  // none: no server
};

// The options after "sdl," in -display sdl,OPT=V,... (empty text: none). Throws
// std::invalid_argument with the problem (without the option name).
SdlOptions parse_sdl_options(std::string_view text);

// -vnc :N (TCP port 5900+N on every interface), HOST:N, unix:PATH, or none (nullopt), then
// ,password=on|off. Throws std::invalid_argument with the problem (without the option name).
std::optional<VncOptions> parse_vnc(std::string_view text);

}  // namespace frontend
