#include "machine/net/net_port.h"

namespace machine {

void NetPort::transmit(std::span<const uint8_t> frame) {
  if (network_) network_->transmit(frame);
}

// The guest gave its card receive buffers: frames held back go at the end of this turn.
void NetPort::frontend_ready() {
  if (!queue_.empty()) wake_();
}

// Called from anywhere the network produces a frame: a timer of its own, a poll of host
// sockets, or inside the card's transmit (an answer at once, in the middle of an instruction).
// The card sees it only at the end of the turn.
void NetPort::receive(std::span<const uint8_t> frame) {
  if (queue_.size() >= kMaxQueued) queue_.pop_front();
  queue_.emplace_back(frame.begin(), frame.end());
  wake_();
}

void NetPort::deliver(const std::function<void(std::span<const uint8_t>)>& delivered) {
  while (!queue_.empty() && card_.can_receive(queue_.front().size())) {
    const std::vector<uint8_t> f = std::move(queue_.front());
    queue_.pop_front();
    card_.receive(f);
    delivered(f);
  }
}

bool NetPort::inject(std::span<const uint8_t> frame) {
  if (!card_.can_receive(frame.size())) return false;
  card_.receive(frame);
  return true;
}

}  // namespace machine
