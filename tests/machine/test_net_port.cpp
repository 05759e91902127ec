// The door between a card and its network (machine/net/net_port.h): frames from the network
// wait for the run loop and go to the card in order while it has room; a replayed run has no
// network (the guest's frames go nowhere) and the log's frames go in only where the card has room.
#include <catch2/catch.hpp>
#include <vector>

#include "machine/net/net_port.h"

namespace {

struct Card : devices::NetFrontend {
  std::vector<std::vector<uint8_t>> got;
  size_t room = 0;
  bool can_receive(size_t) const override { return room > 0; }
  void receive(std::span<const uint8_t> f) override {
    got.emplace_back(f.begin(), f.end());
    room--;
  }
};

struct Network : devices::NetBackend {
  std::vector<std::vector<uint8_t>> sent;
  void transmit(std::span<const uint8_t> f) override { sent.emplace_back(f.begin(), f.end()); }
  void frontend_ready() override {}
};

std::vector<uint8_t> frame(uint8_t tag) { return std::vector<uint8_t>(60, tag); }

}  // namespace

TEST_CASE("net port: frames from the network wait for the run loop and the card's room",
          "[machine][net]") {
  Card card;
  Network net;
  int wakes = 0;
  machine::NetPort port(card, [&wakes] { wakes++; });
  port.set_network(&net);
  card.room = 5;
  CHECK(port.can_receive(1514));
  port.receive(frame(1));
  port.receive(frame(2));
  CHECK(card.got.empty());  // not before the end of the turn
  CHECK(wakes == 2);
  card.room = 1;
  std::vector<uint8_t> seen;
  auto note = [&seen](std::span<const uint8_t> f) { seen.push_back(f[0]); };
  port.deliver(note);
  REQUIRE(card.got.size() == 1);
  CHECK(card.got[0] == frame(1));
  CHECK(port.waiting() == 1);
  port.frontend_ready();  // the guest gave the card room: the frame still waiting goes soon
  CHECK(wakes == 3);
  card.room = 5;
  port.deliver(note);
  CHECK(card.got.size() == 2);
  CHECK(card.got[1] == frame(2));
  CHECK(seen == std::vector<uint8_t>{1, 2});
  port.frontend_ready();  // nothing waits: no need to stop the engine
  CHECK(wakes == 3);
  port.transmit(frame(9));
  REQUIRE(net.sent.size() == 1);
  CHECK(net.sent[0] == frame(9));
}

TEST_CASE("net port: beyond its limit the oldest frames are dropped", "[machine][net]") {
  Card card;
  machine::NetPort port(card, [] {});
  for (size_t i = 0; i < machine::NetPort::kMaxQueued + 2; i++) port.receive(frame(uint8_t(i)));
  CHECK(port.waiting() == machine::NetPort::kMaxQueued);
  card.room = 1;
  port.deliver([](std::span<const uint8_t>) {});
  REQUIRE(card.got.size() == 1);
  CHECK(card.got[0] == frame(2));
}

TEST_CASE("net port: without a network the guest's frames go nowhere and injected ones need room",
          "[machine][net]") {
  Card card;
  machine::NetPort port(card, [] {});
  port.transmit(frame(1));  // no network: dropped
  CHECK_FALSE(port.inject(frame(2)));
  CHECK(card.got.empty());
  card.room = 1;
  CHECK(port.inject(frame(3)));
  REQUIRE(card.got.size() == 1);
  CHECK(card.got[0] == frame(3));
}
