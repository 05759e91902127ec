// Direct boot of a Linux bzImage by the x86 boot protocol's 32-bit entry (kernel
// Documentation/arch/x86/boot.rst): the protected-mode kernel at 1 MB, a zero page
// (struct boot_params) holding the setup header, the e820 map, command line and initrd, then a
// jump to code32_start with ESI pointing at the zero page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "machine/direct_boot.h"

namespace machine {

namespace bzimage {
// Offsets in the file's first sectors, which are also the offsets in struct boot_params.
constexpr uint32_t kSetupSects = 0x1f1, kBootFlag = 0x1fe, kJump = 0x200, kHeader = 0x202;
constexpr uint32_t kVersion = 0x206, kTypeOfLoader = 0x210, kLoadflags = 0x211;
constexpr uint32_t kCode32Start = 0x214, kRamdiskImage = 0x218, kRamdiskSize = 0x21c;
constexpr uint32_t kCmdLinePtr = 0x228, kInitrdAddrMax = 0x22c, kKernelAlignment = 0x230;
constexpr uint32_t kRelocatable = 0x234, kCmdlineSize = 0x238, kPrefAddress = 0x258;
constexpr uint32_t kInitSize = 0x260;
// Only in boot_params.
constexpr uint32_t kScreenInfo = 0x000, kAcpiRsdpAddr = 0x070, kAltMemK = 0x1e0;
constexpr uint32_t kE820Entries = 0x1e8, kE820Table = 0x2d0, kE820Max = 128;
constexpr uint8_t kLoadedHigh = 0x01;
constexpr uint16_t kMinVersion = 0x0206;
}  // namespace bzimage

struct LinuxBootInput {
  std::vector<uint8_t> kernel;
  std::vector<uint8_t> initrd;  // empty: none
  std::string cmdline;
  uint64_t ram_bytes = 0;
  uint32_t bios_bytes = 0;
};

// True when the image carries the boot protocol's "HdrS" header.
bool is_bzimage(const std::vector<uint8_t>& image);

// The zero page, kernel and initrd placement. Throws std::runtime_error with a one-line reason
// (truncated image, protocol older than 2.06, not loadable high, does not fit in RAM).
DirectBoot load_linux(const LinuxBootInput& in);

}  // namespace machine
