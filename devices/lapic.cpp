#include "devices/lapic.h"

#include <bit>

namespace devices {
namespace {

// ESR bits (SDM Figure 10-9).
constexpr uint32_t kEsrSendIllegal = 1u << 5, kEsrReceiveIllegal = 1u << 6,
                   kEsrIllegalRegister = 1u << 7;
// Writable bits of each LVT entry (SDM Figure 10-8): vector, delivery mode where it has one,
// LINT polarity and trigger, mask, and the timer mode; delivery status and remote IRR are
// read-only.
constexpr uint32_t kLvtWritable[] = {0x000700ffu, 0x000107ffu, 0x000107ffu,
                                     0x0001a7ffu, 0x0001a7ffu, 0x000100ffu};

}  // namespace

Lapic::Lapic(machine::Clock& clock, cpu::InterruptSource& pic) : clock_(clock), pic_(pic) {
  timer_ = clock_.add_timer([this] { timer_fire(); });
  reset();
}

void Lapic::reset() {
  // Power-up and RESET state (SDM §10.4.7.1): every LVT masked, SVR FFh (software-disabled),
  // DFR all ones, everything else 0; the MSR back at FEE00000h, enabled, BSP.
  const uint32_t mapped = st_.mapped_base;
  st_ = State{};
  st_.mapped_base = mapped;
  st_.lvt.fill(kMasked);
  clock_.cancel(timer_);
  remap();
}

void Lapic::serialize(Serializer& s) {
  const uint32_t mapped = st_.mapped_base;
  s.io(st_.base_msr), s.io(st_.id), s.io(st_.tpr), s.io(st_.ldr), s.io(st_.dfr), s.io(st_.svr);
  s.io(st_.esr), s.io(st_.esr_pending), s.io(st_.icr_lo), s.io(st_.icr_hi), s.io(st_.lvt);
  s.io(st_.irr), s.io(st_.isr), s.io(st_.tmr), s.io(st_.timer_initial), s.io(st_.timer_divide);
  s.io(st_.timer_start_ns), s.io(st_.timer_running), s.io(st_.extint_pending);
  if (s.loading()) {
    st_.mapped_base = mapped;
    remap();
  }
}

int Lapic::highest(const Bits& b) {
  for (int i = 7; i >= 0; i--)
    if (b[i]) return i * 32 + 31 - std::countl_zero(b[i]);
  return -1;
}

uint32_t Lapic::ppr() const {
  // SDM §10.8.3.1: the TPR if its class is at least the highest in-service class, else that
  // class with subclass 0.
  const int isrv = highest(st_.isr);
  const uint32_t isr_class = isrv < 0 ? 0 : uint32_t(isrv) & 0xf0;
  return (st_.tpr & 0xf0) >= isr_class ? st_.tpr & 0xff : isr_class;
}

bool Lapic::extint_passes() const {
  if (!hw_enabled() || !sw_enabled()) return true;
  const uint32_t lint0 = st_.lvt[kLint0];
  return !(lint0 & kMasked) && (lint0 >> 8 & 7) == kModeExtInt;
}

bool Lapic::intr_pending() {
  if (extint_passes() && pic_.intr_pending()) return true;
  if (!hw_enabled() || !sw_enabled()) return false;
  if (st_.extint_pending) return true;
  const int v = highest(st_.irr);
  return v >= 0 && (uint32_t(v) & 0xf0) > (ppr() & 0xf0);
}

uint8_t Lapic::intr_acknowledge() {
  if (extint_passes() && pic_.intr_pending()) return pic_.intr_acknowledge();
  if (st_.extint_pending) {
    st_.extint_pending = false;
    return pic_.intr_acknowledge();
  }
  const int v = highest(st_.irr);
  // An interrupt that lost its priority between INTR and the acknowledge yields the spurious
  // vector, which sets no ISR bit (SDM §10.9).
  if (v < 0 || (uint32_t(v) & 0xf0) <= (ppr() & 0xf0)) return uint8_t(st_.svr);
  set(st_.irr, uint8_t(v), false);
  set(st_.isr, uint8_t(v), true);
  return uint8_t(v);
}

void Lapic::changed() {
  if (request_hook_ && intr_pending()) request_hook_();
}

void Lapic::error(uint32_t bit) {
  st_.esr_pending |= bit;
  const uint32_t lvt = st_.lvt[kError];
  if (!(lvt & kMasked) && (lvt & 0xff) >= 16) accept(uint8_t(lvt), false);
}

void Lapic::accept(uint8_t vector, bool level) {
  // Vectors 0-15 are reserved for exceptions: the APIC refuses them (SDM §10.5.2).
  if (vector < 16) {
    error(kEsrReceiveIllegal);
    return;
  }
  set(st_.irr, vector, true);
  set(st_.tmr, vector, level);
  changed();
}

bool Lapic::accepts(uint8_t dest, bool logical) const {
  if (dest == 0xff) return true;  // broadcast in either mode
  if (!logical) return dest == st_.id >> 24;
  // Logical destination (SDM §10.6.2.2): the flat model matches any common bit of the 8-bit
  // logical ID; the cluster model matches the cluster (high nibble) and a common member bit.
  const uint32_t lid = st_.ldr >> 24;
  if ((st_.dfr >> 28) == 0xf) return (lid & dest) != 0;
  return (dest >> 4) == (lid >> 4) && (dest & lid & 0xf) != 0;
}

void Lapic::deliver(uint8_t vector, bool level, uint8_t dest, bool logical) {
  if (!hw_enabled() || !accepts(dest, logical)) return;
  accept(vector, level);
}

void Lapic::deliver_extint(uint8_t dest, bool logical) {
  if (!hw_enabled() || !accepts(dest, logical)) return;
  st_.extint_pending = true;
  changed();
}

void Lapic::eoi() {
  const int v = highest(st_.isr);
  if (v < 0) return;
  set(st_.isr, uint8_t(v), false);
  // A level-triggered vector's EOI goes to the I/O APICs, which clear its remote IRR (SDM
  // §10.8.5).
  if (test(st_.tmr, uint8_t(v)) && eoi_listener_) eoi_listener_(uint8_t(v));
  changed();
}

void Lapic::write_icr(uint32_t lo) {
  st_.icr_lo = lo & 0x000ccfffu;  // delivery status (12) reads idle: the message is sent at once
  const uint8_t vector = uint8_t(lo);
  const uint32_t mode = lo >> 8 & 7, shorthand = lo >> 18 & 3;
  const bool logical = lo & (1u << 11);
  // Shorthands: 1 self, 2 all including self, 3 all excluding self (SDM Figure 10-12). With one
  // processor, "all excluding self" and any other destination reach nobody.
  const bool to_self = shorthand == 1 || shorthand == 2 ||
                       (shorthand == 0 && accepts(uint8_t(st_.icr_hi >> 24), logical));
  if (!to_self) return;
  switch (mode) {
    case kModeFixed:
    case 1:  // lowest priority: the one processor is the lowest
      if (vector < 16) {
        error(kEsrSendIllegal);
        return;
      }
      accept(vector, false);  // self-IPIs are edge-triggered
      return;
    case kModeNmi:
      if (nmi_) nmi_();
      return;
    default: return;  // INIT, start-up, SMI, ExtINT to itself: nothing to do with one processor
  }
}

unsigned Lapic::timer_shift() const {
  // Divide configuration (SDM Figure 10-10): bits 3, 1:0 give 2^(value + 1), 111b divides by 1.
  const uint32_t d = st_.timer_divide;
  return (((d >> 1 & 4) | (d & 3)) + 1) & 7;
}

uint32_t Lapic::timer_current() const {
  if (!st_.timer_running || st_.timer_initial == 0) return 0;
  const uint64_t ticks = (clock_.now_ns() - st_.timer_start_ns) >> timer_shift();
  if (st_.lvt[kTimer] & kPeriodic) return uint32_t(st_.timer_initial - ticks % st_.timer_initial);
  return ticks >= st_.timer_initial ? 0 : uint32_t(st_.timer_initial - ticks);
}

void Lapic::timer_arm() {
  clock_.cancel(timer_);
  if (!st_.timer_running || st_.timer_initial == 0 || (st_.lvt[kTimer] & kMasked)) return;
  const unsigned shift = timer_shift();
  const uint64_t ticks = (clock_.now_ns() - st_.timer_start_ns) >> shift;
  uint64_t expiry;  // in ticks since the start
  if (st_.lvt[kTimer] & kPeriodic) {
    expiry = (ticks / st_.timer_initial + 1) * st_.timer_initial;
  } else {
    if (ticks >= st_.timer_initial) return;  // expired while masked: the interrupt is lost
    expiry = st_.timer_initial;
  }
  clock_.arm(timer_, st_.timer_start_ns + (expiry << shift));
}

void Lapic::timer_fire() {
  const uint32_t lvt = st_.lvt[kTimer];
  if (lvt & kMasked) return;
  if (!(lvt & kPeriodic)) st_.timer_running = false;
  accept(uint8_t(lvt), false);
  timer_arm();
}

void Lapic::write_lvt(Lvt which, uint32_t v) {
  v &= kLvtWritable[which];
  if (!sw_enabled()) v |= kMasked;  // SDM §10.4.7.2: the mask bits cannot be cleared
  st_.lvt[which] = v;
  if (which == kTimer) timer_arm();
  changed();
}

uint32_t Lapic::read_reg(uint32_t reg) {
  if (reg >= kIsr && reg < kIsr + 0x80) return st_.isr[(reg - kIsr) >> 4];
  if (reg >= kTmr && reg < kTmr + 0x80) return st_.tmr[(reg - kTmr) >> 4];
  if (reg >= kIrr && reg < kIrr + 0x80) return st_.irr[(reg - kIrr) >> 4];
  if (reg >= kLvtTimer && reg <= kLvtError) return st_.lvt[(reg - kLvtTimer) >> 4];
  switch (reg) {
    case kId: return st_.id;
    case kVer: return kVersion;
    case kTpr: return st_.tpr;
    case kApr: return 0;
    case kPpr: return ppr();
    case kEoi:
    case kRrd: return 0;
    case kLdr: return st_.ldr;
    case kDfr: return st_.dfr;
    case kSvr: return st_.svr;
    case kEsr: return st_.esr;
    case kIcrLo: return st_.icr_lo;
    case kIcrHi: return st_.icr_hi;
    case kTimerInitial: return st_.timer_initial;
    case kTimerCurrent: return timer_current();
    case kTimerDivide: return st_.timer_divide;
    default: error(kEsrIllegalRegister); return 0;
  }
}

void Lapic::write_reg(uint32_t reg, uint32_t v) {
  if (reg >= kLvtTimer && reg <= kLvtError) {
    write_lvt(Lvt((reg - kLvtTimer) >> 4), v);
    return;
  }
  switch (reg) {
    case kId: st_.id = v & 0xff000000u; return;
    case kTpr:
      st_.tpr = v & 0xff;
      changed();
      return;
    case kEoi: eoi(); return;
    case kLdr: st_.ldr = v & 0xff000000u; return;
    case kDfr: st_.dfr = v | 0x0fffffffu; return;
    case kSvr:
      // Vector, APIC software enable (8) and focus check (9); a P6 has no EOI-broadcast
      // suppression (bit 12).
      st_.svr = v & 0x3ff;
      if (!sw_enabled())
        for (uint32_t& l : st_.lvt) l |= kMasked;
      timer_arm();
      changed();
      return;
    case kEsr:
      // A write latches the errors since the last one into the readable register (§10.5.3).
      st_.esr = st_.esr_pending;
      st_.esr_pending = 0;
      return;
    case kIcrLo: write_icr(v); return;
    case kIcrHi: st_.icr_hi = v & 0xff000000u; return;
    case kTimerInitial:
      st_.timer_initial = v;
      st_.timer_start_ns = clock_.now_ns();
      st_.timer_running = v != 0;
      timer_arm();
      return;
    case kTimerDivide: {
      // The count goes on from where it is at the new rate.
      const uint32_t current = timer_current();
      st_.timer_divide = v & 0xb;
      if (st_.timer_running)
        st_.timer_start_ns =
            clock_.now_ns() - (uint64_t(st_.timer_initial - current) << timer_shift());
      timer_arm();
      return;
    }
    case kVer:
    case kApr:
    case kPpr:
    case kRrd:
    case kTimerCurrent: return;  // read-only
    default:
      if (!(reg >= kIsr && reg < kIrr + 0x80)) error(kEsrIllegalRegister);
      return;
  }
}

// Registers are 32 bits wide at 16-byte strides; a narrower read takes the bytes it covers, a
// write is taken only whole (the SDM leaves other writes undefined).
uint32_t Lapic::mmio_read(uint32_t offset, unsigned size) {
  if (offset & 0xc) return 0;
  const uint32_t v = read_reg(offset & 0xff0) >> (8 * (offset & 3));
  return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void Lapic::mmio_write(uint32_t offset, unsigned size, uint32_t value) {
  if (size != 4 || (offset & 0xf)) return;
  write_reg(offset & 0xff0, value);
}

void Lapic::set_base_msr(uint64_t msr) {
  st_.base_msr = msr;
  remap();
  changed();
}

void Lapic::remap() {
  const uint32_t want = hw_enabled() ? uint32_t(st_.base_msr) & ~(kPageSize - 1) : 0;
  if (want == st_.mapped_base) return;
  if (mapper_ && st_.mapped_base) mapper_(st_.mapped_base, false);
  if (mapper_ && want) mapper_(want, true);
  st_.mapped_base = mapper_ ? want : 0;
}

}  // namespace devices
