#include "frontend/stop_signals.h"

#include <signal.h>

#include "frontend/terminal.h"

namespace frontend {
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP};

// A signal handler cannot reach an object: the one signal received lives here. It belongs to
// the process, not to any machine.
volatile sig_atomic_t g_pending = 0;

void on_stop_signal(int sig) {
  if (g_pending) {
    // The graceful stop is taking too long for the user: die now, terminal restored.
    restore_terminal_mode();
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  g_pending = sig;
}

}  // namespace

StopSignals::StopSignals() {
  g_pending = 0;
  for (int sig : kSignals) {
    // A signal ignored by whoever started us (nohup, a shell's background job) stays ignored.
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    signal(sig, on_stop_signal);
    installed_ |= 1u << sig;
  }
}

StopSignals::~StopSignals() {
  for (int sig : kSignals)
    if (installed_ & (1u << sig)) signal(sig, SIG_DFL);
}

int StopSignals::pending() const { return g_pending; }

void StopSignals::reraise() const {
  const int sig = g_pending;
  if (!sig) return;
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace frontend
