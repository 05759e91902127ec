#include "machine/pc_machine.h"

#include <fmt/format.h>

#include "cpu/flags.h"
#include "devices/vga_render.h"
#include "machine/read_file.h"
#include "machine/screendump.h"
#include "machine/cpu_state_io.h"
#include "machine/debug_registers.h"
#include "machine/debug_target.h"
#include "machine/record_replay.h"
#include "machine/replay_log.h"
#include "machine/state_hash.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <stdexcept>
#include <utility>

namespace machine {
namespace {

constexpr uint64_t kMaxFirmwareBytes = 1u << 20;  // the BIOS area below 1 MB holds at most this

}  // namespace

int exit_status(const RunResult& r) {
  switch (r.kind) {
    case RunResult::Kind::DebugExit: return r.exit_status;
    case RunResult::Kind::PowerOff:
    case RunResult::Kind::Matched:
    case RunResult::Kind::Stopped:
    case RunResult::Kind::HaltedForever: return 0;
    case RunResult::Kind::Timeout: return 3;
    case RunResult::Kind::Diverged: return 1;
    default: return 2;
  }
}

PcMachine::PcMachine(const MachineConfig& cfg, ConsoleSink console)
    : cfg_(cfg), next_checkpoint_(cfg.checkpoint_every), paused_(cfg.start_stopped) {
  if (cfg.ram_bytes < (1u << 20) || cfg.ram_bytes > (3584ull << 20))
    throw std::runtime_error(fmt::format("RAM size {} MiB is outside 1..3584 MiB", cfg.ram_bytes >> 20));
  phys_ = std::make_unique<mmu::PhysMemory>(cfg.ram_bytes);
  mmu_ = std::make_unique<mmu::Mmu>(*phys_);
  cpu_ = std::make_unique<cpu::Cpu>(*mmu_);
  if (!cfg.cpu_model.empty()) {
    const auto model = cpu::find_cpu_model(cfg.cpu_model);
    if (!model) throw std::runtime_error(fmt::format("-cpu: unknown model '{}'", cfg.cpu_model));
    cpu_->model = *model;
    cpu_->reset();  // EDX holds the model's signature after RESET
  }
  cpu_->io = &bus_;
  cpu_->ns_per_insn = cfg.ns_per_insn;
  clock_ = std::make_unique<Clock>(cpu_->s.icount, cfg.ns_per_insn);
  engine_ = std::make_unique<jit::Engine>(*cpu_);
  clock_->set_cut_short([this] { engine_->stop(); });
  if (cfg.accel == Accel::Jit) engine_->set_jit(true, cfg.jit_cache_mb);
  // Slow (ISA) port accesses stall the processor in virtual time; the TSC counts that time too.
  bus_.set_clock(clock_.get());
  engine_->set_exception_stall([this] { clock_->stall(kExceptionNs); });
  clock_->set_deadline_ns(cfg.timeout_ns ? cfg.timeout_ns : Clock::kNever);
  clock_->set_stall_listener([this](uint64_t ns) { cpu_->s.tsc_offset += ns; });
  if (!cfg.debug_log.empty() || cfg.perfmap) {
    jit::Engine::Log log;
    log.interrupts = cfg.debug_log.find("int") != std::string::npos;
    log.exec = cfg.debug_log.find("exec") != std::string::npos;
    log.in_asm = cfg.debug_log.find("in_asm") != std::string::npos;
    log.out_asm = cfg.debug_log.find("out_asm") != std::string::npos;
    log.jit = cfg.debug_log.find("jit") != std::string::npos;
    log.sink = [](const std::string& line) { std::fputs(line.c_str(), stderr); };
    if (cfg.perfmap) {
      // perf's convention for JIT symbols: one "START SIZE NAME" line (hex) per code range.
      const std::string path = fmt::format("/tmp/perf-{}.map", ::getpid());
      perfmap_.reset(std::fopen(path.c_str(), "w"));
      if (!perfmap_) throw std::runtime_error(fmt::format("-perfmap: cannot write {}", path));
      log.translated = [f = perfmap_.get()](const void* code, size_t size, uint32_t eip) {
        fmt::print(f, "{:x} {:x} guest_{:08x}\n", uintptr_t(code), size, eip);
      };
    }
    engine_->set_log(std::move(log));
  }
  const uint32_t bios_bytes = load_firmware();

  BoardHooks hooks;
  hooks.reset = [this] {
    reset_requested_ = true;
    engine_->stop();
  };
  hooks.power_off = [this] {
    power_off_ = true;
    engine_->stop();
  };
  hooks.net_wake = [this] { engine_->stop(); };
  hooks.mapping_changed = [this](uint32_t, uint32_t) {
    // What backs some physical range changed (shadow RAM, A20, a BAR): translations and TLB
    // entries made from the old mapping are stale.
    mmu_->flush_tlb();
    engine_->flush();
  };
  // Headless automation (--step, --until-*): COM1 output is passed on as it arrives; the board
  // exists before the script starts, which may type on its keyboard.
  if (Automation::watches_serial(cfg)) {
    hooks.com1_output = [this](uint8_t b) {
      if (automation_) automation_->on_serial(b);
    };
  }
  board_ = std::make_unique<PcBoard>(cfg, bus_, *phys_, *clock_, std::move(hooks), bios_bytes);
  input_ = std::make_unique<HostInput>([this] { engine_->stop(); },
                                       [this](unsigned port) {
                                         devices::Uart* u = board_->uart(port);
                                         return u && u->can_receive();
                                       });
  Automation::Io io;
  io.screen = [this] {
    std::string screen;
    for (const std::string& line : screen_text()) screen += line + "\n";
    return screen;
  };
  io.key = [this](uint16_t key, bool down) { input_->key(key, down); };
  io.serial_in = [this](uint8_t byte) {
    devices::Uart* com1 = board_->uart(0);
    if (!com1 || com1->base() != 0x3f8) throw std::runtime_error("--step send: the machine has no COM1");
    return input_->serial(0, byte);
  };
  io.frame = [this] { return devices::vga_render(board_->vga()); };
  io.mouse = [this](int dx, int dy, uint8_t buttons) { input_->mouse(dx, dy, buttons); };
  io.command = [this](const std::string& command) -> std::string {
    if (!host_.command) return "this run has no control interface for commands";
    return host_.command(command);
  };
  io.savevm = [this](const std::string& path) {
    step_save_ = path;
    engine_->stop();
  };
  io.stop = [this] { engine_->stop(); };
  io.fail = [this](std::string why) {
    step_failure_ = std::move(why);
    engine_->stop();
  };
  automation_ = std::make_unique<Automation>(cfg, *clock_, std::move(io));
  // The 8259's INTR reaches the processor through its local APIC (LINT0, or straight while the
  // APIC is disabled).
  cpu_->intr = &board_->lapic();
  // An interrupt request reaches the processor at the next instruction boundary, also while it
  // runs chained translated code (DESIGN.md §5 "Translation cache").
  board_->pic().set_request_hook([this] { cpu::request_exit(cpu_->s); });
  board_->lapic().set_request_hook([this] { cpu::request_exit(cpu_->s); });
  board_->lapic().set_nmi([this] { engine_->raise_nmi(); });
  cpu_->apic_base_written = [this](uint64_t v) { board_->lapic().set_base_msr(v); };
  cpu_->fpu_error = [this] { board_->fpu_error(); };
  if (!cfg.kernel.empty()) {
    direct_boot_ = prepare_direct_boot(cfg, bios_bytes);
    // A machine started from a snapshot takes RAM, processor and chipset from it: placing the
    // kernel first would only be undone (a third of the start-up time of a 256 MiB Linux guest).
    // A reset still boots the kernel.
    if (cfg.loadvm.empty()) start_direct_boot();
  }

  // What reverse execution's replays write was written once already.
  debugcon_ = std::make_unique<devices::DebugCon>([this, console = std::move(console)](char c) {
    if (!replaying_) console(c);
  });
  bus_.register_ports(0xe9, 1, debugcon_.get(), "debugcon");
  bus_.register_ports(0x402, 1, debugcon_.get(), "debugcon");
  for (const DebugExitConfig& d : cfg.debug_exit) {
    auto dev = std::make_unique<devices::DebugExit>([this](int status) {
      exit_status_ = status;
      engine_->stop();
    });
    bus_.register_ports(d.iobase, d.iosize, dev.get(), "isa-debug-exit");
    debug_exits_.push_back(std::move(dev));
  }
  std::stable_sort(cfg_.savevm_at.begin(), cfg_.savevm_at.end(),
                   [](const MachineConfig::SaveAt& a, const MachineConfig::SaveAt& b) { return a.icount < b.icount; });
  const bool savevm_step = std::any_of(cfg.steps.begin(), cfg.steps.end(),
                                       [](const AutomationStep& s) { return s.kind == AutomationStep::Kind::Savevm; });
  if (!cfg.savevm.empty() || !cfg.savevm_at.empty() || savevm_step)
    if (const std::string why = writable_drive(); !why.empty())
      throw std::runtime_error(fmt::format(
          "{}: {}", savevm_step ? "--step savevm" : cfg.savevm.empty() ? "--savevm-at" : "-savevm", why));
  if (!cfg.record.empty() || !cfg.replay.empty()) {
    const char* option = cfg.record.empty() ? "-replay" : "-record";
    if (const std::string why = unrecordable(); !why.empty()) throw std::runtime_error(fmt::format("{}: {}", option, why));
  }
}

// A log replays only against the images it started from (network frames are in the log).
std::string PcMachine::unrecordable() { return writable_drive(); }

void PcMachine::record_to(const std::string& path) {
  if (const std::string why = unrecordable(); !why.empty()) throw std::runtime_error(fmt::format("-record: {}", why));
  cfg_.record = path;
}

PcMachine::~PcMachine() = default;

void PcMachine::set_host_hooks(HostHooks hooks) {
  host_ = std::move(hooks);
  if (!host_.poll) return;
  if (!host_timer_) {
    host_timer_ = clock_->add_host_timer([this] {
      if (!replaying_) host_.poll();
      clock_->arm(host_timer_, clock_->now_ns() + host_.poll_ns);
    });
  }
  clock_->arm(host_timer_, clock_->now_ns() + host_.poll_ns);
}

void PcMachine::request_stop(std::string why) {
  stop_request_ = std::move(why);
  engine_->stop();
}

uint32_t PcMachine::load_firmware() {
  std::vector<uint8_t> rom = cfg_.bios_path.empty() ? builtin_demo_rom() : read_whole_file(cfg_.bios_path, "-bios", kMaxFirmwareBytes, "a PC's firmware");
  if (rom.empty() || rom.size() % 0x10000 != 0 || rom.size() > kMaxFirmwareBytes)
    throw std::runtime_error(fmt::format(
        "-bios: '{}': firmware size {} bytes is not a multiple of 64 KiB up to 1 MiB",
        cfg_.bios_path.empty() ? "built-in" : cfg_.bios_path, rom.size()));
  // The whole image sits just below 4 GB; its last 128 KB also appear below 1 MB, where the
  // processor finds the reset vector in real mode after CS is reloaded.
  phys_->add_rom(uint32_t((1ull << 32) - rom.size()), rom, "bios");
  const size_t low = std::min<size_t>(rom.size(), 0x20000);
  phys_->add_rom(uint32_t(0x100000 - low), std::span(rom).subspan(rom.size() - low), "bios (low)");
  return uint32_t(rom.size());
}

void PcMachine::write_screendump() {
  if (cfg_.screendump.empty()) return;
  if (cfg_.screendump.ends_with(".png"))
    write_png(cfg_.screendump, devices::vga_render(board_->vga()));
  else
    write_text_dump(cfg_.screendump, screen_text());
}

std::vector<PcBoard::StatePart> PcMachine::state_parts() {
  std::vector<PcBoard::StatePart> parts;
  parts.push_back({"cpu", [this](devices::Serializer& s) { serialize_cpu(cpu_->s, s); }});
  parts.push_back({"a20", [this](devices::Serializer& s) {
                     bool on = phys_->a20_enabled();
                     s.io(on);
                     if (s.loading()) phys_->set_a20(on);
                   }});
  for (PcBoard::StatePart& p : board_->state_parts()) parts.push_back(std::move(p));
  parts.push_back({"clock", [this](devices::Serializer& s) { clock_->serialize(s); }});
  return parts;
}

uint64_t PcMachine::state_hash() {
  StateHasher h;
  for (const PcBoard::StatePart& p : state_parts()) p.io(h);
  h.add(phys_->ram(), phys_->ram_size());
  return h.digest();
}

std::string PcMachine::report_line() { return fmt::format("icount={} hash={:016x}", cpu_->s.icount, state_hash()); }

void PcMachine::set_report_sink(ReportSink sink) { report_sink_ = std::move(sink); }

// A checkpoint line for every multiple of --checkpoint-every reached. The run loop stops the
// engine at each multiple, so icount lands on it exactly; should some path step over one
// anyway, the line shows the count it was taken at and the next multiple is the next target.
void PcMachine::emit_checkpoint() {
  const uint64_t every = cfg_.checkpoint_every;
  if (!every || cpu_->s.icount < next_checkpoint_) return;
  report_sink_(report_line());
  next_checkpoint_ = (cpu_->s.icount / every + 1) * every;
}

std::vector<std::string> PcMachine::screen_text() const { return devices::vga_text_lines(board_->vga()); }

void PcMachine::reset() {
  board_->reset();
  // Virtual time runs on across a reset: the clock and every armed timer count in it.
  const uint64_t icount = cpu_->s.icount, tsc_offset = cpu_->s.tsc_offset;
  cpu_->reset();
  board_->lapic().set_base_msr(cpu_->s.msr.apic_base);
  cpu_->s.icount = icount;
  cpu_->s.tsc_offset = tsc_offset;
  phys_->set_a20(true);
  mmu_->flush_tlb();
  engine_->reset();
  if (direct_boot_) start_direct_boot();
  clock_->stall(kResetNs);
}

// In place of firmware: the chipset set up as a BIOS leaves it, the kernel and its data in RAM,
// the CPU at the kernel's entry point.
void PcMachine::start_direct_boot() {
  board_->setup_for_direct_boot();
  install(*direct_boot_, *phys_, *cpu_);
  board_->install_mp_table(cpu_->model.signature, cpu_->model.features_edx);
  engine_->flush();
}

void PcMachine::pause() {
  paused_ = true;
  engine_->stop();
}

void PcMachine::request_reset() { input_->reset(); }

void PcMachine::press_power_button() { input_->power_button(); }

std::string PcMachine::apply_input(const InputEvent& e) {
  switch (e.kind) {
    case InputEvent::Kind::Key:
      if (e.down)
        board_->keyboard().press(uint16_t(e.code));
      else
        board_->keyboard().release(uint16_t(e.code));
      break;
    case InputEvent::Kind::Mouse: board_->mouse().move(e.dx, e.dy, uint8_t(e.code)); break;
    case InputEvent::Kind::Serial:
      if (devices::Uart* u = board_->uart(e.port)) u->receive(uint8_t(e.code));
      break;
    case InputEvent::Kind::Reset:
      reset_requested_ = true;
      host_reset_ = true;
      engine_->stop();
      break;
    case InputEvent::Kind::PowerButton: board_->pm().press_power_button(); break;
    case InputEvent::Kind::MemoryWrite:
      // Through the physical layer, which drops the translations of code that changes.
      for (size_t i = 0; i < e.data.size(); i++) phys_->write(uint32_t(e.code + i), 1, e.data[i]);
      break;
    case InputEvent::Kind::RegisterWrite:
      if (!write_register(*cpu_, e.code, e.data))
        return fmt::format("register {} does not take the value the log writes to it", e.code);
      break;
    case InputEvent::Kind::Loadvm: return replay_loadvm(e);
  }
  return {};
}

bool PcMachine::replaying_log() const { return rr_ && rr_->replaying(); }

void PcMachine::host_change(const InputEvent& e) {
  if (replaying_log()) throw std::runtime_error("not while replaying a log: the run takes its changes from the log");
  if (e.kind == InputEvent::Kind::RegisterWrite && !write_register(*cpu_, e.code, e.data))
    throw std::runtime_error(fmt::format("register {} cannot take that value", e.code));
  if (e.kind == InputEvent::Kind::MemoryWrite) apply_input(e);
  if (rr_) rr_->recorded(e);
}

// At the end of a turn, after the timers due: the input queued since the last turn (recorded
// with this instruction count), or on a replay the log's input for this count.
// Then the frames from the networks, card by card, as far as each card has room (or, replaying,
// the log's frames for this count).
void PcMachine::take_input() {
  const std::vector<std::unique_ptr<NetPort>>& ports = board_->net_ports();
  if (rr_ && rr_->replaying()) {
    while (std::optional<InputEvent> e = rr_->due_event())
      if (const std::string why = apply_input(*e); !why.empty()) rr_->diverge(why);
    while (const replay::TimedFrame* f = rr_->due_frame())
      if (f->card >= ports.size() || !ports[f->card]->inject(f->bytes)) rr_->frame_not_taken(*f);
    return;
  }
  while (!input_->empty()) {
    const InputEvent e = input_->pop();
    apply_input(e);
    if (rr_) rr_->recorded(e);
  }
  for (size_t i = 0; i < ports.size(); i++) {
    if (!ports[i]->waiting()) continue;
    ports[i]->deliver([this, i](std::span<const uint8_t> frame) {
      if (rr_) rr_->recorded_frame(uint8_t(i), frame);
    });
  }
}

bool PcMachine::raise_nmi() {
  if (board_->rtc().nmi_masked()) return false;
  engine_->raise_nmi();
  return true;
}

RunResult PcMachine::run() {
  // The log starts here, after -loadvm.
  if (!rr_ && !cfg_.record.empty()) rr_ = RecordReplay::record(*this, cfg_.record, cfg_.record_every);
  if (!rr_ && !cfg_.replay.empty()) {
    rr_ = RecordReplay::replay(*this, cfg_.replay);
    input_->set_live(false);
  }
  RunResult r = run_until_done();
  if (rr_) {
    rr_->finish();
    if (rr_->divergence() && r.kind != RunResult::Kind::Diverged) r = RunResult{RunResult::Kind::Diverged, 0, *rr_->divergence()};
  }
  if (cfg_.debug_log.find("jit") != std::string::npos) std::fputs(engine_->jit_stats_text().c_str(), stderr);
  board_->flush_serial();  // however the run ended, nothing the guest wrote stays behind
  write_screendump();
  if (!cfg_.savevm.empty()) save_snapshot(cfg_.savevm);
  return r;
}

DebugTarget& PcMachine::debug() {
  if (!debug_) debug_ = std::make_unique<DebugTarget>(*this);
  return *debug_;
}

// The log's records stop the engine and are taken: always while recording or replaying, and
// also in the replays of reverse execution when the run replays a log (its events are the
// input those replays need again; a recording writes nothing for them).
bool PcMachine::log_drives() const { return rr_ && (!replaying_ || rr_->replaying()); }

uint64_t PcMachine::debug_limit() const {
  if (replaying_) return replay_until_;
  return debug_ ? debug_->limit() : Clock::kNever;
}

RunResult PcMachine::run_until_done() {
  for (;;)
    if (std::optional<RunResult> r = run_once(debug_limit())) return *r;
}

std::optional<RunResult> PcMachine::run_once(uint64_t debug_limit) {
  {
    // --timeout counts virtual time, stalls included (the instruction count it is reached at
    // moves down as stalls add up).
    const uint64_t timeout_insns = cfg_.timeout_ns ? std::max<uint64_t>(clock_->icount_at_ns(cfg_.timeout_ns), 1) : 0;
    jit::StopReason why = jit::StopReason::Request;
    // The script starts with the run, from a loaded snapshot's time and screen if there is one.
    if (!automation_started_) {
      automation_started_ = true;
      automation_->start();
    }
    // A savevm step's snapshot: the state after the events due at this count have fired.
    if (step_save_ && !replaying_) {
      save_snapshot(*std::exchange(step_save_, std::nullopt));
      automation_->saved();
    }
    if (paused_ && host_.paused && !replaying_) {
      host_.paused();  // no instruction runs and no timer fires: virtual time stands still
      take_input();
    } else {
      uint64_t limit = std::min(clock_->next_event_icount(), debug_limit);
      if (cfg_.max_insns && limit > cfg_.max_insns) limit = cfg_.max_insns;
      if (timeout_insns && limit > timeout_insns) limit = timeout_insns;
      if (cfg_.checkpoint_every && limit > next_checkpoint_) limit = next_checkpoint_;
      if (next_save_ < cfg_.savevm_at.size()) limit = std::min(limit, cfg_.savevm_at[next_save_].icount);
      if (log_drives()) limit = std::min(limit, rr_->limit());
      clock_->set_run_horizon(limit);
      why = engine_->run(limit);
      clock_->set_run_horizon(0);
      // The state after exactly k*N instructions, before the events due at that count fire.
      if (!replaying_) {
        emit_checkpoint();
        save_due_snapshots();
      }
      if (log_drives()) rr_->at_boundary();
      clock_->run_due();
      if (!replaying_ || log_drives()) take_input();
    }
    last_stop_ = why;
    std::optional<RunResult> r = outcome(why, timeout_insns);
    if (!r && rr_ && !replaying_ && rr_->at_end())
      r = RunResult{RunResult::Kind::Stopped, 0, fmt::format("replay complete at instruction {}", cpu_->s.icount)};
    if (!r && debug_ && !replaying_) debug_->after_turn(why);
    return r;
  }
}

// What the run loop does after the engine stopped for `why` (or a paused turn): the end of the
// run, or nothing (after a reset or an idle skip, the loop goes on).
std::optional<RunResult> PcMachine::outcome(jit::StopReason why, uint64_t timeout_insns) {
  if (rr_ && rr_->divergence()) return RunResult{RunResult::Kind::Diverged, 0, *rr_->divergence()};
  if (exit_status_) return RunResult{RunResult::Kind::DebugExit, *exit_status_, {}};
  if (stop_request_) return RunResult{RunResult::Kind::Stopped, 0, *stop_request_};
  if (power_off_) return RunResult{RunResult::Kind::PowerOff, 0, "guest powered off"};
  if (automation_->matched()) return RunResult{RunResult::Kind::Matched, 0, {}};
  if (step_failure_) return RunResult{RunResult::Kind::Timeout, 0, *step_failure_};
  if (cfg_.timeout_ns && clock_->now_ns() >= cfg_.timeout_ns)
    return RunResult{RunResult::Kind::Timeout, 0,
                     fmt::format("timed out after {} s of virtual time (--timeout) without a match", cfg_.timeout_ns / 1e9)};
  if (reset_requested_) {
    reset_requested_ = false;
    const bool guest = !std::exchange(host_reset_, false);
    if (cfg_.no_reboot) return RunResult{RunResult::Kind::Shutdown, 0, "guest requested a reset (-no-reboot)"};
    reset();
    if (host_.reset) host_.reset(guest);
    return std::nullopt;
  }
  if (cfg_.max_insns && cpu_->s.icount >= cfg_.max_insns)
    return RunResult{RunResult::Kind::InsnLimit, 0,
                     fmt::format("stopped after {} instructions (--max-insns) at {:04x}:{:08x}", cpu_->s.icount,
                                 cpu_->s.seg[cpu::CS].sel, cpu_->s.eip)};
  switch (why) {
    case jit::StopReason::Shutdown:
      if (cfg_.no_reboot)
        return RunResult{RunResult::Kind::Shutdown, 0,
                         fmt::format("guest shut down ({}) at {:04x}:{:08x}", engine_->last_shutdown_reason(),
                                     cpu_->s.seg[cpu::CS].sel, cpu_->s.eip)};
      reset();
      if (host_.reset) host_.reset(true);
      break;
    case jit::StopReason::Halted: {
      // Idle: skip virtual time to the next event. An NMI that can be taken ends the halt at
      // the next instruction boundary.
      if (cpu_->s.nmi_pending && !cpu_->s.nmi_blocked) break;
      uint64_t next = clock_->next_event_icount();
      if (!(cpu_->s.eflags & cpu::fl::IF)) {
        // Only an NMI could wake it and nothing in the machine raises one by itself: a hang
        // in virtual time. With --timeout, time runs on (event by event) to the timeout;
        // without, the run ends here.
        next = timeout_insns ? std::min(next, timeout_insns) : Clock::kNever;
      }
      if (next == Clock::kNever)
        return RunResult{RunResult::Kind::HaltedForever, 0,
                         fmt::format("guest halted with nothing to wake it at {:04x}:{:08x}",
                                     cpu_->s.seg[cpu::CS].sel, cpu_->s.eip)};
      // Idling stops at the next checkpoint too, so that its line is taken there.
      if (cfg_.checkpoint_every) next = std::min(next, next_checkpoint_);
      if (next_save_ < cfg_.savevm_at.size()) next = std::min(next, cfg_.savevm_at[next_save_].icount);
      if (log_drives()) next = std::min(next, std::max(rr_->limit(), cpu_->s.icount));
      // A debugger's step or history snapshot, or the end of a replay, is due before then.
      next = std::min(next, std::max(debug_limit(), cpu_->s.icount));
      if (next > cpu_->s.icount && !replaying_) board_->wait_for_host((next - cpu_->s.icount) * cfg_.ns_per_insn);
      if (host_.idle && next > cpu_->s.icount && !replaying_) host_.idle((next - cpu_->s.icount) * cfg_.ns_per_insn);
      cpu_->s.icount = std::max(cpu_->s.icount, next);
      break;
    }
    case jit::StopReason::Request: break;
    case jit::StopReason::Limit: break;
    case jit::StopReason::Debug: break;  // DebugTarget::after_turn takes it
  }
  return std::nullopt;
}

}  // namespace machine
