#include <catch2/catch.hpp>

#include "frontend/sdl_keymap.h"

#ifdef GHOST86_HAVE_SDL
#include <SDL.h>

#include <cstdlib>

#include "frontend/sdl_display.h"
#include "machine/pc_machine.h"
#endif

// Expected codes: USB HID usage IDs (keyboard page) and IBM PS/2 scan code set 2.
TEST_CASE("sdl keymap: keys keep their position", "[frontend][sdl]") {
  CHECK(frontend::sdl_scancode_to_ps2(4) == 0x1C);      // A
  CHECK(frontend::sdl_scancode_to_ps2(40) == 0x5A);     // Enter
  CHECK(frontend::sdl_scancode_to_ps2(58) == 0x05);     // F1
  CHECK(frontend::sdl_scancode_to_ps2(64) == 0x83);     // F7, the one set-2 code above 7Fh
  CHECK(frontend::sdl_scancode_to_ps2(82) == 0xE075);   // Up
  CHECK(frontend::sdl_scancode_to_ps2(88) == 0xE05A);   // keypad Enter
  CHECK(frontend::sdl_scancode_to_ps2(228) == 0xE014);  // Right Ctrl
  CHECK(frontend::sdl_scancode_to_ps2(0) == 0);
  CHECK(frontend::sdl_scancode_to_ps2(500) == 0);
}

#ifdef GHOST86_HAVE_SDL
TEST_CASE("sdl display: draws frames and passes keys to the keyboard", "[frontend][sdl]") {
  setenv("SDL_VIDEODRIVER", "dummy", 1);  // no desktop needed
  machine::MachineConfig cfg;
  machine::PcMachine pc(cfg, [](char) {});
  frontend::SdlDisplay display(pc);
  display.poll();
  CHECK(display.frames() == 1);  // the power-on text screen
  // A key pressed in the window goes to the machine's host input (machine/host_input.h), which
  // hands it to the 8042 at the end of the run loop's turn: its output buffer fills (status bit 0).
  CHECK((pc.bus().io_read(0x64, 1) & 1) == 0);
  SDL_Event e{};
  e.type = SDL_KEYDOWN;
  e.key.keysym.scancode = SDL_SCANCODE_A;
  REQUIRE(SDL_PushEvent(&e) == 1);
  display.poll();
  REQUIRE_FALSE(pc.input().empty());
  const machine::InputEvent key = pc.input().pop();
  CHECK(key == machine::InputEvent{machine::InputEvent::Kind::Key, 0x1C, true});  // set 2, as the 8042 sends it untranslated
  SDL_Event quit{};
  quit.type = SDL_QUIT;
  REQUIRE(SDL_PushEvent(&quit) == 1);
  display.poll();
  const machine::RunResult r = pc.run();
  CHECK(r.kind == machine::RunResult::Kind::Stopped);
}

TEST_CASE("sdl display: the title names the machine and says when it is paused", "[frontend][sdl]") {
  setenv("SDL_VIDEODRIVER", "dummy", 1);  // no desktop needed
  machine::MachineConfig cfg;
  cfg.name = "box";
  machine::PcMachine pc(cfg, [](char) {});
  frontend::SdlOptions options;
  options.scale = frontend::SdlOptions::Scale::Fit;
  frontend::SdlDisplay display(pc, options);
  display.poll();
  CHECK(display.title() == "box - ghost86");  // no speed measured yet
  pc.pause();
  SDL_Delay(20);  // the title is updated with the next frame, 16 ms of host time after the last
  display.poll();
  CHECK(display.title() == "box - ghost86 [Paused]");
  pc.resume();
  SDL_Delay(20);
  display.poll();
  CHECK(display.title() == "box - ghost86");
}
#endif
