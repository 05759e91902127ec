#include "tests/diff/known_issues.h"

#include <array>

#include "cpu/state.h"

namespace diff {
namespace {

// Each entry: a ghost86 bug the generator steers around until it is fixed (none open now).
constexpr std::array<KnownIssue, 0> kIssues{};

}  // namespace

std::span<const KnownIssue> known_issues() { return kIssues; }

std::optional<KnownSet> parse_known(std::string_view names) {
  if (names == "all") return kAllKnown;
  KnownSet set = 0;
  while (!names.empty()) {
    const size_t comma = names.find(',');
    const std::string_view name = names.substr(0, comma);
    bool found = false;
    for (size_t i = 0; i < std::size(kIssues); i++)
      if (name == kIssues[i].name) {
        set |= KnownSet(1) << i;
        found = true;
      }
    if (!found) return std::nullopt;
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  }
  return set;
}

std::string known_names(KnownSet set) {
  std::string out;
  bool all = true;
  for (size_t i = 0; i < std::size(kIssues); i++) {
    if (!((set >> i) & 1)) {
      all = false;
      continue;
    }
    if (!out.empty()) out += ',';
    out += kIssues[i].name;
  }
  return all ? "all" : out;
}

}  // namespace diff
