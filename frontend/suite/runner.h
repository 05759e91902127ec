// Runs the cases of a suite, each as its own machine, in parallel threads (nothing is shared
// between machines), and decides each case's result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "frontend/suite/suite.h"

namespace frontend::suite {

struct CaseResult {
  enum class Outcome { Pass, Fail, Skip } outcome = Outcome::Fail;
  std::string name;
  std::string message;      // why it failed or was skipped
  std::string report;       // "icount=N hash=H" at the end of the run
  uint64_t virtual_ns = 0;  // virtual time the run took
  double host_s = 0;        // host time (the summary table only: it does not repeat)
};

struct RunOptions {
  unsigned jobs = 1;
  std::string artifacts;  // folder for failing cases' artifacts
  std::string self;       // this program, for the reproducing command lines
  std::string suite_path;
  // Called (under a lock) as cases start and finish.
  std::function<void(const Case&)> started;
  std::function<void(const CaseResult&)> finished;
};

// The ghost86 command line a case runs as (artifacts paths included).
std::vector<std::string> case_command_line(const Case& c, const RunOptions& options);

// Results in the order of `cases`.
std::vector<CaseResult> run_cases(const std::vector<Case>& cases, const RunOptions& options);

}  // namespace frontend::suite
