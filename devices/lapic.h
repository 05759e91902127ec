// The processor's local APIC in xAPIC mode (Intel SDM Vol. 3A chapter 10 "Advanced Programmable
// Interrupt Controller (APIC)"; chapter 11 in newer editions), as a P6-family part shows it:
// version 14h with 6 LVT entries (timer, thermal, performance, LINT0, LINT1, error).
//
// Registers are reached through a 4 KiB MMIO page at the base IA32_APIC_BASE names (FEE00000h
// after RESET). The integrator maps that page with map_page() and tells the device of MSR writes
// through set_base_msr(); the page goes away while the global enable bit (11) is clear.
//
// Interrupts reach the processor through this device, which is the CPU's InterruptSource:
// - while the APIC is globally disabled (MSR bit 11 clear) or software-disabled (SVR bit 8 clear,
//   as after RESET), the 8259's INTR passes straight through, so a guest that never touches the
//   APIC sees the PC it always saw;
// - once enabled, LINT0 programmed as ExtINT (the "virtual wire" of the MP specification,
//   §3.6.2.2) passes the 8259's INTR, acknowledged at the 8259, ahead of any fixed interrupt;
// - fixed interrupts (from the I/O APIC, the timer, the error LVT, self-IPIs) are held in IRR
//   and delivered when their priority class is above the processor priority (PPR, §10.8.3.1).
//
// The timer counts down on the virtual clock at one tick per virtual nanosecond before the
// divider (a 1 GHz bus clock, as QEMU's APIC counts), in one-shot or periodic mode (§10.5.4).
// TSC-deadline mode is not reported in CPUID and is treated as one-shot.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "cpu/cpu.h"
#include "devices/device.h"
#include "machine/clock.h"
#include "mmu/phys_memory.h"

namespace devices {

class Lapic : public Device, public mmu::MmioHandler, public cpu::InterruptSource {
 public:
  static constexpr uint32_t kDefaultBase = 0xfee00000u;
  static constexpr uint64_t kResetMsr = 0xfee00900u;  // base, global enable (11), BSP (8)
  static constexpr uint32_t kPageSize = 0x1000;
  static constexpr uint32_t kVersion = 0x00050014;  // max LVT entry 5, version 14h

  // Register offsets in the page (SDM Table 10-1).
  enum Reg : uint32_t {
    kId = 0x20,
    kVer = 0x30,
    kTpr = 0x80,
    kApr = 0x90,
    kPpr = 0xa0,
    kEoi = 0xb0,
    kRrd = 0xc0,
    kLdr = 0xd0,
    kDfr = 0xe0,
    kSvr = 0xf0,
    kIsr = 0x100,
    kTmr = 0x180,
    kIrr = 0x200,
    kEsr = 0x280,
    kIcrLo = 0x300,
    kIcrHi = 0x310,
    kLvtTimer = 0x320,
    kLvtThermal = 0x330,
    kLvtPerf = 0x340,
    kLvtLint0 = 0x350,
    kLvtLint1 = 0x360,
    kLvtError = 0x370,
    kTimerInitial = 0x380,
    kTimerCurrent = 0x390,
    kTimerDivide = 0x3e0,
  };
  // LVT and ICR fields (SDM Figure 10-8, 10-12).
  static constexpr uint32_t kMasked = 1u << 16, kLevel = 1u << 15, kPeriodic = 1u << 17;
  static constexpr uint32_t kModeFixed = 0, kModeNmi = 4, kModeInit = 5, kModeStartup = 6,
                            kModeExtInt = 7;
  static constexpr uint32_t kSvrEnable = 1u << 8;

  // `pic` is the 8259 pair whose INTR output is wired to LINT0.
  Lapic(machine::Clock& clock, cpu::InterruptSource& pic);

  const char* name() const override { return "lapic"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t mmio_read(uint32_t offset, unsigned size) override;
  void mmio_write(uint32_t offset, unsigned size, uint32_t value) override;

  bool intr_pending() override;
  uint8_t intr_acknowledge() override;

  // IA32_APIC_BASE as the processor holds it (after a WRMSR, a RESET or a snapshot load).
  void set_base_msr(uint64_t msr);
  uint64_t base_msr() const { return st_.base_msr; }
  bool hw_enabled() const { return st_.base_msr & (1u << 11); }
  bool sw_enabled() const { return st_.svr & kSvrEnable; }

  // An interrupt message from the I/O APIC (or a test): fixed or lowest-priority delivery of
  // `vector` if `dest` (physical or logical, as `logical` says) names this processor. A
  // level-triggered one sets its TMR bit, so its EOI is broadcast back.
  void deliver(uint8_t vector, bool level, uint8_t dest, bool logical);
  // ExtINT delivery from an I/O APIC pin: the vector comes from the 8259 at acknowledge.
  void deliver_extint(uint8_t dest, bool logical);
  bool accepts(uint8_t dest, bool logical) const;

  // The integrator's wiring: where the register page is mapped (nullptr: nowhere), the EOI
  // broadcast to the I/O APIC for level-triggered vectors, an NMI for the processor, and a
  // hook called whenever an interrupt may have become deliverable.
  void set_mapper(std::function<void(uint32_t base, bool mapped)> fn) {
    mapper_ = std::move(fn);
    remap();
  }
  void set_eoi_listener(std::function<void(uint8_t vector)> fn) { eoi_listener_ = std::move(fn); }
  void set_nmi(std::function<void()> fn) { nmi_ = std::move(fn); }
  void set_request_hook(std::function<void()> fn) { request_hook_ = std::move(fn); }

  // For tests and the debugger.
  bool irr(uint8_t v) const { return test(st_.irr, v); }
  bool isr(uint8_t v) const { return test(st_.isr, v); }
  bool tmr(uint8_t v) const { return test(st_.tmr, v); }
  uint32_t ppr() const;

 private:
  using Bits = std::array<uint32_t, 8>;  // one bit per vector, as the 8 IRR/ISR/TMR registers
  static bool test(const Bits& b, uint8_t v) { return b[v >> 5] >> (v & 31) & 1; }
  static void set(Bits& b, uint8_t v, bool on) {
    b[v >> 5] = on ? b[v >> 5] | 1u << (v & 31) : b[v >> 5] & ~(1u << (v & 31));
  }
  static int highest(const Bits& b);

  enum Lvt { kTimer, kThermal, kPerf, kLint0, kLint1, kError, kLvtCount };

  struct State {
    uint64_t base_msr = kResetMsr;
    uint32_t id = 0, tpr = 0, ldr = 0, dfr = 0xffffffffu, svr = 0xff;
    uint32_t esr = 0, esr_pending = 0;  // ESR as last latched, and errors since
    uint32_t icr_lo = 0, icr_hi = 0;
    std::array<uint32_t, kLvtCount> lvt{};
    Bits irr{}, isr{}, tmr{};
    uint32_t timer_initial = 0, timer_divide = 0;
    uint64_t timer_start_ns = 0;  // when the count was last (re)loaded at timer_initial
    bool timer_running = false;   // a one-shot count that reached 0 stops
    bool extint_pending = false;  // an ExtINT message from the I/O APIC awaits acknowledge
    uint32_t mapped_base = 0;     // where the page is mapped; 0: not mapped
  };

  uint32_t read_reg(uint32_t reg);
  void write_reg(uint32_t reg, uint32_t v);
  void write_lvt(Lvt which, uint32_t v);
  void write_icr(uint32_t lo);
  void eoi();
  void accept(uint8_t vector, bool level);
  void error(uint32_t bit);
  void changed();
  bool extint_passes() const;
  // Timer: the divider shift (SDM Figure 10-10), the count now, and arming the next expiry.
  unsigned timer_shift() const;
  uint32_t timer_current() const;
  void timer_arm();
  void timer_fire();
  void remap();

  machine::Clock& clock_;
  cpu::InterruptSource& pic_;
  machine::Clock::TimerId timer_;
  State st_;
  std::function<void(uint32_t, bool)> mapper_;
  std::function<void(uint8_t)> eoi_listener_;
  std::function<void()> nmi_;
  std::function<void()> request_hook_;
};

}  // namespace devices
