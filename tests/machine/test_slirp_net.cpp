// The user-mode network (libslirp) behind a card: answers the guest alone in virtual time, keeps
// its timers out of the machine state, and refuses forwards it cannot set up. (Frames wait for
// the card in its NetPort: test_net_port.cpp.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <deque>
#include <stdexcept>

#include "machine/net/slirp_net.h"

namespace {

struct Card : devices::NetFrontend {
  std::vector<std::vector<uint8_t>> got;
  size_t room = 100;
  bool can_receive(size_t) const override { return room > 0; }
  void receive(std::span<const uint8_t> f) override {
    got.emplace_back(f.begin(), f.end());
    room--;
  }
};

// An ARP request (RFC 826) from 52:54:00:12:34:56 / 10.0.2.15 for `target`.
std::vector<uint8_t> arp_request(uint8_t target_last) {
  const uint8_t head[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00,       0x12, 0x34,
                          0x56, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6,    4,          0x00, 0x01,
                          0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10,   0,    2,          15,   0,
                          0,    0,    0,    0,    0,    10,   0,    2,    target_last};
  std::vector<uint8_t> f(60, 0);
  std::copy(std::begin(head), std::end(head), f.begin());
  return f;
}

machine::NetdevConfig netdev(std::string id, uint32_t net = 0x0a000200u) {
  machine::NetdevConfig c;
  c.id = std::move(id);
  c.net = net;
  return c;
}

}  // namespace

TEST_CASE("slirp: the host and DNS addresses answer ARP at once", "[machine][net]") {
  uint64_t icount = 0;
  machine::Clock clock(icount, 1);
  machine::SlirpNet net(netdev("n0"), clock);
  Card card;
  net.set_frontend(&card);
  for (uint8_t who : {uint8_t(2), uint8_t(3)}) {
    card.got.clear();
    net.transmit(arp_request(who));
    REQUIRE(card.got.size() == 1);
    const auto& r = card.got[0];
    REQUIRE(r.size() >= 42);
    CHECK(std::vector<uint8_t>(r.begin(), r.begin() + 6) ==
          std::vector<uint8_t>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56});
    CHECK((r[12] << 8 | r[13]) == 0x0806);
    CHECK((r[20] << 8 | r[21]) == 2);  // reply
    CHECK(std::vector<uint8_t>(r.begin() + 28, r.begin() + 32) ==
          std::vector<uint8_t>{10, 0, 2, who});
  }
  // Another subnet with net=: the host is x.x.x.2 there.
  const machine::NetdevConfig other = netdev("n1", 0xc0a84c00u);
  machine::SlirpNet net2(other, clock);
  Card card2;
  net2.set_frontend(&card2);
  auto req = arp_request(2);
  req[28] = 192, req[29] = 168, req[30] = 76, req[31] = 15;
  req[38] = 192, req[39] = 168, req[40] = 76;
  net2.transmit(req);
  REQUIRE(card2.got.size() == 1);
  CHECK(std::vector<uint8_t>(card2.got[0].begin() + 28, card2.got[0].begin() + 32) ==
        std::vector<uint8_t>{192, 168, 76, 2});
}

// The stack's timers (and its host poll) are host timers: the clock's part of the machine state
// is the same with a network as without one, so a replayed run, which starts no network, hashes
// as the recorded one did.
TEST_CASE("slirp: the stack adds nothing to the clock's state", "[machine][net]") {
  uint64_t icount = 0;
  machine::Clock bare(icount, 1), clock(icount, 1);
  machine::SlirpNet net(netdev("n0"), clock);
  Card card;
  net.set_frontend(&card);
  net.transmit(arp_request(2));
  icount = 5'000'000;
  clock.run_due();
  bare.run_due();
  devices::StateWriter a, b;
  bare.serialize(a);
  clock.serialize(b);
  CHECK(a.out == b.out);
  CHECK(clock.next_event_icount() != machine::Clock::kNever);  // the poll is still armed
}

TEST_CASE("slirp: a host port that is taken is refused with the netdev's name", "[machine][net]") {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(s >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(s, 1) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  uint64_t icount = 0;
  machine::Clock clock(icount, 1);
  machine::NetdevConfig cfg = netdev("fw0");
  machine::HostForward fwd;
  fwd.host_addr = "127.0.0.1", fwd.host_port = ntohs(a.sin_port), fwd.guest_port = 22;
  cfg.hostfwd.push_back(fwd);
  try {
    machine::SlirpNet net(cfg, clock);
    FAIL("the forward was set up on a port in use");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("fw0") != std::string::npos);
  }
  ::close(s);
}
