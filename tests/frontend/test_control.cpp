// The control interfaces' parts: JSON framing of a QMP stream, QMP sessions and HMP commands on
// a machine, key names, and the run loop's pause and host reset.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cpu/state.h"
#include "frontend/control/hmp.h"
#include "frontend/control/json_framer.h"
#include "frontend/control/machine_control.h"
#include "frontend/control/qcode.h"
#include "frontend/control/qmp_session.h"
#include "machine/pc_machine.h"
#include "tests/machine/rom_image.h"

namespace {

using frontend::control::JsonFramer;
using frontend::control::MachineControl;
using frontend::control::QmpSession;
using nlohmann::json;

std::vector<JsonFramer::Item> frame(JsonFramer& f, std::string_view bytes) {
  std::vector<JsonFramer::Item> out;
  f.feed(bytes, out);
  return out;
}

// A machine that spins (JMP $) at the reset vector.
machine::MachineConfig spinning() {
  machine::MachineConfig cfg;
  cfg.bios_path = test::write_rom({0xeb, 0xfe});
  return cfg;
}

struct Qmp {
  machine::PcMachine pc{spinning(), [](char) {}};
  MachineControl control{pc};
  std::vector<json> sent;
  QmpSession session{control, [this](std::string text) {
                       REQUIRE(text.ends_with("\r\n"));
                       sent.push_back(json::parse(text));
                     }};
  Qmp() {
    control.add_event_sink([this](const std::string& e, const json& d) { session.event(e, d); });
  }
  json command(const std::string& text) {
    sent.clear();
    session.feed(text);
    REQUIRE(!sent.empty());
    return sent.back();
  }
};

}  // namespace

TEST_CASE("json framer: texts split and joined across reads", "[frontend][qmp]") {
  JsonFramer f(1024);
  CHECK(frame(f, "{\"a\": ").empty());
  auto items = frame(f, "\"}{\\\"\"}\n{\"b\":[1,{}]}  [2]");
  REQUIRE(items.size() == 3);
  CHECK(items[0].text == "{\"a\": \"}{\\\"\"}");  // braces and escaped quotes inside strings
  CHECK(items[1].text == "{\"b\":[1,{}]}");
  CHECK(items[2].text == "[2]");
  CHECK_FALSE(items[0].error);
}

TEST_CASE("json framer: junk, oversized and deep texts are errors and the stream goes on",
          "[frontend][qmp]") {
  JsonFramer f(64);
  auto items = frame(f, "hello {\"x\":1}");
  REQUIRE(items.size() == 2);
  CHECK(items[0].error);
  CHECK(items[0].text.find("hello") != std::string::npos);
  CHECK(items[1].text == "{\"x\":1}");

  items = frame(f, "{\"big\":\"" + std::string(1000, 'a') + "\"}{\"y\":2}");
  REQUIRE(items.size() == 2);
  CHECK(items[0].error);
  CHECK(items[0].text.find("longer than 64 bytes") != std::string::npos);
  CHECK(items[1].text == "{\"y\":2}");

  JsonFramer deep(1 << 20);
  items = frame(deep, std::string(2000, '[') + std::string(2000, ']') + "{}");
  REQUIRE(items.size() == 2);
  CHECK(items[0].error);
  CHECK(items[1].text == "{}");
}

TEST_CASE("qmp session: greeting, negotiation, replies with ids, errors", "[frontend][qmp]") {
  Qmp q;
  q.session.greet();
  REQUIRE(q.sent.size() == 1);
  CHECK(q.sent[0]["QMP"]["capabilities"] == json::array());
  CHECK(q.sent[0]["QMP"]["version"]["qemu"]["major"].is_number_integer());

  CHECK(q.command(R"({"execute":"query-status","id":1})")["error"]["class"] == "CommandNotFound");
  CHECK(q.command(R"({"execute":"qmp_capabilities"})") == json{{"return", json::object()}});
  CHECK(q.command(R"({"execute":"qmp_capabilities"})")["error"]["class"] == "CommandNotFound");

  const json status = q.command(R"({"execute":"query-status","id":"s"})");
  CHECK(status["id"] == "s");
  CHECK(status["return"]["running"] == true);
  CHECK(status["return"]["status"] == "running");

  const json missing = q.command(R"({"execute":"nope","id":[1,2]})");
  CHECK(missing["error"]["class"] == "CommandNotFound");
  CHECK(missing["id"] == json::array({1, 2}));
  CHECK(q.command(R"({"execute":"screendump","arguments":{},"id":3})")["error"]["desc"] ==
        "Parameter 'filename' is missing");
  CHECK(q.command(R"({"execute":"stop","arguments":{"now":1}})")["error"]["desc"] ==
        "Parameter 'now' is unexpected");
  CHECK(q.command(R"({"execute":1})")["error"]["class"] == "GenericError");
  CHECK(q.command(R"([])")["error"]["desc"] == "QMP input must be a JSON object");
  CHECK(q.command(R"({"execute":"stop",})")["error"]["class"] == "GenericError");
}

TEST_CASE("qmp session: stop and cont pause the machine and send events", "[frontend][qmp]") {
  Qmp q;
  q.command(R"({"execute":"qmp_capabilities"})");
  q.sent.clear();
  q.session.feed(R"({"execute":"stop"})");
  REQUIRE(q.sent.size() == 2);
  CHECK(q.sent[0]["event"] == "STOP");
  CHECK(q.sent[0]["timestamp"]["seconds"].is_number_integer());
  CHECK_FALSE(q.sent[0].contains("data"));
  CHECK(q.sent[1] == json{{"return", json::object()}});
  CHECK(q.pc.paused());
  CHECK(q.command(R"({"execute":"query-status"})")["return"]["status"] == "paused");
  q.sent.clear();
  q.session.feed(R"({"execute":"cont"})");
  CHECK(q.sent.at(0)["event"] == "RESUME");
  CHECK_FALSE(q.pc.paused());
}

TEST_CASE("qcode names and key numbers map to set-2 key codes", "[frontend][qmp]") {
  using frontend::control::keynum_to_ps2;
  using frontend::control::qcode_to_ps2;
  // IBM scan code set 2 make codes; set 1 codes (QEMU's key numbers) for the same keys.
  CHECK(qcode_to_ps2("a") == 0x1C);
  CHECK(qcode_to_ps2("ret") == 0x5A);
  CHECK(qcode_to_ps2("ctrl_r") == 0xE014);
  CHECK(qcode_to_ps2("f7") == 0x83);
  CHECK_FALSE(qcode_to_ps2("no_such_key"));
  CHECK(keynum_to_ps2(0x1E) == 0x1C);           // A
  CHECK(keynum_to_ps2(0x1C) == 0x5A);           // Enter
  CHECK(keynum_to_ps2(0x80 | 0x1D) == 0xE014);  // Right Ctrl: E0 1D
  CHECK(keynum_to_ps2(0x80 | 0x48) == 0xE075);  // Up: E0 48
  CHECK_FALSE(keynum_to_ps2(0));
  CHECK_FALSE(keynum_to_ps2(0x100));
}

TEST_CASE("hmp: status, registers, physical and linear memory", "[frontend][qmp]") {
  machine::PcMachine pc(spinning(), [](char) {});
  MachineControl control(pc);
  using frontend::control::hmp_execute;
  CHECK(hmp_execute(control, "info status") == "VM status: running\n");
  CHECK(hmp_execute(control, "stop").empty());
  CHECK(hmp_execute(control, "info status") == "VM status: paused\n");
  CHECK(hmp_execute(control, "bogus") == "unknown command: 'bogus'\n");
  // After RESET: CS selector F000h with base FFFF0000h, EIP FFF0h (SDM Vol.3 §9.1.4).
  const std::string regs = hmp_execute(control, "info registers");
  CHECK(regs.find("EIP=0000fff0") != std::string::npos);
  CHECK(regs.find("CS =f000 ffff0000 0000ffff") != std::string::npos);

  const uint8_t bytes[] = {0x12, 0x34, 0x56, 0x78, 'h', 'i'};
  REQUIRE(pc.memory().write_block(0x5000, bytes, sizeof bytes));
  CHECK(hmp_execute(control, "xp /4xb 0x5000") == "0000000000005000: 0x12 0x34 0x56 0x78\n");
  CHECK(hmp_execute(control, "xp /1xw 0x5000") == "0000000000005000: 0x78563412\n");
  CHECK(hmp_execute(control, "xp /2c 0x5004") == "0000000000005004: 'h' 'i'\n");
  CHECK(hmp_execute(control, "xp /1dh 0x5002") == "0000000000005002: 30806\n");
  CHECK(hmp_execute(control, "xp /1xw 0xfffff000000").starts_with("cannot access memory"));

  // Linear 0x00400000 mapped to physical 0x5000 by 32-bit paging: page directory at 0x1000,
  // page table at 0x2000 (SDM Vol.3 §4.3). The walk leaves the accessed bits clear.
  const uint32_t pde = 0x2000 | 1, pte = 0x5000 | 1;
  REQUIRE(pc.memory().write_block(0x1000 + 1 * 4, &pde, 4));
  REQUIRE(pc.memory().write_block(0x2000, &pte, 4));
  cpu::CpuState& s = pc.cpu().s;
  s.cr3 = 0x1000;
  s.cr0 |= cpu::cr0::PG | cpu::cr0::PE;
  CHECK(hmp_execute(control, "x /4xb 0x400000") == "00400000: 0x12 0x34 0x56 0x78\n");
  CHECK(hmp_execute(control, "x /1xb 0x800000").starts_with("cannot access memory"));
  uint32_t after = 0;
  REQUIRE(pc.memory().read_block(0x2000, &after, 4));
  CHECK(after == pte);
  REQUIRE(pc.memory().read_block(0x1004, &after, 4));
  CHECK(after == pde);
}

TEST_CASE("a paused machine runs no instruction; a host reset is reported as such",
          "[machine][pause]") {
  machine::MachineConfig cfg = spinning();
  cfg.max_insns = 5'000'000;
  machine::PcMachine pc(cfg, [](char) {});
  machine::PcMachine::HostHooks host;
  int polls = 0, paused_turns = 0;
  uint64_t paused_at = 0;
  std::vector<bool> resets;
  host.poll = [&] {
    if (++polls == 2) {
      pc.pause();
      paused_at = pc.cpu().s.icount;
    }
    if (polls == 3) pc.request_reset();
  };
  host.paused = [&] {
    CHECK(pc.cpu().s.icount == paused_at);
    if (++paused_turns == 5) pc.resume();
  };
  host.reset = [&](bool guest) { resets.push_back(guest); };
  pc.set_host_hooks(std::move(host));
  const machine::RunResult r = pc.run();
  CHECK(r.kind == machine::RunResult::Kind::InsnLimit);
  CHECK(paused_turns == 5);
  CHECK(paused_at > 0);
  CHECK(resets == std::vector<bool>{false});
}

TEST_CASE("with -no-reboot a host reset ends the run", "[machine][pause]") {
  machine::MachineConfig cfg = spinning();
  cfg.no_reboot = true;
  cfg.max_insns = 50'000'000;
  machine::PcMachine pc(cfg, [](char) {});
  machine::PcMachine::HostHooks host;
  host.poll = [&] { pc.request_reset(); };
  pc.set_host_hooks(std::move(host));
  CHECK(pc.run().kind == machine::RunResult::Kind::Shutdown);
}
