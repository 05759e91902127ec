// One gdb connected to the stub: the remote protocol's commands on the machine (gdb manual,
// "Remote Protocol"). Bytes come in through feed() and leave through the send function; both
// happen only from the run loop's host poll or while the machine is paused, so every command
// acts at an instruction boundary and a gdb that sends nothing changes nothing in the run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "frontend/gdb/packet.h"
#include "machine/debug_target.h"

namespace machine {
class PcMachine;
}

namespace frontend::gdb {

class Session {
 public:
  using Send = std::function<void(std::string_view bytes)>;
  // Attaching stops the machine (as QEMU's stub does) and starts keeping execution history.
  Session(machine::PcMachine& pc, Send send);
  // Detaches: breakpoints and watchpoints go, the machine runs on.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void feed(std::string_view bytes);
  // Sends the stop reply gdb waits for, once the machine has stopped.
  void poll();
  // The run ended while gdb was attached: W (exit status) if it waits for a stop.
  void finish(int exit_status);
  // gdb asked to detach (D) or to kill (k): the connection is to be closed.
  bool done() const { return done_; }

 private:
  void handle(const std::string& p);
  void reply(std::string_view payload);
  void query(const std::string& p);
  void monitor(const std::string& command);
  std::string stop_reply(const machine::DebugTarget::Stop& stop) const;
  std::string read_memory(std::string_view args);
  std::string write_memory(std::string_view args);
  // A register write, made through the machine so that a recorded run logs it.
  bool set_register(unsigned n, const std::vector<uint8_t>& value);
  std::string breakpoint(const std::string& p);
  void resume(bool step);
  void reverse(bool step);
  void output(std::string_view text);  // an O packet: text on gdb's console

  machine::PcMachine& pc_;
  machine::DebugTarget& debug_;
  Send send_;
  PacketReader reader_;
  bool ack_ = true;
  std::string last_sent_;
  bool running_ = false;  // gdb waits for a stop reply
  bool done_ = false;
  machine::DebugTarget::Stop last_stop_{machine::DebugTarget::Stop::Kind::Interrupt};
  std::set<uint32_t> soft_, hard_;  // Z0 and Z1 breakpoints
  std::string xml_;                 // the target description being read
};

}  // namespace frontend::gdb
