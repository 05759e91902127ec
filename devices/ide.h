// The PIIX3's IDE controller: two legacy channels (primary 1F0h-1F7h/3F6h on IRQ 14, secondary
// 170h-177h/376h on IRQ 15), each with a master and a slave that is an ATA disk, an ATAPI CD-ROM
// or absent. References: ATA/ATAPI-6 (registers, protocols, commands, signatures), SFF-8020i
// for the packet transport, the PIIX3 datasheet for bus-master DMA.
//
// Integrator: register the command block (8 ports) and the control port (1 port: 3F7h/377h
// belong to the floppy controller) of both channels, hand bmdma_ports() to the IDE function's
// BAR4, and attach images before the guest starts. Commands complete through clock timers after
// a fixed delay, so interrupt-driven drivers see the same sequence on every run.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "devices/atapi.h"
#include "devices/device.h"
#include "devices/disk_image.h"
#include "devices/ide_busmaster.h"
#include "machine/clock.h"
#include "mmu/phys_memory.h"

namespace devices {

class IdeController : public Device, public PortDevice {
 public:
  enum class Kind : uint8_t { None, Disk, Cdrom };
  static constexpr uint32_t kSector = 512;              // ATA sector size
  static constexpr uint16_t kCmdBase[2] = {0x1f0, 0x170};
  static constexpr uint16_t kCtlPort[2] = {0x3f6, 0x376};
  static constexpr unsigned kIrq[2] = {14, 15};
  static constexpr unsigned kMaxMultiple = 16;       // sectors per READ/WRITE MULTIPLE block
  static constexpr uint32_t kBufBytes = 0x10000;     // the largest DRQ block
  static constexpr uint64_t kCommandNs = 20'000;     // command and per-block latency
  static constexpr uint64_t kMax28 = 0x0fffffff;

  struct Chs {
    uint16_t cylinders = 0;
    uint8_t heads = 0, sectors = 0;
  };

  IdeController(machine::Clock& clock, IrqSink& irq, mmu::PhysMemory& mem);

  const char* name() const override { return "ide"; }
  void reset() override;
  void serialize(Serializer& s) override;

  // A disk image (sector = 512 bytes) or a CD-ROM (2048-byte blocks; a null image is an empty
  // drive) on channel `ch`, unit 0 (master) or 1 (slave).
  void attach_disk(unsigned ch, unsigned unit, std::unique_ptr<DiskImage> img);
  void attach_cdrom(unsigned ch, unsigned unit, std::unique_ptr<DiskImage> img);
  Kind kind(unsigned ch, unsigned unit) const { return drives_[ch & 1][unit & 1].kind; }
  // Default CHS geometry of a disk, as IDENTIFY reports it.
  Chs geometry(unsigned ch, unsigned unit) const { return drives_[ch & 1][unit & 1].chs; }
  uint64_t sectors(unsigned ch, unsigned unit) const { return drives_[ch & 1][unit & 1].sectors; }
  // The medium in a drive (nullptr: none), for snapshots of the disks.
  DiskImage* image(unsigned ch, unsigned unit) const { return drives_[ch & 1][unit & 1].img.get(); }

  // The PCI command register's bus-master enable; DMA waits while it is off.
  void set_bus_master_gate(std::function<bool()> enabled) { bm_enabled_ = std::move(enabled); }
  PortDevice& bmdma_ports() { return bm_ports_; }

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  struct Drive {  // what the configuration attaches (not guest state)
    Kind kind = Kind::None;
    std::unique_ptr<DiskImage> img;
    uint64_t sectors = 0;
    Chs chs;
    std::string serial;
  };
  struct Taskfile {  // each register keeps its previous value for 48-bit commands (HOB)
    uint8_t feature = 0, nsect = 0, lbal = 0, lbam = 0, lbah = 0;
    uint8_t hob_feature = 0, hob_nsect = 0, hob_lbal = 0, hob_lbam = 0, hob_lbah = 0;
  };
  struct DriveState {
    Taskfile tf;  // every device latches command-block writes; the selected one answers reads
    uint8_t status = 0, error = 0;
    uint8_t multiple = 0;                    // READ/WRITE MULTIPLE block, 0: disabled
    uint16_t cyls = 0, heads = 0, spt = 0;   // current CHS translation
    uint8_t xfer_mode = 0;                   // last SET FEATURES transfer mode
    bool standby = false, write_cache = true;
    atapi::State atapi;
  };
  enum Phase : uint8_t { kIdle, kPioIn, kPioOut, kPacket, kDma };
  enum Step : uint8_t { kNone, kLoadIn, kStoreOut, kExecPacket, kDmaGo, kFinish, kAtapiStatus };
  struct Channel {
    DriveState drive[2];
    uint8_t device = 0;   // device/head register
    uint8_t control = 0;  // device control register
    bool intrq = false;   // interrupt pending (the line also needs nIEN clear)
    // The command in progress; one device at a time owns the channel's data path.
    uint8_t unit = 0;
    Phase phase = kIdle;
    Step step = kNone;
    bool write = false, atapi_cmd = false, from_media = false;
    uint8_t fin_status = 0, fin_error = 0;  // what kFinish shows
    uint16_t byte_limit = 0;                // ATAPI DRQ block limit
    uint32_t block = 0;                     // ATA bytes per DRQ block
    uint64_t media_pos = 0;                 // next image byte (or response byte)
    uint64_t remaining = 0;                 // bytes still to move after the current block
    uint32_t pos = 0, len = 0;              // data port position in buf
    std::array<uint8_t, atapi::kMaxResponse> resp{};
    std::vector<uint8_t> buf = std::vector<uint8_t>(kBufBytes);
  };

  class BmPorts : public PortDevice {
   public:
    explicit BmPorts(IdeController& c) : c_(c) {}
    uint32_t port_read(uint16_t port, unsigned size) override { return c_.bm_.read(port & 15, size); }
    void port_write(uint16_t port, unsigned size, uint32_t value) override;

   private:
    IdeController& c_;
  };

  // Registers.
  uint8_t read_reg(unsigned ch, unsigned reg);
  void write_reg(unsigned ch, unsigned reg, uint8_t v);
  void write_control(unsigned ch, uint8_t v);
  uint32_t read_data(unsigned ch, unsigned size);
  void write_data(unsigned ch, unsigned size, uint32_t v);
  DriveState& sel(unsigned ch) { return ch_[ch].drive[(ch_[ch].device >> 4) & 1]; }
  Drive& sel_drive(unsigned ch) { return drives_[ch][(ch_[ch].device >> 4) & 1]; }

  // Commands.
  void command(unsigned ch, uint8_t cmd);
  bool ata_command(unsigned ch, uint8_t cmd);
  bool common_command(unsigned ch, uint8_t cmd);
  bool transfer_command(unsigned ch, uint8_t cmd);
  void identify(unsigned ch);
  void start_pio_in(unsigned ch, uint64_t bytes, uint32_t block, bool from_media);
  void start_pio_out(unsigned ch, uint64_t bytes, uint32_t block);
  void start_dma(unsigned ch, uint64_t bytes, bool write, bool from_media);
  void finish(unsigned ch, uint8_t status, uint8_t error = 0);
  void abort(unsigned ch) { finish(ch, kErr, kAbrt); }
  void set_signature(unsigned ch, unsigned unit);
  void soft_reset(unsigned ch);

  // The data path.
  void schedule(unsigned ch, Step step);
  void on_timer(unsigned ch);
  bool load(unsigned ch, uint8_t* dst, uint32_t n);
  void load_in(unsigned ch);
  void store_out(unsigned ch);
  void exec_packet(unsigned ch);
  void run_dma(unsigned ch);
  void block_done(unsigned ch);

  void raise_irq(unsigned ch);
  void update_irq(unsigned ch);

  static constexpr uint8_t kBsy = 0x80, kDrdy = 0x40, kDsc = 0x10, kDrq = 0x08, kErr = 0x01;
  static constexpr uint8_t kAbrt = 0x04, kIdnf = 0x10, kUnc = 0x40;
  static constexpr uint8_t kCtlNien = 0x02, kCtlSrst = 0x04, kCtlHob = 0x80;

  machine::Clock& clock_;
  IrqSink& irq_;
  mmu::PhysMemory& mem_;
  std::function<bool()> bm_enabled_ = [] { return true; };
  BmPorts bm_ports_{*this};
  IdeBusMaster bm_;
  Drive drives_[2][2];
  machine::Clock::TimerId timer_[2] = {};
  bool irq_level_[2] = {};
  Channel ch_[2];
};

}  // namespace devices
