#include "machine/linux_boot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "machine/le_bytes.h"

namespace machine {
namespace {

using namespace bzimage;

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error("-kernel: " + why); }

}  // namespace

bool is_bzimage(const std::vector<uint8_t>& image) {
  return image.size() >= kHeader + 4 && std::memcmp(&image[kHeader], "HdrS", 4) == 0;
}

DirectBoot load_linux(const LinuxBootInput& in) {
  const std::vector<uint8_t>& k = in.kernel;
  if (!is_bzimage(k)) fail("not a Linux bzImage (no \"HdrS\" setup header)");
  const uint16_t version = uint16_t(le_get(k, kVersion, 2));
  if (version < kMinVersion)
    fail(fmt::format("boot protocol {}.{:02} is older than the 2.06 this loader needs",
                     version >> 8, version & 0xff));
  // The header runs to 0202h plus the jump's displacement byte at 0201h.
  const size_t header_end = kHeader + k[kJump + 1];
  unsigned setup_sects = k[kSetupSects];
  if (setup_sects == 0) setup_sects = 4;
  const size_t setup_bytes = size_t(setup_sects + 1) * 512;
  if (k.size() <= setup_bytes || header_end > setup_bytes || header_end < kCmdlineSize + 4)
    fail(fmt::format("truncated bzImage ({} bytes, the setup code alone takes {})", k.size(),
                     setup_bytes));
  if (!(k[kLoadflags] & kLoadedHigh)) fail("kernel is not loadable at 1 MB (zImage)");

  const uint64_t ram = std::min<uint64_t>(in.ram_bytes, 0xffffffffull);
  const uint32_t pm_size = uint32_t(k.size() - setup_bytes);
  // init_size and pref_address exist from protocol 2.10 on.
  const bool has_init_size = version >= 0x020a && header_end >= kInitSize + 4;
  const uint32_t init_size = has_init_size ? uint32_t(le_get(k, kInitSize, 4)) : 0;
  // The decompressor runs from 1 MB or, for a relocatable kernel, from pref_address; either way
  // it needs init_size bytes there.
  uint64_t kernel_end = uint64_t(boot::kHighAddr) + std::max(pm_size, init_size);
  if (has_init_size && k[kRelocatable])
    kernel_end = std::max(kernel_end, le_get(k, kPrefAddress, 8) + init_size);
  if (kernel_end > ram)
    fail(fmt::format("kernel needs RAM up to {} MiB, the machine has {} MiB (-m)",
                     (kernel_end + 0xfffff) >> 20, in.ram_bytes >> 20));

  DirectBoot boot;
  std::vector<uint8_t> zp(4096, 0);
  std::copy(k.begin() + kSetupSects, k.begin() + header_end, zp.begin() + kSetupSects);
  zp[kTypeOfLoader] = 0xff;
  zp[kLoadflags] = uint8_t(k[kLoadflags] & ~0x80);  // no real-mode heap: we skip the setup code

  // Command line, NUL-terminated, at most cmdline_size bytes before the NUL.
  const uint32_t max_cmdline =
      std::min<uint32_t>(uint32_t(le_get(k, kCmdlineSize, 4)), boot::kCmdlineMax - 1);
  if (in.cmdline.size() > max_cmdline)
    fail(fmt::format("-append: command line of {} bytes exceeds the kernel's {}", in.cmdline.size(),
                     max_cmdline));
  std::vector<uint8_t> cmdline(in.cmdline.begin(), in.cmdline.end());
  cmdline.push_back(0);
  le_put(zp, kCmdLinePtr, boot::kCmdlineAddr, 4);

  if (!in.initrd.empty()) {
    // As high as allowed: below initrd_addr_max and the top of RAM, page-aligned, above the
    // kernel's working area.
    const uint64_t limit = std::min<uint64_t>(le_get(k, kInitrdAddrMax, 4) + 1ull, ram);
    const uint64_t size = in.initrd.size();
    if (size > limit || ((limit - size) & ~0xfffull) < kernel_end)
      fail(fmt::format("-initrd: {} bytes do not fit between the kernel and {:#x} (-m)", size,
                       limit));
    const uint32_t addr = uint32_t((limit - size) & ~0xfffull);
    le_put(zp, kRamdiskImage, addr, 4);
    le_put(zp, kRamdiskSize, size, 4);
    boot.blobs.push_back({addr, in.initrd});
  }

  const std::vector<E820Entry> map = direct_boot_e820(in.ram_bytes, in.bios_bytes);
  zp[kE820Entries] = uint8_t(map.size());
  for (size_t i = 0; i < map.size() && i < kE820Max; i++) {
    le_put(zp, kE820Table + 20 * i, map[i].addr, 8);
    le_put(zp, kE820Table + 20 * i + 8, map[i].len, 8);
    le_put(zp, kE820Table + 20 * i + 16, map[i].type, 4);
  }
  // Extended memory in KB above 1 MB, the fallback when e820 is ignored.
  le_put(zp, kAltMemK, ram > boot::kHighAddr ? (ram - boot::kHighAddr) >> 10 : 0, 4);
  le_put(zp, kAcpiRsdpAddr, boot::kRsdpAddr, 8);
  // screen_info: 80x25 colour text (mode 3) on a VGA, cursor at the top.
  zp[kScreenInfo + 0x06] = 3;             // orig_video_mode
  zp[kScreenInfo + 0x07] = 80;            // orig_video_cols
  zp[kScreenInfo + 0x0e] = 25;            // orig_video_lines
  zp[kScreenInfo + 0x0f] = 1;             // orig_video_isVGA
  le_put(zp, kScreenInfo + 0x10, 16, 2);  // orig_video_points

  boot.blobs.push_back({boot::kHighAddr, std::vector<uint8_t>(k.begin() + setup_bytes, k.end())});
  boot.blobs.push_back({boot::kCmdlineAddr, std::move(cmdline)});
  boot.blobs.push_back({boot::kBootParamsAddr, std::move(zp)});
  boot.entry = uint32_t(le_get(k, kCode32Start, 4));
  boot.esi = boot::kBootParamsAddr;
  return boot;
}

}  // namespace machine
