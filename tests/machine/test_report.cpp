// --report and --checkpoint-every: the machine-state hash and the lines carrying it.
#include <catch2/catch.hpp>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "cpu/flags.h"
#include "machine/pc_machine.h"
#include "tests/machine/rom_image.h"

namespace {

// Real mode from the reset vector, forever: xor di,di; mov cx,2000h; rep stosb; jmp back.
// ES is 0 after reset, so it keeps filling the first 8 KiB of RAM.
const std::vector<uint8_t> kStosLoop = {0x31, 0xff, 0xb9, 0x00, 0x20, 0xf3, 0xaa, 0xeb, 0xf7};

machine::MachineConfig loop_config(uint64_t max_insns) {
  machine::MachineConfig cfg;
  cfg.bios_path = test::write_rom(kStosLoop);
  cfg.max_insns = max_insns;
  return cfg;
}

std::string final_line(const machine::MachineConfig& cfg) {
  machine::PcMachine pc(cfg, [](char) {});
  pc.run();
  return pc.report_line();
}

uint64_t icount_of(const std::string& line) {
  std::smatch m;
  REQUIRE(std::regex_match(line, m, std::regex("icount=([0-9]+) hash=[0-9a-f]{16}")));
  return std::stoull(m[1]);
}

}  // namespace

TEST_CASE("the report line: the same run gives the same line", "[machine][report]") {
  const machine::MachineConfig cfg = loop_config(20000);
  const std::string a = final_line(cfg), b = final_line(cfg);
  CHECK(a == b);
  CHECK(icount_of(a) == 20000);
  // A different stopping point is a different state.
  CHECK(final_line(loop_config(20001)) != a);
}

TEST_CASE("the state hash sees one changed byte of RAM, a register or a device",
          "[machine][report]") {
  machine::PcMachine pc(loop_config(5000), [](char) {});
  pc.run();
  cpu::CpuState& s = pc.cpu().s;
  const std::vector<std::pair<const char*, std::function<void()>>> changes = {
      {"RAM byte", [&] { pc.memory().ram()[0x54321] ^= 0x10; }},
      {"EBX", [&] { s.regs[cpu::EBX] ^= 1; }},
      {"EIP", [&] { s.eip ^= 2; }},
      {"DS limit (descriptor cache)", [&] { s.seg[cpu::DS].limit ^= 1; }},
      {"GDTR", [&] { s.gdtr.base ^= 8; }},
      {"CR2", [&] { s.cr2 ^= 1; }},
      {"DR1", [&] { s.dr[1] ^= 4; }},
      {"x87 R5", [&] { s.fpu.r[5].sig ^= 1; }},
      {"x87 FOP", [&] { s.fpu.fop ^= 1; }},
      {"SYSENTER_CS", [&] { s.msr.sysenter_cs ^= 1; }},
      {"MTRR", [&] { s.msr.mtrr_var[15] ^= 1; }},
      {"TSC offset", [&] { s.tsc_offset ^= 1; }},
      {"carry flag", [&] { s.eflags ^= cpu::fl::CF; }},
      {"A20", [&] { pc.memory().set_a20(!pc.memory().a20_enabled()); }},
      // A byte of CMOS RAM and the PIC's interrupt mask: device state only.
      {"CMOS byte", [&] { pc.bus().io_write(0x71, 1, pc.bus().io_read(0x71, 1) ^ 0x5a); }},
      {"PIC mask", [&] { pc.bus().io_write(0x21, 1, pc.bus().io_read(0x21, 1) ^ 0x80); }},
  };
  cpu::write_eflags(s, 0, 0);        // materialised, so the CF toggle is one bit
  // ISA port accesses take virtual time (machine/bus.h), which the hash also sees; these test
  // accesses stand outside the guest's time.
  pc.bus().set_clock(nullptr);
  pc.bus().io_write(0x70, 1, 0x40);  // CMOS index: a RAM byte past the clock registers
  const uint64_t base = pc.state_hash();
  for (const auto& [what, toggle] : changes) {
    INFO(what);
    toggle();
    CHECK(pc.state_hash() != base);
    toggle();
    CHECK(pc.state_hash() == base);
  }
}

TEST_CASE("the state hash does not depend on how flags are held", "[machine][report]") {
  machine::PcMachine pc(loop_config(100), [](char) {});
  pc.run();
  cpu::CpuState& s = pc.cpu().s;
  // 7FFFFFFFh + 1 as a lazy ADD: OF, SF, AF set, CF, ZF clear, PF from 00h (set).
  s.cc_op = cpu::cc_op(cpu::CcKind::Add, 4);
  s.cc_src1 = 0x7fffffff, s.cc_src2 = 1, s.cc_res = 0x80000000;
  const uint64_t lazy = pc.state_hash();
  const uint32_t arith = cpu::fl::OF | cpu::fl::SF | cpu::fl::AF | cpu::fl::PF;
  s.cc_op = 0;  // materialised
  s.cc_src1 = s.cc_src2 = s.cc_res = 0;
  s.eflags = (s.eflags & ~cpu::fl::kArith) | arith;
  CHECK(pc.state_hash() == lazy);
}

TEST_CASE("checkpoint lines come at every multiple of N", "[machine][report]") {
  machine::MachineConfig cfg = loop_config(10000);
  cfg.checkpoint_every = 1000;
  std::vector<std::string> lines;
  machine::PcMachine pc(cfg, [](char) {});
  pc.set_report_sink([&](const std::string& line) { lines.push_back(line); });
  pc.run();
  REQUIRE(lines.size() == 10);
  for (size_t k = 0; k < lines.size(); k++) CHECK(icount_of(lines[k]) == 1000 * (k + 1));
  // Each line is the state after exactly that many instructions: what a run stopped there
  // reports. Stopping at checkpoints does not change where the run goes.
  for (uint64_t k : {1, 4, 7}) CHECK(lines[k - 1] == final_line(loop_config(1000 * k)));
  CHECK(pc.report_line() == final_line(loop_config(10000)));
}

TEST_CASE("checkpoint lines land on their multiples while the guest is halted",
          "[machine][report]") {
  machine::MachineConfig cfg;
  cfg.bios_path = test::write_rom({0xfa, 0xf4});  // cli; hlt: only the timeout ends it
  cfg.timeout_ns = 20000;                         // 1 ns per instruction: 20000 instructions
  cfg.checkpoint_every = 3000;
  std::vector<uint64_t> at;
  machine::PcMachine pc(cfg, [](char) {});
  pc.set_report_sink([&](const std::string& line) { at.push_back(icount_of(line)); });
  CHECK(pc.run().kind == machine::RunResult::Kind::Timeout);
  CHECK(at == std::vector<uint64_t>{3000, 6000, 9000, 12000, 15000, 18000});
}
