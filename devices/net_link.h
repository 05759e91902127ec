// The link between a network card and the network behind it (a -netdev backend). Frames are
// Ethernet frames without the frame check sequence, as they travel between the two.
#pragma once

#include <cstdint>
#include <span>

namespace devices {

// The card's side: frames arriving from the network.
class NetFrontend {
 public:
  virtual ~NetFrontend() = default;
  // Whether a frame of `len` bytes would be taken now (receiver enabled, descriptors free).
  virtual bool can_receive(size_t len) const = 0;
  // Takes one frame; a frame the card cannot take (filtered, too long) is dropped.
  virtual void receive(std::span<const uint8_t> frame) = 0;
};

// The network's side: frames the guest transmits.
class NetBackend {
 public:
  virtual ~NetBackend() = default;
  virtual void transmit(std::span<const uint8_t> frame) = 0;
  // The card has room again (the guest gave it receive descriptors): frames held back may go.
  virtual void frontend_ready() = 0;
};

}  // namespace devices
