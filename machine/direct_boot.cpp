#include "machine/direct_boot.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "cpu/helpers/descriptor.h"
#include "machine/acpi.h"
#include "machine/config.h"
#include "machine/linux_boot.h"
#include "machine/multiboot.h"
#include "machine/read_file.h"

namespace machine {

std::vector<E820Entry> direct_boot_e820(uint64_t ram_bytes, uint32_t bios_bytes) {
  std::vector<E820Entry> m;
  const uint64_t low_top = std::min<uint64_t>(ram_bytes, 0xa0000);
  if (low_top > boot::kEbdaAddr) {
    m.push_back({0, boot::kEbdaAddr, kE820Ram});
    m.push_back({boot::kEbdaAddr, low_top - boot::kEbdaAddr, kE820Reserved});
  } else {
    m.push_back({0, low_top, kE820Ram});
  }
  m.push_back({boot::kBiosAreaAddr, boot::kHighAddr - boot::kBiosAreaAddr, kE820Reserved});
  if (ram_bytes > boot::kHighAddr) m.push_back({boot::kHighAddr, ram_bytes - boot::kHighAddr, kE820Ram});
  if (bios_bytes) m.push_back({(1ull << 32) - bios_bytes, bios_bytes, kE820Reserved});
  return m;
}


void install(const DirectBoot& boot, mmu::PhysMemory& mem, cpu::Cpu& cpu) {
  for (const DirectBoot::Blob& b : boot.blobs)
    if (!mem.write_block(b.addr, b.data.data(), b.data.size()))
      throw std::runtime_error(fmt::format("-kernel: {} bytes at {:#x} do not fit in RAM", b.data.size(), b.addr));

  // GDT: flat 4 GB code (10h, execute/read) and data (18h, read/write), as the Linux boot
  // protocol's __BOOT_CS/__BOOT_DS.
  constexpr uint32_t kCodeHi = 0x00cf9b00, kDataHi = 0x00cf9300, kLo = 0x0000ffff;
  const uint32_t gdt[8] = {0, 0, 0, 0, kLo, kCodeHi, kLo, kDataHi};
  mem.write_block(boot::kGdtAddr, gdt, sizeof gdt);

  // ACPI tables in the EBDA, RSDP at its start.
  acpi::Tables t = acpi::build(acpi::Config{});
  acpi::relocate(t, boot::kAcpiTablesAddr);
  std::vector<uint8_t> ebda(boot::kEbdaSize, 0);
  std::copy(t.rsdp.begin(), t.rsdp.end(), ebda.begin());
  std::copy(t.tables.begin(), t.tables.end(), ebda.begin() + (boot::kAcpiTablesAddr - boot::kEbdaAddr));
  mem.write_block(boot::kEbdaAddr, ebda.data(), ebda.size());

  // BIOS data area: COM1 at 3F8h, EBDA segment, base memory size in KB below the EBDA.
  const uint16_t com1 = 0x3f8, ebda_seg = boot::kEbdaAddr >> 4, base_kb = boot::kEbdaAddr >> 10;
  mem.write_block(0x400, &com1, 2);
  mem.write_block(0x40e, &ebda_seg, 2);
  mem.write_block(0x413, &base_kb, 2);

  // Virtual time runs on across the reset.
  const uint64_t icount = cpu.s.icount, tsc_offset = cpu.s.tsc_offset;
  cpu.reset();
  cpu::CpuState& s = cpu.s;
  s.icount = icount;
  s.tsc_offset = tsc_offset;
  s.cr0 = cpu::cr0::ET | cpu::cr0::PE;
  s.gdtr = cpu::DescTable{boot::kGdtAddr, sizeof gdt - 1};
  s.idtr = cpu::DescTable{0, 0};
  const cpu::Segment code = cpu::segment_cache(boot::kCodeSel, cpu::Descriptor{kLo, kCodeHi});
  const cpu::Segment data = cpu::segment_cache(boot::kDataSel, cpu::Descriptor{kLo, kDataHi});
  for (unsigned sg = 0; sg < cpu::kNumSegs; sg++) s.seg[sg] = sg == cpu::CS ? code : data;
  s.eflags = cpu::fl::kFixed1;  // IF clear
  s.eip = boot.entry;
  s.regs[cpu::EAX] = boot.eax;
  s.regs[cpu::EBX] = boot.ebx;
  s.regs[cpu::ESI] = boot.esi;
  s.regs[cpu::EDX] = 0;
  cpu.mmu().flush_tlb();
}

namespace {

// "a b,c d" -> {"a b", "c d"}; empty parts are dropped.
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

DirectBoot prepare_direct_boot(const MachineConfig& cfg, uint32_t bios_bytes) {
  // Whatever is loaded must fit in guest RAM, together: each file is refused before it is read
  // once it could not (the loaders then place it exactly).
  uint64_t room = cfg.ram_bytes;
  auto read = [&room](const std::string& path, const char* what) {
    std::vector<uint8_t> data = read_whole_file(path, what, room, "what is left of guest RAM, -m");
    room -= data.size();
    return data;
  };
  std::vector<uint8_t> kernel = read(cfg.kernel, "-kernel");
  std::vector<std::pair<std::string, std::vector<uint8_t>>> parts;
  for (const std::string& part : split_commas(cfg.initrd)) parts.emplace_back(part, read(part.substr(0, part.find(' ')), "-initrd"));
  if (is_bzimage(kernel)) {
    LinuxBootInput in{std::move(kernel), {}, cfg.append, cfg.ram_bytes, bios_bytes};
    for (const auto& [part, data] : parts) in.initrd.insert(in.initrd.end(), data.begin(), data.end());
    return load_linux(in);
  }
  if (find_multiboot_header(kernel)) {
    MultibootInput in{std::move(kernel), cfg.kernel, {}, cfg.ram_bytes, bios_bytes};
    if (!cfg.append.empty()) in.cmdline += " " + cfg.append;
    for (auto& [part, data] : parts) in.modules.push_back({part, std::move(data)});
    return load_multiboot(in);
  }
  throw std::runtime_error(
      fmt::format("-kernel: '{}' is neither a Linux bzImage nor a Multiboot kernel", cfg.kernel));
}

}  // namespace machine
