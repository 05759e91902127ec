// What -qmp and -monitor asked for, from the command line to the control host.
#pragma once

#include <string>
#include <vector>

namespace frontend::control {

struct ControlOptions {
  std::vector<std::string> qmp;      // -qmp specs
  std::vector<std::string> monitor;  // -monitor specs (stdio, or a socket)
  std::string gdb;                   // -gdb or -s: the gdb stub's tcp:HOST:PORT (empty: none)
  bool any() const { return !qmp.empty() || !monitor.empty(); }
};

}  // namespace frontend::control
