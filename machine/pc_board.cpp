#include "machine/pc_board.h"

#include "machine/acpi.h"
#include "machine/direct_boot.h"
#include "machine/mp_table.h"
#include "machine/read_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <sys/stat.h>
#include <unistd.h>

namespace machine {
namespace {

// PCI interrupts routed as SeaBIOS routes them: PIRQA-D to IRQ 10, 10, 11, 11.
constexpr uint8_t kPirqIrq[4] = {10, 10, 11, 11};

// COM1-COM4: base port and ISA IRQ.
constexpr struct {
  uint16_t base;
  unsigned irq;
} kComPorts[] = {{0x3f8, 4}, {0x2f8, 3}, {0x3e8, 4}, {0x2e8, 3}};

constexpr const char* kVgaBiosPath = "/usr/share/seabios/vgabios-stdvga.bin";
// An option ROM is copied into the PC's expansion ROM area, the 128 KiB from C0000h to DFFFFh.
constexpr uint64_t kMaxOptionRomBytes = 128u << 10;

class StdioSerial : public devices::SerialBackend {
 public:
  void transmit(uint8_t byte) override {
    std::fputc(byte, stdout);
    if (byte == '\n') std::fflush(stdout);
  }
};

// Passes COM1's output to its backend and to the machine (for --until-serial).
class TappedSerial : public devices::SerialBackend {
 public:
  TappedSerial(devices::SerialBackend* inner, std::function<void(uint8_t)> tap)
      : inner_(inner), tap_(std::move(tap)) {}
  void transmit(uint8_t byte) override {
    if (inner_) inner_->transmit(byte);
    tap_(byte);
  }

 private:
  devices::SerialBackend* inner_;
  std::function<void(uint8_t)> tap_;
};

class FileSerial : public devices::SerialBackend {
 public:
  explicit FileSerial(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw std::runtime_error(fmt::format("-serial file:{}: {}", path, std::strerror(errno)));
  }
  ~FileSerial() override { std::fclose(f_); }
  void transmit(uint8_t byte) override {
    std::fputc(byte, f_);
    if (byte == '\n') std::fflush(f_);
  }

 private:
  std::FILE* f_;
};

}  // namespace

PcBoard::PcBoard(const MachineConfig& cfg, Bus& bus, mmu::PhysMemory& mem, Clock& clock, BoardHooks hooks,
                 uint32_t bios_bytes)
    : bus_(bus), mem_(mem), hooks_(std::move(hooks)) {
  // Interrupt controllers first: the timers drive their lines from their constructors.
  pic_ = std::make_unique<devices::Pic>();
  bus.register_ports(0x20, 2, pic_.get(), "pic1");
  bus.register_ports(0xa0, 2, pic_.get(), "pic2");
  bus.register_ports(0x4d0, 2, pic_.get(), "elcr");
  lapic_ = std::make_unique<devices::Lapic>(clock, *pic_);
  lapic_->set_mapper([this](uint32_t base, bool on) {
    if (on)
      map_mmio(base, devices::Lapic::kPageSize, lapic_.get(), "lapic");
    else
      unmap_mmio(base, devices::Lapic::kPageSize, lapic_.get());
  });
  ioapic_ = std::make_unique<devices::Ioapic>(*lapic_);
  mem.add_mmio(devices::Ioapic::kBase, devices::Ioapic::kSize, ioapic_.get(), "ioapic");
  lapic_->set_eoi_listener([this](uint8_t vector) { ioapic_->eoi(vector); });
  isa_irqs_ = std::make_unique<devices::IsaIrqs>(*pic_, *ioapic_);
  devices::IrqSink& isa = *isa_irqs_;

  pit_ = std::make_unique<devices::Pit>(clock, isa);
  bus.register_ports(0x40, 4, pit_.get(), "pit");
  port61_ = std::make_unique<devices::Port61>(*pit_, clock);
  bus.register_ports(0x61, 1, port61_.get(), "port61");

  rtc_ = std::make_unique<devices::Rtc>(clock, isa, cfg.rtc_epoch.value_or(devices::Rtc::kDefaultEpoch));
  bus.register_ports(0x70, 2, rtc_.get(), "rtc");
  add_floppy(cfg, clock);
  fill_cmos(cfg);

  kbd_ = std::make_unique<devices::Ps2Keyboard>(clock);
  mouse_ = std::make_unique<devices::Ps2Mouse>();
  auto request_reset = [this] { hooks_.reset(); };
  kbc_ = std::make_unique<devices::I8042>(*kbd_, *mouse_, isa, [this](bool on) { set_a20_source(0, on); },
                                          request_reset);
  bus.register_ports(0x60, 1, kbc_.get(), "i8042");
  bus.register_ports(0x64, 1, kbc_.get(), "i8042");
  port92_ = std::make_unique<devices::Port92>([this](bool on) { set_a20_source(1, on); }, request_reset);
  bus.register_ports(0x92, 1, port92_.get(), "port92");
  fpu_irq_ = std::make_unique<devices::FpuIrq>(isa);
  bus.register_ports(devices::FpuIrq::kPort, 2, fpu_irq_.get(), "fpu-irq");
  a20_sources_ = 1;  // the 8042 output port powers up with A20 enabled

  // COM ports in -serial order. COM1 also exists without -serial when the machine watches its
  // output (--until-serial); it then has no host backend.
  std::vector<SerialConfig> serial = cfg.serial;
  if (serial.empty() && hooks_.com1_output) serial.push_back(SerialConfig{});
  for (size_t i = 0; i < serial.size() && i < std::size(kComPorts); i++) {
    const SerialConfig& sc = serial[i];
    const bool tapped = i == 0 && hooks_.com1_output;
    if (sc.kind == SerialConfig::Kind::None && !tapped) continue;
    const auto timing =
        cfg.serial_timing == SerialTiming::Baud ? devices::Uart::Timing::Baud : devices::Uart::Timing::Fast;
    auto uart = std::make_unique<devices::Uart>(clock, isa, kComPorts[i].base, kComPorts[i].irq, timing);
    bus.register_ports(kComPorts[i].base, 8, uart.get(), fmt::format("com{}", i + 1));
    devices::SerialBackend* backend = nullptr;
    if (sc.kind == SerialConfig::Kind::Stdio) {
      serial_backends_.push_back(std::make_unique<StdioSerial>());
      if (!stdio_uart_) stdio_uart_ = uart.get();
    }
    else if (sc.kind == SerialConfig::Kind::File)
      serial_backends_.push_back(std::make_unique<FileSerial>(sc.path));
    if (sc.kind != SerialConfig::Kind::None) backend = serial_backends_.back().get();
    if (tapped) {
      serial_backends_.push_back(std::make_unique<TappedSerial>(backend, hooks_.com1_output));
      backend = serial_backends_.back().get();
    }
    uart->set_backend(backend);
    uarts_.push_back(std::move(uart));
  }

  // PCI: host bridge 00.0, PIIX3 ISA 01.0 and IDE 01.1, PIIX4-style PM 01.3.
  pci_ = std::make_unique<devices::PciHost>();
  bus.register_ports(devices::PciHost::kAddressPort, 8, pci_.get(), "pci", Bus::Timing::Fast);
  pci_->set_mapper(this);
  mem.set_mapping_listener(this);
  i440fx_ = std::make_unique<devices::I440fx>(mem);
  piix3_ = std::make_unique<devices::Piix3Isa>(isa, [this](bool) { hooks_.reset(); });
  idectl_ = std::make_unique<devices::IdeController>(clock, isa, mem);
  ide_ = std::make_unique<devices::Piix3Ide>(&idectl_->bmdma_ports());
  idectl_->set_bus_master_gate([this] { return ide_->bus_master_enabled(); });
  attach_drives(cfg);
  pm_ = std::make_unique<devices::Piix4Pm>(clock, *piix3_, [this] { hooks_.power_off(); });
  bus.register_ports(devices::Piix4Pm::kApmControlPort, 2, pm_.get(), "apm", Bus::Timing::Fast);
  pci_->attach(0, 0, i440fx_.get());
  pci_->attach(1, 0, piix3_.get());
  pci_->attach(1, 1, ide_.get());
  pci_->attach(1, 3, pm_.get());
  pci_->set_irq_router(piix3_.get());
  pci_->set_legacy_ports(piix3_.get());

  fw_cfg_ = std::make_unique<devices::FwCfg>(mem);
  bus.register_ports(0x510, 2, fw_cfg_.get(), "fw_cfg", Bus::Timing::Fast);
  bus.register_ports(0x514, 8, fw_cfg_.get(), "fw_cfg-dma", Bus::Timing::Fast);
  devices::FwCfgPc pc;
  pc.ram_bytes = cfg.ram_bytes;
  pc.bios_bytes = bios_bytes;
  pc.nographic = cfg.display == DisplayKind::None;
  pc.irq0_override = false;  // no I/O APIC: the timer stays on the 8259's IRQ 0
  devices::add_pc_items(*fw_cfg_, pc);
  add_acpi_tables();
  add_vga(clock, cfg.vga);
  add_network(cfg, clock);
  add_virtio_drives(cfg, clock);
}

namespace {

// A card of the model named, with its door to the network (which has none when `network` is
// null: an unplugged cable or a replayed run).
template <class Card>
std::unique_ptr<devices::PciDevice> make_card(mmu::PhysMemory& mem, const NicConfig& n, std::unique_ptr<NetPort>& port,
                                              std::function<void()> wake, SlirpNet* network) {
  auto card = std::make_unique<Card>(mem, n.mac);
  port = std::make_unique<NetPort>(*card, std::move(wake));
  port->set_network(network);
  if (network) network->set_frontend(port.get());
  card->set_backend(port.get());
  return card;
}

}  // namespace

// Networks, and their cards in PCI slots 3 and up (QEMU's pc puts the first NIC at 00:03.0). A
// replayed run starts no network: its frames come from the log (machine/net/README.md).
void PcBoard::add_network(const MachineConfig& cfg, Clock& clock) {
  constexpr unsigned kFirstNicSlot = 3;
  const std::function<void()> wake = [this] {
    if (hooks_.net_wake) hooks_.net_wake();
  };
  for (const NicConfig& n : cfg.nics) {
    SlirpNet* network = nullptr;
    for (const NetdevConfig& d : cfg.netdevs) {
      if (d.id != n.netdev || !cfg.replay.empty()) continue;
      netdevs_.push_back(std::make_unique<SlirpNet>(d, clock));
      network = netdevs_.back().get();
    }
    std::unique_ptr<devices::PciDevice> card;
    std::unique_ptr<NetPort> port;
    if (n.model == "e1000")
      card = make_card<devices::E1000>(mem_, n, port, wake, network);
    else if (n.model == "virtio-net-pci")
      card = make_card<devices::VirtioNet>(mem_, n, port, wake, network);
    else
      throw std::runtime_error(fmt::format("-device {}: no such network card", n.model));
    pci_->attach(kFirstNicSlot + unsigned(nics_.size()), 0, card.get());
    nics_.push_back(std::move(card));
    net_ports_.push_back(std::move(port));
  }
}

void PcBoard::wait_for_host(uint64_t ns) {
  for (auto& n : netdevs_) n->wait_host(ns);
}

// The ACPI tables the QEMU way: SeaBIOS runs "etc/table-loader" to place and link them (and,
// seeing it, programs the PM block at 600h as the FADT says).
void PcBoard::add_acpi_tables() {
  const acpi::Tables t = acpi::build(acpi::Config{});
  fw_cfg_->add_file(acpi::kTablesFile, t.tables);
  fw_cfg_->add_file(acpi::kRsdpFile, t.rsdp);
  fw_cfg_->add_file(acpi::kLoaderFile, acpi::table_loader(t));
}

void PcBoard::setup_for_direct_boot() {
  const acpi::Config acpi;
  pm_->config_write(devices::pci::kIntLine, 1, acpi.sci_irq);
  pm_->config_write(devices::Piix4Pm::kPmba, 4, acpi.pm_base | 1u);
  pm_->config_write(devices::Piix4Pm::kPmRegMisc, 1, 1);  // PMIOSE: decode the PM block
  // PCI interrupts routed as SeaBIOS routes them (PIRQA-D to IRQ 10, 10, 11, 11, level-triggered
  // in the ELCR), with each function's interrupt line register saying where its pin went, so
  // that a kernel without firmware tables (pci=noacpi) finds its cards' IRQs.
  for (unsigned i = 0; i < 4; i++) piix3_->config_write(devices::Piix3Isa::kPirqRoute + i, 1, kPirqIrq[i]);
  // Both IDE channels decoded at their legacy ports (IDETIM bit 15), as SeaBIOS leaves them:
  // Linux's ata_piix probes only the channels enabled there.
  ide_->config_write(devices::Piix3Ide::kIdetimPrimary, 2, 0x8000);
  ide_->config_write(devices::Piix3Ide::kIdetimSecondary, 2, 0x8000);
  pic_->port_write(0x4d1, 1, pic_->port_read(0x4d1, 1) | (1u << (10 - 8)) | (1u << (11 - 8)));
  for (devices::PciDevice* card : cards()) {
    const unsigned pin = card->cfg8(devices::pci::kIntPin);
    card->config_write(devices::pci::kIntLine, 1, kPirqIrq[devices::PciHost::pirq_of(card->slot(), pin)]);
  }
}

std::vector<devices::PciDevice*> PcBoard::cards() const {
  std::vector<devices::PciDevice*> out;
  for (auto& n : nics_) out.push_back(n.get());
  for (auto& v : vblks_) out.push_back(v.get());
  return out;
}

void PcBoard::install_mp_table(uint32_t cpu_signature, uint32_t cpu_features) {
  mp::Config mc;
  mc.cpu_signature = cpu_signature;
  mc.cpu_features = cpu_features;
  mc.lapic_version = uint8_t(devices::Lapic::kVersion);
  mc.ioapic_version = uint8_t(devices::Ioapic::kVersion);
  for (devices::PciDevice* card : cards()) {
    const unsigned pin = card->cfg8(devices::pci::kIntPin);
    if (pin >= 1 && pin <= 4)
      mc.pci_irqs.push_back({uint8_t(card->slot()), uint8_t(pin), kPirqIrq[devices::PciHost::pirq_of(card->slot(), pin)]});
  }
  const std::vector<uint8_t> table = mp::config_table(mc);
  const std::vector<uint8_t> fp = mp::floating_pointer(boot::kMpTableAddr);
  if (table.size() > boot::kMpTableMax) throw std::runtime_error("the MP table does not fit in its space");
  mem_.write_block(boot::kMpTableAddr, table.data(), table.size());
  mem_.write_block(boot::kMpFloatAddr, fp.data(), fp.size());
}

void PcBoard::add_vga(Clock& clock, bool wired) {
  // Standard VGA at 00:02.0. With no expansion-ROM BAR, SeaBIOS takes a PCI device's option ROM
  // from the fw_cfg file "pci<vendor>,<device>.rom" and runs it with the device's address, which
  // the VGA BIOS needs to find its framebuffer BAR. No file, no VGA BIOS.
  vga_ = std::make_unique<devices::Vga>(clock);
  if (!wired) return;  // -vga none: the screen stays blank, nothing answers at its addresses
  bus_.register_ports(devices::vga::kPortBase, devices::vga::kPortCount, vga_.get(), "vga", Bus::Timing::Fast);
  bus_.register_ports(devices::vga::kVbeIndexPort, 2, vga_.get(), "vga-vbe", Bus::Timing::Fast);
  mem_.add_mmio(devices::vga::kLegacyBase, devices::vga::kLegacySize, vga_->legacy_window(), "vga");
  pci_->attach(2, 0, vga_.get());
  if (::access(kVgaBiosPath, F_OK) == 0) {
    std::vector<uint8_t> rom = read_whole_file(kVgaBiosPath, "VGA BIOS", kMaxOptionRomBytes, "the option ROM area");
    if (!rom.empty()) fw_cfg_->add_file("pci1234,1111.rom", std::move(rom));
  }
}

PcBoard::~PcBoard() {
  pci_->set_mapper(nullptr);
  mem_.set_mapping_listener(nullptr);
}

void PcBoard::fill_cmos(const MachineConfig& cfg) {
  rtc_->set_memory_size(cfg.ram_bytes);
  using Boot = devices::Rtc::Boot;
  Boot order[3] = {Boot::None, Boot::None, Boot::None};
  for (size_t i = 0; i < cfg.boot_order.size() && i < 3; i++) {
    switch (cfg.boot_order[i]) {
      case 'a': order[i] = Boot::Floppy; break;
      case 'c': order[i] = Boot::HardDisk; break;
      case 'd': order[i] = Boot::CdRom; break;
      case 'n': order[i] = Boot::Network; break;
    }
  }
  rtc_->set_boot_order(order[0], order[1], order[2]);
  rtc_->set_floppy_types(devices::Rtc::Floppy(fdc_->cmos_type(0)), devices::Rtc::Floppy(fdc_->cmos_type(1)));
}

namespace {

devices::DiskImage::Format image_format(const DriveConfig& d) {
  using F = devices::DiskImage::Format;
  switch (d.format) {
    case DriveConfig::Format::Raw: return F::Raw;
    case DriveConfig::Format::Qcow2: return F::Qcow2;
    case DriveConfig::Format::Auto: break;
  }
  return F::Auto;
}

// readonly=on and CDs open read-only; snapshot=on|off overrides -snapshot for the drive.
devices::DiskImage::Mode drive_mode(const DriveConfig& d, bool snapshot) {
  using Mode = devices::DiskImage::Mode;
  if (d.readonly || d.cdrom) return Mode::ReadOnly;
  return d.snapshot.value_or(snapshot) ? Mode::Snapshot : Mode::ReadWrite;
}

std::unique_ptr<devices::DiskImage> open_drive(const DriveConfig& d, bool snapshot) {
  if (d.index < 0) throw std::runtime_error(fmt::format("{}: '{}' was given no slot", d.option, d.file));
  return devices::DiskImage::open(d.file, drive_mode(d, snapshot), d.option, image_format(d));
}

}  // namespace

// 8237 DMA pair and the floppy controller with -fda in drive A: and floppy drives from -fdb or
// -drive if=floppy. An -fda image whose file is not writable (permission bits or a read-only
// mount) is attached write-protected.
void PcBoard::add_floppy(const MachineConfig& cfg, Clock& clock) {
  dma_ = std::make_unique<devices::Dma8237>(mem_);
  bus_.register_ports(0x00, 16, dma_.get(), "dma1");
  bus_.register_ports(0x80, 16, dma_.get(), "dma-page");
  bus_.register_ports(0xc0, 32, dma_.get(), "dma2");
  fdc_ = std::make_unique<devices::Floppy>(clock, *isa_irqs_, *dma_);
  bus_.register_ports(0x3f0, 6, fdc_.get(), "fdc");
  bus_.register_ports(0x3f7, 1, fdc_.get(), "fdc-dir");
  for (const DriveConfig& d : cfg.drives)
    if (d.iface == DriveConfig::Interface::Floppy && !d.file.empty())
      fdc_->attach(unsigned(d.index), open_drive(d, cfg.snapshot), d.option);
  if (cfg.fda.empty()) return;
  using Mode = devices::DiskImage::Mode;
  Mode mode = Mode::Snapshot;
  if (!cfg.snapshot) {
    struct stat st;
    const bool writable = ::stat(cfg.fda.c_str(), &st) == 0 && (st.st_mode & 0222) && ::access(cfg.fda.c_str(), W_OK) == 0;
    mode = writable ? Mode::ReadWrite : Mode::ReadOnly;
  }
  fdc_->attach(0, devices::DiskImage::open(cfg.fda, mode, "-fda"), "-fda");
}

namespace {

// A raw image holds whole sectors; anything else was cut short (an interrupted copy or
// download), and its last sector would read back as invented zeros.
std::unique_ptr<devices::DiskImage> open_sectors(const std::string& path, devices::DiskImage::Mode mode,
                                                 const std::string& what, unsigned sector,
                                                 devices::DiskImage::Format format = devices::DiskImage::Format::Auto) {
  auto img = devices::DiskImage::open(path, mode, what, format);
  if (img->size() == 0 || img->size() % sector != 0)
    throw std::runtime_error(fmt::format("{}: '{}' is {} bytes, not a whole number of {}-byte sectors (truncated?)",
                                         what, path, img->size(), sector));
  return img;
}

}  // namespace

// virtio-blk drives (-drive if=virtio, -device virtio-blk-pci) in index order, in the PCI slots
// after the network cards. A file that is not whole sectors loses its tail, as in QEMU.
void PcBoard::add_virtio_drives(const MachineConfig& cfg, Clock& clock) {
  std::vector<const DriveConfig*> drives;
  for (const DriveConfig& d : cfg.drives)
    if (d.iface == DriveConfig::Interface::Virtio) drives.push_back(&d);
  std::stable_sort(drives.begin(), drives.end(), [](auto* a, auto* b) { return a->index < b->index; });
  constexpr unsigned kFirstSlot = 3, kSlots = 32;
  for (const DriveConfig* d : drives) {
    const unsigned slot = kFirstSlot + unsigned(nics_.size() + vblks_.size());
    if (slot >= kSlots) throw std::runtime_error(fmt::format("{}: no free PCI slot for '{}'", d->option, d->file));
    vblks_.push_back(std::make_unique<devices::VirtioBlk>(mem_, clock, open_drive(*d, cfg.snapshot), d->serial));
    pci_->attach(slot, 0, vblks_.back().get());
  }
}

// IDE: -hda/-hdb on the primary channel, -cdrom as secondary master, -hdc/-hdd and -drive in
// the slots their index names; CMOS gets the primary disks' geometry and SeaBIOS's translation
// hint (fill_cmos sets the boot order).
void PcBoard::attach_drives(const MachineConfig& cfg) {
  using devices::DiskImage;
  using devices::IdeController;
  const DiskImage::Mode mode = cfg.snapshot ? DiskImage::Mode::Snapshot : DiskImage::Mode::ReadWrite;
  if (!cfg.hda.empty()) idectl_->attach_disk(0, 0, open_sectors(cfg.hda, mode, "-hda", IdeController::kSector));
  if (!cfg.hdb.empty()) idectl_->attach_disk(0, 1, open_sectors(cfg.hdb, mode, "-hdb", IdeController::kSector));
  if (!cfg.cdrom.empty())
    idectl_->attach_cdrom(1, 0, open_sectors(cfg.cdrom, DiskImage::Mode::ReadOnly, "-cdrom", devices::atapi::kBlock));
  for (const DriveConfig& d : cfg.drives) {
    if (d.iface != DriveConfig::Interface::Ide) continue;
    if (d.index < 0) throw std::runtime_error(fmt::format("{}: '{}' was given no slot", d.option, d.file));
    const unsigned ch = unsigned(d.index) / 2, unit = unsigned(d.index) % 2;
    if (idectl_->kind(ch, unit) != IdeController::Kind::None)
      throw std::runtime_error(fmt::format("{}: IDE index {} is already in use", d.option, d.index));
    const unsigned sector = d.cdrom ? devices::atapi::kBlock : IdeController::kSector;
    auto img = d.file.empty() ? nullptr
                              : open_sectors(d.file, drive_mode(d, cfg.snapshot), d.option, sector, image_format(d));
    if (d.cdrom)
      idectl_->attach_cdrom(ch, unit, std::move(img));
    else
      idectl_->attach_disk(ch, unit, std::move(img));
  }
  for (unsigned ch = 0; ch < 2; ch++) {
    bus_.register_ports(IdeController::kCmdBase[ch], 8, idectl_.get(), fmt::format("ide{}", ch), Bus::Timing::Fast);
    bus_.register_ports(IdeController::kCtlPort[ch], 1, idectl_.get(), fmt::format("ide{}-ctl", ch), Bus::Timing::Fast);
  }
  uint8_t translation = 0;  // CMOS 39h: 2 bits per drive, 0 none, 1 LBA
  for (unsigned unit = 0; unit < 2; unit++) {
    if (idectl_->kind(0, unit) != IdeController::Kind::Disk) continue;
    const IdeController::Chs g = idectl_->geometry(0, unit);
    rtc_->set_hard_disk(unit, g.cylinders, g.heads, g.sectors);
    if (g.cylinders > 1024) translation |= uint8_t(1u << (2 * unit));
  }
  rtc_->set_byte(0x39, translation);
}

void PcBoard::set_a20_source(unsigned source, bool on) {
  a20_sources_ = uint8_t(on ? a20_sources_ | (1u << source) : a20_sources_ & ~(1u << source));
  const bool enabled = a20_sources_ != 0;
  if (enabled != mem_.a20_enabled()) {
    mem_.set_a20(enabled);
    hooks_.mapping_changed(0, 0xffffffffu);
  }
}

void PcBoard::flush_serial() {
  for (auto& u : uarts_) u->flush_tx();
}

void PcBoard::reset() {
  pic_->reset();
  lapic_->reset();
  ioapic_->reset();
  pit_->reset();
  port61_->reset();
  rtc_->reset();
  kbd_->reset();
  mouse_->reset();
  kbc_->reset();
  port92_->reset();
  fpu_irq_->reset();
  for (auto& u : uarts_) u->reset();
  pci_->reset();
  i440fx_->reset();
  piix3_->reset();
  ide_->reset();
  idectl_->reset();
  pm_->reset();
  fw_cfg_->reset();
  vga_->reset();
  dma_->reset();
  fdc_->reset();
  for (auto& n : nics_) n->reset();
  for (auto& v : vblks_) v->reset();
  a20_sources_ = 1;
  mem_.set_a20(true);
}

std::vector<PcBoard::StatePart> PcBoard::state_parts() {
  std::vector<StatePart> parts;
  for (devices::Device* d : std::initializer_list<devices::Device*>{
           pic_.get(), lapic_.get(), ioapic_.get(), pit_.get(), port61_.get(), rtc_.get(), kbd_.get(), mouse_.get(), kbc_.get(),
           port92_.get(), pci_.get(), i440fx_.get(), piix3_.get(), ide_.get(), idectl_.get(), pm_.get(),
           fw_cfg_.get(), vga_.get()})
    parts.push_back({d->name(), [d](devices::Serializer& s) { d->serialize(s); }});
  for (size_t i = 0; i < uarts_.size(); i++) {
    devices::Uart* u = uarts_[i].get();
    parts.push_back({fmt::format("{}.{}", u->name(), i), [u](devices::Serializer& s) { u->serialize(s); }});
  }
  parts.push_back({"a20-sources", [this](devices::Serializer& s) {
                     s.io(a20_sources_);
                     if (s.loading()) a20_sources_ &= 3;
                   }});
  for (devices::Device* d : std::initializer_list<devices::Device*>{dma_.get(), fdc_.get(), fpu_irq_.get()})
    parts.push_back({d->name(), [d](devices::Serializer& s) { d->serialize(s); }});
  for (size_t i = 0; i < nics_.size(); i++) {
    devices::PciDevice* n = nics_[i].get();
    parts.push_back({fmt::format("{}.{}", n->name(), i), [n](devices::Serializer& s) { n->serialize(s); }});
  }
  for (size_t i = 0; i < vblks_.size(); i++) {
    devices::VirtioBlk* v = vblks_[i].get();
    parts.push_back({fmt::format("{}.{}", v->name(), i), [v](devices::Serializer& s) { v->serialize(s); }});
  }
  return parts;
}

void PcBoard::serialize(devices::Serializer& s) {
  for (const StatePart& p : state_parts()) p.io(s);
}

std::vector<PcBoard::DriveSlot> PcBoard::drives() const {
  std::vector<DriveSlot> out;
  for (unsigned ch = 0; ch < 2; ch++)
    for (unsigned unit = 0; unit < 2; unit++)
      if (devices::DiskImage* img = idectl_->image(ch, unit)) out.push_back({fmt::format("ide{}.{}", ch, unit), img});
  for (unsigned d = 0; d < devices::Floppy::kDrives; d++)
    if (devices::DiskImage* img = fdc_->image(d)) out.push_back({fmt::format("fd{}", d), img});
  for (size_t i = 0; i < vblks_.size(); i++) out.push_back({fmt::format("virtio{}", i), vblks_[i]->image()});
  return out;
}

bool PcBoard::map_io(uint16_t base, uint32_t size, devices::PortDevice* dev, const std::string& name) {
  return bus_.try_register_ports(base, size, dev, name);
}

void PcBoard::unmap_io(uint16_t base, uint32_t size, devices::PortDevice* dev) {
  bus_.unregister_ports(base, size, dev);
}

bool PcBoard::map_mmio(uint32_t base, uint32_t size, mmu::MmioHandler* h, const std::string& name) {
  return mem_.try_add_mmio(base, size, h, name);
}

void PcBoard::unmap_mmio(uint32_t base, uint32_t, mmu::MmioHandler* h) { mem_.remove_mmio(base, h); }

}  // namespace machine
