// Needles (machine/needle.h): reading, area comparison with its pixel and channel tolerances,
// the diff picture and --update-needles' rewrite; and the script steps that use them and the
// mouse, control commands and snapshots, driven through a bare Automation.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "machine/automation.h"
#include "machine/needle.h"
#include "machine/screendump.h"

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("ghost86-needle-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

// A 20x10 picture: a gradient, so that every pixel is its own.
devices::VgaFrame picture() {
  devices::VgaFrame f;
  f.width = 20, f.height = 10;
  for (unsigned y = 0; y < f.height; y++)
    for (unsigned x = 0; x < f.width; x++) f.pixels.push_back(x * 10 << 16 | y * 20 << 8 | 0x40);
  return f;
}

uint32_t& at(devices::VgaFrame& f, unsigned x, unsigned y) { return f.pixels[y * f.width + x]; }

std::string make_needle(const fs::path& dir, const std::string& areas_json) {
  const std::string base = (dir / "n").string();
  machine::write_png(base + ".png", picture());
  std::ofstream(base + ".json") << areas_json;
  return base;
}

std::string load_error(const std::string& base) {
  try {
    machine::load_needle(base);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("needle: areas match exactly or within their tolerances", "[machine][needle]") {
  TempDir dir;
  const std::string base = make_needle(
      dir.path, R"({"areas": [{"name": "box", "x": 2, "y": 3, "width": 5, "height": 4}]})");
  const machine::Needle n = machine::load_needle(base + ".json");
  CHECK(n.name == "n");
  REQUIRE(n.areas.size() == 1);
  CHECK(n.image.pixels == picture().pixels);
  devices::VgaFrame screen = picture();
  CHECK(machine::match_needle(n, screen).matched);
  // Outside the area nothing counts.
  at(screen, 0, 0) ^= 0xffffff;
  at(screen, 7, 3) ^= 0xffffff;  // just right of the area (x 2..6)
  CHECK(machine::match_needle(n, screen).matched);
  // One pixel inside: an exact area fails, one with tolerance 1 passes, tolerance 1 with two
  // pixels fails.
  at(screen, 6, 6) ^= 0x000001;  // the area's last pixel, its blue value one off
  const machine::NeedleMatch m = machine::match_needle(n, screen);
  CHECK_FALSE(m.matched);
  CHECK(m.why == "area 'box' of needle 'n' differs in 1 pixels (tolerance 0)");
  machine::Needle tolerant = n;
  tolerant.areas[0].tolerance = 1;
  CHECK(machine::match_needle(tolerant, screen).matched);
  at(screen, 2, 3) ^= 0x100000;  // red 16 off
  CHECK_FALSE(machine::match_needle(tolerant, screen).matched);
  // delta: a pixel whose channels are at most `delta` away is the same pixel.
  machine::Needle near = n;
  near.areas[0].delta = 16;
  CHECK(machine::match_needle(near, screen).matched);
  near.areas[0].delta = 15;
  CHECK(machine::match_needle(near, screen).matched == false);
  // A screen of another size never matches.
  devices::VgaFrame small = picture();
  small.width = 10, small.pixels.resize(100);
  CHECK_THAT(machine::match_needle(n, small).why, Catch::Contains("the screen is 10x10"));
}

TEST_CASE("needle: the diff marks differing pixels red and frames the areas", "[machine][needle]") {
  TempDir dir;
  const machine::Needle n = machine::load_needle(
      make_needle(dir.path, R"({"areas": [{"name": "a", "x": 2, "y": 2, "width": 3, "height": 3},
                             {"name": "b", "x": 12, "y": 2, "width": 3, "height": 3}]})"));
  devices::VgaFrame screen = picture();
  at(screen, 3, 3) ^= 0xffffff;
  const devices::VgaFrame d = machine::needle_diff(n, screen);
  REQUIRE(d.width == 20);
  CHECK(d.pixels[3 * 20 + 3] == 0xff0000);                      // the pixel that differs
  CHECK(d.pixels[2 * 20 + 2] == picture().pixels[2 * 20 + 2]);  // a same pixel, undimmed
  CHECK(d.pixels[1 * 20 + 1] == 0xff0000);                      // area a's frame: it does not match
  CHECK(d.pixels[1 * 20 + 11] == 0x00ff00);                     // area b's frame: it matches
  CHECK(d.pixels[9 * 20 + 19] == (picture().pixels[9 * 20 + 19] >> 2 & 0x3f3f3f));  // dimmed
}

TEST_CASE("needle: bad files are one line naming the file", "[machine][needle]") {
  TempDir dir;
  const std::string base = (dir.path / "n").string();
  CHECK_THAT(load_error(base), Catch::Contains("n.json': does not exist"));
  make_needle(dir.path, "{");
  CHECK_THAT(load_error(base), Catch::Contains("n.json': is not valid JSON"));
  make_needle(dir.path, R"({"areas": []})");
  CHECK_THAT(load_error(base), Catch::Contains("has no areas"));
  make_needle(dir.path, R"({"areas": [{"x": 0, "y": 0, "width": 21, "height": 1}]})");
  CHECK_THAT(load_error(base), Catch::Contains("lies outside the 20x10 picture"));
  make_needle(dir.path, R"({"areas": [{"x": 0, "y": 0, "width": 2, "height": 1, "delta": 256}]})");
  CHECK_THAT(load_error(base), Catch::Contains("\"delta\" must be a whole number from 0 to 255"));
  make_needle(dir.path, R"({"areas": [{"x": 0, "y": -1, "width": 2, "height": 1}]})");
  CHECK_THAT(load_error(base), Catch::Contains("\"y\" must be a whole number"));
  make_needle(dir.path, R"({"areas": [{"x": 0, "width": 2, "height": 1}]})");
  CHECK_THAT(load_error(base), Catch::Contains("area 1 has no \"y\""));
  make_needle(dir.path, R"({"areas": [{"x": 0, "y": 0, "width": 2, "height": 1, "colour": 1}]})");
  CHECK_THAT(load_error(base), Catch::Contains("unknown key \"colour\""));
  std::ofstream(base + ".json") << R"({"areas": [{"x": 0, "y": 0, "width": 2, "height": 1}]})";
  std::ofstream(base + ".png") << "not a picture";
  CHECK_THAT(load_error(base), Catch::Contains("n.png': is not a readable PNG"));
  fs::remove(base + ".png");
  CHECK_THAT(load_error(base), Catch::Contains("n.png': does not exist"));
  CHECK(machine::load_needle(base, /*image_optional=*/true).image.pixels.empty());
}

TEST_CASE("needle: an update writes the screen and keeps the areas", "[machine][needle]") {
  TempDir dir;
  const std::string base = (dir.path / "fresh").string();
  machine::Needle fresh = machine::load_needle(base, /*image_optional=*/true);
  devices::VgaFrame screen = picture();
  machine::update_needle(fresh, screen);
  const machine::Needle back = machine::load_needle(base);
  CHECK(back.image.pixels == screen.pixels);
  REQUIRE(back.areas.size() == 1);  // none before: the whole screen
  CHECK((back.areas[0].width == 20 && back.areas[0].height == 10));
  machine::Needle kept = back;
  kept.areas[0] = {"corner", 1, 2, 3, 4, 5, 6};
  machine::update_needle(kept, screen);
  const machine::Needle again = machine::load_needle(base);
  REQUIRE(again.areas.size() == 1);
  CHECK(again.areas[0].name == "corner");
  CHECK((again.areas[0].x == 1 && again.areas[0].y == 2 && again.areas[0].width == 3 &&
         again.areas[0].height == 4 && again.areas[0].tolerance == 5 && again.areas[0].delta == 6));
}

namespace {

// A bare Automation on a clock whose instruction count the test moves.
struct Script {
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  std::vector<std::string> events;
  devices::VgaFrame screen = picture();
  std::string saved_to;
  std::unique_ptr<machine::Automation> automation;

  explicit Script(machine::MachineConfig cfg, devices::VgaFrame first = picture())
      : screen(std::move(first)) {
    machine::Automation::Io io;
    io.screen = [] { return std::string(); };
    io.key = [this](uint16_t k, bool down) {
      events.push_back(fmt::format("{}key {:x} @{}", down ? "+" : "-", k, clock.now_ns()));
    };
    io.mouse = [this](int dx, int dy, uint8_t b) {
      events.push_back(fmt::format("mouse {},{},{} @{}", dx, dy, b, clock.now_ns()));
    };
    io.frame = [this] { return screen; };
    io.command = [this](const std::string& c) -> std::string {
      events.push_back("command " + c);
      return c == "bad" ? "no such command" : "";
    };
    io.savevm = [this](const std::string& path) { saved_to = path; };
    io.fail = [this](std::string why) { events.push_back("fail: " + why); };
    automation = std::make_unique<machine::Automation>(cfg, clock, io);
    automation->start();
  }
  // Fires the timers due at every count up to `ns` (1 ns per instruction).
  void run_to(uint64_t ns) {
    for (;;) {
      clock.run_due();
      if (icount >= ns) return;
      icount++;
    }
  }
};

}  // namespace

TEST_CASE("script steps: mouse moves and clicks, commands and savevm in order",
          "[machine][automation]") {
  using Kind = machine::AutomationStep::Kind;
  machine::MachineConfig cfg;
  machine::AutomationStep mouse{Kind::Mouse, "5,-3,left"};
  mouse.dx = 5, mouse.dy = -3, mouse.buttons = 1;
  cfg.steps = {mouse,
               {Kind::Command, "{\"execute\":\"stop\"}"},
               {Kind::Savevm, "/x.snap"},
               {Kind::Command, "bad"}};
  Script s(cfg);
  const uint64_t k = machine::Automation::kKeyIntervalNs;
  s.run_to(4 * k);
  // The move, the press and the release, one key interval apart; then the command at once.
  REQUIRE(s.events.size() == 4);
  CHECK(s.events[0] == "mouse 5,-3,0 @0");
  CHECK(s.events[1] == fmt::format("mouse 0,0,1 @{}", k));
  CHECK(s.events[2] == fmt::format("mouse 0,0,0 @{}", 2 * k));
  CHECK(s.events[3] == "command {\"execute\":\"stop\"}");
  // The savevm step waits for its snapshot to be written.
  CHECK(s.saved_to == "/x.snap");
  CHECK(s.automation->steps_done() == 2);
  s.automation->saved();
  REQUIRE(s.events.size() == 6);
  CHECK(s.events[4] == "command bad");
  CHECK(s.events[5] == "fail: step 4 (qmp:bad) failed: no such command");
  CHECK(s.automation->steps_done() == 3);
}

TEST_CASE("script steps: a needle is waited for, polled in virtual time", "[machine][automation]") {
  TempDir dir;
  const std::string base = make_needle(
      dir.path, R"({"areas": [{"name": "box", "x": 0, "y": 0, "width": 4, "height": 4}]})");
  using Kind = machine::AutomationStep::Kind;
  machine::MachineConfig cfg;
  machine::AutomationStep needle{Kind::Needle, base};
  needle.limit_ns = 100'000'000;
  cfg.steps = {needle, {Kind::Command, "after"}};
  devices::VgaFrame changed = picture();
  at(changed, 1, 1) ^= 0xffffff;
  {
    Script s(cfg, changed);
    s.run_to(25'000'000);
    CHECK(s.automation->steps_done() == 0);
    REQUIRE(s.automation->current_needle());
    CHECK(s.automation->current_needle()->name == "n");
    s.screen = picture();  // matches from now on; the next poll (every 10 ms) sees it
    s.run_to(30'000'000);
    CHECK(s.automation->steps_done() == 2);
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0] == "command after");
  }
  {
    Script s(cfg, changed);
    s.run_to(100'000'000);
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0] == "fail: step 1 (needle:" + base +
                             ") did not match within 0.1 s of virtual time: area 'box' of needle "
                             "'n' differs in 1 pixels (tolerance 0)");
  }
  {
    // --update-needles: at the limit the screen becomes the needle, and the script goes on.
    cfg.update_needles = true;
    Script s(cfg, changed);
    s.run_to(100'000'000);
    CHECK(s.automation->steps_done() == 2);
    CHECK(machine::load_needle(base).image.pixels == s.screen.pixels);
  }
}
