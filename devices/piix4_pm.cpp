#include "devices/piix4_pm.h"

namespace devices {

namespace {

constexpr PciId kId{.vendor = 0x8086, .device = 0x7113, .class_code = 0x068000, .revision = 0x03,
                    .header_type = 0x00, .int_pin = 1, .subsys_vendor = 0x1af4, .subsys_id = 0x1100};

constexpr uint64_t kNsPerSec = 1000000000;
// Status bits that raise the SCI when enabled.
constexpr uint16_t kSciSources = Piix4Pm::kTmrSts | Piix4Pm::kGblSts | Piix4Pm::kPwrBtnSts | Piix4Pm::kRtcSts;
constexpr uint16_t kEnMask = kSciSources;
// PM1_CNT bits that stick: SCI_EN, BM_RLD, SLP_TYP. GBL_RLS and SLP_EN are write-only.
constexpr uint16_t kCntMask = 0x1c03;
// The FADT's SMI command values for ACPI enable/disable (as QEMU's tables publish them).
constexpr uint8_t kAcpiEnable = 0xf1, kAcpiDisable = 0xf0;

}  // namespace

Piix4Pm::Piix4Pm(machine::Clock& clock, IrqSink& sci, PowerOffFn power_off, unsigned sci_irq, unsigned s5_type)
    : PciDevice(kId), clock_(clock), sci_(sci), power_off_(std::move(power_off)), sci_irq_(sci_irq), s5_type_(s5_type) {
  init16(pci::kCommand, 0x0000, pci::kCmdIo | pci::kCmdIntxDisable);  // IOSE gates the SMBus block
  init16(pci::kStatus, 0x0280, 0, 0x3800);
  // PMBA: 64 bytes of I/O, bits 15:6 programmable, bit 0 reads 1 (I/O space indicator).
  init32(kPmba, 0x00000001, 0x0000ffc0);
  for (unsigned off = 0x44; off < kDevactb; off++) init8(off, 0x00, 0xff);
  // DEVACTB bit 25 (APMC_EN) reads as set: firmware then treats SMM as already initialised,
  // which matters because this machine has no SMM to run its handler.
  init32(kDevactb, 0x02000000, 0xfdffffffu);
  for (unsigned off = 0x5c; off < kPmRegMisc; off++) init8(off, 0x00, 0xff);
  init8(kPmRegMisc, 0x00, 0x01);                // PMIOSE
  init32(kSmbba, 0x00000001, 0x0000fff0);       // SMBus base: stored, not decoded
  init8(0xd2, 0x00, 0x0f);                      // SMBus host configuration
  pm_window_ = add_window(Space::Io, kPmSize, this, nullptr, "piix4-pm");
  timer_ = clock_.add_timer([this] { update(); });
  s_.tmr_epoch = ticks() >> 23;
}

Piix4Pm::~Piix4Pm() { clock_.cancel(timer_); }

uint64_t Piix4Pm::ticks() const {
  // floor(ns * f / 1e9) without overflowing 64 bits.
  const uint64_t ns = clock_.now_ns();
  return ns / kNsPerSec * kTimerHz + ns % kNsPerSec * kTimerHz / kNsPerSec;
}

uint16_t Piix4Pm::pm1_sts() const {
  // TMR_STS is set whenever timer bit 23 toggles; derived from virtual time, not polled.
  return uint16_t(s_.pm1_sts | ((ticks() >> 23) != s_.tmr_epoch ? kTmrSts : 0));
}

void Piix4Pm::update() {
  const bool level = (s_.pm1_cnt & kSciEn) && (pm1_sts() & s_.pm1_en & kSciSources);
  if (level != bool(s_.sci)) {
    s_.sci = level;
    sci_.set_irq(sci_irq_, level);
  }
  // Wake up at the next bit-23 toggle only when it would raise the SCI.
  if ((s_.pm1_en & kTmrSts) && !(pm1_sts() & kTmrSts)) {
    const uint64_t t = (s_.tmr_epoch + 1) << 23;  // first tick of the next period
    const uint64_t ns = t / kTimerHz * kNsPerSec + (t % kTimerHz * kNsPerSec + kTimerHz - 1) / kTimerHz;
    clock_.arm(timer_, ns);
  } else {
    clock_.cancel(timer_);
  }
}

void Piix4Pm::update_windows() {
  place_window(pm_window_, cfg8(kPmRegMisc) & 1, cfg32(kPmba) & 0xffc0);
}

uint8_t Piix4Pm::pm_read8(unsigned off) const {
  switch (off) {
    case kPm1Sts: return uint8_t(pm1_sts());
    case kPm1Sts + 1: return uint8_t(pm1_sts() >> 8);
    case kPm1En: return uint8_t(s_.pm1_en);
    case kPm1En + 1: return uint8_t(s_.pm1_en >> 8);
    case kPm1Cnt: return uint8_t(s_.pm1_cnt);
    case kPm1Cnt + 1: return uint8_t(s_.pm1_cnt >> 8);
    case kPmTmr: case kPmTmr + 1: case kPmTmr + 2: case kPmTmr + 3:
      return uint8_t(pm_timer() >> (8 * (off - kPmTmr)));
    default: return 0;
  }
}

void Piix4Pm::pm_write8(unsigned off, uint8_t v) {
  const unsigned shift = 8 * (off & 1);
  switch (off & ~1u) {
    case kPm1Sts: {
      const uint16_t clear = uint16_t(v << shift);
      if (clear & kTmrSts) s_.tmr_epoch = ticks() >> 23;
      s_.pm1_sts &= uint16_t(~clear);
      break;
    }
    case kPm1En:
      s_.pm1_en = uint16_t((s_.pm1_en & ~(0xff << shift)) | ((v << shift) & kEnMask));
      break;
    case kPm1Cnt: {
      const uint16_t w = uint16_t(v << shift);
      s_.pm1_cnt = uint16_t((s_.pm1_cnt & ~(0xff << shift)) | (w & kCntMask));
      if ((w & kSlpEn) && ((s_.pm1_cnt >> kSlpTypShift) & 7) == s5_type_ && power_off_) power_off_();
      break;
    }
    default: break;  // the timer is read-only; the rest of the block is not implemented
  }
}

void Piix4Pm::apm_write(uint8_t v) {
  s_.apmc = v;
  // With no SMM, the chipset does what the firmware's SMI handler would for the ACPI
  // enable/disable commands: flip SCI_EN.
  if (v == kAcpiEnable) s_.pm1_cnt |= kSciEn;
  if (v == kAcpiDisable) s_.pm1_cnt &= uint16_t(~kSciEn);
}

uint32_t Piix4Pm::port_read(uint16_t port, unsigned size) {
  uint32_t v = 0;
  const int32_t base = pm_base();
  for (unsigned i = 0; i < size && i < 4; i++) {
    const uint32_t p = uint32_t(port) + i;
    uint8_t b = 0xff;
    if (base >= 0 && p - uint32_t(base) < kPmSize)
      b = pm_read8(p - uint32_t(base));
    else if (p == kApmControlPort)
      b = s_.apmc;
    else if (p == kApmStatusPort)
      b = s_.apms;
    v |= uint32_t(b) << (8 * i);
  }
  return v;
}

void Piix4Pm::port_write(uint16_t port, unsigned size, uint32_t value) {
  const int32_t base = pm_base();
  for (unsigned i = 0; i < size && i < 4; i++) {
    const uint32_t p = uint32_t(port) + i;
    const uint8_t b = uint8_t(value >> (8 * i));
    if (base >= 0 && p - uint32_t(base) < kPmSize)
      pm_write8(p - uint32_t(base), b);
    else if (p == kApmControlPort)
      apm_write(b);
    else if (p == kApmStatusPort)
      s_.apms = b;
  }
  update();
}

void Piix4Pm::press_power_button() {
  s_.pm1_sts |= kPwrBtnSts;
  update();
}

void Piix4Pm::reset() {
  PciDevice::reset();
  const uint8_t sci = s_.sci;
  s_ = State{};
  s_.sci = sci;
  s_.tmr_epoch = ticks() >> 23;  // the timer itself runs on; only its status restarts
  update();
}

void Piix4Pm::serialize(Serializer& s) {
  PciDevice::serialize(s);
  s.io(s_.pm1_sts);
  s.io(s_.pm1_en);
  s.io(s_.pm1_cnt);
  s.io(s_.tmr_epoch);
  s.io(s_.apmc);
  s.io(s_.apms);
  s.io(s_.sci);
}

}  // namespace devices
