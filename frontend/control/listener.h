// The server sockets of -qmp and -monitor: QEMU's socket character device syntax
// (unix:PATH,server,wait=off or tcp:HOST:PORT,server,wait=off), listening and accepting
// without blocking.
#pragma once

#include <string>
#include <string_view>

namespace frontend::control {

struct SocketSpec {
  enum class Kind { Unix, Tcp } kind = Kind::Unix;
  std::string path;        // Unix
  std::string host, port;  // Tcp (an empty host: every interface)
  bool wait = true;        // wait for a client before the machine starts (QEMU's default)
};

// Throws std::runtime_error "OPTION: problem" for a spec ghost86 cannot serve.
SocketSpec parse_socket_spec(std::string_view text, std::string_view option);

class Listener {
 public:
  // Binds and listens; throws std::runtime_error with a one-line message.
  Listener(const SocketSpec& spec, std::string_view option);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int fd() const { return fd_; }
  // A connected client (non-blocking), or -1 when none is waiting.
  int accept_client();
  // Blocks until a client connects (wait=on).
  int wait_for_client();

 private:
  int fd_ = -1;
  std::string unlink_path_;
};

}  // namespace frontend::control
