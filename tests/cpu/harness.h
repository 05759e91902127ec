// A bare CPU for instruction tests: RAM, MMU, CPU and engine, no devices. Code is placed in RAM
// and run until it executes HLT (or an instruction limit).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "jit/engine.h"
#include "mmu/mmu.h"

namespace test {

class TestCpu {
 public:
  explicit TestCpu(uint64_t ram = 2u << 20)
      : phys(ram), mmu(phys), cpu(mmu), engine(cpu) {
    engine.set_verify_ir(true);
    // Every CPU test runs on every engine: ctest runs the suite again with this set to "jit".
    if (const char* accel = std::getenv("GHOST86_TEST_ACCEL"); accel && std::string_view(accel) == "jit")
      engine.set_jit(true, 8);
  }

  mmu::PhysMemory phys;
  mmu::Mmu mmu;
  cpu::Cpu cpu;
  jit::Engine engine;

  cpu::CpuState& s() { return cpu.s; }

  // Real mode, CS = DS = ES = SS = `seg`, code at seg:ip.
  void real_mode(uint16_t seg = 0x1000, uint16_t ip = 0x100) {
    cpu.reset();
    for (unsigned i = 0; i < cpu::kNumSegs; i++) cpu.load_seg_real(i, seg);
    cpu.s.eip = ip;
    cpu.s.regs[cpu::ESP] = 0xfffe;
  }

  // 32-bit protected mode with flat 4 GB code/data segments (what an OS's user code sees),
  // installed directly into the descriptor caches.
  void flat32(uint32_t eip = 0x10000) {
    cpu.reset();
    cpu.s.cr0 |= cpu::cr0::PE;
    for (unsigned i = 0; i < cpu::kNumSegs; i++) {
      cpu::Segment& sg = cpu.s.seg[i];
      sg.sel = i == cpu::CS ? 0x08 : 0x10;
      sg.base = 0;
      sg.limit = 0xffffffffu;
      sg.lo = 0;
      sg.hi = 0xffffffffu;
      sg.flags = (i == cpu::CS ? 0x9b : 0x93) | 0xc000;  // G and D/B set
      sg.access = cpu::kSegRead | cpu::kSegWrite;
    }
    cpu.s.eip = eip;
    cpu.s.regs[cpu::ESP] = 0x80000;
  }

  void poke(uint32_t addr, std::initializer_list<uint8_t> bytes) {
    phys.write_block(addr, bytes.begin(), bytes.size());
  }
  void poke(uint32_t addr, const std::vector<uint8_t>& bytes) {
    phys.write_block(addr, bytes.data(), bytes.size());
  }
  uint8_t peek8(uint32_t addr) const { return phys.ram()[addr]; }
  uint16_t peek16(uint32_t addr) const { return uint16_t(peek8(addr) | peek8(addr + 1) << 8); }
  uint32_t peek32(uint32_t addr) const { return peek16(addr) | uint32_t(peek16(addr + 2)) << 16; }

  // Places `code` at CS:EIP, followed by HLT, and runs until the CPU halts.
  jit::StopReason run(std::initializer_list<uint8_t> code, uint64_t max_insns = 100000) {
    std::vector<uint8_t> v(code);
    v.push_back(0xf4);
    poke(cpu.s.seg[cpu::CS].base + cpu.s.eip, v);
    cpu.s.halted = 0;
    return engine.run(cpu.s.icount + max_insns);
  }

  uint32_t flags() const { return cpu::read_eflags(cpu.s); }

  void put32(uint32_t addr, uint32_t v) {
    poke(addr, {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)});
  }
  // flat32() plus a GDT at `gdt` (flat ring-0 code 08h, data 10h) and an empty IDT at `idt`
  // that gate() fills, for tests whose exceptions must reach handlers.
  void flat32_with_tables(uint32_t gdt, uint32_t idt, uint32_t eip = 0x10000) {
    flat32(eip);
    gdt_ = gdt, idt_ = idt;
    desc(0x08, 0x00cf9b000000ffffull);
    desc(0x10, 0x00cf93000000ffffull);
    cpu.s.gdtr = cpu::DescTable{gdt, 0xff};
    cpu.s.idtr = cpu::DescTable{idt, 0x7ff};
  }
  void desc(uint16_t sel, uint64_t d) {
    put32(gdt_ + sel, uint32_t(d));
    put32(gdt_ + sel + 4, uint32_t(d >> 32));
  }
  void gate(unsigned vector, uint32_t offset) {  // 32-bit interrupt gate to 08:offset
    put32(idt_ + 8 * vector, 0x00080000u | (offset & 0xffff));
    put32(idt_ + 8 * vector + 4, (offset & 0xffff0000u) | 0x8e00);
  }

 private:
  uint32_t gdt_ = 0, idt_ = 0;
};

// Runs `f` and returns the vector and error code (-1 without one) of the CpuException it throws,
// or {-1, -1} when it throws none.
std::pair<int, int> fault_of(auto&& f) {
  try {
    f();
  } catch (const cpu::CpuException& e) {
    return {e.vector, e.has_error ? int(e.error) : -1};
  }
  return {-1, -1};
}
// The same for a helper that may also report its fault by return (cpu::Cpu::fault).
std::pair<int, int> fault_of(cpu::Cpu& c, auto&& f) {
  const std::pair<int, int> thrown = fault_of(f);
  if (thrown.first >= 0 || !c.fault_pending()) return thrown;
  const cpu::CpuException e = c.take_fault();
  return {e.vector, e.has_error ? int(e.error) : -1};
}

}  // namespace test
