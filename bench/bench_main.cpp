// ghost86-bench: boots a firmware image headless and reports guest instructions per second of
// host time. The host clock is read here, outside the machine, only to measure.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "machine/pc_machine.h"

int main(int argc, char** argv) {
  CLI::App app{"Measure ghost86's guest instruction rate on a firmware image"};
  std::string bios;
  unsigned repeat = 3;
  app.add_option("bios", bios, "firmware image that exits through isa-debug-exit at port F4h")->required();
  app.add_option("--repeat", repeat, "runs; the fastest is reported");
  CLI11_PARSE(app, argc, argv);
  machine::MachineConfig cfg;
  cfg.bios_path = bios;
  cfg.debug_exit.push_back({true, 0xf4, 4});
  cfg.max_insns = 20'000'000'000ull;
  double best = 1e30;
  uint64_t insns = 0;
  std::string out;
  try {
    for (unsigned i = 0; i < repeat; i++) {
      out.clear();
      machine::PcMachine pc(cfg, [&](char c) { out += c; });
      auto t0 = std::chrono::steady_clock::now();
      machine::RunResult r = pc.run();
      double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (r.kind != machine::RunResult::Kind::DebugExit) {
        fmt::print(stderr, "ghost86-bench: {}: guest did not exit cleanly: {}\n", bios, r.message);
        return 1;
      }
      insns = pc.cpu().s.icount;
      best = std::min(best, sec);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "ghost86-bench: {}\n", e.what());
    return 1;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  fmt::print("{} instructions in {:.3f} s: {:.1f} M instructions/s (output {})\n", insns, best,
             insns / best / 1e6, out);
  return 0;
}
