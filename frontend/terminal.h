// The terminal side of `-serial stdio`: the host terminal in raw mode while the guest owns it
// (restored on every exit path), its keystrokes fed to the guest's COM port, and QEMU's Ctrl-A
// escapes (Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

namespace frontend {

// Puts the terminal back in the mode it had before a SerialTerminal made it raw (nothing if
// none did). Async-signal-safe, for handlers that end the process.
void restore_terminal_mode();

class SerialTerminal {
 public:
  // `input_fd` is read without blocking; raw mode is applied only when it is a terminal.
  // `send` offers one byte to the guest's COM port and says whether it was taken (the machine's
  // host input, machine/host_input.h); `quit` is called for Ctrl-A x.
  SerialTerminal(int input_fd, std::function<bool(uint8_t)> send, std::function<void()> quit);
  ~SerialTerminal();
  SerialTerminal(const SerialTerminal&) = delete;
  SerialTerminal& operator=(const SerialTerminal&) = delete;

  // Reads what the host has typed and passes it to the UART as fast as the guest takes it.
  void poll();
  // The guest is idle for `ns` of virtual time: wait up to that long (at most 20 ms) for input
  // instead of spinning, so an idle interactive guest costs no host CPU.
  void idle(uint64_t ns);

  bool raw() const { return raw_; }
  // Bytes the guest has not taken yet (tests).
  size_t pending() const { return pending_.size(); }

  // The escape state machine, separate from any file descriptor so that it can be tested.
  // Returns the bytes for the guest; sets `quit` for Ctrl-A x.
  struct Escapes {
    bool after_ctrl_a = false;
    void feed(uint8_t byte, std::deque<uint8_t>& to_guest, bool& quit);
  };

 private:
  void deliver();

  int fd_;
  std::function<bool(uint8_t)> send_;
  std::function<void()> quit_;
  bool raw_ = false;
  bool eof_ = false;
  Escapes escapes_;
  std::deque<uint8_t> pending_;
};

}  // namespace frontend
