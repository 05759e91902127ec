// MC146818A real-time clock with 128 bytes of CMOS RAM at 70h (index; bit 7 masks NMI) and 71h
// (data). Reference: Motorola MC146818A datasheet (registers A-D, update cycle, periodic rates,
// alarm don't-care codes). The clock runs in virtual time from a configured epoch; no host time.
//
// Integrator: register ports 0x70-0x71; the interrupt output drives `irq` (IRQ 8) through the
// IrqSink, high while register C's IRQF is set. Fill the firmware bytes with the helpers below
// before the guest starts. nmi_masked() is port 70h bit 7 for whoever gates NMI.
//
// reset() is the RESET pin: it clears the interrupt enables and flags but keeps the time and the
// CMOS contents, which are battery-backed.
#pragma once

#include <array>
#include <cstdint>

#include "devices/device.h"
#include "machine/clock.h"

namespace devices {

class Rtc : public Device, public PortDevice {
 public:
  static constexpr int64_t kDefaultEpoch = 1767225600;  // 2026-01-01 00:00:00 UTC

  // Floppy drive types in CMOS 10h (AT BIOS convention).
  enum class Floppy : uint8_t { None = 0, K360 = 1, M1_2 = 2, K720 = 3, M1_44 = 4, M2_88 = 5 };
  // Boot device codes SeaBIOS reads from CMOS 3Dh/38h.
  enum class Boot : uint8_t { None = 0, Floppy = 1, HardDisk = 2, CdRom = 3, Network = 4 };

  // `epoch`: seconds since 1970-01-01 00:00:00 UTC shown at virtual time "now" (clamped to
  // 1900..2199).
  Rtc(machine::Clock& clock, IrqSink& irq_sink, int64_t epoch = kDefaultEpoch, unsigned irq = 8);

  const char* name() const override { return "rtc"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  bool nmi_masked() const { return nmi_masked_; }

  // Raw CMOS access for the integrator (index & 7Fh). Bytes in 10h-2Dh keep the AT checksum at
  // 2Eh-2Fh up to date.
  void set_byte(uint8_t index, uint8_t value);
  uint8_t byte(uint8_t index) const { return cmos_[index & 0x7f]; }

  // RAM sizes as SeaBIOS and DOS read them: 15h-16h base KB (640 max), 17h-18h and 30h-31h KB
  // above 1 MB (65535 max), 34h-35h 64 KB units above 16 MB below 4 GB, 5Bh-5Dh 64 KB units
  // above 4 GB.
  void set_memory_size(uint64_t below_4g_bytes, uint64_t above_4g_bytes = 0);
  // 10h: drive A in the high nibble, B in the low; 14h bits 0 and 7-6 follow (drives present).
  void set_floppy_types(Floppy a, Floppy b = Floppy::None);
  // Fixed disk `unit` 0/1 as AT type 47 (user-defined): 12h nibble Fh, 19h/1Ah = 47, geometry at
  // 1Bh-23h / 24h-2Ch (cylinders, heads, write precompensation, control, landing zone, sectors).
  void set_hard_disk(unsigned unit, uint16_t cylinders, uint8_t heads, uint8_t sectors);
  // Up to three devices in order: 3Dh low nibble, 3Dh high nibble, 38h high nibble. 38h bit 0
  // set tells SeaBIOS not to check the floppy boot signature.
  void set_boot_order(Boot first, Boot second = Boot::None, Boot third = Boot::None,
                      bool check_floppy_signature = true);

 private:
  static constexpr uint8_t kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c, kRegD = 0x0d;

  struct Tod {  // a decoded time of day and date, as the chip counts it (2-digit year)
    unsigned sec, min, hour, dow, day, month, year;
  };

  uint8_t read8(uint16_t port);
  void write8(uint16_t port, uint8_t v);
  uint8_t read_reg(uint8_t index);
  void write_reg(uint8_t index, uint8_t v);

  bool running() const { return ((cmos_[kRegA] >> 4) & 7) == 2; }  // 32.768 kHz time base
  uint64_t now() const { return clock_.now_ns(); }
  void sync();
  void update_irq();
  void rearm();
  void on_timer();

  uint8_t enc(unsigned v) const;
  unsigned dec(uint8_t v) const;
  uint8_t enc_hour(unsigned h) const;
  unsigned dec_hour(uint8_t v) const;
  Tod read_time() const;
  void write_time(const Tod& t);
  void advance_seconds(uint64_t n);
  static uint32_t day_number(const Tod& t);
  static void set_day_number(Tod& t, uint32_t days);
  uint64_t dse_distance(const Tod& now) const;
  // Updates from now until the alarm registers next match (1..86400), or 0 for never.
  uint32_t alarm_distance() const;
  void set_epoch(int64_t epoch);
  void update_checksum();

  machine::Clock& clock_;
  IrqSink& irq_sink_;
  unsigned irq_;
  machine::Clock::TimerId timer_;

  // Registers 00h-0Dh live in the CMOS array; C holds the flags, D reads as VRT.
  std::array<uint8_t, 128> cmos_{};
  uint8_t index_ = 0;
  bool nmi_masked_ = false;
  uint64_t next_update_ns_ = 0;  // end of the next update cycle, while the divider runs
  uint64_t divider_ns_ = 0;      // when the divider chain last left reset
  uint64_t pf_mark_ = 0;         // 32.768 kHz cycles since divider_ns_, at the last PF check
  bool irq_level_ = false;
  bool dse_fell_back_ = false;  // today's October change is done (1:00-1:59 comes twice)
};

}  // namespace devices
