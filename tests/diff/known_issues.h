// ghost86 bugs the differential test has found and that are not fixed yet. While an entry is
// here the generator steers around it (and says how often in the summary), so the suite stays a
// regression test for everything else; `ghost86-difftest --include-known NAME` runs without that
// detour to check a fix. Delete the entry together with the fix.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

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

// Bit i stands for known_issues()[i].
using KnownSet = uint32_t;
constexpr KnownSet kAllKnown = ~KnownSet(0);
// Parses "all" or a comma-separated list of names; nullopt names an unknown issue.
std::optional<KnownSet> parse_known(std::string_view names);
// The names in `set`, comma-separated ("all" when it holds every issue).
std::string known_names(KnownSet set);

}  // namespace diff
