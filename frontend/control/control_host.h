// The control interfaces of one run: QMP servers (-qmp), the human monitor (-monitor stdio or
// a monitor socket) and their clients, polled from the run loop's host hook. Commands act at
// the instruction boundary of the poll that reads them; with no command the machine runs
// exactly as without a control interface.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "frontend/control/machine_control.h"
#include "frontend/control/options.h"

namespace frontend::control {

class ControlHost {
 public:
  // Opens every socket (and waits for a client where wait=on; `give_up` is asked while
  // waiting, for signals). Throws std::runtime_error with a one-line message.
  ControlHost(machine::PcMachine& pc, const ControlOptions& options, std::function<bool()> give_up);
  ~ControlHost();
  ControlHost(const ControlHost&) = delete;
  ControlHost& operator=(const ControlHost&) = delete;

  MachineControl& control() { return control_; }
  // Accepts clients, reads and runs their commands, writes replies; releases held keys.
  void poll();
  // Waits up to `ms` for any input, then polls: the paused machine's and the idle guest's wait.
  void wait(int ms);
  // The run ended: SHUTDOWN, then every reply and event still queued is written out.
  void finish(const machine::RunResult& r);

 private:
  struct Server;
  struct Client;
  void add_client(Server& server, int in, int out, bool socket);
  void read_client(Client& c);
  void flush(Client& c);

  MachineControl control_;
  std::vector<std::unique_ptr<Server>> servers_;
  std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace frontend::control
