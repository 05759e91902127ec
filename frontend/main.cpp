// ghost86: the command-line front end.
#include <fmt/format.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <unistd.h>

#include <memory>

#include "frontend/cli.h"
#include "frontend/features.h"
#include "frontend/suite/test_main.h"
#include "frontend/control/control_host.h"
#include "frontend/control/step_command.h"
#include "frontend/gdb/server.h"
#include "frontend/stop_signals.h"
#include "frontend/terminal.h"
#ifdef GHOST86_HAVE_SDL
#include "frontend/sdl_display.h"
#endif
#ifdef GHOST86_HAVE_VNC
#include "frontend/vnc_display.h"
#endif
#include "machine/pc_machine.h"
#include "machine/replay_log.h"

namespace {

// Prints what ended the run (when it needs saying) and returns the exit status.
int report_outcome(const machine::RunResult& r) {
  using Kind = machine::RunResult::Kind;
  if (r.kind != Kind::DebugExit && r.kind != Kind::PowerOff && r.kind != Kind::Matched)
    std::fprintf(stderr, "ghost86: %s\n", r.message.c_str());
  return machine::exit_status(r);
}

// --wall-timeout's exit status: apart from --timeout's 3, so CI can tell a slow host from a guest
// that never got there in virtual time.
constexpr int kWallTimeoutStatus = 4;

int run_machine(const machine::MachineConfig& config, double wall_timeout_s, const frontend::control::ControlOptions& control_options,
                [[maybe_unused]] const frontend::DisplayOptions& display_options, const frontend::StopSignals& stop_signals) {
  try {
    using machine::SerialConfig;
    // As in QEMU, the debug console (port E9h) is shown only when -debugcon says where.
    const SerialConfig dcon = config.debugcon.value_or(SerialConfig{});
    std::FILE* dcon_file = dcon.kind == SerialConfig::Kind::Stdio ? stdout
                           : dcon.kind == SerialConfig::Kind::File ? std::fopen(dcon.path.c_str(), "w")
                                                                   : nullptr;
    if (dcon.kind == SerialConfig::Kind::File && !dcon_file) {
      std::fprintf(stderr, "ghost86: -debugcon: cannot open '%s': %s\n", dcon.path.c_str(), std::strerror(errno));
      return 1;
    }
    machine::PcMachine pc(config, [dcon_file](char c) {
      if (!dcon_file) return;
      std::fputc(c, dcon_file);
      if (c == '\n') std::fflush(dcon_file);
    });
    // -serial stdio: the terminal's keys go to that COM port. -display sdl: a window.
    std::unique_ptr<frontend::SerialTerminal> terminal;
    if (devices::Uart* uart = pc.board().stdio_uart()) {
      unsigned port = 0;
      while (pc.board().uart(port) != uart) port++;
      terminal = std::make_unique<frontend::SerialTerminal>(
          STDIN_FILENO, [&pc, port](uint8_t byte) { return pc.input().serial(port, byte); },
          [&pc] { pc.request_stop("quit (Ctrl-A x)"); });
    }
#ifdef GHOST86_HAVE_SDL
    std::unique_ptr<frontend::SdlDisplay> display;
    if (config.display == machine::DisplayKind::Sdl) display = std::make_unique<frontend::SdlDisplay>(pc, display_options.sdl);
#endif
#ifdef GHOST86_HAVE_VNC
    // -vnc: with -display none too (a headless machine watched from elsewhere).
    std::unique_ptr<frontend::VncDisplay> vnc;
    if (display_options.vnc) vnc = std::make_unique<frontend::VncDisplay>(pc, *display_options.vnc);
#endif
    // -qmp, -monitor: polled with the other host input; they also wait for a paused machine.
    std::unique_ptr<frontend::control::ControlHost> controls;
    if (control_options.any())
      controls = std::make_unique<frontend::control::ControlHost>(pc, control_options, [&stop_signals] { return stop_signals.pending() != 0; });
#ifdef GHOST86_HAVE_VNC
    if (controls && vnc)
      controls->control().set_vnc_password_setter([&vnc](const std::string& p) { return vnc->set_password(p); });
#endif
    // -gdb, -s: the gdb stub, polled with the control sockets.
    std::unique_ptr<frontend::gdb::Server> gdb;
    if (!control_options.gdb.empty()) gdb = std::make_unique<frontend::gdb::Server>(pc, control_options.gdb);
    machine::PcMachine::HostHooks host;
    host.poll = [&terminal, &controls, &gdb] {
      if (terminal) terminal->poll();
      if (controls) controls->poll();
      if (gdb) gdb->poll();
    };
    if (terminal) host.idle = [&terminal](uint64_t ns) { terminal->idle(ns); };
    // An idle guest is not held back to host time for the control sockets (a terminal or a
    // window does that): a controlled run goes as fast as the host allows, and the host poll
    // takes commands every millisecond of virtual time, idle or not.
    if (controls) host.reset = [&controls](bool guest) { controls->control().on_reset(guest); };
    // --step qmp:JSON runs on the control sockets' machine control, or on its own.
    std::unique_ptr<frontend::control::MachineControl> step_control;
    if (!controls) step_control = std::make_unique<frontend::control::MachineControl>(pc);
    frontend::control::MachineControl& control = controls ? controls->control() : *step_control;
    host.command = [&control](const std::string& text) { return frontend::control::run_step_command(control, text); };
#ifdef GHOST86_HAVE_VNC
    if (vnc) {
      // Viewers are served with the other host input. An idle guest waits for a viewer's input
      // unless a terminal already waits for its own.
      host.poll = [&vnc, poll = std::move(host.poll)] {
        poll();
        vnc->poll();
      };
      if (!host.idle) host.idle = [&vnc](uint64_t ns) { vnc->idle(ns); };
    }
#endif
#ifdef GHOST86_HAVE_SDL
    if (display) {
      // The window's event wait replaces the terminal's and the viewers': each wakes the idle
      // guest for input.
      host.poll = [&display, poll = std::move(host.poll)] {
        poll();
        display->poll();
      };
      host.idle = [&display](uint64_t ns) { display->idle(ns); };
    }
#endif
    // The wall-clock guard is checked from the host poll, which runs every millisecond of virtual
    // time; every instruction, exception and reset moves virtual time on.
    using WallClock = std::chrono::steady_clock;
    const auto wall_deadline = WallClock::now() + std::chrono::duration_cast<WallClock::duration>(
                                                      std::chrono::duration<double>(wall_timeout_s));
    bool wall_expired = false;
    host.poll = [&, poll = std::move(host.poll)] {
      poll();
      if (step_control) step_control->tick();  // keys a qmp step's send-key holds
      if (const int sig = stop_signals.pending()) pc.request_stop(fmt::format("stopped by signal {} ({})", sig, strsignal(sig)));
      if (wall_timeout_s > 0 && !wall_expired && WallClock::now() >= wall_deadline) {
        wall_expired = true;
        pc.request_stop("wall timeout");
      }
    };
    if (controls || gdb) {
      // Paused by a command: host input goes on being read until one resumes the machine.
      host.paused = [&controls, &gdb, poll = host.poll] {
        poll();
        if (controls) controls->wait(gdb ? 5 : 10);
        if (gdb) gdb->wait(controls ? 5 : 10);
      };
    }
    pc.set_host_hooks(std::move(host));
    if (!config.loadvm.empty()) pc.load_snapshot(config.loadvm);
    machine::RunResult r = pc.run();
    if (controls) controls->finish(r);
    if (gdb) gdb->finish(r);
    terminal.reset();
    std::fflush(stdout);
    int status = 0;
    if (wall_expired && r.kind == machine::RunResult::Kind::Stopped && !stop_signals.pending()) {
      std::fprintf(stderr, "ghost86: gave up after %g s of host time (--wall-timeout)\n", wall_timeout_s);
      status = kWallTimeoutStatus;
    } else {
      status = report_outcome(r);
    }
    // --report's line comes last, after any message, so scripts can take the final line.
    if (config.report) std::fprintf(stderr, "%s\n", pc.report_line().c_str());
    return status;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "ghost86: %s\n", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // ghost86 test SUITE.toml: the suite runner (frontend/suite).
  if (!args.empty() && args[0] == "test") return frontend::suite::test_main({args.begin() + 1, args.end()});
  // ghost86 --replay-dump FILE: a replay log as text (machine/README.md).
  if (!args.empty() && args[0] == "--replay-dump") {
    if (args.size() != 2) {
      std::fprintf(stderr, "ghost86: --replay-dump: expected one FILE\n");
      return 1;
    }
    try {
      std::fputs(machine::replay::dump(machine::replay::read_log(args[1])).c_str(), stdout);
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ghost86: %s\n", e.what());
      return 1;
    }
  }
  const frontend::Features features = frontend::host_features();
  frontend::CliResult cli = frontend::parse_command_line(args, features);
  if (cli.action == frontend::CliResult::Action::Exit) {
    std::fputs(cli.message.c_str(), cli.exit_code ? stderr : stdout);
    if (!cli.message.empty() && cli.message.back() != '\n') std::fputc('\n', cli.exit_code ? stderr : stdout);
    return cli.exit_code;
  }
  for (const std::string& note : cli.notes) std::fprintf(stderr, "ghost86: %s\n", note.c_str());
  frontend::StopSignals stop_signals;
  const int status = run_machine(cli.config, cli.wall_timeout_s, cli.control, cli.display, stop_signals);
  // Everything is written and closed by now; a signal's stop ends as the signal would.
  std::fflush(nullptr);
  stop_signals.reraise();
  return status;
}
