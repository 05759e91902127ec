// JUnit XML as GitLab and Jenkins read it, and the merge of shard results into one file. A
// testcase's time is its virtual time, so the file is the same on every host and however the
// suite was split: -j 1, -j 4 and merged shards give the same bytes.
#pragma once

#include <string>
#include <vector>

#include "frontend/suite/runner.h"

namespace frontend::suite {

struct JunitSuite {
  std::string name;
  // Every case of the run before sharding, in suite order: merging puts shards back in it.
  std::vector<std::string> order;
  std::vector<CaseResult> results;
};

// Both throw std::runtime_error with a one-line message naming the file.
void write_junit(const std::string& path, const JunitSuite& suite);
JunitSuite read_junit(const std::string& path);
// The shards' results as one suite; throws when they are not shards of one run.
JunitSuite merge_junit(const std::vector<JunitSuite>& shards);

}  // namespace frontend::suite
