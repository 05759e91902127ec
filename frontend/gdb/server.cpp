#include "frontend/gdb/server.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>

#include "frontend/control/listener.h"
#include "frontend/gdb/session.h"
#include "machine/pc_machine.h"

namespace frontend::gdb {

control::SocketSpec parse_gdb_spec(std::string_view text) {
  const size_t colon = text.rfind(':');
  const std::string_view port = text.substr(colon + 1);
  unsigned number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (!text.starts_with("tcp:") || text.find(',') != std::string_view::npos || colon < 4 ||
      ec != std::errc{} || end != port.data() + port.size() || number == 0 || number > 65535)
    throw std::runtime_error(fmt::format("-gdb: '{}': expected tcp::PORT or tcp:HOST:PORT", text));
  return control::parse_socket_spec(std::string(text) + ",server,wait=off", "-gdb");
}

Server::Server(machine::PcMachine& pc, const std::string& spec) : pc_(pc) {
  listener_ = std::make_unique<control::Listener>(parse_gdb_spec(spec), "-gdb");
}

Server::~Server() { drop(); }

void Server::drop() {
  session_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Server::poll() {
  for (int fd; (fd = listener_->accept_client()) >= 0;) {
    if (fd_ >= 0) {
      ::close(fd);  // one gdb at a time
      continue;
    }
    fd_ = fd;
    session_ = std::make_unique<Session>(pc_, [this](std::string_view bytes) {
      // Replies are small; a gdb that does not read them for long is dropped below.
      while (!bytes.empty() && fd_ >= 0) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
          bytes.remove_prefix(size_t(n));
        } else if (n < 0 && errno == EINTR) {
          continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          pollfd p{fd_, POLLOUT, 0};
          if (::poll(&p, 1, 1000) <= 0) return;
        } else {
          return;
        }
      }
    });
  }
  if (fd_ < 0) return;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      session_->feed(std::string_view(buf, size_t(n)));
      if (session_->done()) return drop();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return drop();  // gdb went away: as a detach
  }
  session_->poll();
}

void Server::wait(int ms) {
  pollfd p{fd_ >= 0 ? fd_ : listener_->fd(), POLLIN, 0};
  ::poll(&p, 1, ms);
  poll();
}

void Server::finish(const machine::RunResult& r) {
  if (session_) session_->finish(machine::exit_status(r));
}

}  // namespace frontend::gdb
