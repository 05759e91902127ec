#include "devices/rtc.h"

#include <algorithm>

#include "devices/byte_ports.h"

namespace devices {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint64_t kBaseHz = 32768;
// UIP rises 244 us (tBUC) before the update cycle, which lasts 1984 us (tUC); the new time is
// readable when UIP falls (MC146818A datasheet, "Update Cycle").
constexpr uint64_t kUipNs = (244 + 1984) * 1000;
constexpr uint32_t kDaysPerCentury = 100 * 365 + 25;  // the chip calls every 4th year leap

// Register bits.
constexpr uint8_t kUip = 0x80;
constexpr uint8_t kSet = 0x80, kPie = 0x40, kAie = 0x20, kUie = 0x10, kSqwe = 0x08, kDm = 0x04,
                  k24h = 0x02, kDse = 0x01;
constexpr uint8_t kIrqf = 0x80, kPf = 0x40, kAf = 0x20, kUf = 0x10;
constexpr uint8_t kVrt = 0x80;

constexpr std::array<uint8_t, 12> kMonthDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

unsigned month_days(unsigned month, bool leap) { return kMonthDays[month - 1] + (leap && month == 2); }

uint64_t cycles_at(uint64_t ns) { return uint64_t((unsigned __int128)ns * kBaseHz / kSecond); }
uint64_t cycle_ns(uint64_t c) { return uint64_t(((unsigned __int128)c * kSecond + kBaseHz - 1) / kBaseHz); }

// Periodic interrupt period in 32.768 kHz cycles for rate select 1-15 (datasheet table 5: rates
// 1 and 2 give 256 and 128 Hz; rate r >= 3 gives 65536 >> r Hz).
uint64_t period_cycles(unsigned rs) {
  if (rs == 0) return 0;
  if (rs <= 2) return 64u << rs;
  return 1u << (rs - 1);
}

bool gregorian_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

Rtc::Rtc(machine::Clock& clock, IrqSink& irq_sink, int64_t epoch, unsigned irq)
    : clock_(clock), irq_sink_(irq_sink), irq_(irq) {
  timer_ = clock_.add_timer([this] { on_timer(); });
  // The register values a PC BIOS leaves: 32.768 kHz base, 1024 Hz rate; 24-hour BCD.
  cmos_[kRegA] = 0x26;
  cmos_[kRegB] = k24h;
  cmos_[kRegD] = kVrt;
  cmos_[0x14] = 0x02;  // equipment: math coprocessor, VGA
  divider_ns_ = now();
  next_update_ns_ = divider_ns_ + kSecond;
  set_epoch(epoch);
  update_checksum();
  irq_sink_.set_irq(irq_, false);
  rearm();
}

void Rtc::set_epoch(int64_t epoch) {
  epoch = std::clamp<int64_t>(epoch, -2208988800, 7258118399);  // 1900-01-01 .. 2199-12-31
  int64_t days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
  const int64_t secs = epoch - days * 86400;
  const unsigned dow = unsigned(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  int64_t year = 1970;
  while (days < 0) days += 365 + gregorian_leap(--year);
  while (days >= 365 + gregorian_leap(year)) days -= 365 + gregorian_leap(year++);
  unsigned month = 1;
  while (days >= month_days(month, gregorian_leap(year))) days -= month_days(month++, gregorian_leap(year));
  write_time({unsigned(secs % 60), unsigned(secs / 60 % 60), unsigned(secs / 3600), dow + 1,
              unsigned(days + 1), month, unsigned(year % 100)});
  cmos_[0x32] = uint8_t((year / 100 / 10) << 4 | (year / 100 % 10));  // century, BCD
}

void Rtc::reset() {
  sync();
  cmos_[kRegB] &= uint8_t(~(kPie | kAie | kUie | kSqwe));
  cmos_[kRegC] = 0;
  update_irq();
  rearm();
}

void Rtc::serialize(Serializer& s) {
  s.bytes(cmos_.data(), cmos_.size());
  s.io(index_), s.io(nmi_masked_), s.io(next_update_ns_), s.io(divider_ns_), s.io(pf_mark_);
  s.io(irq_level_), s.io(dse_fell_back_);
  if (s.loading()) {
    index_ &= 0x7f;
    cmos_[kRegA] &= 0x7f;
    cmos_[kRegD] = kVrt;
    rearm();
  }
}

uint32_t Rtc::port_read(uint16_t port, unsigned size) {
  return read_bytewise(port, size, [this](uint16_t p) { return read8(p); });
}

void Rtc::port_write(uint16_t port, unsigned size, uint32_t value) {
  write_bytewise(port, size, value, [this](uint16_t p, uint8_t v) { write8(p, v); });
}

uint8_t Rtc::read8(uint16_t port) {
  if (port != 0x71) return 0xff;  // 70h is write-only on the PIIX3
  return read_reg(index_);
}

void Rtc::write8(uint16_t port, uint8_t v) {
  if (port == 0x70) {
    index_ = v & 0x7f;
    nmi_masked_ = v & 0x80;
  } else if (port == 0x71) {
    write_reg(index_, v);
  }
}

uint8_t Rtc::read_reg(uint8_t index) {
  sync();
  switch (index) {
    case kRegA: {
      const bool uip = running() && !(cmos_[kRegB] & kSet) && now() + kUipNs >= next_update_ns_;
      return uint8_t(cmos_[kRegA] | (uip ? kUip : 0));
    }
    case kRegC: {  // reading C clears every flag and releases the interrupt
      const uint8_t v = cmos_[kRegC];
      cmos_[kRegC] = 0;
      update_irq();
      rearm();
      return v;
    }
    case kRegD: return kVrt;
    default: return cmos_[index & 0x7f];
  }
}

void Rtc::write_reg(uint8_t index, uint8_t v) {
  sync();
  switch (index) {
    case kRegA: {
      const bool was_running = running();
      cmos_[kRegA] = v & 0x7f;
      if (running() && !was_running) {
        // The divider leaves reset: the first update ends 500 ms later.
        divider_ns_ = now();
        next_update_ns_ = divider_ns_ + kSecond / 2;
        pf_mark_ = 0;
      }
      break;
    }
    case kRegB:
      // SET inhibits updates and clears UIE (as the MC146818A-compatible DS12887 specifies).
      if (v & kSet) v &= uint8_t(~kUie);
      cmos_[kRegB] = v;
      break;
    case kRegC:
    case kRegD: return;  // read-only
    default: set_byte(index, v); break;
  }
  update_irq();
  rearm();
}

void Rtc::set_byte(uint8_t index, uint8_t value) {
  index &= 0x7f;
  if (index == kRegC || index == kRegD) return;
  cmos_[index] = index == kRegA ? value & 0x7f : value;
  if (index >= 0x10 && index <= 0x2d) update_checksum();
}

// The AT checksum: the 16-bit sum of 10h-2Dh, high byte at 2Eh.
void Rtc::update_checksum() {
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2d; i++) sum += cmos_[i];
  cmos_[0x2e] = uint8_t(sum >> 8);
  cmos_[0x2f] = uint8_t(sum);
}

// Brings the registers up to the current virtual time: the update cycles that ended (with the
// UF and AF flags they raise) and periodic ticks (PF), computed rather than stepped.
void Rtc::sync() {
  if (!running()) return;
  const uint64_t t = now();
  if (t >= next_update_ns_) {
    const uint64_t n = (t - next_update_ns_) / kSecond + 1;
    if (!(cmos_[kRegB] & kSet)) {
      const uint32_t alarm = alarm_distance();
      advance_seconds(n);
      cmos_[kRegC] |= uint8_t(kUf | (alarm && alarm <= n ? kAf : 0));
    }
    next_update_ns_ += n * kSecond;
  }
  const uint64_t c = cycles_at(t - divider_ns_);
  if (const uint64_t period = period_cycles(cmos_[kRegA] & 15); period && c / period > pf_mark_ / period)
    cmos_[kRegC] |= kPf;
  pf_mark_ = c;
}

void Rtc::update_irq() {
  const uint8_t b = cmos_[kRegB], c = cmos_[kRegC];
  const bool irqf = ((c & kPf) && (b & kPie)) || ((c & kAf) && (b & kAie)) || ((c & kUf) && (b & kUie));
  cmos_[kRegC] = irqf ? c | kIrqf : c & uint8_t(~kIrqf);
  if (irqf != irq_level_) {
    irq_level_ = irqf;
    irq_sink_.set_irq(irq_, irqf);
  }
}

// A timer is needed only for an interrupt that can still raise IRQF: once IRQF is set, further
// flags change nothing visible until register C is read, and flags are computed on access.
void Rtc::rearm() {
  const uint8_t b = cmos_[kRegB];
  uint64_t next = machine::Clock::kNever;
  if (running() && !(cmos_[kRegC] & kIrqf)) {
    if (!(b & kSet)) {
      if (b & kUie) next = next_update_ns_;
      if (b & kAie)
        if (const uint32_t d = alarm_distance()) next = std::min(next, next_update_ns_ + (d - 1) * kSecond);
    }
    if (const uint64_t period = period_cycles(cmos_[kRegA] & 15); period && (b & kPie))
      next = std::min(next, divider_ns_ + cycle_ns((pf_mark_ / period + 1) * period));
  }
  if (next == machine::Clock::kNever)
    clock_.cancel(timer_);
  else  // always in the future, so even a damaged snapshot cannot make the timer spin
    clock_.arm(timer_, std::max(next, now() + 1));
}

void Rtc::on_timer() {
  sync();
  update_irq();
  rearm();
}

// Time and date registers in the format register B selects (DM: binary or BCD; 24/12 hour with
// bit 7 = PM).
uint8_t Rtc::enc(unsigned v) const {
  return (cmos_[kRegB] & kDm) ? uint8_t(v) : uint8_t((v / 10) << 4 | (v % 10));
}

unsigned Rtc::dec(uint8_t v) const { return (cmos_[kRegB] & kDm) ? v : (v >> 4) * 10 + (v & 15); }

uint8_t Rtc::enc_hour(unsigned h) const {
  if (cmos_[kRegB] & k24h) return enc(h);
  return uint8_t(enc(h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

unsigned Rtc::dec_hour(uint8_t v) const {
  if (cmos_[kRegB] & k24h) return dec(v);
  return dec(v & 0x7f) % 12 + ((v & 0x80) ? 12 : 0);
}

// Out-of-range values a guest wrote are folded into range; the real chip's result is undefined.
Rtc::Tod Rtc::read_time() const {
  Tod t{dec(cmos_[0]) % 60, dec(cmos_[2]) % 60, dec_hour(cmos_[4]) % 24, dec(cmos_[6]),
        dec(cmos_[7]), dec(cmos_[8]), dec(cmos_[9]) % 100};
  if (t.dow < 1 || t.dow > 7) t.dow = 1;
  if (t.month < 1 || t.month > 12) t.month = 1;
  t.day = std::clamp(t.day, 1u, month_days(t.month, t.year % 4 == 0));
  return t;
}

void Rtc::write_time(const Tod& t) {
  cmos_[0] = enc(t.sec);
  cmos_[2] = enc(t.min);
  cmos_[4] = enc_hour(t.hour);
  cmos_[6] = enc(t.dow);
  cmos_[7] = enc(t.day);
  cmos_[8] = enc(t.month);
  cmos_[9] = enc(t.year);
}

// Dates as a day number within the chip's 100-year cycle, which starts with a leap year (00).
uint32_t Rtc::day_number(const Tod& t) {
  uint32_t days = t.year * 365 + (t.year + 3) / 4 + (t.day - 1);
  for (unsigned m = 1; m < t.month; m++) days += month_days(m, t.year % 4 == 0);
  return days;
}

void Rtc::set_day_number(Tod& t, uint32_t days) {
  days %= kDaysPerCentury;
  const uint32_t block = days / 1461, r = days % 1461;  // four-year blocks, leap year first
  uint32_t doy;
  if (r < 366) {
    t.year = block * 4, doy = r;
  } else {
    t.year = block * 4 + 1 + (r - 366) / 365, doy = (r - 366) % 365;
  }
  t.month = 1;
  while (doy >= month_days(t.month, t.year % 4 == 0)) doy -= month_days(t.month++, t.year % 4 == 0);
  t.day = doy + 1;
}

// n update cycles at once. With DSE, the run is split at each daylight-saving change.
void Rtc::advance_seconds(uint64_t n) {
  Tod t = read_time();
  while (n) {
    const uint64_t to_change = (cmos_[kRegB] & kDse) ? dse_distance(t) : 0;
    const uint64_t step = to_change && to_change <= n ? to_change : n;
    const uint64_t tod = t.hour * 3600u + t.min * 60u + t.sec + step;
    const uint64_t day_steps = tod / 86400;
    set_day_number(t, uint32_t((day_number(t) + day_steps) % kDaysPerCentury));
    t.dow = unsigned((t.dow - 1 + day_steps % 7) % 7 + 1);
    t.sec = unsigned(tod % 60), t.min = unsigned(tod / 60 % 60), t.hour = unsigned(tod / 3600 % 24);
    if (day_steps) dse_fell_back_ = false;
    n -= step;
    if (step == to_change) {
      // MC146818A DSE: on the last Sunday in April 1:59:59 AM is followed by 3:00:00 AM; on the
      // last Sunday in October, the first time, by 1:00:00 AM.
      if (t.month == 4) {
        t.hour = 3;
      } else {
        t.hour = 1;
        dse_fell_back_ = true;
      }
    }
  }
  write_time(t);
}

// Updates until the next daylight-saving change (the update that would show 2:00:00 AM on the
// last Sunday of April or October), or 0 if none comes within a year.
uint64_t Rtc::dse_distance(const Tod& now) const {
  const uint32_t today = day_number(now);
  const uint32_t tod = now.hour * 3600 + now.min * 60 + now.sec;
  for (uint32_t d = 0; d <= 366; d++) {
    Tod t = now;
    set_day_number(t, today + d);
    const unsigned dow = (now.dow - 1 + d) % 7 + 1;
    const bool last_sunday = dow == 1 && ((t.month == 4 && t.day >= 24) || (t.month == 10 && t.day >= 25));
    if (!last_sunday || (d == 0 && (tod >= 7200 || (t.month == 10 && dse_fell_back_)))) continue;
    return uint64_t(d) * 86400 + 7200 - tod;
  }
  return 0;
}

// The alarm fires at the update whose new time matches hours, minutes and seconds; an alarm byte
// with both top bits set (C0h-FFh) matches anything (datasheet, "Alarm").
uint32_t Rtc::alarm_distance() const {
  struct Field {
    bool any;
    unsigned value;
  };
  const auto field = [&](uint8_t raw, bool hour, unsigned range, Field& f) {
    f.any = (raw & 0xc0) == 0xc0;
    if (f.any) return true;
    f.value = hour ? dec_hour(raw) : dec(raw);
    // A byte that is not the encoding of an in-range value never matches the time registers.
    return f.value < range && (hour ? enc_hour(f.value) : enc(f.value)) == raw;
  };
  Field fs{}, fm{}, fh{};
  if (!field(cmos_[1], false, 60, fs) || !field(cmos_[3], false, 60, fm) || !field(cmos_[5], true, 24, fh))
    return 0;
  const Tod now = read_time();
  const uint32_t base = now.hour * 3600 + now.min * 60 + now.sec;
  uint32_t d = 1;
  // Each step jumps to the next time the first mismatching field matches; a few steps suffice.
  for (int step = 0; step < 8 && d <= 86400; step++) {
    const uint32_t t = (base + d) % 86400;
    const uint32_t h = t / 3600, m = t / 60 % 60, s = t % 60;
    if (!fh.any && h != fh.value)
      d += ((fh.value + 24 - h) % 24) * 3600 - m * 60 - s;
    else if (!fm.any && m != fm.value)
      d += ((fm.value + 60 - m) % 60) * 60 - s;
    else if (!fs.any && s != fs.value)
      d += (fs.value + 60 - s) % 60;
    else
      return d;
  }
  return 0;
}

void Rtc::set_memory_size(uint64_t below_4g, uint64_t above_4g) {
  constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB;
  const uint64_t base_kb = std::min<uint64_t>(below_4g / kKiB, 640);
  const uint64_t ext_kb = std::min<uint64_t>(below_4g > kMiB ? (below_4g - kMiB) / kKiB : 0, 0xffff);
  const uint64_t ext16 = std::min<uint64_t>(below_4g > 16 * kMiB ? (below_4g - 16 * kMiB) >> 16 : 0, 0xffff);
  const uint64_t high = std::min<uint64_t>(above_4g >> 16, 0xffffff);
  const auto put16 = [this](uint8_t at, uint64_t v) {
    set_byte(at, uint8_t(v));
    set_byte(uint8_t(at + 1), uint8_t(v >> 8));
  };
  put16(0x15, base_kb);
  put16(0x17, ext_kb);
  put16(0x30, ext_kb);
  put16(0x34, ext16);
  put16(0x5b, high);
  set_byte(0x5d, uint8_t(high >> 16));
}

void Rtc::set_floppy_types(Floppy a, Floppy b) {
  set_byte(0x10, uint8_t((uint8_t(a) & 15) << 4 | (uint8_t(b) & 15)));
  const unsigned drives = (a != Floppy::None) + (b != Floppy::None);
  uint8_t eq = cmos_[0x14] & 0x3e;
  if (drives) eq |= uint8_t(0x01 | (drives - 1) << 6);
  set_byte(0x14, eq);
}

void Rtc::set_hard_disk(unsigned unit, uint16_t cylinders, uint8_t heads, uint8_t sectors) {
  if (unit > 1) return;
  const uint8_t shift = unit ? 0 : 4;
  set_byte(0x12, uint8_t((cmos_[0x12] & ~(0x0f << shift)) | 0x0f << shift));
  set_byte(uint8_t(0x19 + unit), 47);
  const uint8_t at = uint8_t(unit ? 0x24 : 0x1b);
  const uint8_t geometry[9] = {uint8_t(cylinders), uint8_t(cylinders >> 8), heads, 0xff, 0xff,
                               uint8_t(0xc0 | (heads > 8 ? 0x08 : 0)), uint8_t(cylinders),
                               uint8_t(cylinders >> 8), sectors};
  for (unsigned i = 0; i < 9; i++) set_byte(uint8_t(at + i), geometry[i]);
}

void Rtc::set_boot_order(Boot first, Boot second, Boot third, bool check_floppy_signature) {
  set_byte(0x3d, uint8_t((uint8_t(second) & 15) << 4 | (uint8_t(first) & 15)));
  set_byte(0x38, uint8_t((uint8_t(third) & 15) << 4 | (check_floppy_signature ? 0 : 1)));
}

}  // namespace devices
