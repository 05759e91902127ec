// Headless automation: a script of steps (wait for screen or serial text or a needle, type,
// press keys, move the mouse, send a control command, save a snapshot, sleep) run in virtual time, then the --until-serial / --until-screen conditions that end the run. Everything
// happens at instruction counts fixed by the guest's own progress, so a scripted run is as
// deterministic as an unscripted one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "machine/clock.h"
#include "machine/config.h"
#include "machine/keymap.h"
#include "machine/needle.h"

namespace machine {

class Automation {
 public:
  struct Io {
    std::function<std::string()> screen;             // the text screen, rows joined by '\n'
    std::function<void(uint16_t key, bool down)> key;  // a key event for the keyboard
    // Offers one byte to COM1's receiver; false when it cannot take it yet (try again later).
    std::function<bool(uint8_t byte)> serial_in;
    std::function<void()> stop;                      // a final condition matched: end the run
    // A wait step's own limit (screen@S:, serial@S:) passed: end the run as failed, with `why`.
    std::function<void(std::string why)> fail;
    std::function<devices::VgaFrame()> frame;  // the displayed picture, for needle steps
    std::function<void(int dx, int dy, uint8_t buttons)> mouse;
    // A control command (its JSON text); returns why it failed, or empty.
    std::function<std::string(const std::string& command)> command;
    // Asks for a snapshot at the next instruction boundary; saved() is called once it is written.
    std::function<void(const std::string& path)> savevm;
  };

  // Throws std::runtime_error naming the option for an invalid regular expression or text.
  // Throws std::runtime_error for a needle that cannot be read. Nothing happens until start().
  Automation(const MachineConfig& cfg, Clock& clock, Io io);
  // Runs the steps from the current virtual time on: called once, when the run begins (after a
  // snapshot was loaded, so that the steps start from the snapshot's time and screen).
  void start();
  // The snapshot a savevm step asked for is written: the next step begins.
  void saved();

  // Whether COM1's output must be passed to on_serial() (and COM1 must exist: send steps).
  static bool watches_serial(const MachineConfig& cfg);
  void on_serial(uint8_t byte);
  // A final condition matched after every step was done.
  bool matched() const { return matched_; }
  // Steps completed so far, of how many.
  size_t steps_done() const { return step_; }
  size_t steps() const { return steps_.size(); }
  // The needle of the step being waited for, if it is a needle step (for a failure's diff).
  const Needle* current_needle() const;

  // Virtual time between two key events while typing.
  static constexpr uint64_t kKeyIntervalNs = 2'000'000;
  // How often the text screen is compared while a screen condition is active.
  static constexpr uint64_t kScreenPollNs = 10'000'000;
  static constexpr uint64_t kSerialPollNs = 100'000;
  // How soon a byte COM1 could not take yet is offered again.
  static constexpr uint64_t kSendRetryNs = 50'000;

 private:
  struct Step {
    AutomationStep::Kind kind;
    std::optional<std::regex> re;
    std::vector<KeyStroke> keys;
    std::string bytes;  // for Send; the command of Command, the file of Savevm
    std::optional<Needle> needle;
    std::vector<uint16_t> combo;  // for Key
    int dx = 0, dy = 0;           // for Mouse
    uint8_t buttons = 0;
    uint64_t ns = 0;
    uint64_t limit_ns = 0;  // for Screen and Serial
    std::string text;       // as given, for messages
  };
  // A key or mouse event of a typing, key or mouse step.
  struct InputEvent {
    uint16_t key = 0;
    bool down = false;
    bool mouse = false;
    int dx = 0, dy = 0;
    uint8_t buttons = 0;
  };

  void advance();      // runs steps until one has to wait
  void start_limit(const Step& s);
  void poll_screen();  // screen timer
  void match_serial();  // serial timer: the search on_serial() scheduled
  void next_key();     // input timer: typing, key combinations, the mouse
  void start_input();
  bool needle_matches(Step& s);
  void next_byte();    // sending timer
  bool serial_condition_active() const;
  bool screen_condition_active() const;
  bool try_serial(const std::regex& re);
  void finish(bool hit);

  Clock& clock_;
  Io io_;
  std::vector<Step> steps_;
  size_t step_ = 0;
  std::optional<std::regex> until_serial_, until_screen_;
  bool matched_ = false;
  std::string transcript_;  // COM1 output not yet consumed by a serial condition
  std::vector<InputEvent> typing_;
  size_t typed_ = 0;
  size_t sent_ = 0;
  Clock::TimerId screen_timer_, serial_timer_, key_timer_, sleep_timer_, send_timer_;
  // A host timer like the others: a snapshot saved by one script loads under any other.
  Clock::TimerId limit_timer_;
  bool update_needles_ = false;
  bool waiting_for_save_ = false;
  std::string needle_why_;  // the last needle comparison's mismatch
};

}  // namespace machine
