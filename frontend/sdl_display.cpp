#include "frontend/sdl_display.h"

#include <SDL.h>
#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "devices/ps2_mouse.h"
#include "devices/vga_render.h"
#include "frontend/host_input.h"
#include "frontend/sdl_keymap.h"
#include "machine/pc_machine.h"

namespace frontend {
namespace {

// How often the title's MIPS figure is measured, in host milliseconds.
constexpr uint32_t kSpeedPeriodMs = 1000;

}  // namespace

struct SdlDisplay::Impl {
  machine::PcMachine& pc;
  SdlOptions options;
  HostInput input;
  SDL_Window* window = nullptr;
  SDL_Renderer* renderer = nullptr;
  SDL_Texture* texture = nullptr;
  unsigned tex_w = 0, tex_h = 0;
  uint32_t next_frame_ms = 0;
  uint64_t frames = 0;
  bool grabbed = false;

  std::string name;   // "ghost86", or "NAME - ghost86" with -name
  std::string title;  // as shown
  // The guest's speed for the title: instructions retired over host time since the last figure.
  uint32_t speed_ms = 0;
  uint64_t speed_icount = 0;
  double mips = -1;  // none measured yet

  Impl(machine::PcMachine& pc, const SdlOptions& options) : pc(pc), options(options), input(pc) {}
  ~Impl() {
    if (texture) SDL_DestroyTexture(texture);
    if (renderer) SDL_DestroyRenderer(renderer);
    if (window) SDL_DestroyWindow(window);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
  }

  void draw() {
    const devices::VgaFrame frame = devices::vga_render(pc.board().vga());
    if (frame.width == 0 || frame.height == 0) return;
    if (frame.width != tex_w || frame.height != tex_h) {
      if (texture) SDL_DestroyTexture(texture);
      texture = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                                  int(frame.width), int(frame.height));
      if (!texture) return;
      // Nearest pixel: a guest pixel becomes a block of host pixels, none blended with the next.
      SDL_SetTextureScaleMode(texture, SDL_ScaleModeNearest);
      tex_w = frame.width;
      tex_h = frame.height;
      // The renderer scales the guest's picture to the window: by whole multiples (the largest
      // that fits), or to fit keeping its shape; either way centred, with black bars.
      SDL_RenderSetLogicalSize(renderer, int(tex_w), int(tex_h));
      SDL_RenderSetIntegerScale(renderer, options.scale == SdlOptions::Scale::Integer ? SDL_TRUE : SDL_FALSE);
      // A new mode sizes the window to the chosen multiple; a window sized to fit keeps the
      // size its user gave it.
      if (options.scale == SdlOptions::Scale::Integer || frames == 0)
        SDL_SetWindowSize(window, int(tex_w * options.factor), int(tex_h * options.factor));
    }
    SDL_UpdateTexture(texture, nullptr, frame.pixels.data(), int(frame.width * 4));
    SDL_SetRenderDrawColor(renderer, 0, 0, 0, 255);
    SDL_RenderClear(renderer);
    SDL_RenderCopy(renderer, texture, nullptr, nullptr);
    SDL_RenderPresent(renderer);
    frames++;
  }

  void update_title() {
    std::string t = name;
    if (pc.paused())
      t += " [Paused]";
    else if (mips >= 0)
      t += fmt::format(" - {:.1f} MIPS", mips);
    if (grabbed) t += " - Ctrl+Alt+G releases";
    if (t == title) return;
    title = std::move(t);
    SDL_SetWindowTitle(window, title.c_str());
  }

  // Once a host second: the guest's instructions per host second since the last time.
  void measure_speed(uint32_t now) {
    const uint32_t elapsed = now - speed_ms;
    if (elapsed < kSpeedPeriodMs) return;
    const uint64_t icount = pc.cpu().s.icount;
    mips = double(icount - speed_icount) / (elapsed * 1e3);
    speed_icount = icount;
    speed_ms = now;
  }

  // Captures (or releases) the mouse and the keyboard, so the host's own shortcuts reach the guest.
  void set_grab(bool on) {
    grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(window, on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowKeyboardGrab(window, on ? SDL_TRUE : SDL_FALSE);
    update_title();
  }

  void handle(const SDL_Event& e) {
    switch (e.type) {
      case SDL_QUIT: pc.request_stop("the window was closed"); break;
      case SDL_KEYDOWN:
      case SDL_KEYUP: {
        const SDL_Keymod mods = SDL_GetModState();
        // Ctrl+Alt+G, as in QEMU: the G does not reach the guest (Ctrl and Alt already have).
        if (e.key.keysym.scancode == SDL_SCANCODE_G && (mods & KMOD_CTRL) && (mods & KMOD_ALT)) {
          if (e.type == SDL_KEYDOWN && !e.key.repeat) set_grab(!grabbed);
          break;
        }
        if (e.key.repeat) break;  // the guest's keyboard repeats on its own (typematic)
        if (const uint16_t key = sdl_scancode_to_ps2(e.key.keysym.scancode)) input.key(key, e.type == SDL_KEYDOWN);
        break;
      }
      case SDL_MOUSEBUTTONDOWN:
      case SDL_MOUSEBUTTONUP: {
        if (!grabbed) {
          if (e.type == SDL_MOUSEBUTTONDOWN) set_grab(true);
          break;
        }
        const uint8_t bit = e.button.button == SDL_BUTTON_LEFT    ? devices::Ps2Mouse::kLeft
                            : e.button.button == SDL_BUTTON_RIGHT ? devices::Ps2Mouse::kRight
                            : e.button.button == SDL_BUTTON_MIDDLE ? devices::Ps2Mouse::kMiddle
                                                                   : 0;
        if (bit) input.mouse_button(bit, e.type == SDL_MOUSEBUTTONDOWN);
        break;
      }
      case SDL_MOUSEMOTION:
        // SDL's y grows downwards; PS/2's grows away from the user.
        if (grabbed) input.mouse_move(e.motion.xrel, -e.motion.yrel);
        break;
      case SDL_WINDOWEVENT:
        if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST && grabbed) set_grab(false);
        break;
      default: break;
    }
  }
};

SdlDisplay::SdlDisplay(machine::PcMachine& pc, const SdlOptions& options) : impl_(std::make_unique<Impl>(pc, options)) {
  // Without a display SDL falls back to drawing off screen, and the run would go on with no
  // window to show: refuse instead, as QEMU does. SDL_VIDEODRIVER still chooses any driver.
  const bool driver_chosen = std::getenv("SDL_VIDEODRIVER") != nullptr;
  if (!driver_chosen && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY"))
    throw std::runtime_error("-display sdl: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)");
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
    throw std::runtime_error(fmt::format("-display sdl: cannot initialise SDL: {}", SDL_GetError()));
  const std::string_view driver = SDL_GetCurrentVideoDriver();
  if (!driver_chosen && (driver == "offscreen" || driver == "dummy"))
    throw std::runtime_error(fmt::format("-display sdl: no display to open a window on (SDL fell back to '{}')", driver));
  impl_->name = pc.config().name.empty() ? "ghost86" : pc.config().name + " - ghost86";
  impl_->title = impl_->name;
  const int f = int(options.factor);
  impl_->window = SDL_CreateWindow(impl_->title.c_str(), SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 720 * f,
                                   400 * f, SDL_WINDOW_RESIZABLE);
  if (!impl_->window) throw std::runtime_error(fmt::format("-display sdl: cannot open a window: {}", SDL_GetError()));
  impl_->renderer = SDL_CreateRenderer(impl_->window, -1, 0);
  if (!impl_->renderer)
    impl_->renderer = SDL_CreateRenderer(impl_->window, -1, SDL_RENDERER_SOFTWARE);
  if (!impl_->renderer)
    throw std::runtime_error(fmt::format("-display sdl: cannot create a renderer: {}", SDL_GetError()));
  impl_->speed_ms = SDL_GetTicks();
  impl_->speed_icount = pc.cpu().s.icount;
}

SdlDisplay::~SdlDisplay() = default;

uint64_t SdlDisplay::frames() const { return impl_->frames; }

std::string SdlDisplay::title() const { return impl_->title; }

void SdlDisplay::poll() {
  SDL_Event e;
  while (SDL_PollEvent(&e)) impl_->handle(e);
  // About 60 frames a second of host time.
  const uint32_t now = SDL_GetTicks();
  if (int32_t(now - impl_->next_frame_ms) >= 0) {
    impl_->draw();
    impl_->next_frame_ms = now + 16;
    impl_->measure_speed(now);
    impl_->update_title();
  }
}

void SdlDisplay::idle(uint64_t ns) {
  const int ms = int(std::min<uint64_t>(ns / 1'000'000, 10));
  SDL_Event e;
  if (ms > 0 && SDL_WaitEventTimeout(&e, ms)) impl_->handle(e);
}

}  // namespace frontend
