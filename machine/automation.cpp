#include "machine/automation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace machine {
namespace {

// The offset of a quantifier (*, +, ?, {n}) with nothing before it to repeat, at the start of
// the pattern or of a group or alternative, if there is one. An ECMAScript syntax error
// (ECMA-262 §22.2.1: a quantifier follows an atom), which libstdc++ reports as mismatched
// parentheses.
std::optional<size_t> dangling_quantifier(std::string_view re) {
  bool atom = false;  // something repeatable ends here
  for (size_t i = 0; i < re.size(); i++) {
    const char c = re[i];
    if (c == '\\') {
      i++;
      atom = true;
    } else if (c == '[') {
      // A class, up to its closing bracket.
      size_t j = i + 1;
      while (j < re.size() && re[j] != ']') j += re[j] == '\\' ? 2 : 1;
      i = j;
      atom = true;
    } else if (c == '(') {
      if (i + 2 < re.size() && re[i + 1] == '?' && (re[i + 2] == ':' || re[i + 2] == '=' || re[i + 2] == '!')) i += 2;
      atom = false;
    } else if (c == '|' || c == '^') {
      atom = false;
    } else if (c == '*' || c == '+' || c == '?' ||
               (c == '{' && i + 1 < re.size() && std::isdigit(static_cast<unsigned char>(re[i + 1])))) {
      if (!atom) return i;
      if (c == '{') i = std::min(re.find('}', i), re.size());
      if (i + 1 < re.size() && re[i + 1] == '?') i++;  // a lazy quantifier
    } else {
      atom = true;
    }
  }
  return std::nullopt;
}

std::regex compile(const std::string& re, const char* opt) {
  try {
    return std::regex(re, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    if (const auto at = dangling_quantifier(re))
      throw std::runtime_error(fmt::format("{}: invalid regular expression '{}': '{}' at offset {} has nothing before it to repeat (write \\{} for the character itself)",
                                           opt, re, re[*at], *at, re[*at]));
    throw std::runtime_error(fmt::format("{}: invalid regular expression '{}': {}", opt, re, e.what()));
  }
}

// COM1 output kept for matching is bounded; a pattern cannot span more than this.
constexpr size_t kMaxTranscript = 1 << 20;

}  // namespace

Automation::Automation(const MachineConfig& cfg, Clock& clock, Io io)
    : clock_(clock), io_(std::move(io)), update_needles_(cfg.update_needles) {
  using Kind = AutomationStep::Kind;
  for (const AutomationStep& s : cfg.steps) {
    Step step{s.kind, {}, {}, {}, {}, s.keys, s.dx, s.dy, s.buttons, s.ns, s.limit_ns, {}};
    switch (s.kind) {
      case Kind::Screen:
      case Kind::Serial: step.re = compile(s.arg, "--step"); break;
      case Kind::Type: {
        std::string error;
        auto keys = text_to_keys(s.arg, &error);
        if (!keys) throw std::runtime_error(fmt::format("--step: type:{}: {}", s.arg, error));
        step.keys = std::move(*keys);
        break;
      }
      case Kind::Send: {
        std::string error;
        auto bytes = text_to_serial(s.arg, &error);
        if (!bytes) throw std::runtime_error(fmt::format("--step: send:{}: {}", s.arg, error));
        step.bytes = std::move(*bytes);
        break;
      }
      case Kind::Needle: step.needle = load_needle(s.arg, cfg.update_needles); break;
      case Kind::Key:
        if (s.keys.empty()) throw std::runtime_error(fmt::format("--step: key:{}: no keys", s.arg));
        break;
      case Kind::Sleep:
      case Kind::Mouse:
      case Kind::Command:
      case Kind::Savevm: step.bytes = s.arg; break;
    }
    static constexpr const char* kKinds[] = {"screen", "serial", "type", "send", "sleep",
                                             "needle", "key",    "mouse", "qmp", "savevm"};
    step.text = fmt::format("{}:{}", kKinds[size_t(s.kind)], s.arg);
    steps_.push_back(std::move(step));
  }
  if (!cfg.until_serial.empty()) until_serial_ = compile(cfg.until_serial, "--until-serial");
  if (!cfg.until_screen.empty()) until_screen_ = compile(cfg.until_screen, "--until-screen");
  screen_timer_ = clock_.add_host_timer([this] { poll_screen(); });
  serial_timer_ = clock_.add_host_timer([this] { match_serial(); });
  key_timer_ = clock_.add_host_timer([this] { next_key(); });
  send_timer_ = clock_.add_host_timer([this] { next_byte(); });
  sleep_timer_ = clock_.add_host_timer([this] {
    step_++;
    advance();
  });
  limit_timer_ = clock_.add_host_timer([this] {
    const Step& s = steps_[step_];
    if (s.needle && update_needles_) {
      // --update-needles: the screen at the limit is the needle's new picture, for review.
      update_needle(*s.needle, io_.frame());
      step_++;
      advance();
      return;
    }
    if (io_.fail)
      io_.fail(fmt::format("step {} ({}) did not match within {} s of virtual time{}", step_ + 1, s.text,
                           s.limit_ns / 1e9, s.needle && !needle_why_.empty() ? ": " + needle_why_ : ""));
  });
}

void Automation::start() { advance(); }

void Automation::saved() {
  if (!waiting_for_save_) return;
  waiting_for_save_ = false;
  step_++;
  advance();
}

const Needle* Automation::current_needle() const {
  if (step_ >= steps_.size() || !steps_[step_].needle) return nullptr;
  return &*steps_[step_].needle;
}

bool Automation::needle_matches(Step& s) {
  const NeedleMatch m = match_needle(*s.needle, io_.frame());
  needle_why_ = m.why;
  return m.matched;
}

bool Automation::watches_serial(const MachineConfig& cfg) {
  if (!cfg.until_serial.empty()) return true;
  for (const AutomationStep& s : cfg.steps)
    if (s.kind == AutomationStep::Kind::Serial || s.kind == AutomationStep::Kind::Send) return true;
  return false;
}

bool Automation::serial_condition_active() const {
  if (step_ < steps_.size()) return steps_[step_].kind == AutomationStep::Kind::Serial;
  return until_serial_.has_value() && !matched_;
}

bool Automation::screen_condition_active() const {
  if (step_ < steps_.size())
    return steps_[step_].kind == AutomationStep::Kind::Screen || steps_[step_].kind == AutomationStep::Kind::Needle;
  return until_screen_.has_value() && !matched_;
}

// Consumes the transcript up to the end of a match, so that the next condition only sees newer
// output.
bool Automation::try_serial(const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(transcript_, m, re)) return false;
  transcript_.erase(0, size_t(m.position(0) + m.length(0)));
  return true;
}

void Automation::finish(bool hit) {
  if (!hit || matched_) return;
  matched_ = true;
  clock_.cancel(screen_timer_);
  clock_.cancel(serial_timer_);
  if (io_.stop) io_.stop();
}

// A wait step that does not match at once starts its limit, if it has one. advance() runs
// whenever a step is done, so the limit of the step before is cancelled here first.
void Automation::start_limit(const Step& s) {
  if (s.limit_ns) clock_.arm(limit_timer_, clock_.now_ns() + s.limit_ns);
}

void Automation::advance() {
  using Kind = AutomationStep::Kind;
  clock_.cancel(limit_timer_);
  while (step_ < steps_.size()) {
    Step& s = steps_[step_];
    switch (s.kind) {
      case Kind::Serial:
        if (!try_serial(*s.re)) return start_limit(s);  // on_serial() continues
        break;
      case Kind::Screen:
        if (!std::regex_search(io_.screen(), *s.re)) {
          if (!clock_.armed(screen_timer_)) clock_.arm(screen_timer_, clock_.now_ns() + kScreenPollNs);
          return start_limit(s);
        }
        break;
      case Kind::Needle:
        if (!needle_matches(s)) {
          if (!clock_.armed(screen_timer_)) clock_.arm(screen_timer_, clock_.now_ns() + kScreenPollNs);
          return start_limit(s);
        }
        break;
      case Kind::Type:
        typing_.clear();
        for (const KeyStroke& k : s.keys) {
          if (k.shift) typing_.push_back({kLeftShift, true});
          typing_.push_back({k.key, true});
          typing_.push_back({k.key, false});
          if (k.shift) typing_.push_back({kLeftShift, false});
        }
        if (typing_.empty()) break;
        return start_input();  // next_key() continues
      case Kind::Key:
        // The keys go down in order and come up in reverse, as a person presses a combination.
        typing_.clear();
        for (const uint16_t k : s.combo) typing_.push_back({k, true});
        for (auto k = s.combo.rbegin(); k != s.combo.rend(); ++k) typing_.push_back({*k, false});
        return start_input();
      case Kind::Mouse:
        typing_.clear();
        typing_.push_back({0, false, true, s.dx, s.dy, 0});
        if (s.buttons) {
          typing_.push_back({0, true, true, 0, 0, s.buttons});
          typing_.push_back({0, false, true, 0, 0, 0});
        }
        return start_input();
      case Kind::Command:
        if (const std::string error = io_.command ? io_.command(s.bytes) : "no control interface"; !error.empty()) {
          if (io_.fail) io_.fail(fmt::format("step {} ({}) failed: {}", step_ + 1, s.text, error));
          return;
        }
        break;
      case Kind::Savevm:
        waiting_for_save_ = true;
        io_.savevm(s.bytes);
        return;  // saved() continues
      case Kind::Send:
        if (s.bytes.empty()) break;
        sent_ = 0;
        clock_.arm(send_timer_, clock_.now_ns());
        return;  // next_byte() continues
      case Kind::Sleep:
        clock_.arm(sleep_timer_, clock_.now_ns() + s.ns);
        return;
    }
    step_++;
  }
  // Every step is done: the final conditions apply from here on.
  if (until_serial_) finish(try_serial(*until_serial_));
  if (until_screen_ && !matched_) {
    if (std::regex_search(io_.screen(), *until_screen_))
      finish(true);
    else if (!clock_.armed(screen_timer_))
      clock_.arm(screen_timer_, clock_.now_ns() + kScreenPollNs);
  }
}

// Output is kept from the start (bounded) and consumed only by matches, so what the guest prints
// while a step types or sends is there for the next serial condition.
// Searching the transcript on every byte would cost time quadratic in the output of a chatty
// guest; instead a search runs kSerialPollNs of virtual time after output arrives, over all that
// arrived meanwhile (deterministic, like the screen poll).
void Automation::on_serial(uint8_t byte) {
  transcript_ += char(byte);
  if (transcript_.size() > kMaxTranscript) transcript_.erase(0, transcript_.size() - kMaxTranscript / 2);
  if (serial_condition_active() && !clock_.armed(serial_timer_))
    clock_.arm(serial_timer_, clock_.now_ns() + kSerialPollNs);
}

void Automation::match_serial() {
  if (!serial_condition_active()) return;
  if (step_ < steps_.size()) {
    if (try_serial(*steps_[step_].re)) {
      step_++;
      advance();
    }
  } else {
    finish(try_serial(*until_serial_));
  }
}

void Automation::poll_screen() {
  if (!screen_condition_active()) return;
  if (step_ < steps_.size() && steps_[step_].needle) {
    if (needle_matches(steps_[step_])) {
      step_++;
      advance();
    } else {
      clock_.arm(screen_timer_, clock_.now_ns() + kScreenPollNs);
    }
    return;
  }
  const std::string screen = io_.screen();
  if (step_ < steps_.size()) {
    if (std::regex_search(screen, *steps_[step_].re)) {
      step_++;
      advance();
      return;
    }
  } else if (std::regex_search(screen, *until_screen_)) {
    finish(true);
    return;
  }
  clock_.arm(screen_timer_, clock_.now_ns() + kScreenPollNs);
}

void Automation::start_input() {
  typed_ = 0;
  clock_.arm(key_timer_, clock_.now_ns());
}

void Automation::next_key() {
  const InputEvent& e = typing_[typed_++];
  if (e.mouse)
    io_.mouse(e.dx, e.dy, e.buttons);
  else
    io_.key(e.key, e.down);
  if (typed_ < typing_.size()) {
    clock_.arm(key_timer_, clock_.now_ns() + kKeyIntervalNs);
    return;
  }
  step_++;
  advance();
}

// Bytes go to the receiver as fast as it takes them: a busy receiver (its previous character
// still on the wire, or its FIFO full) is asked again shortly, so nothing is overrun.
void Automation::next_byte() {
  const std::string& bytes = steps_[step_].bytes;
  while (sent_ < bytes.size() && io_.serial_in && io_.serial_in(uint8_t(bytes[sent_]))) sent_++;
  if (sent_ < bytes.size()) {
    clock_.arm(send_timer_, clock_.now_ns() + kSendRetryNs);
    return;
  }
  step_++;
  advance();
}

}  // namespace machine
