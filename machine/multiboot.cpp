#include "machine/multiboot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "machine/le_bytes.h"

namespace machine {
namespace {

using namespace multiboot;

uint32_t get32(const std::vector<uint8_t>& v, size_t at) { return uint32_t(le_get(v, at, 4)); }
uint16_t get16(const std::vector<uint8_t>& v, size_t at) { return uint16_t(le_get(v, at, 2)); }
void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) { le_put(v, at, x, 4); }
[[noreturn]] void fail(const std::string& why) { throw std::runtime_error("-kernel: " + why); }

struct Image {
  std::vector<DirectBoot::Blob> blobs;
  uint32_t entry = 0, end = 0;  // end: first byte above everything loaded (incl. bss)
};

// ELF32 i386 executables: every PT_LOAD segment at its physical address, bss zeroed.
Image load_elf(const std::vector<uint8_t>& k) {
  if (k.size() < 52 || std::memcmp(k.data(),
                                   "\x7f"
                                   "ELF",
                                   4) != 0)
    fail("Multiboot kernel without address fields (flag 16) must be an ELF file");
  if (k[4] != 1 || k[5] != 1 || get16(k, 18) != 3)
    fail("Multiboot ELF kernel is not 32-bit little-endian i386");
  const uint32_t phoff = get32(k, 28), phentsize = get16(k, 42), phnum = get16(k, 44);
  if (phentsize < 32 || uint64_t(phoff) + uint64_t(phnum) * phentsize > k.size())
    fail("truncated ELF program headers");
  Image img;
  img.entry = get32(k, 24);
  for (uint32_t i = 0; i < phnum; i++) {
    const size_t ph = phoff + size_t(i) * phentsize;
    if (get32(k, ph) != 1) continue;  // PT_LOAD
    const uint32_t off = get32(k, ph + 4), paddr = get32(k, ph + 12);
    const uint32_t filesz = get32(k, ph + 16), memsz = get32(k, ph + 20);
    if (uint64_t(off) + filesz > k.size() || filesz > memsz) fail("truncated ELF segment");
    std::vector<uint8_t> data(memsz, 0);
    std::copy(k.begin() + off, k.begin() + off + filesz, data.begin());
    img.end = uint32_t(std::max<uint64_t>(img.end, uint64_t(paddr) + memsz));
    img.blobs.push_back({paddr, std::move(data)});
  }
  if (img.blobs.empty()) fail("ELF kernel has no loadable segment");
  return img;
}

// The a.out kludge: header_addr is where the header itself lands, which fixes the file offset
// that load_addr corresponds to.
Image load_kludge(const std::vector<uint8_t>& k, uint32_t hdr) {
  if (hdr + 32 > k.size()) fail("truncated Multiboot header");
  const uint32_t header_addr = get32(k, hdr + 12), load_addr = get32(k, hdr + 16);
  uint32_t load_end = get32(k, hdr + 20), bss_end = get32(k, hdr + 24);
  if (load_addr > header_addr || header_addr - load_addr > hdr)
    fail("Multiboot header addresses are inconsistent");
  const uint32_t file_off = hdr - (header_addr - load_addr);
  if (load_end == 0)
    load_end = uint32_t(std::min<uint64_t>(uint64_t(load_addr) + (k.size() - file_off), ~0u));
  if (load_end < load_addr || uint64_t(load_end - load_addr) > k.size() - file_off)
    fail("truncated Multiboot kernel");
  if (bss_end == 0) bss_end = load_end;
  if (bss_end < load_end) fail("Multiboot bss_end_addr lies below load_end_addr");
  Image img;
  std::vector<uint8_t> data(bss_end - load_addr, 0);
  std::copy(k.begin() + file_off, k.begin() + file_off + (load_end - load_addr), data.begin());
  img.blobs.push_back({load_addr, std::move(data)});
  img.entry = get32(k, hdr + 28);
  img.end = bss_end;
  return img;
}

}  // namespace

std::optional<uint32_t> find_multiboot_header(const std::vector<uint8_t>& image) {
  const size_t limit = std::min<size_t>(image.size(), kSearchBytes);
  for (size_t at = 0; at + 12 <= limit; at += 4) {
    const uint32_t magic = get32(image, at), flags = get32(image, at + 4),
                   sum = get32(image, at + 8);
    if (magic == kHeaderMagic && uint32_t(magic + flags + sum) == 0) return uint32_t(at);
  }
  return std::nullopt;
}

DirectBoot load_multiboot(const MultibootInput& in) {
  const std::vector<uint8_t>& k = in.kernel;
  const std::optional<uint32_t> hdr = find_multiboot_header(k);
  if (!hdr) fail("no Multiboot header in the first 8 KB");
  const uint32_t flags = get32(k, *hdr + 4);
  // Bits 0-15 are requirements: refuse those this loader cannot meet. Video mode (bit 2) is a
  // preference only, as QEMU treats it.
  if (flags & 0xfff8u)
    fail(
        fmt::format("Multiboot header requires features {:#x} this loader lacks", flags & 0xfff8u));
  const Image img = (flags & kAoutKludge) ? load_kludge(k, *hdr) : load_elf(k);
  const uint64_t ram = std::min<uint64_t>(in.ram_bytes, 0xffffffffull);
  for (const DirectBoot::Blob& b : img.blobs)
    if (b.addr < boot::kHighAddr || b.addr + uint64_t(b.data.size()) > ram)
      fail(fmt::format("Multiboot segment at {:#x} ({} bytes) is outside RAM above 1 MB", b.addr,
                       b.data.size()));

  DirectBoot boot;
  boot.blobs = img.blobs;

  // Modules: page-aligned, one after the other above the kernel.
  uint64_t next = (uint64_t(img.end) + 0xfff) & ~0xfffull;
  std::vector<uint32_t> mod_addr;
  for (const MultibootModule& m : in.modules) {
    if (next + m.data.size() > ram) fail("-initrd: Multiboot modules do not fit in RAM (-m)");
    mod_addr.push_back(uint32_t(next));
    boot.blobs.push_back({uint32_t(next), m.data});
    next = (next + m.data.size() + 0xfff) & ~0xfffull;
  }

  // Info area: the structure, the memory map, the module list, then strings.
  std::vector<uint8_t> info(boot::kInfoEnd - boot::kInfoAddr, 0);
  uint32_t pos = 88;  // sizeof(multiboot_info) up to the VBE fields
  auto alloc = [&](uint32_t n) {
    const uint32_t at = pos;
    pos = (pos + n + 3) & ~3u;
    if (pos > info.size()) fail("Multiboot command lines are too long");
    return at;
  };
  auto string = [&](const std::string& s) {
    const uint32_t at = alloc(uint32_t(s.size() + 1));
    std::copy(s.begin(), s.end(), info.begin() + at);
    return boot::kInfoAddr + at;
  };
  uint32_t iflags = kInfoMem | kInfoCmdline | kInfoMmap | kInfoLoaderName;
  const std::vector<E820Entry> map = direct_boot_e820(in.ram_bytes, in.bios_bytes);
  put32(info, 4, boot::kEbdaAddr >> 10);                    // mem_lower: KB of RAM from 0
  put32(info, 8, uint32_t((ram - boot::kHighAddr) >> 10));  // mem_upper: KB from 1 MB
  put32(info, 16, string(in.cmdline));
  const uint32_t mmap = alloc(uint32_t(map.size() * 24));
  for (size_t i = 0; i < map.size(); i++) {
    const size_t e = mmap + i * 24;
    put32(info, e, 20);  // size of the entry, not counting this field
    put32(info, e + 4, uint32_t(map[i].addr));
    put32(info, e + 8, uint32_t(map[i].addr >> 32));
    put32(info, e + 12, uint32_t(map[i].len));
    put32(info, e + 16, uint32_t(map[i].len >> 32));
    put32(info, e + 20, map[i].type);
  }
  put32(info, 44, uint32_t(map.size() * 24));
  put32(info, 48, boot::kInfoAddr + mmap);
  if (!in.modules.empty()) {
    iflags |= kInfoMods;
    const uint32_t list = alloc(uint32_t(in.modules.size() * 16));
    for (size_t i = 0; i < in.modules.size(); i++) {
      const size_t e = list + i * 16;
      put32(info, e, mod_addr[i]);
      put32(info, e + 4, mod_addr[i] + uint32_t(in.modules[i].data.size()));
      put32(info, e + 8, string(in.modules[i].cmdline));
    }
    put32(info, 20, uint32_t(in.modules.size()));
    put32(info, 24, boot::kInfoAddr + list);
  }
  put32(info, 64, string("ghost86"));
  put32(info, 0, iflags);
  info.resize(pos);
  boot.blobs.push_back({boot::kInfoAddr, std::move(info)});

  boot.entry = img.entry;
  boot.eax = kBootMagic;
  boot.ebx = boot::kInfoAddr;
  return boot;
}

}  // namespace machine
