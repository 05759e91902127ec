#include "frontend/control/listener.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace frontend::control {
namespace {

[[noreturn]] void fail(std::string_view option, const std::string& why) {
  throw std::runtime_error(fmt::format("{}: {}", option, why));
}

bool set_nonblocking(int fd) {
  return ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0;
}

}  // namespace

SocketSpec parse_socket_spec(std::string_view text, std::string_view option) {
  SocketSpec spec;
  std::vector<std::string_view> fields;
  for (size_t pos = 0;;) {
    const size_t comma = text.find(',', pos);
    fields.push_back(text.substr(pos, comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  const std::string_view addr = fields[0];
  if (addr.starts_with("unix:")) {
    spec.path = addr.substr(5);
    if (spec.path.empty()) fail(option, "unix: needs a path");
    if (spec.path.size() >= sizeof(sockaddr_un::sun_path))
      fail(option, fmt::format("socket path '{}' is too long", spec.path));
  } else if (addr.starts_with("tcp:")) {
    spec.kind = SocketSpec::Kind::Tcp;
    const std::string_view hp = addr.substr(4);
    const size_t colon = hp.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == hp.size())
      fail(option, "tcp: needs HOST:PORT");
    spec.host = hp.substr(0, colon);
    if (spec.host.size() > 2 && spec.host.front() == '[' && spec.host.back() == ']')
      spec.host = spec.host.substr(1, spec.host.size() - 2);
    spec.port = hp.substr(colon + 1);
  } else {
    fail(option, fmt::format("'{}' is not supported (expected unix:PATH,server,wait=off or "
                             "tcp:HOST:PORT,server,wait=off)",
                             addr));
  }
  bool server = false;
  for (size_t i = 1; i < fields.size(); i++) {
    const std::string_view f = fields[i];
    if (f == "server" || f == "server=on") {
      server = true;
    } else if (f == "server=off") {
      server = false;
    } else if (f == "wait" || f == "wait=on") {
      spec.wait = true;
    } else if (f == "nowait" || f == "wait=off") {
      spec.wait = false;
    } else if (f == "nodelay" || f == "nodelay=on" || f == "nodelay=off") {
      // Replies are written whole; there is nothing for Nagle's algorithm to hold back.
    } else {
      fail(option, fmt::format("unknown socket option '{}' (expected server, wait=on|off)", f));
    }
  }
  if (!server) fail(option, "only server sockets are supported (add ,server)");
  return spec;
}

Listener::Listener(const SocketSpec& spec, std::string_view option) {
  if (spec.kind == SocketSpec::Kind::Unix) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail(option, fmt::format("socket: {}", std::strerror(errno)));
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, spec.path.c_str(), spec.path.size() + 1);
    // A socket left behind by an earlier run is replaced, as QEMU does; any other file is not.
    struct stat st;
    if (::lstat(spec.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(spec.path.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      const int err = errno;
      ::close(fd_);
      fail(option, fmt::format("cannot bind '{}': {}", spec.path, std::strerror(err)));
    }
    unlink_path_ = spec.path;
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    if (const int rc = ::getaddrinfo(spec.host.empty() ? nullptr : spec.host.c_str(),
                                     spec.port.c_str(), &hints, &res))
      fail(option,
           fmt::format("cannot resolve '{}:{}': {}", spec.host, spec.port, ::gai_strerror(rc)));
    int err = 0;
    for (addrinfo* ai = res; ai && fd_ < 0; ai = ai->ai_next) {
      fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd_ < 0) continue;
      const int one = 1;
      ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(fd_, ai->ai_addr, ai->ai_addrlen) != 0) {
        err = errno;
        ::close(fd_);
        fd_ = -1;
      }
    }
    ::freeaddrinfo(res);
    if (fd_ < 0)
      fail(option,
           fmt::format("cannot listen on '{}:{}': {}", spec.host, spec.port, std::strerror(err)));
  }
  if (::listen(fd_, 4) != 0 || !set_nonblocking(fd_)) {
    const int err = errno;
    ::close(fd_);
    if (!unlink_path_.empty()) ::unlink(unlink_path_.c_str());
    fail(option, fmt::format("cannot listen: {}", std::strerror(err)));
  }
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
  if (!unlink_path_.empty()) ::unlink(unlink_path_.c_str());
}

int Listener::accept_client() {
  const int c = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  return c;
}

int Listener::wait_for_client() {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, -1) < 0 && errno != EINTR) return -1;
    if (const int c = accept_client(); c >= 0) return c;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
  }
}

}  // namespace frontend::control
