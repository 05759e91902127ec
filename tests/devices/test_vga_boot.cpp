#include <catch2/catch.hpp>

#include <filesystem>

#include "devices/vga_render.h"
#include "machine/pc_machine.h"

// SeaBIOS runs the VGA BIOS from fw_cfg, which sets mode 3 through the VGA registers; SeaBIOS
// then prints its banner through INT 10h into the text screen.
TEST_CASE("SeaBIOS with the VGA BIOS prints its banner on the text screen", "[vga][machine][seabios]") {
  if (!std::filesystem::exists("/usr/share/seabios/bios.bin") ||
      !std::filesystem::exists("/usr/share/seabios/vgabios-stdvga.bin"))
    return;
  machine::MachineConfig cfg;
  cfg.bios_path = "/usr/share/seabios/bios.bin";
  cfg.max_insns = 3'000'000'000;
  machine::PcMachine pc(cfg, [](char) {});
  pc.run();
  const std::vector<std::string> lines = pc.screen_text();
  std::string screen;
  for (const std::string& l : lines) screen += l + "\n";
  INFO(screen);
  REQUIRE(lines.size() == 25);
  CHECK(screen.find("SeaBIOS (version") != std::string::npos);
  CHECK(screen.find("No bootable device.") != std::string::npos);
  // The picture of that screen: 720x400 with the font the VGA BIOS loaded into plane 2.
  const devices::VgaFrame f = devices::vga_render(pc.board().vga());
  CHECK(f.width == 720);
  CHECK(f.height == 400);
  CHECK(std::any_of(f.pixels.begin(), f.pixels.end(), [](uint32_t p) { return p != 0; }));
}
