// ghost86 bugs the differential test has found and that are not fixed yet. While an entry is
// here the generator steers around it (and says how often in the summary), so the suite stays a
// regression test for everything else; `ghost86-difftest --include-known` runs without the
// detours to check a fix. Delete the entry together with the fix.
#pragma once

#include <cstdint>
#include <span>

#include "cpu/decoder.h"

namespace diff {

struct KnownIssue {
  const char* name;  // short id for summaries
  const char* what;
  bool (*hits)(const cpu::DecodedInsn& d);
  // 0: instructions it hits are not generated. Otherwise these flags of such an instruction are
  // treated as undefined (the instruction is fine, a later consumer of its flags is not).
  uint32_t unreliable_flags;
};

std::span<const KnownIssue> known_issues();

}  // namespace diff
