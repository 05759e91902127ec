// Runs the cases of a suite, each as its own machine, in parallel threads (nothing is shared
// between machines), and decides each case's result.
#pragma once

#include <atomic>
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

// A running case's progress, for the live lines on a terminal: written by the case's thread
// from its host poll, read by the display. Nothing in a run reads it back.
struct Progress {
  std::atomic<bool> running{false};
  std::atomic<size_t> step{0}, steps{0};
  std::atomic<uint64_t> virtual_ns{0}, icount{0};
  std::atomic<double> host_s{0};
};

struct RunOptions {
  unsigned jobs = 1;
  std::string artifacts;  // folder for failing cases' artifacts
  bool update_needles = false;  // --update-needles
  // One per case, in the order of `cases`, or null.
  std::vector<Progress>* progress = nullptr;
  std::string self;       // this program, for the reproducing command lines
  std::string suite_path;
  // Called (under a lock) as cases start and finish.
  std::function<void(const Case&)> started;
  std::function<void(const CaseResult&)> finished;
};

// Where a snapshot a case names (loadvm, savevm steps) is: a relative name is kept in the
// run's folder ARTIFACTS/snapshots, shared by the cases of the run.
std::string snapshot_path(const std::string& name, const RunOptions& options);

// The ghost86 command line a case runs as (artifacts paths included).
std::vector<std::string> case_command_line(const Case& c, const RunOptions& options);

// The command line that replays a failed case's log (artifacts folder, replay.log).
std::vector<std::string> replay_command_line(const Case& c, const RunOptions& options);

// Results in the order of `cases`. A case starts once the cases it needs have finished (they
// come before it), and is skipped unless they passed.
std::vector<CaseResult> run_cases(const std::vector<Case>& cases, const RunOptions& options);

}  // namespace frontend::suite
