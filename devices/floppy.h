// Intel 82077AA floppy disk controller in PC/AT mode with drives A: and B:. Registers at 3F0h-3F5h
// and 3F7h: DOR (3F2h), TDR (3F3h), MSR/DSR (3F4h), FIFO (3F5h), DIR/CCR (3F7h); 3F0h/3F1h (the
// PS/2 status registers) read FFh in AT mode. Reference: Intel 82077AA datasheet (command set,
// status registers ST0-ST3, result CHRN after termination, reset and polling behaviour).
//
// Integrator: register ports 0x3f0-0x3f5 and 0x3f7 (3F6h belongs to the IDE controller). The
// interrupt drives `irq` (IRQ 6) through the IrqSink, gated by DOR bit 3 as on the AT; data moves
// on DMA channel `dma_channel` (2). attach() a DiskImage per drive before the guest starts;
// cmos_type() gives the CMOS 10h drive type for it.
//
// Timing is virtual: command execution, seeks and the end of a reset complete on Clock timers
// after short fixed delays, so guests that poll or wait for IRQ 6 see the same sequence on
// every run. A data command moves all its sectors when its timer fires.
//
// Images hold 512-byte sectors in cylinder, head, sector order; the geometry follows from the
// file size. The drive checks the data rate (CCR/DSR) against the medium, so a BIOS's media
// sense works as on real drives.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "devices/device.h"
#include "devices/disk_image.h"
#include "devices/dma8237.h"
#include "machine/clock.h"

namespace devices {

struct FloppyGeometry {
  uint64_t bytes;
  uint8_t cylinders, heads, sectors;
  uint8_t cmos_type;  // CMOS 10h nibble of the drive that takes this medium
  uint8_t rate;       // CCR data rate code: 0 = 500, 1 = 300, 2 = 250 kbit/s, 3 = 1 Mbit/s
  const char* label;
};

class Floppy : public Device, public PortDevice {
 public:
  static constexpr unsigned kDrives = 2;  // A: and B:; drive selects 2-3 reach empty bays

  // The geometry for an image of `bytes`, or nullopt if no supported format has that size.
  static std::optional<FloppyGeometry> geometry_for(uint64_t bytes);

  Floppy(machine::Clock& clock, IrqSink& irq_sink, Dma8237& dma, unsigned irq = 6, unsigned dma_channel = 2);

  // Inserts `image` into drive 0 (A:) or 1 (B:). Throws std::runtime_error naming `what` (the
  // option, "-fda") and the size when the image size is not a floppy format.
  void attach(unsigned drive, std::unique_ptr<DiskImage> image, const std::string& what);
  // The medium in drive 0/1 (nullptr: none), for snapshots of the disks.
  DiskImage* image(unsigned drive) const {
    return drive < kDrives ? media_[drive].image.get() : nullptr;
  }
  // CMOS drive type (0 = none) for drive 0/1.
  uint8_t cmos_type(unsigned drive) const;

  const char* name() const override { return "floppy"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  enum class Phase : uint8_t { Command, Execution, Result };

  struct DriveState {
    uint8_t pcn = 0;             // cylinder under the head
    uint8_t seek_target = 0;
    uint8_t seek_st0 = 0;        // ST0 the seek in progress reports when it ends
    bool seeking = false;
    bool disk_changed = true;    // DIR bit 7 until a step pulse with a disk inserted
  };
  struct State {
    uint8_t dor = 0, tdr = 0, dsr = 0x02, rate = 2;
    Phase phase = Phase::Command;
    std::array<uint8_t, 16> fifo{};  // command bytes, then result bytes
    uint8_t fifo_len = 0, fifo_pos = 0, cmd_len = 0;
    uint8_t srt_hut = 0, hlt_nd = 0;
    uint8_t config = 0x20, pretrk = 0, perpendicular = 0, eot = 0;  // CONFIGURE: polling on, FIFO off
    bool locked = false;
    bool irq = false;
    uint8_t sense_pending = 0;        // per drive: a seek/recalibrate/reset awaits SENSE INTERRUPT
    std::array<uint8_t, 4> sense_st0{};
    std::array<DriveState, 4> drives;
  };
  struct Drive {
    std::unique_ptr<DiskImage> image;
    FloppyGeometry geo{};
  };

  uint8_t read8(uint16_t port);
  void write8(uint16_t port, uint8_t v);
  void write_dor(uint8_t v);
  void controller_reset();
  void write_fifo(uint8_t v);
  uint8_t read_fifo();
  uint8_t msr() const;
  void start_command();
  void execute();  // timer: the execution phase of a data command
  void seek_done(unsigned drive);
  void reset_done();
  void set_result(std::initializer_list<uint8_t> bytes);
  void set_irq(bool on);
  void update_irq();

  // Data commands.
  void do_read_write(bool write);
  void do_read_id();
  void do_format();
  void finish_rw(uint8_t st0, uint8_t st1, uint8_t st2, uint8_t c, uint8_t h, uint8_t r, uint8_t n);
  const Drive* medium(unsigned drive) const;
  bool rate_ok(unsigned drive) const;
  uint8_t st0_for(unsigned drive, unsigned head) const { return uint8_t(head << 2 | drive); }
  uint8_t st3(unsigned drive, unsigned head) const;

  machine::Clock& clock_;
  IrqSink& irq_sink_;
  Dma8237& dma_;
  unsigned irq_, dma_channel_;
  machine::Clock::TimerId exec_timer_, reset_timer_;
  std::array<machine::Clock::TimerId, 4> seek_timers_{};
  std::array<Drive, kDrives> media_;
  State s_;
};

}  // namespace devices
