// SIGTERM, SIGINT and SIGHUP end a run the way a guest's exit does: the machine stops at an
// instruction boundary, the UARTs pass on what their transmitters still hold, the output files
// are flushed and closed, and only then does the process die of the signal. A handler may only
// do async-signal-safe things, so it records the signal; the run loop's host poll sees it. A
// second signal while the first is being handled kills the process at once. Signals ignored
// when ghost86 starts (nohup) stay ignored.
#pragma once

namespace frontend {

class StopSignals {
 public:
  StopSignals();   // installs the handlers
  ~StopSignals();  // and puts the default actions back
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The signal received, or 0.
  int pending() const;
  // The process dies of the pending signal, as it would have without the handler, so that a
  // parent sees the same wait status. Does nothing when no signal came.
  void reraise() const;

 private:
  unsigned installed_ = 0;  // bit n: the handler for signal n is ours
};

}  // namespace frontend
