// The one door between a network card and the network behind it (machine/net/README.md): frames
// from the network wait here and reach the card only at the end of a turn of the run loop, at
// an instruction count the replay log records (PcMachine::take_input). A replayed run has no
// network behind the door: the log's frames go in at the same counts and the guest's are dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <vector>

#include "devices/net_link.h"

namespace machine {

class NetPort : public devices::NetBackend, public devices::NetFrontend {
 public:
  // Frames for the guest held while its card has no room; older ones are dropped beyond this.
  static constexpr size_t kMaxQueued = 256;

  // `wake` ends the engine's run at the next instruction boundary, so that a waiting frame goes
  // in soon.
  NetPort(devices::NetFrontend& card, std::function<void()> wake)
      : card_(card), wake_(std::move(wake)) {}

  // The network (null: none, as in a replayed run).
  void set_network(devices::NetBackend* net) { network_ = net; }

  // The card's side (NetBackend): its frames go to the network, or nowhere without one.
  void transmit(std::span<const uint8_t> frame) override;
  void frontend_ready() override;

  // The network's side (NetFrontend): every frame is taken, to wait for the end of the turn.
  bool can_receive(size_t) const override { return true; }
  void receive(std::span<const uint8_t> frame) override;

  // The run loop: hands the card the frames waiting, in order, while it has room, telling
  // `delivered` of each.
  void deliver(const std::function<void(std::span<const uint8_t>)>& delivered);
  // A replayed frame for the card: false (and nothing delivered) if the card has no room.
  bool inject(std::span<const uint8_t> frame);
  size_t waiting() const { return queue_.size(); }

 private:
  devices::NetFrontend& card_;
  std::function<void()> wake_;
  devices::NetBackend* network_ = nullptr;
  std::deque<std::vector<uint8_t>> queue_;
};

}  // namespace machine
