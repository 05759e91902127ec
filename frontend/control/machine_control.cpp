#include "frontend/control/machine_control.h"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "cpu/flags.h"
#include "devices/ps2_mouse.h"
#include "devices/vga_render.h"
#include "machine/pc_machine.h"
#include "machine/screendump.h"

namespace frontend::control {

MachineControl::MachineControl(machine::PcMachine& pc) : pc_(pc), input_(pc) {}

// QMP events carry the host time they happened at (seconds and microseconds since the epoch).
// It is the protocol's, for the client's logs; the guest never sees it.
void MachineControl::emit(const std::string& event, const nlohmann::json& data) {
  for (const EventSink& sink : sinks_) sink(event, data);
}

bool MachineControl::running() const { return !pc_.paused(); }

void MachineControl::stop() {
  if (!running()) return;
  pc_.pause();
  emit("STOP");
}

void MachineControl::cont() {
  if (running()) return;
  pc_.resume();
  emit("RESUME");
}

void MachineControl::system_reset() { pc_.request_reset(); }

void MachineControl::set_vnc_password(const std::string& password) {
  if (!vnc_password_ || !vnc_password_(password)) throw std::runtime_error("Could not set password");
}

void MachineControl::system_powerdown() {
  pc_.press_power_button();
  emit("POWERDOWN");
}

void MachineControl::quit() {
  quit_ = true;
  pc_.request_stop("quit (control command)");
}

void MachineControl::on_reset(bool guest) {
  emit("RESET", {{"guest", guest}, {"reason", guest ? "guest-reset" : "host-qmp-system-reset"}});
}

// QMP's ShutdownCause names for the ways a run ends.
void MachineControl::on_end(const machine::RunResult& r) {
  using Kind = machine::RunResult::Kind;
  bool guest = false;
  std::string reason = "host-error";
  switch (r.kind) {
    case Kind::PowerOff:
    case Kind::DebugExit: guest = true, reason = "guest-shutdown"; break;
    case Kind::Shutdown: guest = true, reason = "guest-reset"; break;
    case Kind::Stopped:
      reason = quit_                                        ? "host-qmp-quit"
               : r.message.starts_with("stopped by signal") ? "host-signal"
                                                            : "host-ui";
      break;
    default: break;  // a limit (--timeout, --max-insns), a match or a hang: the host ended it
  }
  emit("SHUTDOWN", {{"guest", guest}, {"reason", reason}});
}

void MachineControl::savevm(const std::string& path) { pc_.save_snapshot(path); }

void MachineControl::loadvm(const std::string& path) { pc_.load_snapshot(path); }

void MachineControl::screendump(const std::string& path, const std::string& format) try {
  if (format == "png")
    machine::write_png(path, devices::vga_render(pc_.board().vga()));
  else if (format == "ppm")
    machine::write_ppm(path, devices::vga_render(pc_.board().vga()));
  else if (format == "txt")
    machine::write_text_dump(path, pc_.screen_text());
  else
    throw std::runtime_error(
        fmt::format("unknown screendump format '{}' (expected ppm, png or txt)", format));
} catch (const std::runtime_error& e) {
  // The writers name the command-line option; here the command is the one that failed.
  std::string_view what = e.what();
  if (what.starts_with("--screendump: ")) what.remove_prefix(14);
  throw std::runtime_error(std::string(what));
}

void MachineControl::key(uint16_t key, bool down) { input_.key(key, down); }

void MachineControl::release_held() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) key(*it, false);
  held_.clear();
}

void MachineControl::press_keys(const std::vector<uint16_t>& keys, uint64_t hold_ns) {
  queued_.push_back({keys, hold_ns});
  tick();
}

// A combination is released at the first poll at or after its time; the next one is pressed at
// the poll after that, so the guest sees every release before the next press.
void MachineControl::tick() {
  if (!held_.empty()) {
    if (virtual_ns() < release_ns_) return;
    release_held();
    return;
  }
  if (queued_.empty()) return;
  held_ = std::move(queued_.front().keys);
  release_ns_ = virtual_ns() + queued_.front().hold_ns;
  queued_.pop_front();
  for (const uint16_t k : held_) key(k, true);
}

void MachineControl::mouse_button(uint8_t bit, bool down) { input_.mouse_button(bit, down); }

void MachineControl::mouse_move(int dx, int dy) { input_.mouse_move(dx, dy); }

uint64_t MachineControl::icount() const { return pc_.cpu().s.icount; }

uint64_t MachineControl::virtual_ns() const { return pc_.clock().now_ns(); }

// The layout of QEMU's "info registers" for a 32-bit processor: general registers, EFLAGS with
// its arithmetic flags spelled out, each segment register as selector, base, limit and the
// descriptor's attribute bits (bits 8-23 of its high dword), then the tables and control
// registers.
std::string MachineControl::registers() const {
  const cpu::CpuState& s = pc_.cpu().s;
  const uint32_t fl = cpu::read_eflags(s);
  using namespace cpu;
  std::string out = fmt::format("EAX={:08x} EBX={:08x} ECX={:08x} EDX={:08x}\n", s.regs[EAX],
                                s.regs[EBX], s.regs[ECX], s.regs[EDX]);
  out += fmt::format("ESI={:08x} EDI={:08x} EBP={:08x} ESP={:08x}\n", s.regs[ESI], s.regs[EDI],
                     s.regs[EBP], s.regs[ESP]);
  const auto flag = [fl](uint32_t bit, char c) { return (fl & bit) ? c : '-'; };
  out += fmt::format("EIP={:08x} EFL={:08x} [{}{}{}{}{}{}{}] CPL={} II={} A20={} HLT={}\n", s.eip,
                     fl, flag(fl::DF, 'D'), flag(fl::OF, 'O'), flag(fl::SF, 'S'), flag(fl::ZF, 'Z'),
                     flag(fl::AF, 'A'), flag(fl::PF, 'P'), flag(fl::CF, 'C'), s.cpl,
                     s.irq_shadow ? 1 : 0, pc_.memory().a20_enabled() ? 1 : 0, s.halted ? 1 : 0);
  const auto segment = [](const char* name, const Segment& g) {
    return fmt::format("{}={:04x} {:08x} {:08x} {:08x}\n", name, g.sel, g.base, g.limit,
                       g.flags << 8);
  };
  static constexpr const char* kNames[] = {"ES ", "CS ", "SS ", "DS ", "FS ", "GS "};
  for (unsigned i = 0; i < kNumSegs; i++) out += segment(kNames[i], s.seg[i]);
  out += segment("LDT", s.ldtr);
  out += segment("TR ", s.tr);
  out += fmt::format("GDT=     {:08x} {:08x}\n", s.gdtr.base, s.gdtr.limit);
  out += fmt::format("IDT=     {:08x} {:08x}\n", s.idtr.base, s.idtr.limit);
  out += fmt::format("CR0={:08x} CR2={:08x} CR3={:08x} CR4={:08x}\n", s.cr0, s.cr2, s.cr3, s.cr4);
  out += fmt::format("DR0={:08x} DR1={:08x} DR2={:08x} DR3={:08x}\n", s.dr[0], s.dr[1], s.dr[2],
                     s.dr[3]);
  out += fmt::format("DR6={:08x} DR7={:08x}\n", s.dr[6], s.dr[7]);
  out += fmt::format("EFER={:016x}\n", s.efer);
  return out;
}

}  // namespace frontend::control
