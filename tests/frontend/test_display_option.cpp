// -display sdl's options and -vnc's addresses: QEMU's spellings (RFB display N is TCP port
// 5900 + N, RFC 6143 section 1), and one error line naming the option for anything else.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "frontend/cli.h"
#include "frontend/display_option.h"

namespace {

using frontend::SdlOptions;
using frontend::control::SocketSpec;

frontend::Features features(bool vnc) {
  frontend::Features f;
  f.sdl = f.desktop = f.disks = f.serial = true;
  f.vnc = vnc;
  f.default_bios = "/usr/share/seabios/bios.bin";  // only its name: the CLI does not open it
  return f;
}

}  // namespace

TEST_CASE("display options: sdl scale", "[frontend][cli][display]") {
  CHECK(frontend::parse_sdl_options("").scale == SdlOptions::Scale::Integer);
  CHECK(frontend::parse_sdl_options("").factor == 1);
  CHECK(frontend::parse_sdl_options("scale=fit").scale == SdlOptions::Scale::Fit);
  const SdlOptions two = frontend::parse_sdl_options("scale=2");
  CHECK((two.scale == SdlOptions::Scale::Integer && two.factor == 2));
  CHECK(frontend::parse_sdl_options("scale=fit,scale=3").factor == 3);  // the last one counts
  for (const char* bad :
       {"scale=0", "scale=9", "scale=1.5", "scale=", "scale=-1", "gl=on", "zoom-to-fit=on"}) {
    INFO(bad);
    CHECK_THROWS_AS(frontend::parse_sdl_options(bad), std::invalid_argument);
  }
}

TEST_CASE("display options: -vnc addresses", "[frontend][cli][display]") {
  CHECK_FALSE(frontend::parse_vnc("none"));
  const auto zero = frontend::parse_vnc(":0");
  REQUIRE(zero);
  CHECK((zero->kind == SocketSpec::Kind::Tcp && zero->host.empty() && zero->port == "5900"));
  const auto local = frontend::parse_vnc("127.0.0.1:7");
  REQUIRE(local);
  CHECK((local->host == "127.0.0.1" && local->port == "5907"));
  const auto v6 = frontend::parse_vnc("[::1]:1");
  REQUIRE(v6);
  CHECK((v6->host == "::1" && v6->port == "5901"));
  CHECK(frontend::parse_vnc(":59635")->port == "65535");
  const auto unix_socket = frontend::parse_vnc("unix:/tmp/g86.vnc");
  REQUIRE(unix_socket);
  CHECK((unix_socket->kind == SocketSpec::Kind::Unix && unix_socket->path == "/tmp/g86.vnc"));
  CHECK_FALSE(unix_socket->password);
  // QEMU's password=on (and its older bare "password"): VNC authentication.
  const auto with_password = frontend::parse_vnc(":2,password=on");
  REQUIRE(with_password);
  CHECK((with_password->port == "5902" && with_password->password));
  CHECK(frontend::parse_vnc("unix:/tmp/g86.vnc,password")->password);
  CHECK(frontend::parse_vnc("unix:/tmp/g86.vnc,password")->path == "/tmp/g86.vnc");
  CHECK_FALSE(frontend::parse_vnc(":2,password=on,password=off")->password);
  for (const std::string& bad : std::vector<std::string>{
           "", "0", ":", ":x", ":-1", ":59636", "host", "unix:", ":1,password=yes", ":1,",
           ":1,websocket=5700", "none,password=on", "unix:/" + std::string(200, 'a')}) {
    INFO(bad);
    CHECK_THROWS_AS(frontend::parse_vnc(bad), std::invalid_argument);
  }
}

TEST_CASE("display options: on the command line", "[frontend][cli][display]") {
  const auto run =
      frontend::parse_command_line({"-display", "sdl,scale=fit", "-vnc", ":3"}, features(true));
  REQUIRE(run.action == frontend::CliResult::Action::Run);
  CHECK(run.display.sdl.scale == SdlOptions::Scale::Fit);
  REQUIRE(run.display.vnc);
  CHECK(run.display.vnc->port == "5903");
  CHECK_FALSE(frontend::parse_command_line({"-vnc", "none"}, features(true)).display.vnc);
  // Errors: one line naming the option, status 1.
  const std::pair<std::vector<std::string>, std::string> bad[] = {
      {{"-vnc", "nonsense"}, "-vnc"},
      {{"-vnc", ":1,password=yes"}, "-vnc"},
      {{"-display", "sdl,scale=0"}, "-display"},
      {{"-display", "none,scale=2"}, "-display"},
  };
  for (const auto& [args, option] : bad) {
    INFO(args[1]);
    const auto r = frontend::parse_command_line(args, features(true));
    CHECK(r.action == frontend::CliResult::Action::Exit);
    CHECK(r.exit_code == 1);
    CHECK(r.message.find('\n') == std::string::npos);
    CHECK(r.message.rfind("ghost86: " + option + ": ", 0) == 0);
  }
  const auto missing = frontend::parse_command_line({"-vnc", ":1"}, features(false));
  CHECK(missing.exit_code == 1);
  CHECK(missing.message.rfind("ghost86: -vnc: this build has no VNC server", 0) == 0);
}
