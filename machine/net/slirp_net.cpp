#include "machine/net/slirp_net.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <slirp/libslirp.h>

#include <algorithm>
#include <stdexcept>

namespace machine {

struct SlirpNet::Timer {
  SlirpTimerId id;
  void* cb_opaque;
  Clock::TimerId clock_timer;
  bool in_use = true;
};

namespace {

SlirpNet& self(void* opaque) { return *static_cast<SlirpNet*>(opaque); }

constexpr SlirpCb kCallbacks = {
    .send_packet = [](const void* buf, size_t len, void* opaque) -> ssize_t {
      self(opaque).from_stack(static_cast<const uint8_t*>(buf), len);
      return ssize_t(len);
    },
    .guest_error = [](const char*, void*) {},  // the guest's own business: nothing to report
    .clock_get_ns = [](void* opaque) -> int64_t { return self(opaque).now_ns(); },
    .timer_new = nullptr,
    .timer_free = [](void* t, void* opaque) { self(opaque).timer_free(t); },
    .timer_mod = [](void* t, int64_t expire_ms,
                    void* opaque) { self(opaque).timer_mod(t, expire_ms); },
    .register_poll_fd = [](int, void*) {},
    .unregister_poll_fd = [](int, void*) {},
    .notify = [](void*) {},
    .init_completed = nullptr,
    .timer_new_opaque = [](SlirpTimerId id, void* cb_opaque,
                           void* opaque) { return self(opaque).timer_new(int(id), cb_opaque); },
};

in_addr ipv4(uint32_t host_order) { return in_addr{htonl(host_order)}; }

in_addr parse_addr(const std::string& text, in_addr dflt, const std::string& id) {
  if (text.empty()) return dflt;
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1)
    throw std::runtime_error(fmt::format("-netdev {}: '{}' is not an IPv4 address", id, text));
  return a;
}

}  // namespace

SlirpNet::SlirpNet(const NetdevConfig& cfg, Clock& clock) : clock_(clock) {
  const uint32_t mask = cfg.prefix ? ~0u << (32 - cfg.prefix) : 0;
  const uint32_t net = cfg.net & mask;
  SlirpConfig sc{};
  sc.version = 4;
  sc.in_enabled = true;
  sc.vnetwork = ipv4(net);
  sc.vnetmask = ipv4(mask);
  sc.vhost = ipv4(net | 2);         // the host, as QEMU: x.x.x.2
  sc.vdhcp_start = ipv4(net | 15);  // first DHCP lease x.x.x.15
  sc.vnameserver = ipv4(net | 3);   // DNS forwarder x.x.x.3
  sc.in6_enabled = false;
  sc.if_mtu = 0;  // defaults
  sc.if_mru = 0;
  slirp_ = slirp_new(&sc, &kCallbacks, this);
  if (!slirp_)
    throw std::runtime_error(
        fmt::format("-netdev {}: the user-mode network could not start", cfg.id));
  for (const HostForward& f : cfg.hostfwd) {
    const in_addr host = parse_addr(f.host_addr, in_addr{htonl(INADDR_ANY)}, cfg.id);
    const in_addr guest = parse_addr(f.guest_addr, sc.vdhcp_start, cfg.id);
    if (slirp_add_hostfwd(slirp_, f.udp, host, f.host_port, guest, f.guest_port) < 0) {
      slirp_cleanup(slirp_);
      throw std::runtime_error(
          fmt::format("-netdev {}: cannot forward host port {} (in use?)", cfg.id, f.host_port));
    }
  }
  // The stack's timers and the poll are host timers: they are not guest state (a replayed run
  // has no stack), and they reach the guest only through the frames they make, which the card's
  // NetPort takes at the end of a turn and the replay log records.
  poll_timer_ = clock_.add_host_timer([this] {
    poll_host();
    clock_.arm(poll_timer_, clock_.now_ns() + kPollNs);
  });
  clock_.arm(poll_timer_, clock_.now_ns() + kPollNs);
}

SlirpNet::~SlirpNet() {
  clock_.cancel(poll_timer_);
  for (auto& t : timers_) clock_.cancel(t->clock_timer);
  slirp_cleanup(slirp_);
}

void SlirpNet::transmit(std::span<const uint8_t> frame) {
  slirp_input(slirp_, frame.data(), int(frame.size()));
}

void SlirpNet::from_stack(const uint8_t* frame, size_t len) {
  if (frontend_ && frontend_->can_receive(len)) frontend_->receive(std::span(frame, len));
}

void* SlirpNet::timer_new(int id, void* cb_opaque) {
  for (auto& t : timers_) {
    if (!t->in_use) {
      t->id = SlirpTimerId(id), t->cb_opaque = cb_opaque, t->in_use = true;
      return t.get();
    }
  }
  auto t = std::make_unique<Timer>(Timer{SlirpTimerId(id), cb_opaque, 0});
  Timer* raw = t.get();
  t->clock_timer =
      clock_.add_host_timer([this, raw] { slirp_handle_timer(slirp_, raw->id, raw->cb_opaque); });
  timers_.push_back(std::move(t));
  return raw;
}

void SlirpNet::timer_free(void* t) {
  auto* timer = static_cast<Timer*>(t);
  clock_.cancel(timer->clock_timer);
  timer->in_use = false;
}

void SlirpNet::timer_mod(void* t, int64_t expire_ms) {
  const uint64_t at = uint64_t(std::max<int64_t>(expire_ms, 0)) * 1'000'000;
  clock_.arm(static_cast<Timer*>(t)->clock_timer, std::max(at, clock_.now_ns()));
}

int SlirpNet::add_poll(int fd, int events) {
  short ev = 0;
  if (events & SLIRP_POLL_IN) ev |= POLLIN;
  if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
  if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
  pollfds_.push_back(pollfd{fd, ev, 0});
  return int(pollfds_.size() - 1);
}

int SlirpNet::revents(int idx) const {
  if (idx < 0 || size_t(idx) >= pollfds_.size()) return 0;
  const short r = pollfds_[size_t(idx)].revents;
  int out = 0;
  if (r & POLLIN) out |= SLIRP_POLL_IN;
  if (r & POLLOUT) out |= SLIRP_POLL_OUT;
  if (r & POLLPRI) out |= SLIRP_POLL_PRI;
  if (r & POLLERR) out |= SLIRP_POLL_ERR;
  if (r & POLLHUP) out |= SLIRP_POLL_HUP;
  return out;
}

void SlirpNet::fill_pollfds() {
  pollfds_.clear();
  uint32_t timeout = UINT32_MAX;
  slirp_pollfds_fill(
      slirp_, &timeout,
      [](int fd, int events, void* opaque) { return self(opaque).add_poll(fd, events); }, this);
}

// Host sockets are read at this instruction boundary; what they bring reaches the card now.
void SlirpNet::poll_host() {
  fill_pollfds();
  const int r = pollfds_.empty() ? 0 : ::poll(pollfds_.data(), pollfds_.size(), 0);
  slirp_pollfds_poll(
      slirp_, r < 0, [](int idx, void* opaque) { return self(opaque).revents(idx); }, this);
}

void SlirpNet::wait_host(uint64_t ns) {
  const uint64_t wait = std::min<uint64_t>(ns, kMaxWaitNs);
  if (wait == 0) return;
  fill_pollfds();
  if (pollfds_.empty()) return;
  const timespec ts{time_t(wait / 1'000'000'000), long(wait % 1'000'000'000)};
  ::ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr);
}

}  // namespace machine
