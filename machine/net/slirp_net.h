// -netdev user: a user-mode network behind one card, with libslirp as its TCP/IP stack (DHCP,
// DNS forwarding, the host at x.x.x.2, outbound connections through host sockets, port forwards
// into the guest). See README.md for how it keeps to virtual time. Its frames go to the card's
// NetPort (net_port.h), which holds them for the end of the run loop's turn.
#pragma once

#include <poll.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "devices/net_link.h"
#include "machine/clock.h"
#include "machine/config.h"

struct Slirp;

namespace machine {

class SlirpNet : public devices::NetBackend {
 public:
  // How often host sockets are polled, in virtual time.
  static constexpr uint64_t kPollNs = 1'000'000;
  // The longest host wait for one idle stretch of the guest.
  static constexpr uint64_t kMaxWaitNs = 20'000'000;

  // Throws std::runtime_error naming the netdev when a forward cannot be set up.
  SlirpNet(const NetdevConfig& cfg, Clock& clock);
  ~SlirpNet() override;
  SlirpNet(const SlirpNet&) = delete;
  SlirpNet& operator=(const SlirpNet&) = delete;

  void set_frontend(devices::NetFrontend* f) { frontend_ = f; }

  // NetBackend. The stack's answers go to the frontend at once, from inside transmit().
  void transmit(std::span<const uint8_t> frame) override;
  void frontend_ready() override {}  // the frontend takes every frame: nothing is held here

  // Hands host socket events to the stack (from the poll timer).
  void poll_host();
  // The guest is idle for `ns` of virtual time: while host sockets are open, waits up to that
  // long (at most kMaxWaitNs) of host time for them, so that answers from the host are not
  // outrun by virtual time and an idle guest does not spin the host.
  void wait_host(uint64_t ns);

  // libslirp callbacks (C linkage trampolines call these).
  void from_stack(const uint8_t* frame, size_t len);
  int64_t now_ns() const { return int64_t(clock_.now_ns()); }
  void* timer_new(int id, void* cb_opaque);
  void timer_free(void* t);
  void timer_mod(void* t, int64_t expire_ms);
  int add_poll(int fd, int events);
  int revents(int idx) const;

 private:
  struct Timer;
  void fill_pollfds();

  Clock& clock_;
  Slirp* slirp_ = nullptr;
  devices::NetFrontend* frontend_ = nullptr;
  std::vector<std::unique_ptr<Timer>> timers_;
  std::vector<pollfd> pollfds_;
  Clock::TimerId poll_timer_ = 0;
};

}  // namespace machine
