// The gdb stub's socket (-s, -gdb tcp::PORT): one gdb at a time, polled from the run loop's
// host hook and from the paused machine's wait, as the control sockets are.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace machine {
class PcMachine;
struct RunResult;
}  // namespace machine

namespace frontend::control {
class Listener;
struct SocketSpec;
}  // namespace frontend::control

namespace frontend::gdb {

class Session;

// QEMU's -gdb syntax: tcp::PORT (every interface) or tcp:HOST:PORT. Throws std::runtime_error
// "-gdb: ..." for anything else.
control::SocketSpec parse_gdb_spec(std::string_view text);

class Server {
 public:
  // Listens; throws std::runtime_error with a one-line message.
  Server(machine::PcMachine& pc, const std::string& spec);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Accepts a gdb, reads and answers its packets, sends a stop reply that is due.
  void poll();
  // Waits up to `ms` for input, then polls (the paused machine's wait).
  void wait(int ms);
  // The run ended: a gdb waiting for the machine to stop is told it exited.
  void finish(const machine::RunResult& r);

 private:
  void drop();

  machine::PcMachine& pc_;
  std::unique_ptr<control::Listener> listener_;
  int fd_ = -1;
  std::unique_ptr<Session> session_;
};

}  // namespace frontend::gdb
