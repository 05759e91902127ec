#include "frontend/control/json_framer.h"

#include <fmt/format.h>

namespace frontend::control {
namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

void JsonFramer::drop(std::string why) {
  dropping_ = std::move(why);
  buf_.clear();
  buf_.shrink_to_fit();
}

void JsonFramer::feed(std::string_view bytes, std::vector<Item>& out) {
  for (const char c : bytes) {
    if (depth_ == 0) {
      const bool starts = c == '{' || c == '[';
      if (!junk_.empty() && (space(c) || starts)) {
        out.push_back({true, fmt::format("JSON parse error, invalid token '{}'", junk_)});
        junk_.clear();
      }
      if (starts) {
        depth_ = 1;
        buf_ = c;
      } else if (!space(c)) {
        if (junk_.size() < 64) junk_ += c;  // enough of it to name in the error
      }
      continue;
    }
    if (dropping_.empty()) buf_ += c;
    if (in_string_) {
      if (escape_)
        escape_ = false;
      else if (c == '\\')
        escape_ = true;
      else if (c == '"')
        in_string_ = false;
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      if (++depth_ > kMaxDepth && dropping_.empty())
        drop(fmt::format("JSON parse error, nesting deeper than {} levels", kMaxDepth));
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        if (!dropping_.empty())
          out.push_back({true, std::move(dropping_)});
        else
          out.push_back({false, std::move(buf_)});
        buf_.clear();
        dropping_.clear();
        continue;
      }
    }
    if (dropping_.empty() && buf_.size() > max_bytes_)
      drop(fmt::format("JSON parse error, message longer than {} bytes", max_bytes_));
  }
}

}  // namespace frontend::control
