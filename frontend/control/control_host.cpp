#include "frontend/control/control_host.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <variant>

#include "frontend/control/listener.h"
#include "frontend/control/monitor_session.h"
#include "frontend/control/qmp_session.h"
#include "machine/pc_machine.h"

namespace frontend::control {
namespace {

constexpr size_t kMaxClientsPerServer = 8;
// Replies a client does not read pile up to this, then it is disconnected.
constexpr size_t kMaxQueued = 16u << 20;

}  // namespace

struct ControlHost::Server {
  bool qmp = true;
  std::unique_ptr<Listener> listener;  // none for -monitor stdio
  size_t clients = 0;
};

struct ControlHost::Client {
  Server* server = nullptr;
  int in = -1, out = -1;  // the socket twice, or stdin and stdout
  bool socket = true;
  std::string queued;
  bool closed = false;
  std::unique_ptr<QmpSession> qmp;
  std::unique_ptr<MonitorSession> monitor;
};

ControlHost::ControlHost(machine::PcMachine& pc, const ControlOptions& options,
                         std::function<bool()> give_up)
    : control_(pc) {
  const auto open = [&](const std::string& text, bool qmp) {
    const char* option = qmp ? "-qmp" : "-monitor";
    auto server = std::make_unique<Server>();
    server->qmp = qmp;
    if (text == "stdio") {
      servers_.push_back(std::move(server));
      add_client(*servers_.back(), STDIN_FILENO, STDOUT_FILENO, false);
      return;
    }
    const SocketSpec spec = parse_socket_spec(text, option);
    server->listener = std::make_unique<Listener>(spec, option);
    servers_.push_back(std::move(server));
    if (!spec.wait) return;
    // wait=on: the machine starts once a client is there, as in QEMU.
    std::fprintf(stderr, "ghost86: %s: waiting for a connection on %s\n", option, text.c_str());
    for (;;) {
      if (const int fd = servers_.back()->listener->accept_client(); fd >= 0) {
        add_client(*servers_.back(), fd, fd, true);
        return;
      }
      if (give_up && give_up())
        throw std::runtime_error(fmt::format("{}: stopped while waiting for a connection", option));
      pollfd p{servers_.back()->listener->fd(), POLLIN, 0};
      ::poll(&p, 1, 100);
    }
  };
  for (const std::string& q : options.qmp) open(q, true);
  for (const std::string& m : options.monitor) open(m, false);
  control_.add_event_sink([this](const std::string& event, const nlohmann::json& data) {
    for (auto& c : clients_)
      if (c->qmp && !c->closed) c->qmp->event(event, data);
  });
}

void ControlHost::add_client(Server& server, int in, int out, bool socket) {
  auto c = std::make_unique<Client>();
  c->server = &server;
  c->in = in;
  c->out = out;
  c->socket = socket;
  Client* raw = c.get();
  const auto send = [this, raw](std::string text) {
    raw->queued += text;
    flush(*raw);
  };
  if (server.qmp)
    c->qmp = std::make_unique<QmpSession>(control_, send);
  else
    c->monitor = std::make_unique<MonitorSession>(control_, send);
  server.clients++;
  clients_.push_back(std::move(c));
  if (raw->qmp)
    raw->qmp->greet();
  else
    raw->monitor->greet();
}

ControlHost::~ControlHost() {
  for (auto& c : clients_)
    if (c->socket && c->in >= 0) ::close(c->in);
}

void ControlHost::flush(Client& c) {
  while (!c.queued.empty() && !c.closed) {
    const ssize_t n =
        c.socket ? ::send(c.out, c.queued.data(), c.queued.size(), MSG_NOSIGNAL | MSG_DONTWAIT)
                 : ::write(c.out, c.queued.data(), c.queued.size());
    if (n > 0) {
      c.queued.erase(0, size_t(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (c.queued.size() > kMaxQueued) c.closed = true;  // it stopped reading
      return;
    } else {
      c.closed = true;
    }
  }
}

void ControlHost::read_client(Client& c) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(c.in, buf, sizeof buf);
    if (n > 0) {
      const std::string_view bytes(buf, size_t(n));
      if (c.qmp)
        c.qmp->feed(bytes);
      else
        c.monitor->feed(bytes);
      if (c.closed || !c.socket) return;  // stdin: one read a poll, it may block otherwise
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // End of input: a socket client is gone; stdin at its end stays open and silent.
    if (c.socket)
      c.closed = true;
    else
      c.in = -1;
    return;
  }
}

void ControlHost::poll() {
  for (auto& s : servers_) {
    if (!s->listener) continue;
    for (int fd; (fd = s->listener->accept_client()) >= 0;) {
      if (s->clients >= kMaxClientsPerServer) {
        ::close(fd);
        continue;
      }
      add_client(*s, fd, fd, true);
    }
  }
  std::vector<pollfd> fds;
  for (auto& c : clients_) fds.push_back({c->in, short(c->in >= 0 ? POLLIN : 0), 0});
  if (!fds.empty() && ::poll(fds.data(), fds.size(), 0) > 0) {
    for (size_t i = 0; i < fds.size(); i++)
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_client(*clients_[i]);
  }
  for (auto& c : clients_) flush(*c);
  std::erase_if(clients_, [](const std::unique_ptr<Client>& c) {
    if (!c->closed) return false;
    if (c->socket) ::close(c->in);
    c->server->clients--;
    return true;
  });
  control_.tick();
}

void ControlHost::wait(int ms) {
  std::vector<pollfd> fds;
  for (auto& s : servers_)
    if (s->listener) fds.push_back({s->listener->fd(), POLLIN, 0});
  for (auto& c : clients_)
    if (c->in >= 0) fds.push_back({c->in, POLLIN, 0});
  ::poll(fds.data(), fds.size(), ms);
  poll();
}

void ControlHost::finish(const machine::RunResult& r) {
  control_.on_end(r);
  // Up to a second for clients to take what is left.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    bool pending = false;
    for (auto& c : clients_) {
      flush(*c);
      pending |= !c->closed && !c->queued.empty();
    }
    if (!pending || std::chrono::steady_clock::now() >= deadline) return;
    ::poll(nullptr, 0, 10);
  }
}

}  // namespace frontend::control
