// QEMU's firmware configuration device (fw_cfg), x86 I/O flavour, as QEMU's docs/specs/fw_cfg.rst
// describes it: selector 510h (16-bit), data 511h (8-bit), and the DMA address register at
// 514h-51Bh (big-endian; writing the low half at 518h starts a transfer). Items are byte
// strings under 16-bit keys; "files" get keys from 20h upwards in name order and are listed
// in the file directory (key 19h). SeaBIOS learns the machine from it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "devices/device.h"
#include "mmu/phys_memory.h"

namespace devices {

namespace fwcfg {
// Well-known keys (QEMU's include/standard-headers/linux/qemu_fw_cfg.h).
constexpr uint16_t kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNoGraphic = 0x04;
constexpr uint16_t kNbCpus = 0x05, kKernelAddr = 0x07, kKernelSize = 0x08, kKernelCmdline = 0x09;
constexpr uint16_t kInitrdAddr = 0x0a, kInitrdSize = 0x0b, kBootDevice = 0x0c, kNuma = 0x0d;
constexpr uint16_t kBootMenu = 0x0e, kMaxCpus = 0x0f, kKernelEntry = 0x10, kKernelData = 0x11;
constexpr uint16_t kInitrdData = 0x12, kCmdlineAddr = 0x13, kCmdlineSize = 0x14, kCmdlineData = 0x15;
constexpr uint16_t kSetupAddr = 0x16, kSetupSize = 0x17, kSetupData = 0x18, kFileDir = 0x19;
constexpr uint16_t kFileFirst = 0x20;
constexpr uint16_t kWriteChannel = 0x4000, kArchLocal = 0x8000;
// x86 arch-local keys.
constexpr uint16_t kAcpiTables = kArchLocal + 0, kSmbiosEntries = kArchLocal + 1;
constexpr uint16_t kIrq0Override = kArchLocal + 2, kE820Table = kArchLocal + 3;
// ID feature bits and DMA control bits.
constexpr uint32_t kIdTraditional = 1, kIdDma = 2;
constexpr uint32_t kDmaError = 0x01, kDmaRead = 0x02, kDmaSkip = 0x04, kDmaSelect = 0x08, kDmaWrite = 0x10;
constexpr size_t kMaxFileName = 56;  // including the NUL
}  // namespace fwcfg

class FwCfg : public Device, public PortDevice {
 public:
  static constexpr uint16_t kSelectorPort = 0x510, kDataPort = 0x511, kDmaPort = 0x514;
  static constexpr unsigned kDmaPorts = 8;

  // Items are added by the integrator before the guest runs; DMA goes through `mem`'s
  // bounds-checked RAM access. Signature and ID (with the DMA bit) are present from the start.
  explicit FwCfg(mmu::PhysMemory& mem);

  // A fixed-key item (keys below 20h or arch-local). Replaces an existing one. Throws
  // std::invalid_argument for a key in the file range.
  void add_bytes(uint16_t key, std::vector<uint8_t> data);
  // A named file. Keys are reassigned in name order after every addition, so look them up
  // with file_key() once all files are in. Throws std::invalid_argument for an empty, too long
  // or duplicate name. `writable` items accept DMA writes (within their size).
  void add_file(const std::string& name, std::vector<uint8_t> data, bool writable = false);
  std::optional<uint16_t> file_key(const std::string& name) const;
  // The item under `key` (either key form), or nullptr.
  const std::vector<uint8_t>* item(uint16_t key) const;

  const char* name() const override { return "fw_cfg"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  struct Item {
    std::vector<uint8_t> data;
    bool writable = false;
  };
  Item* find(uint16_t key);
  const Item* find(uint16_t key) const;
  void rebuild_directory();
  void select(uint16_t key);
  uint8_t read_data_byte();
  void dma(uint64_t addr);
  bool dma_read(uint64_t addr, uint32_t len);
  bool dma_write(uint64_t addr, uint32_t len);
  bool in_ram(uint64_t addr, uint64_t len) const { return addr <= mem_.ram_size() && len <= mem_.ram_size() - addr; }

  mmu::PhysMemory& mem_;
  std::map<uint16_t, Item> fixed_;
  std::map<std::string, Item> files_;  // name order = key order
  std::vector<Item*> file_keys_;       // index = key - 20h
  struct State {
    uint16_t selector = 0;
    uint32_t offset = 0;
    uint32_t dma_high = 0;  // latched upper half of the DMA address
  } s_;
};

// What the standard PC items describe.
struct FwCfgPc {
  uint64_t ram_bytes = 0;     // below 4 GB
  uint32_t bios_bytes = 0;    // firmware image mapped below 4 GB
  uint16_t max_cpus = 1;
  bool boot_menu = false;
  bool nographic = false;
  bool irq0_override = true;  // the timer reaches IOAPIC pin 2 (as on QEMU's PC)
  int32_t boot_fail_wait_ms = -1;  // -1: wait forever instead of rebooting
  std::string bootorder;      // "bootorder" file contents (device paths, one a line); empty: none
};

// The e820 map of "etc/e820": entries {le64 address, le64 length, le32 type}.
std::vector<uint8_t> build_e820(const FwCfgPc& pc);
// Signature/ID are built in; this adds RAM size, CPU counts, boot menu, UUID, NUMA (none),
// the x86 legacy keys, "etc/e820", "etc/boot-fail-wait" and "bootorder". The Linux kernel keys
// are left to the loader.
void add_pc_items(FwCfg& fw, const FwCfgPc& pc);

}  // namespace devices
