// Splits a byte stream into JSON texts, as a QMP server receives them: objects (or arrays) one
// after another, with or without newlines between, possibly split across reads. It only tracks
// nesting and strings; the texts it returns are then parsed in full. Anything else between them,
// a text longer than the limit or nested deeper than kMaxDepth is returned as an error in its
// place, and the stream goes on with what follows.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace frontend::control {

class JsonFramer {
 public:
  struct Item {
    bool error = false;
    std::string text;  // the JSON text, or what was wrong
  };
  static constexpr size_t kMaxDepth = 1024;

  explicit JsonFramer(size_t max_bytes) : max_bytes_(max_bytes) {}
  // Appends the complete texts (and errors) found in `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<Item>& out);

 private:
  void drop(std::string why);

  size_t max_bytes_;
  std::string buf_;   // the text so far
  size_t depth_ = 0;  // open brackets; 0 between texts
  bool in_string_ = false, escape_ = false;
  std::string dropping_;  // why the current text is being skipped to its end (empty: it is not)
  std::string junk_;      // a stray token between texts
};

}  // namespace frontend::control
