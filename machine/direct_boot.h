// What the direct kernel loaders (-kernel: Linux bzImage, Multiboot) share: the low-memory
// layout they use, the e820 map they report, the ACPI tables they place, and the machine state
// they leave behind in place of firmware (flat 32-bit protected mode, BIOS data area).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "mmu/phys_memory.h"

namespace machine {

namespace boot {
// Low memory used by the loaders (all below the EBDA, all RAM in the e820 map).
constexpr uint32_t kGdtAddr = 0x6000;         // GDT: null, null, 10h flat code, 18h flat data
constexpr uint32_t kBootParamsAddr = 0x7000;  // Linux zero page (4 KB)
constexpr uint32_t kInfoAddr = 0x9000;        // Multiboot info, memory map, module list, strings
constexpr uint32_t kInfoEnd = 0x20000;
constexpr uint32_t kCmdlineAddr = 0x20000;    // Linux command line
constexpr uint32_t kCmdlineMax = 0x10000;
// A 16 KB "extended BIOS data area" just below 640 KB holds the ACPI tables and the MP
// configuration table; the RSDP and the MP floating pointer are in its first KB, where an OS
// searches for both. Reserved in the e820 map, announced in the BDA.
constexpr uint32_t kEbdaAddr = 0x9c000, kEbdaSize = 0x4000;
constexpr uint32_t kRsdpAddr = kEbdaAddr, kMpFloatAddr = kEbdaAddr + 0x20, kMpTableAddr = kEbdaAddr + 0x40;
constexpr uint32_t kMpTableMax = 0x3c0, kAcpiTablesAddr = kEbdaAddr + 0x400;
constexpr uint32_t kBiosAreaAddr = 0xf0000;   // reserved, as a BIOS's own segment would be
constexpr uint32_t kHighAddr = 0x100000;
constexpr uint16_t kCodeSel = 0x10, kDataSel = 0x18;
}  // namespace boot

struct E820Entry {
  uint64_t addr, len;
  uint32_t type;  // 1 RAM, 2 reserved
  bool operator==(const E820Entry&) const = default;
};
constexpr uint32_t kE820Ram = 1, kE820Reserved = 2;

// The map a direct-booted kernel sees: the board's own map (what fw_cfg "etc/e820" gives the
// firmware) with the loader's EBDA and the F segment carved out as reserved.
std::vector<E820Entry> direct_boot_e820(uint64_t ram_bytes, uint32_t bios_bytes);

// A loaded kernel: memory contents and the register state at entry.
struct DirectBoot {
  struct Blob {
    uint32_t addr;
    std::vector<uint8_t> data;
  };
  std::vector<Blob> blobs;
  uint32_t entry = 0;
  uint32_t eax = 0, ebx = 0, esi = 0;
};

// Copies the blobs, the GDT, the ACPI tables and the BIOS data area into RAM and puts the CPU
// in flat 32-bit protected mode at the entry point, interrupts off, paging off.
void install(const DirectBoot& boot, mmu::PhysMemory& mem, cpu::Cpu& cpu);

struct MachineConfig;
// Reads -kernel (a Linux bzImage, else a Multiboot image), -initrd (for Linux the
// comma-separated files are concatenated, as cpio archives may be; for Multiboot each
// "file args" is a module) and -append. Throws std::runtime_error with a one-line reason.
DirectBoot prepare_direct_boot(const MachineConfig& cfg, uint32_t bios_bytes);

}  // namespace machine
