// Direct boot of a Multiboot (version 0.6.96) kernel, as QEMU's -kernel does: the header in the
// first 8 KB, the image placed by its ELF program headers or by the header's address fields,
// modules from -initrd ("file args,file args"), and an info structure with the memory sizes,
// the memory map, the command line and the modules. EAX = 2BADB002h, EBX = info.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "machine/direct_boot.h"

namespace machine {

namespace multiboot {
constexpr uint32_t kHeaderMagic = 0x1badb002, kBootMagic = 0x2badb002;
constexpr uint32_t kSearchBytes = 8192;
// Header flags.
constexpr uint32_t kPageAlignModules = 1u << 0, kMemInfo = 1u << 1, kVideoMode = 1u << 2;
constexpr uint32_t kAoutKludge = 1u << 16;
// Info flags.
constexpr uint32_t kInfoMem = 1u << 0, kInfoCmdline = 1u << 2, kInfoMods = 1u << 3;
constexpr uint32_t kInfoMmap = 1u << 6, kInfoLoaderName = 1u << 9;
}  // namespace multiboot

struct MultibootModule {
  std::string cmdline;  // the whole "file args" string, as the module's string
  std::vector<uint8_t> data;
};

struct MultibootInput {
  std::vector<uint8_t> kernel;
  std::string cmdline;  // the kernel's command line (QEMU: path, a space, -append)
  std::vector<MultibootModule> modules;
  uint64_t ram_bytes = 0;
  uint32_t bios_bytes = 0;
};

// Offset of a valid Multiboot header in the first 8 KB, if any.
std::optional<uint32_t> find_multiboot_header(const std::vector<uint8_t>& image);

// Throws std::runtime_error with a one-line reason.
DirectBoot load_multiboot(const MultibootInput& in);

}  // namespace machine
