// The operations a control interface (the QMP socket, the human monitor) performs on a running
// machine, and the events it reports. Everything here runs from the host poll of the run loop,
// so it acts at an instruction boundary; nothing changes the guest unless a command asks.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "frontend/host_input.h"

namespace machine {
class PcMachine;
struct RunResult;
}  // namespace machine

namespace frontend::control {

class MachineControl {
 public:
  explicit MachineControl(machine::PcMachine& pc);

  // Events as QMP names them (STOP, RESUME, RESET, POWERDOWN, SHUTDOWN) with their data.
  using EventSink = std::function<void(const std::string& event, const nlohmann::json& data)>;
  void add_event_sink(EventSink sink) { sinks_.push_back(std::move(sink)); }
  void emit(const std::string& event, const nlohmann::json& data = nlohmann::json::object());

  machine::PcMachine& pc() { return pc_; }
  bool running() const;
  void stop();  // pauses the guest (STOP)
  void cont();  // resumes it (RESUME)
  void system_reset();
  void system_powerdown();  // the ACPI power button (POWERDOWN)
  void quit();
  // The machine was reset (HostHooks::reset): RESET.
  void on_reset(bool guest);
  // The run ended: SHUTDOWN with the reason QMP gives for it.
  void on_end(const machine::RunResult& r);

  // Writes the screen to `path` as "ppm", "png" or "txt" (the text grid). Throws
  // std::runtime_error with a one-line message.
  void screendump(const std::string& path, const std::string& format);

  // Queues a key combination: its keys are pressed in order and released in reverse order
  // `hold_ns` of virtual time later, after the combinations queued before it, as typing does
  // (a burst of commands must not overrun the keyboard's buffer).
  void press_keys(const std::vector<uint16_t>& keys, uint64_t hold_ns);
  void key(uint16_t key, bool down);
  // Called from every host poll: releases held keys whose time has come, presses the next.
  void tick();
  // PS/2 mouse: a button (devices::Ps2Mouse::kLeft...) or relative movement (y grows upwards).
  void mouse_button(uint8_t bit, bool down);
  void mouse_move(int dx, int dy);

  // The VNC server's password (QMP change-vnc-password, set_password; HMP change vnc password,
  // set_password): the front end gives the setter of its VNC server, which returns false when
  // the server takes no password. Throws std::runtime_error "Could not set password", QEMU's
  // words, without a VNC server with password=on.
  void set_vnc_password_setter(std::function<bool(const std::string&)> setter) { vnc_password_ = std::move(setter); }
  void set_vnc_password(const std::string& password);

  // Snapshots to and from files (HMP savevm/loadvm NAME, QMP savevm/loadvm): the whole machine
  // at this instruction boundary. Loading checks the whole file before it changes anything.
  // Both throw std::runtime_error with one line naming the file (and the section).
  void savevm(const std::string& path);
  void loadvm(const std::string& path);

  // "info registers" text.
  std::string registers() const;
  // `len` bytes of guest memory at a physical address, or at a linear one read through the
  // current page tables without setting their accessed bits. nullopt where nothing is mapped.
  std::optional<std::vector<uint8_t>> read_memory(uint64_t addr, size_t len, bool linear) const;
  uint64_t icount() const;
  uint64_t virtual_ns() const;

 private:
  void release_held();

  machine::PcMachine& pc_;
  std::vector<EventSink> sinks_;
  struct Combination {
    std::vector<uint16_t> keys;
    uint64_t hold_ns;
  };
  std::deque<Combination> queued_;
  std::vector<uint16_t> held_;  // the combination being pressed
  // When they are released, in virtual ns. Checked by tick() from the host poll rather than by a
  // clock timer: a timer would be part of the machine's state even when no key is ever sent.
  uint64_t release_ns_ = 0;
  HostInput input_;
  bool quit_ = false;
  std::function<bool(const std::string&)> vnc_password_;
};

}  // namespace frontend::control
