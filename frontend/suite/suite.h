// A suite of boot cases for `ghost86 test` (README "Test suites"), read from TOML: each case
// names its machine with command-line options and lists ordered steps; the steps become the
// machine's own --step script, so a case is exactly one ghost86 command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace frontend::suite {

struct Expect {
  std::optional<int> status;  // the exit status ghost86 would end with
  std::string end;            // "", or how the run must end: poweroff, debug-exit, shutdown, halt
};

struct Case {
  std::string name;
  std::vector<std::string> args;       // the suite's default args, then the case's own
  std::vector<std::string> steps;      // --step values, in order
  std::vector<std::string> requires_;  // files that must exist, else the case is skipped
  uint64_t timeout_ns = 0;             // --timeout
  std::optional<Expect> expect;        // absent: the case passes once its steps are done
  // A snapshot to start from (-loadvm), and those the case's savevm steps write: names
  // relative to the run's snapshot folder (RunOptions::snapshots) unless absolute.
  std::string loadvm;
  std::vector<std::string> saves;
  // Cases that must have passed before this one starts (named by `needs`, or the case that
  // saves the snapshot this one loads); always cases listed before it.
  std::vector<std::string> needs;
  std::vector<std::string> needles;  // the needle paths of its steps, checked before the run
};

struct Suite {
  std::string name;
  std::string path;  // the TOML file
  std::vector<Case> cases;
};

// Throws std::runtime_error with a one-line message naming the file (and line) for a suite that
// cannot be read. ${SUITE_DIR} in strings is the suite file's folder; ${NAME} an environment
// variable.
Suite load_suite(const std::string& path);

}  // namespace frontend::suite
