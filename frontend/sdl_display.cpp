#include "frontend/sdl_display.h"

#include <SDL.h>
#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "devices/ps2_mouse.h"
#include "devices/vga_render.h"
#include "frontend/sdl_keymap.h"
#include "machine/pc_machine.h"

namespace frontend {

struct SdlDisplay::Impl {
  machine::PcMachine& pc;
  SDL_Window* window = nullptr;
  SDL_Renderer* renderer = nullptr;
  SDL_Texture* texture = nullptr;
  unsigned tex_w = 0, tex_h = 0;
  uint32_t next_frame_ms = 0;
  uint64_t frames = 0;
  bool grabbed = false;
  uint8_t buttons = 0;

  std::string title;  // "ghost86", or "NAME - ghost86" with -name

  explicit Impl(machine::PcMachine& pc) : pc(pc) {}
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
      tex_w = frame.width;
      tex_h = frame.height;
      SDL_SetWindowSize(window, int(tex_w), int(tex_h));
    }
    SDL_UpdateTexture(texture, nullptr, frame.pixels.data(), int(frame.width * 4));
    SDL_RenderClear(renderer);
    SDL_RenderCopy(renderer, texture, nullptr, nullptr);
    SDL_RenderPresent(renderer);
    frames++;
  }

  void set_grab(bool on) {
    grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowTitle(window, on ? (title + " (Ctrl+Alt+G releases the mouse)").c_str() : title.c_str());
  }

  void handle(const SDL_Event& e) {
    switch (e.type) {
      case SDL_QUIT: pc.request_stop("the window was closed"); break;
      case SDL_KEYDOWN:
      case SDL_KEYUP: {
        const SDL_Keymod mods = SDL_GetModState();
        if (e.type == SDL_KEYDOWN && grabbed && e.key.keysym.scancode == SDL_SCANCODE_G &&
            (mods & KMOD_CTRL) && (mods & KMOD_ALT)) {
          set_grab(false);
          break;
        }
        if (e.key.repeat) break;  // the guest's keyboard repeats on its own (typematic)
        if (const uint16_t key = sdl_scancode_to_ps2(e.key.keysym.scancode)) {
          pc.input().key(key, e.type == SDL_KEYDOWN);
        }
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
        buttons = e.type == SDL_MOUSEBUTTONDOWN ? uint8_t(buttons | bit) : uint8_t(buttons & ~bit);
        pc.input().mouse(0, 0, buttons);
        break;
      }
      case SDL_MOUSEMOTION:
        // SDL's y grows downwards; PS/2's grows away from the user.
        if (grabbed) pc.input().mouse(e.motion.xrel, -e.motion.yrel, buttons);
        break;
      case SDL_WINDOWEVENT:
        if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST && grabbed) set_grab(false);
        break;
      default: break;
    }
  }
};

SdlDisplay::SdlDisplay(machine::PcMachine& pc) : impl_(std::make_unique<Impl>(pc)) {
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
  impl_->title = pc.config().name.empty() ? "ghost86" : pc.config().name + " - ghost86";
  impl_->window = SDL_CreateWindow(impl_->title.c_str(), SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 720, 400, 0);
  if (!impl_->window) throw std::runtime_error(fmt::format("-display sdl: cannot open a window: {}", SDL_GetError()));
  impl_->renderer = SDL_CreateRenderer(impl_->window, -1, 0);
  if (!impl_->renderer)
    impl_->renderer = SDL_CreateRenderer(impl_->window, -1, SDL_RENDERER_SOFTWARE);
  if (!impl_->renderer)
    throw std::runtime_error(fmt::format("-display sdl: cannot create a renderer: {}", SDL_GetError()));
}

SdlDisplay::~SdlDisplay() = default;

uint64_t SdlDisplay::frames() const { return impl_->frames; }

void SdlDisplay::poll() {
  SDL_Event e;
  while (SDL_PollEvent(&e)) impl_->handle(e);
  // About 60 frames a second of host time.
  const uint32_t now = SDL_GetTicks();
  if (int32_t(now - impl_->next_frame_ms) >= 0) {
    impl_->draw();
    impl_->next_frame_ms = now + 16;
  }
}

void SdlDisplay::idle(uint64_t ns) {
  const int ms = int(std::min<uint64_t>(ns / 1'000'000, 10));
  SDL_Event e;
  if (ms > 0 && SDL_WaitEventTimeout(&e, ms)) impl_->handle(e);
}

}  // namespace frontend
