#include "frontend/terminal.h"

#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>


namespace frontend {
namespace {

// The terminal settings to restore. A signal handler and atexit() cannot reach an object, so
// this one piece of process state lives here; it belongs to the process's terminal, not to any
// machine.
struct SavedTerminal {
  int fd = -1;
  termios mode{};
};
SavedTerminal g_saved;


// Fatal signals would leave the shell in raw mode: restore, then die as the signal says.
void on_fatal_signal(int sig) {
  restore_terminal_mode();
  signal(sig, SIG_DFL);
  raise(sig);
}

constexpr uint8_t kCtrlA = 0x01;

}  // namespace

void restore_terminal_mode() {
  if (g_saved.fd >= 0) tcsetattr(g_saved.fd, TCSANOW, &g_saved.mode);
}

void SerialTerminal::Escapes::feed(uint8_t byte, std::deque<uint8_t>& to_guest, bool& quit) {
  if (after_ctrl_a) {
    after_ctrl_a = false;
    if (byte == 'x' || byte == 'X') quit = true;
    else if (byte == kCtrlA) to_guest.push_back(kCtrlA);
    // Any other key after Ctrl-A is an unknown command: dropped, as QEMU does.
    return;
  }
  if (byte == kCtrlA) {
    after_ctrl_a = true;
    return;
  }
  to_guest.push_back(byte);
}

SerialTerminal::SerialTerminal(int input_fd, std::function<bool(uint8_t)> send, std::function<void()> quit)
    : fd_(input_fd), send_(std::move(send)), quit_(std::move(quit)) {
  termios mode{};
  if (isatty(fd_) && tcgetattr(fd_, &mode) == 0) {
    g_saved = {fd_, mode};
    std::atexit(restore_terminal_mode);
    // SIGTERM, SIGINT and SIGHUP stop the run gracefully instead (stop_signals.h).
    for (int sig : {SIGQUIT, SIGSEGV, SIGABRT, SIGBUS}) signal(sig, on_fatal_signal);
    // Raw input (no line editing, no signals from Ctrl-C: the guest gets every key), but output
    // post-processing stays on so that a guest's bare "\n" still starts a new line.
    termios raw = mode;
    raw.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cflag &= ~tcflag_t(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    raw_ = tcsetattr(fd_, TCSANOW, &raw) == 0;
  }
}

SerialTerminal::~SerialTerminal() {
  if (raw_) {
    restore_terminal_mode();
    g_saved.fd = -1;
  }
}

void SerialTerminal::deliver() {
  while (!pending_.empty() && send_(pending_.front())) pending_.pop_front();
}

void SerialTerminal::poll() {
  std::fflush(stdout);  // prompts without a newline must show up
  deliver();
  // Read only while the guest keeps up, so pasted text is paced by the guest, never dropped.
  while (!eof_ && pending_.size() < 256) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP))) break;
    uint8_t buf[64];
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) {
      eof_ = true;  // end of input: the guest simply gets nothing more
      break;
    }
    bool quit = false;
    for (ssize_t i = 0; i < n; i++) escapes_.feed(buf[i], pending_, quit);
    if (quit) {
      if (quit_) quit_();
      return;
    }
  }
  deliver();
}

void SerialTerminal::idle(uint64_t ns) {
  std::fflush(stdout);
  if (!raw_ || eof_ || !pending_.empty()) return;  // scripted input (a pipe) is never waited for
  const int ms = int(std::min<uint64_t>(ns / 1'000'000, 20));
  if (ms <= 0) return;
  pollfd p{fd_, POLLIN, 0};
  ::poll(&p, 1, ms);
}

}  // namespace frontend
