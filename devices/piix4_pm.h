// The power-management function of the PIIX4 (82371AB function 3, 8086:7113), which QEMU's
// i440FX machine places at 00:01.3 next to the PIIX3. It provides the ACPI fixed hardware:
// PM1 status/enable/control and the 24-bit PM timer in a 64-byte I/O block at PMBA (40h,
// decoded when PMREGMISC 80h bit 0 is set), the APM control/status ports B2h/B3h, and the SCI.
#pragma once

#include <functional>

#include "devices/pci.h"
#include "machine/clock.h"

namespace devices {

class Piix4Pm : public PciDevice, public PortDevice {
 public:
  // Configuration registers.
  static constexpr unsigned kPmba = 0x40, kDevactb = 0x58, kPmRegMisc = 0x80, kSmbba = 0x90;
  // PM I/O block: offsets and bits (ACPI fixed hardware registers as PIIX4 lays them out).
  static constexpr unsigned kPmSize = 64, kPm1Sts = 0x00, kPm1En = 0x02, kPm1Cnt = 0x04, kPmTmr = 0x08;
  static constexpr uint16_t kTmrSts = 1u << 0, kGblSts = 1u << 5, kPwrBtnSts = 1u << 8, kRtcSts = 1u << 10;
  static constexpr uint16_t kWakSts = 1u << 15;
  static constexpr uint16_t kSciEn = 1u << 0, kSlpTypShift = 10, kSlpEn = 1u << 13;
  static constexpr uint16_t kApmControlPort = 0xb2, kApmStatusPort = 0xb3;
  static constexpr uint64_t kTimerHz = 3579545;  // the ACPI PM timer's 3.579545 MHz

  using PowerOffFn = std::function<void()>;

  // `sci` carries the SCI on ISA IRQ `sci_irq`. `power_off` runs when the guest sets SLP_EN
  // with SLP_TYP == `s5_type` (PIIX4 encodes soft-off as 0, as the ACPI _S5 object says).
  Piix4Pm(machine::Clock& clock, IrqSink& sci, PowerOffFn power_off, unsigned sci_irq = 9,
          unsigned s5_type = 0);
  ~Piix4Pm() override;

  const char* name() const override { return "piix4-pm"; }
  void reset() override;
  void serialize(Serializer& s) override;

  // The PM block (through the PCI mapper) and the fixed APM ports B2h/B3h.
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  uint32_t pm_timer() const { return uint32_t(ticks() & 0xffffff); }
  int32_t pm_base() const { return int32_t(window_base(pm_window_)); }
  // The power button (for a frontend): sets PWRBTN_STS.
  void press_power_button();

 protected:
  void update_windows() override;

 private:
  uint64_t ticks() const;
  uint16_t pm1_sts() const;
  uint8_t pm_read8(unsigned off) const;
  void pm_write8(unsigned off, uint8_t v);
  void apm_write(uint8_t v);
  void update();

  machine::Clock& clock_;
  IrqSink& sci_;
  PowerOffFn power_off_;
  unsigned sci_irq_, s5_type_;
  machine::Clock::TimerId timer_;
  unsigned pm_window_ = 0;
  struct State {
    uint16_t pm1_sts = 0;   // latched status bits other than TMR_STS
    uint16_t pm1_en = 0;
    uint16_t pm1_cnt = 0;
    uint64_t tmr_epoch = 0;  // timer bit-23 period count when TMR_STS was last cleared
    uint8_t apmc = 0, apms = 0;
    uint8_t sci = 0;         // level driven on the SCI line
  } s_;
};

}  // namespace devices
