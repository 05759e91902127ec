// PCI: configuration mechanism #1 (ports CF8h/CFCh-CFFh), the host bus with 32 slots x 8
// functions, and the PciDevice base that every function builds on (PCI Local Bus spec 2.3,
// §3.2.2.3.2 and §6).
//
// A function owns 256 bytes of configuration space. Each byte has a guest write mask (read-only
// fields stay read-only) and a write-one-to-clear mask (status bits). Base address registers
// are declared with their size; the base decodes them from the command register and the BAR
// value and maps or unmaps them through the host's PciMapper, so devices never track
// addresses themselves. INTx levels are collected per PIRQ line and handed to a router (the
// PIIX3 ISA bridge), using the i440FX/PIIX swizzle.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "devices/device.h"
#include "mmu/phys_memory.h"

namespace devices {

// Configuration-space layout of a type 0 header.
namespace pci {
constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06;
constexpr unsigned kRevision = 0x08, kClassCode = 0x09, kCacheLine = 0x0c, kLatency = 0x0d;
constexpr unsigned kHeaderType = 0x0e, kBar0 = 0x10, kSubsysVendor = 0x2c, kSubsysId = 0x2e;
constexpr unsigned kIntLine = 0x3c, kIntPin = 0x3d;
constexpr unsigned kNumBars = 6;

constexpr uint16_t kCmdIo = 1u << 0, kCmdMemory = 1u << 1, kCmdMaster = 1u << 2;
constexpr uint16_t kCmdParity = 1u << 6, kCmdSerr = 1u << 8, kCmdIntxDisable = 1u << 10;
constexpr uint16_t kStsIntx = 1u << 3;  // interrupt status (PCI 2.3)
constexpr uint16_t kStsErrorBits = 0xf900;  // parity, SERR, aborts: write one to clear
}  // namespace pci

// Where the address decoders of PCI functions land: the integrator implements it on the port
// bus and the physical memory map. The guest can program a range that overlaps anything; map_*
// must then return false without throwing, and the window stays unmapped.
class PciMapper {
 public:
  virtual ~PciMapper() = default;
  virtual bool map_io(uint16_t base, uint32_t size, PortDevice* dev, const std::string& name) = 0;
  virtual void unmap_io(uint16_t base, uint32_t size, PortDevice* dev) = 0;
  virtual bool map_mmio(uint32_t base, uint32_t size, mmu::MmioHandler* h, const std::string& name) = 0;
  virtual void unmap_mmio(uint32_t base, uint32_t size, mmu::MmioHandler* h) = 0;
};

// Receives the levels of the four PCI interrupt lines PIRQA-D (0-3).
class PciIrqRouter {
 public:
  virtual ~PciIrqRouter() = default;
  virtual void set_pirq(unsigned pirq, bool level) = 0;
};

struct PciId {
  uint16_t vendor = 0, device = 0;
  uint32_t class_code = 0;  // class << 16 | subclass << 8 | programming interface
  uint8_t revision = 0;
  uint8_t header_type = 0;  // bit 7: multi-function device (set on function 0)
  uint8_t int_pin = 0;      // 0: none, 1-4: INTA#-INTD#
  uint16_t subsys_vendor = 0, subsys_id = 0;
};

class PciHost;

class PciDevice : public Device {
 public:
  explicit PciDevice(const PciId& id);
  ~PciDevice() override;

  // Configuration access of 1, 2 or 4 bytes at `off` (callers keep it within the 256 bytes).
  uint32_t config_read(unsigned off, unsigned size) const;
  void config_write(unsigned off, unsigned size, uint32_t value);

  // Restores the power-on configuration space; derived devices call it from their reset().
  void reset() override;
  // Saves/restores the configuration space and re-applies the mappings it implies; derived
  // devices call it first from their serialize().
  void serialize(Serializer& s) override;

  // The function's INTx# line as the device drives it. It reaches the PIRQ lines unless the
  // guest set Interrupt Disable in the command register.
  void set_intx(bool level);
  bool intx_output() const;

  uint8_t cfg8(unsigned off) const { return cfg_.bytes[off & 0xff]; }
  uint16_t cfg16(unsigned off) const { return uint16_t(config_read(off & 0xfe, 2)); }
  uint32_t cfg32(unsigned off) const { return config_read(off & 0xfc, 4); }
  uint16_t command() const { return cfg16(pci::kCommand); }
  unsigned slot() const { return devfn_ >> 3; }
  unsigned function() const { return devfn_ & 7; }

 protected:
  enum class Space : uint8_t { Io, Memory };

  // Setup, for constructors: a register's power-on value and which bits the guest may write.
  void init8(unsigned off, uint8_t value, uint8_t wmask = 0, uint8_t w1c = 0);
  void init16(unsigned off, uint16_t value, uint16_t wmask = 0, uint16_t w1c = 0);
  void init32(unsigned off, uint32_t value, uint32_t wmask = 0, uint32_t w1c = 0);
  // A BAR of `size` bytes (a power of two: I/O >= 4, memory >= 16) decoded into `io` or
  // `mmio`, which receive absolute port numbers / region-relative offsets.
  void declare_bar(unsigned bar, Space space, uint32_t size, PortDevice* io, mmu::MmioHandler* mmio,
                   std::string name);
  // A decoder that is not a BAR (e.g. the PIIX4 PM base at 40h); place it from update_windows().
  unsigned add_window(Space space, uint32_t size, PortDevice* io, mmu::MmioHandler* mmio, std::string name);
  void place_window(unsigned id, bool enabled, uint32_t base);
  // Where a window is mapped now, or -1.
  int64_t window_base(unsigned id) const;

  // After a guest write of [off, off + len) has been stored.
  virtual void config_written(unsigned /*off*/, unsigned /*len*/) {}
  // Lets a device veto or adjust the bits of one byte a guest write would store (locks).
  virtual uint8_t filter_write(unsigned /*off*/, uint8_t /*old*/, uint8_t proposed) { return proposed; }
  // Places the device's own windows; called whenever the configuration may have moved them.
  virtual void update_windows() {}
  // A window was mapped, moved or unmapped.
  virtual void window_changed(unsigned /*id*/) {}

  void refresh_mappings();

 private:
  friend class PciHost;
  struct Window {
    Space space;
    uint32_t size;
    PortDevice* io;
    mmu::MmioHandler* mmio;
    std::string name;
    bool mapped = false;
    uint32_t base = 0;
  };
  void unmap_all();
  void attached(PciHost* host, unsigned devfn);

  // Guest-visible state: the configuration space.
  struct Config {
    std::array<uint8_t, 256> bytes{};
  } cfg_;
  std::array<uint8_t, 256> defaults_{}, wmask_{}, w1c_{};
  std::array<int, pci::kNumBars> bar_window_;
  std::vector<Window> windows_;
  PciHost* host_ = nullptr;
  unsigned devfn_ = 0;
};

// The host side of the PCI bus: configuration mechanism #1 on ports CF8h-CFFh (register all 8
// ports), function lookup, window mapping and INTx collection.
class PciHost : public Device, public PortDevice {
 public:
  static constexpr uint16_t kAddressPort = 0xcf8, kDataPort = 0xcfc;

  PciHost() = default;
  ~PciHost() override;
  PciHost(const PciHost&) = delete;
  PciHost& operator=(const PciHost&) = delete;

  // Wiring (integrator errors throw std::invalid_argument).
  void attach(unsigned slot, unsigned fn, PciDevice* dev);
  void set_mapper(PciMapper* m);
  PciMapper* mapper() const { return mapper_; }
  void set_irq_router(PciIrqRouter* r) { router_ = r; }
  // Byte accesses to CF8h-CFBh that are not the dword address register go to the ISA side
  // (the PIIX3 reset control register at CF9h).
  void set_legacy_ports(PortDevice* dev) { legacy_ = dev; }

  PciDevice* function(unsigned slot, unsigned fn) const { return slot < 32 && fn < 8 ? fns_[slot * 8 + fn] : nullptr; }

  // The PIRQ line a slot's INTx# pin (1-4) drives on the i440FX/PIIX board: slot 1 INTA# is
  // PIRQA, and each further slot rotates by one (matching the firmware's routing tables).
  static constexpr unsigned pirq_of(unsigned slot, unsigned pin) { return (slot + pin - 2) & 3; }
  uint8_t pirq_levels() const { return s_.pirq_level; }

  const char* name() const override { return "pci-host"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // From functions: an INTx# output changed.
  void intx_changed();

 private:
  friend class PciDevice;
  PciDevice* target() const;
  void detach(PciDevice* dev);

  struct State {
    uint32_t address = 0;   // CF8h
    uint8_t pirq_level = 0;  // last levels handed to the router
  } s_;
  std::array<PciDevice*, 256> fns_{};
  std::vector<PciDevice*> attached_;
  PciMapper* mapper_ = nullptr;
  PciIrqRouter* router_ = nullptr;
  PortDevice* legacy_ = nullptr;
};

}  // namespace devices
