// The network options, as QEMU spells them: -netdev user, -nic, -net none and -device e1000.
#include <catch2/catch.hpp>

#include "frontend/cli.h"

namespace {

using frontend::CliResult;

CliResult parse(std::vector<std::string> args) {
  frontend::Features f;
  f.kernel = f.serial = true;
  f.default_bios = "/usr/share/seabios/bios.bin";
  return frontend::parse_command_line(args, f);
}

void check_error(const CliResult& r, const std::string& option, const std::string& says) {
  INFO("message: " << r.message);
  CHECK(r.action == CliResult::Action::Exit);
  CHECK(r.exit_code == 1);
  CHECK(r.message.find('\n') == std::string::npos);
  CHECK(r.message.rfind("ghost86: " + option + ": ", 0) == 0);
  CHECK(r.message.find(says) != std::string::npos);
}

}  // namespace

TEST_CASE("net options: no network unless asked for", "[frontend][net]") {
  const CliResult r = parse({});
  REQUIRE(r.action == CliResult::Action::Run);
  CHECK(r.config.nics.empty());
  CHECK(r.config.netdevs.empty());
  CHECK(parse({"-net", "none"}).config.nics.empty());
}

TEST_CASE("net options: -nic user gives an e1000 on a user network", "[frontend][net]") {
  const CliResult r =
      parse({"-nic", "user,hostfwd=tcp:127.0.0.1:5555-:22,hostfwd=udp::6000-10.0.2.20:53"});
  REQUIRE(r.action == CliResult::Action::Run);
  REQUIRE(r.config.nics.size() == 1);
  REQUIRE(r.config.netdevs.size() == 1);
  const auto& nic = r.config.nics[0];
  CHECK(nic.model == "e1000");
  CHECK(nic.netdev == r.config.netdevs[0].id);
  // QEMU's first MAC address.
  CHECK(nic.mac == std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56});
  const auto& d = r.config.netdevs[0];
  CHECK(d.net == 0x0a000200u);
  CHECK(d.prefix == 24);
  REQUIRE(d.hostfwd.size() == 2);
  CHECK(!d.hostfwd[0].udp);
  CHECK(d.hostfwd[0].host_addr == "127.0.0.1");
  CHECK(d.hostfwd[0].host_port == 5555);
  CHECK(d.hostfwd[0].guest_addr.empty());
  CHECK(d.hostfwd[0].guest_port == 22);
  CHECK(d.hostfwd[1].udp);
  CHECK(d.hostfwd[1].host_addr.empty());
  CHECK(d.hostfwd[1].guest_addr == "10.0.2.20");
  CHECK(parse({"-nic", "user,model=e1000,mac=52:54:00:aa:bb:cc"}).config.nics.at(0).mac ==
        std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc});
  CHECK(parse({"-nic", "none"}).config.nics.empty());
  CHECK(parse({"-nic", "user,model=virtio-net-pci"}).config.nics.at(0).model == "virtio-net-pci");
  CHECK(parse({"-netdev", "user,id=v", "-device", "virtio-net-pci,netdev=v"}).config.nics.at(0).model ==
        "virtio-net-pci");
}

TEST_CASE("net options: -netdev with -device e1000", "[frontend][net]") {
  const CliResult r =
      parse({"-device", "e1000,netdev=n1", "-netdev", "user,id=n1,net=192.168.76.0/255.255.255.0",
             "-netdev", "user,id=n2", "-device", "e1000,netdev=n2"});
  REQUIRE(r.action == CliResult::Action::Run);
  REQUIRE(r.config.nics.size() == 2);
  CHECK(r.config.nics[0].netdev == "n1");
  CHECK(r.config.netdevs[0].net == 0xc0a84c00u);
  CHECK(r.config.netdevs[0].prefix == 24);
  // The second card gets the next address, as in QEMU.
  CHECK(r.config.nics[1].mac[5] == 0x57);
  // A netdev no card uses works, with a remark.
  const CliResult lone = parse({"-netdev", "user,id=n0"});
  REQUIRE(lone.action == CliResult::Action::Run);
  CHECK(lone.notes.size() == 1);
}

TEST_CASE("net options: what is not supported is refused with one line naming it",
          "[frontend][net]") {
  check_error(parse({"-netdev", "tap,id=t0"}), "-netdev", "tap");
  check_error(parse({"-netdev", "user,id=n0,smb=/tmp"}), "-netdev", "smb");
  check_error(parse({"-netdev", "user"}), "-netdev", "id=");
  check_error(parse({"-netdev", "user,id=a", "-netdev", "user,id=a"}), "-netdev", "twice");
  check_error(parse({"-netdev", "user,id=n0,net=10.0.2.0/33"}), "-netdev", "net=");
  check_error(parse({"-netdev", "user,id=n0,hostfwd=tcp::99999-:22"}), "-netdev", "port");
  check_error(parse({"-netdev", "user,id=n0,hostfwd=sctp::1-:22"}), "-netdev", "sctp");
  check_error(parse({"-netdev", "user,id=n0,hostfwd=tcp:1.2.3:1-:22"}), "-netdev", "IPv4");
  check_error(parse({"-nic", "user,model=rtl8139"}), "-nic", "rtl8139");
  check_error(parse({"-nic", "user,mac=01:00:00:00:00:01"}), "-nic", "multicast");
  check_error(parse({"-nic", "user,mac=52:54:00:zz:00:01"}), "-nic", "mac=");
  check_error(parse({"-nic", "bridge"}), "-nic", "bridge");
  check_error(parse({"-net", "nic"}), "-net", "-net none");
  check_error(parse({"-device", "e1000,netdev=nowhere"}), "-device", "nowhere");
  check_error(parse({"-device", "e1000,bus=pci.0"}), "-device", "bus");
  check_error(
      parse({"-netdev", "user,id=n", "-device", "e1000,netdev=n", "-device", "e1000,netdev=n"}),
      "-device", "2 cards");
}
