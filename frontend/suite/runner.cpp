#include "frontend/suite/runner.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "devices/vga_render.h"
#include "frontend/cli.h"
#include "frontend/control/machine_control.h"
#include "frontend/control/step_command.h"
#include "frontend/features.h"
#include "machine/needle.h"
#include "machine/pc_machine.h"
#include "machine/screendump.h"

namespace frontend::suite {
namespace {

namespace fs = std::filesystem;

std::string artifacts_dir(const Case& c, const RunOptions& options) {
  return (fs::path(options.artifacts) / c.name).string();
}

bool sets_serial(const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a == "-serial" || a == "--serial" || a == "-nographic" || a == "--nographic") return true;
  return false;
}

// A shell word: quoted unless it is plain.
std::string shell_word(const std::string& w) {
  if (!w.empty() &&
      w.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:@+") ==
          std::string::npos)
    return w;
  std::string out = "'";
  for (const char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_line(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& w : words) {
    if (!line.empty()) line += ' ';
    line += shell_word(w);
  }
  return line;
}

// How the run ended, in an expect's words.
std::string end_name(machine::RunResult::Kind k) {
  using Kind = machine::RunResult::Kind;
  switch (k) {
    case Kind::PowerOff: return "poweroff";
    case Kind::DebugExit: return "debug-exit";
    case Kind::Shutdown: return "shutdown";
    case Kind::HaltedForever: return "halt";
    default: return "other";
  }
}

// The log every case that can be recorded keeps while it runs (RunOptions::artifacts): small,
// and kept only when the case fails.
constexpr const char* kReplayLog = "replay.log";

void write_artifacts(const Case& c, const RunOptions& options, machine::PcMachine* pc,
                     const CaseResult& r) {
  const fs::path dir = artifacts_dir(c, options);
  fs::create_directories(dir);
  if (pc) {
    const devices::VgaFrame screen = devices::vga_render(pc->board().vga());
    if (screen.width && screen.height) machine::write_png((dir / "screen.png").string(), screen);
    machine::write_text_dump((dir / "screen.txt").string(), pc->screen_text());
    // A needle that did not match: where the screen differs from it.
    if (const machine::Needle* n = pc->automation().current_needle(); n && !n->image.pixels.empty())
      machine::write_png((dir / ("needle-" + n->name + "-diff.png")).string(), machine::needle_diff(*n, screen));
  }
  std::ofstream command(dir / "command.txt");
  if (fs::exists(dir / kReplayLog))
    command << "# The recorded run, replayed (its input at the same instructions, its state checked):\n"
            << shell_line(replay_command_line(c, options)) << "\n";
  command << "# The run, exactly (runs are deterministic: it fails the same way):\n"
          << shell_line(case_command_line(c, options)) << "\n"
          << "# or, through the suite:\n"
          << shell_line({options.self, "test", options.suite_path, c.name}) << "\n";
  std::ofstream(dir / "result.txt") << r.message << "\n" << r.report << "\n";
}

CaseResult run_case(const Case& c, const RunOptions& options, Progress* progress) {
  CaseResult r;
  r.name = c.name;
  for (const std::string& f : c.requires_) {
    if (!fs::exists(f)) {
      r.outcome = CaseResult::Outcome::Skip;
      r.message = fmt::format("'{}' is missing", f);
      return r;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const fs::path dir = artifacts_dir(c, options);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  const std::vector<std::string> command = case_command_line(c, options);
  CliResult cli = parse_command_line({command.begin() + 1, command.end()}, host_features());
  if (cli.action != CliResult::Action::Run) {
    r.message = cli.message;
    write_artifacts(c, options, nullptr, r);
    return r;
  }
  cli.config.update_needles = options.update_needles;
  if (progress) progress->steps = c.steps.size();
  try {
    if (cli.config.debugcon && cli.config.debugcon->kind == machine::SerialConfig::Kind::Stdio)
      throw std::runtime_error("-debugcon stdio: a suite's cases cannot use stdio (use file:PATH)");
    if (cli.control.any()) throw std::runtime_error("-qmp and -monitor are not for suite cases");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> dcon(nullptr, std::fclose);
    if (cli.config.debugcon && cli.config.debugcon->kind == machine::SerialConfig::Kind::File) {
      dcon.reset(std::fopen(cli.config.debugcon->path.c_str(), "w"));
      if (!dcon)
        throw std::runtime_error(
            fmt::format("-debugcon: cannot open '{}'", cli.config.debugcon->path));
    }
    machine::PcMachine pc(cli.config, [f = dcon.get()](char ch) {
      if (f) std::fputc(ch, f);
    });
    // Without an expected ending the case is over once its steps are done. The hook exists
    // either way, as it does for a plain run: the same timers, so the same state hash.
    machine::PcMachine::HostHooks host;
    const size_t steps = pc.automation().steps();
    const bool stop_when_done = !c.expect;
    // qmp steps act through a machine control of their own (there is no socket); its tick
    // releases the keys a send-key holds.
    control::MachineControl control(pc);
    host.poll = [&pc, &control, steps, stop_when_done, progress, start] {
      control.tick();
      if (progress) {
        progress->step = pc.automation().steps_done();
        progress->virtual_ns = pc.clock().now_ns();
        progress->icount = pc.cpu().s.icount;
        progress->host_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
      if (stop_when_done && pc.automation().steps_done() == steps) pc.request_stop("steps done");
    };
    host.command = [&control](const std::string& text) {
      return control::run_step_command(control, text);
    };
    // Paused by a stop step: the steps after it that need no virtual time (control commands,
    // savevm) have run. A step still waiting never could, and nothing else resumes the machine.
    host.paused = [&pc, &c, steps, stop_when_done] {
      const size_t done = pc.automation().steps_done();
      if (done < steps)
        pc.request_stop(fmt::format(
            "step {} ({}) cannot be done while the machine is stopped (virtual time stands still until a cont step)",
            done + 1, c.steps[done]));
      else
        pc.request_stop(stop_when_done ? "steps done" : "the machine is stopped and no step resumes it");
    };
    pc.set_host_hooks(std::move(host));
    if (!cli.config.loadvm.empty()) pc.load_snapshot(cli.config.loadvm);
    if (cli.config.record.empty() && cli.config.replay.empty() && pc.unrecordable().empty())
      pc.record_to((dir / kReplayLog).string());
    const machine::RunResult run = pc.run();
    r.report = pc.report_line();
    r.virtual_ns = pc.clock().now_ns();
    const size_t done = pc.automation().steps_done();
    if (done < steps && run.message.starts_with("step ")) {
      r.message = run.message;  // the step's own limit, which names it
    } else if (done < steps) {
      r.message = fmt::format(
          "step {} ({}) not done: {}", done + 1, c.steps[done],
          run.message.empty() ? "the run ended (" + end_name(run.kind) + ")" : run.message);
    } else if (c.expect) {
      const int status = machine::exit_status(run);
      if (c.expect->status && status != *c.expect->status)
        r.message = fmt::format("exit status {}, expected {}{}", status, *c.expect->status,
                                run.message.empty() ? "" : ": " + run.message);
      else if (!c.expect->end.empty() && end_name(run.kind) != c.expect->end)
        r.message = fmt::format("the run ended as {}, expected {}{}", end_name(run.kind),
                                c.expect->end, run.message.empty() ? "" : ": " + run.message);
      else
        r.outcome = CaseResult::Outcome::Pass;
    } else {
      r.outcome = CaseResult::Outcome::Pass;
    }
    r.host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r.outcome == CaseResult::Outcome::Fail) write_artifacts(c, options, &pc, r);
  } catch (const std::exception& e) {
    r.outcome = CaseResult::Outcome::Fail;
    r.message = e.what();
    fs::remove(dir / kReplayLog, ec);  // a run cut short leaves no whole log
    write_artifacts(c, options, nullptr, r);
  }
  if (r.outcome == CaseResult::Outcome::Pass) fs::remove_all(dir, ec);
  return r;
}

}  // namespace

std::string snapshot_path(const std::string& name, const RunOptions& options) {
  if (fs::path(name).is_absolute()) return name;
  return (fs::path(options.artifacts) / "snapshots" / name).string();
}

std::vector<std::string> case_command_line(const Case& c, const RunOptions& options) {
  std::vector<std::string> cmd{options.self};
  cmd.insert(cmd.end(), c.args.begin(), c.args.end());
  if (!c.loadvm.empty()) cmd.insert(cmd.end(), {"-loadvm", snapshot_path(c.loadvm, options)});
  // The serial log is an artifact, unless the case says where COM1 goes.
  if (!sets_serial(c.args))
    cmd.insert(
        cmd.end(),
        {"-serial", "file:" + (fs::path(artifacts_dir(c, options)) / "serial.log").string()});
  cmd.insert(cmd.end(), {"-display", "none", "--timeout", fmt::format("{}", c.timeout_ns / 1e9)});
  for (const std::string& s : c.steps)
    cmd.insert(cmd.end(), {"--step", s.starts_with("savevm:")
                                          ? "savevm:" + snapshot_path(s.substr(7), options)
                                          : s});
  return cmd;
}

std::vector<std::string> replay_command_line(const Case& c, const RunOptions& options) {
  std::vector<std::string> cmd = case_command_line(c, options);
  cmd.insert(cmd.end(), {"-replay", (fs::path(artifacts_dir(c, options)) / kReplayLog).string()});
  return cmd;
}

std::vector<CaseResult> run_cases(const std::vector<Case>& cases, const RunOptions& options) {
  std::vector<CaseResult> results(cases.size());
  std::vector<bool> finished(cases.size());
  std::atomic<size_t> next{0};
  std::mutex lock;
  std::condition_variable done;
  std::error_code ec;
  fs::create_directories(fs::path(options.artifacts) / "snapshots", ec);
  // Cases are taken in order and a case needs only cases before it, so what it waits for has
  // been taken by a worker already: the wait always ends.
  const auto needed_failure = [&](const Case& c) -> std::string {
    std::unique_lock<std::mutex> g(lock);
    for (const std::string& need : c.needs) {
      const auto it = std::find_if(cases.begin(), cases.end(), [&](const Case& o) { return o.name == need; });
      if (it == cases.end()) return fmt::format("needs case '{}', which is not in this run", need);
      const size_t j = size_t(it - cases.begin());
      done.wait(g, [&] { return bool(finished[j]); });
      if (results[j].outcome != CaseResult::Outcome::Pass)
        return fmt::format("needs case '{}', which did not pass", need);
    }
    return {};
  };
  const auto worker = [&] {
    for (size_t i; (i = next++) < cases.size();) {
      Progress* progress = options.progress ? &(*options.progress)[i] : nullptr;
      if (const std::string why = needed_failure(cases[i]); !why.empty()) {
        results[i].name = cases[i].name;
        results[i].outcome = CaseResult::Outcome::Skip;
        results[i].message = why;
      } else {
        {
          const std::lock_guard<std::mutex> g(lock);
          if (options.started) options.started(cases[i]);
        }
        if (progress) progress->running = true;
        results[i] = run_case(cases[i], options, progress);
        if (progress) progress->running = false;
      }
      const std::lock_guard<std::mutex> g(lock);
      finished[i] = true;
      done.notify_all();
      if (options.finished) options.finished(results[i]);
    }
  };
  std::vector<std::thread> threads;
  const unsigned n = std::max(1u, std::min<unsigned>(options.jobs, unsigned(cases.size())));
  for (unsigned t = 0; t + 1 < n; t++) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  return results;
}

}  // namespace frontend::suite
