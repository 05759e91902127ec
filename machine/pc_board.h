// The PC's chipset and legacy devices (i440FX/PIIX3 era), wired to the bus, the physical
// address space and the interrupt controllers. PcMachine owns one.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "devices/dma8237.h"
#include "devices/e1000.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "devices/floppy.h"
#include "devices/fpu_irq.h"
#include "devices/fw_cfg.h"
#include "devices/i440fx.h"
#include "devices/i8042.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "devices/ide.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/piix3.h"
#include "devices/piix4_pm.h"
#include "devices/pit.h"
#include "devices/port61.h"
#include "devices/port92.h"
#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"
#include "devices/rtc.h"
#include "devices/uart.h"
#include "devices/vga.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/config.h"
#include "machine/net/net_port.h"
#include "machine/net/slirp_net.h"
#include "mmu/phys_memory.h"

namespace machine {

// What the board asks of the machine around it.
struct BoardHooks {
  std::function<void()> reset;      // a guest asked for a CPU/system reset
  std::function<void()> power_off;  // ACPI soft-off
  std::function<void(uint32_t phys, uint32_t len)> mapping_changed;  // flush TLB/translations
  std::function<void(uint8_t)> com1_output;  // every byte COM1 transmits (may be empty)
  std::function<void()> net_wake;  // a frame waits for a card: end the engine's run soon
};

class PcBoard : public devices::PciMapper, public mmu::MappingListener {
 public:
  PcBoard(const MachineConfig& cfg, Bus& bus, mmu::PhysMemory& mem, Clock& clock, BoardHooks hooks,
          uint32_t bios_bytes);
  ~PcBoard() override;

  devices::Pic& pic() { return *pic_; }
  // The processor's local APIC (its interrupt source) and the I/O APIC.
  devices::Lapic& lapic() { return *lapic_; }
  devices::Ioapic& ioapic() { return *ioapic_; }
  devices::Rtc& rtc() { return *rtc_; }
  devices::Uart* uart(unsigned n) { return n < uarts_.size() ? uarts_[n].get() : nullptr; }
  // The first COM port connected to stdio (-serial stdio), which takes the terminal's input.
  devices::Uart* stdio_uart() { return stdio_uart_; }
  devices::Ps2Keyboard& keyboard() { return *kbd_; }
  devices::Ps2Mouse& mouse() { return *mouse_; }
  devices::Vga& vga() { return *vga_; }
  devices::Piix4Pm& pm() { return *pm_; }
  // The processor's FERR# output (IRQ 13 until a write to port F0h).
  void fpu_error() { fpu_irq_->ferr(); }

  // What firmware would have configured before an OS starts, for direct kernel boot: the PM
  // I/O block at the address the ACPI tables give.
  void setup_for_direct_boot();
  // The MP floating pointer and configuration table in the direct boot's EBDA (after
  // direct_boot's install(), which lays out that area).
  void install_mp_table(uint32_t cpu_signature, uint32_t cpu_features);
  // Power-on state of every device (the chipset drops shadowing back to ROM).
  void reset();
  // The machine stops: the UARTs pass the bytes still in their transmitters to the backends.
  void flush_serial();
  // Every device's state in a fixed order, each part under a name unique on the board: the
  // state hash and snapshots walk this one list.
  struct StatePart {
    std::string name;
    std::function<void(devices::Serializer&)> io;
  };
  std::vector<StatePart> state_parts();
  void serialize(devices::Serializer& s);
  // The drives with a medium, named by slot ("ide0.1": channel 0, slave; "fd0": A:; "virtio0").
  struct DriveSlot {
    std::string name;
    devices::DiskImage* image;
  };
  std::vector<DriveSlot> drives() const;
  // The guest is idle for `ns` of virtual time: networks wait for their host sockets.
  void wait_for_host(uint64_t ns);
  // Each network card's door to its network, in card order (the replay log's card numbers).
  const std::vector<std::unique_ptr<NetPort>>& net_ports() const { return net_ports_; }

  // PciMapper
  bool map_io(uint16_t base, uint32_t size, devices::PortDevice* dev, const std::string& name) override;
  void unmap_io(uint16_t base, uint32_t size, devices::PortDevice* dev) override;
  bool map_mmio(uint32_t base, uint32_t size, mmu::MmioHandler* h, const std::string& name) override;
  void unmap_mmio(uint32_t base, uint32_t size, mmu::MmioHandler* h) override;
  // MappingListener
  void mapping_changed(uint32_t phys, uint32_t len) override { hooks_.mapping_changed(phys, len); }

 private:
  void set_a20_source(unsigned source, bool on);
  std::vector<devices::PciDevice*> cards() const;  // the NICs and virtio-blk drives
  void fill_cmos(const MachineConfig& cfg);
  void add_vga(Clock& clock, bool wired);
  void add_acpi_tables();
  void attach_drives(const MachineConfig& cfg);
  void add_floppy(const MachineConfig& cfg, Clock& clock);
  void add_network(const MachineConfig& cfg, Clock& clock);
  void add_virtio_drives(const MachineConfig& cfg, Clock& clock);

  Bus& bus_;
  mmu::PhysMemory& mem_;
  BoardHooks hooks_;
  uint8_t a20_sources_ = 0;  // bit 0: 8042 output port, bit 1: port 92h (ORed, as chipsets do)

  std::unique_ptr<devices::Pic> pic_;
  std::unique_ptr<devices::Lapic> lapic_;
  std::unique_ptr<devices::Ioapic> ioapic_;
  std::unique_ptr<devices::IsaIrqs> isa_irqs_;  // every ISA IRQ to the 8259s and the I/O APIC
  std::unique_ptr<devices::Pit> pit_;
  std::unique_ptr<devices::Port61> port61_;
  std::unique_ptr<devices::Rtc> rtc_;
  std::unique_ptr<devices::Ps2Keyboard> kbd_;
  std::unique_ptr<devices::Ps2Mouse> mouse_;
  std::unique_ptr<devices::I8042> kbc_;
  std::unique_ptr<devices::Port92> port92_;
  std::unique_ptr<devices::FpuIrq> fpu_irq_;
  std::vector<std::unique_ptr<devices::Uart>> uarts_;
  std::vector<std::unique_ptr<devices::SerialBackend>> serial_backends_;
  devices::Uart* stdio_uart_ = nullptr;
  std::unique_ptr<devices::PciHost> pci_;
  std::unique_ptr<devices::I440fx> i440fx_;
  std::unique_ptr<devices::Piix3Isa> piix3_;
  std::unique_ptr<devices::Piix3Ide> ide_;
  std::unique_ptr<devices::IdeController> idectl_;
  std::unique_ptr<devices::Piix4Pm> pm_;
  std::unique_ptr<devices::FwCfg> fw_cfg_;
  std::unique_ptr<devices::Vga> vga_;
  std::unique_ptr<devices::Dma8237> dma_;
  std::unique_ptr<devices::Floppy> fdc_;
  std::vector<std::unique_ptr<SlirpNet>> netdevs_;
  std::vector<std::unique_ptr<devices::PciDevice>> nics_;
  std::vector<std::unique_ptr<NetPort>> net_ports_;  // one per card, in card order
  std::vector<std::unique_ptr<devices::VirtioBlk>> vblks_;  // after the cards, in index order
};

}  // namespace machine
