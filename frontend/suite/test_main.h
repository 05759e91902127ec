// `ghost86 test`: runs a suite of boot cases (frontend/suite/suite.h), or merges shard results.
#pragma once

#include <string>
#include <vector>

namespace frontend::suite {

// `args` follows the word "test". Returns the exit status: 0 when every case passed (or was
// skipped), 1 when one failed, 2 for a bad command line or suite.
int test_main(const std::vector<std::string>& args);

}  // namespace frontend::suite
