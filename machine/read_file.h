// Files the machine takes whole (firmware, option ROMs, -kernel, -initrd), read only once their
// size is known to be acceptable: a 4 GB file named by mistake is refused at once instead of
// filling host memory first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace machine {

// Reads `path` whole if it holds at most `max_bytes` (`limit` says what sets that limit); throws
// std::runtime_error with the one line "<what>: '<path>': <reason>" otherwise. The size is taken
// from fstat before reading; a file that is not a regular one, a pipe say, is read no further
// than the limit.
std::vector<uint8_t> read_whole_file(const std::string& path, const char* what, uint64_t max_bytes,
                                     const char* limit);

}  // namespace machine
