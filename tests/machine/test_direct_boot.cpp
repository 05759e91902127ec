// Direct kernel boot: the e820 map, the Linux zero page, the Multiboot info structure and the
// ACPI tables. Expected values come from the Linux boot protocol (boot.rst), the Multiboot
// 0.6.96 specification and the ACPI specification (table layouts and checksums).
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <stdexcept>

#include "devices/fw_cfg.h"
#include "machine/acpi.h"
#include "machine/direct_boot.h"
#include "machine/le_bytes.h"
#include "machine/linux_boot.h"
#include "machine/multiboot.h"

using namespace machine;

namespace {

const DirectBoot::Blob* blob_at(const DirectBoot& b, uint32_t addr) {
  for (const auto& blob : b.blobs)
    if (blob.addr == addr) return &blob;
  return nullptr;
}

// A minimal bzImage: 4 setup sectors plus the boot sector, a protected-mode part of `pm_bytes`.
std::vector<uint8_t> fake_bzimage(uint16_t version = 0x020f, size_t pm_bytes = 8192) {
  std::vector<uint8_t> k(5 * 512 + pm_bytes, 0);
  k[0x1f1] = 4;                 // setup_sects
  le_put(k, 0x1fe, 0xaa55, 2);  // boot_flag
  k[0x200] = 0xeb;              // jmp short: the header ends at 0202h + 66h
  k[0x201] = 0x66;
  std::memcpy(&k[0x202], "HdrS", 4);
  le_put(k, 0x206, version, 2);
  k[0x211] = 0x81;                  // LOADED_HIGH | CAN_USE_HEAP
  le_put(k, 0x214, 0x100000, 4);    // code32_start
  le_put(k, 0x22c, 0x37ffffff, 4);  // initrd_addr_max
  le_put(k, 0x238, 2047, 4);        // cmdline_size
  le_put(k, 0x260, 0x200000, 4);    // init_size
  for (size_t i = 5 * 512; i < k.size(); i++) k[i] = uint8_t(i * 7);
  return k;
}

}  // namespace

TEST_CASE("direct boot e820: the board's map with the EBDA and F segment reserved",
          "[machine][boot]") {
  const std::vector<E820Entry> m = direct_boot_e820(128ull << 20, 256 << 10);
  const std::vector<E820Entry> want = {
      {0, 0x9c000, kE820Ram},
      {0x9c000, 0x4000, kE820Reserved},
      {0xf0000, 0x10000, kE820Reserved},
      {0x100000, (128ull << 20) - 0x100000, kE820Ram},
      {0xfffc0000, 0x40000, kE820Reserved},
  };
  CHECK(m == want);
  // Every RAM range lies inside RAM of the map fw_cfg gives the firmware ("etc/e820").
  devices::FwCfgPc pc;
  pc.ram_bytes = 128ull << 20;
  pc.bios_bytes = 256 << 10;
  const std::vector<uint8_t> fw = devices::build_e820(pc);
  for (const E820Entry& e : m) {
    if (e.type != kE820Ram) continue;
    bool inside = false;
    for (size_t at = 0; at + 20 <= fw.size(); at += 20)
      if (le_get(fw, at + 16, 4) == 1 && e.addr >= le_get(fw, at, 8) &&
          e.addr + e.len <= le_get(fw, at, 8) + le_get(fw, at + 8, 8))
        inside = true;
    CHECK(inside);
  }
}

TEST_CASE("Linux zero page follows the 32-bit boot protocol", "[machine][boot]") {
  LinuxBootInput in;
  in.kernel = fake_bzimage();
  in.initrd.assign(5000, 0x5a);
  in.cmdline = "console=ttyS0 quiet";
  in.ram_bytes = 64ull << 20;
  in.bios_bytes = 256 << 10;
  const DirectBoot b = load_linux(in);
  CHECK(b.entry == 0x100000);  // code32_start
  CHECK(b.esi == boot::kBootParamsAddr);
  CHECK(b.eax == 0);
  CHECK(b.ebx == 0);

  const auto* zp_blob = blob_at(b, boot::kBootParamsAddr);
  REQUIRE(zp_blob);
  const std::vector<uint8_t>& zp = zp_blob->data;
  REQUIRE(zp.size() == 4096);
  // The setup header is copied from 01F1h to its end (0202h + 66h); nothing before it.
  CHECK(std::memcmp(&zp[0x1f1], &in.kernel[0x1f1], 0x1fe - 0x1f1) == 0);
  CHECK(std::memcmp(&zp[0x202], "HdrS", 4) == 0);
  CHECK(le_get(zp, 0x206, 2) == 0x020f);
  CHECK(zp[0x1ef] == 0);              // sentinel stays zero
  CHECK(zp[0x210] == 0xff);           // type_of_loader: undefined loader
  CHECK((zp[0x211] & 0x01) == 0x01);  // LOADED_HIGH
  // Command line at cmd_line_ptr, NUL-terminated.
  CHECK(le_get(zp, 0x228, 4) == boot::kCmdlineAddr);
  const auto* cmd = blob_at(b, boot::kCmdlineAddr);
  REQUIRE(cmd);
  CHECK(std::string(cmd->data.begin(), cmd->data.end()) ==
        std::string("console=ttyS0 quiet") + '\0');
  // Initrd as high as possible: the top of RAM (below initrd_addr_max), page-aligned down.
  const uint32_t initrd = uint32_t(((64u << 20) - 5000) & ~0xfffu);
  CHECK(le_get(zp, 0x218, 4) == initrd);
  CHECK(le_get(zp, 0x21c, 4) == 5000);
  REQUIRE(blob_at(b, initrd));
  CHECK(blob_at(b, initrd)->data == in.initrd);
  // The protected-mode kernel (everything after the setup sectors) at 1 MB.
  const auto* pm = blob_at(b, 0x100000);
  REQUIRE(pm);
  CHECK(pm->data == std::vector<uint8_t>(in.kernel.begin() + 5 * 512, in.kernel.end()));
  // e820: count at 1E8h, 20-byte entries from 2D0h.
  const std::vector<E820Entry> map = direct_boot_e820(in.ram_bytes, in.bios_bytes);
  REQUIRE(zp[0x1e8] == map.size());
  for (size_t i = 0; i < map.size(); i++) {
    CHECK(le_get(zp, 0x2d0 + 20 * i, 8) == map[i].addr);
    CHECK(le_get(zp, 0x2d0 + 20 * i + 8, 8) == map[i].len);
    CHECK(le_get(zp, 0x2d0 + 20 * i + 16, 4) == map[i].type);
  }
  CHECK(le_get(zp, 0x070, 8) == boot::kRsdpAddr);  // acpi_rsdp_addr
  CHECK(le_get(zp, 0x1e0, 4) == 63 * 1024);        // alt_mem_k: KB above 1 MB
}

TEST_CASE("Linux initrd stays below initrd_addr_max", "[machine][boot]") {
  LinuxBootInput in;
  in.kernel = fake_bzimage();
  in.initrd.assign(0x3000, 1);
  in.ram_bytes = 1024ull << 20;
  const DirectBoot b = load_linux(in);
  const auto* zp = blob_at(b, boot::kBootParamsAddr);
  REQUIRE(zp);
  CHECK(le_get(zp->data, 0x218, 4) == 0x38000000 - 0x3000);
}

TEST_CASE("Linux protocol 2.06: a header that ends before init_size", "[machine][boot]") {
  LinuxBootInput in;
  in.kernel = fake_bzimage(0x0206);
  in.kernel[0x201] = 0x3a;  // 2.06's header ends at 023Ch (cmdline_size is its last field)
  in.ram_bytes = 16ull << 20;
  const DirectBoot b = load_linux(in);
  const auto* zp = blob_at(b, boot::kBootParamsAddr);
  REQUIRE(zp);
  CHECK(le_get(zp->data, 0x238, 4) == 2047);  // copied: inside the header
  CHECK(le_get(zp->data, 0x260, 4) == 0);     // not copied: past its end
}

TEST_CASE("a relocatable kernel needs init_size bytes at pref_address", "[machine][boot]") {
  LinuxBootInput in;
  in.kernel = fake_bzimage();
  in.kernel[0x234] = 1;                    // relocatable_kernel
  le_put(in.kernel, 0x258, 0x1000000, 8);  // pref_address: 16 MB
  le_put(in.kernel, 0x260, 0x1800000, 4);  // init_size: 24 MB
  in.ram_bytes = 32ull << 20;
  CHECK_THROWS_WITH(load_linux(in), Catch::Contains("needs RAM up to 40 MiB"));
  in.ram_bytes = 40ull << 20;
  CHECK_NOTHROW(load_linux(in));
}

TEST_CASE("Linux loader refuses what it cannot boot", "[machine][boot]") {
  LinuxBootInput in;
  in.ram_bytes = 64ull << 20;
  in.kernel = fake_bzimage(0x0205);
  CHECK_THROWS_WITH(load_linux(in), Catch::Contains("2.06"));
  in.kernel = fake_bzimage();
  in.kernel.resize(0x300);
  CHECK_THROWS_WITH(load_linux(in), Catch::Contains("truncated"));
  in.kernel = std::vector<uint8_t>(4096, 0);
  CHECK_THROWS_WITH(load_linux(in), Catch::Contains("bzImage"));
  in.kernel = fake_bzimage();
  in.kernel[0x211] = 0;
  CHECK_THROWS_WITH(load_linux(in), Catch::Contains("zImage"));
  in.kernel = fake_bzimage();
  in.initrd.assign(63u << 20, 0);  // leaves no room above the kernel
  CHECK_THROWS_WITH(load_linux(in), Catch::Contains("-initrd"));
  in.initrd.clear();
  in.cmdline.assign(3000, 'x');  // cmdline_size is 2047
  CHECK_THROWS_WITH(load_linux(in), Catch::Contains("-append"));
}

namespace {

// An a.out-kludge Multiboot image: header at offset 16, loaded at 1 MB, entry at +64.
std::vector<uint8_t> fake_multiboot(uint32_t flags = 0x10003, uint32_t bss_end = 0x102000) {
  std::vector<uint8_t> k(4096, 0x90);
  le_put(k, 16, 0x1badb002, 4);
  le_put(k, 20, flags, 4);
  le_put(k, 24, uint32_t(-(0x1badb002 + flags)), 4);
  le_put(k, 28, 0x100010, 4);  // header_addr
  le_put(k, 32, 0x100000, 4);  // load_addr
  le_put(k, 36, 0, 4);         // load_end_addr: the whole file
  le_put(k, 40, bss_end, 4);
  le_put(k, 44, 0x100040, 4);  // entry_addr
  return k;
}

std::string c_string(const std::vector<uint8_t>& info, uint32_t addr) {
  const size_t at = addr - boot::kInfoAddr;
  return std::string(reinterpret_cast<const char*>(&info[at]));
}

}  // namespace

TEST_CASE("Multiboot info structure", "[machine][boot]") {
  MultibootInput in;
  in.kernel = fake_multiboot();
  in.cmdline = "kernel.bin hello=world";
  in.modules = {{"a.bin arg1", std::vector<uint8_t>(100, 1)},
                {"b.bin", std::vector<uint8_t>(5000, 2)}};
  in.ram_bytes = 32ull << 20;
  in.bios_bytes = 256 << 10;
  const DirectBoot b = load_multiboot(in);
  CHECK(b.eax == 0x2badb002);
  CHECK(b.ebx == boot::kInfoAddr);
  CHECK(b.entry == 0x100040);
  // The image at load_addr, zero-filled up to bss_end_addr.
  const auto* img = blob_at(b, 0x100000);
  REQUIRE(img);
  CHECK(img->data.size() == 0x2000);
  CHECK(std::equal(in.kernel.begin(), in.kernel.end(), img->data.begin()));
  CHECK(img->data[0x1fff] == 0);

  const auto* info_blob = blob_at(b, boot::kInfoAddr);
  REQUIRE(info_blob);
  const std::vector<uint8_t>& info = info_blob->data;
  const uint32_t flags = uint32_t(le_get(info, 0, 4));
  CHECK((flags & 0x24d) == 0x24d);         // mem, cmdline, mods, mmap, boot_loader_name
  CHECK(le_get(info, 4, 4) == 624);        // mem_lower: KB below the EBDA
  CHECK(le_get(info, 8, 4) == 31 * 1024);  // mem_upper: KB from 1 MB
  CHECK(c_string(info, uint32_t(le_get(info, 16, 4))) == "kernel.bin hello=world");
  // Modules: page-aligned after the bss, in order, each with its string.
  REQUIRE(le_get(info, 20, 4) == 2);
  const uint32_t mods = uint32_t(le_get(info, 24, 4)) - boot::kInfoAddr;
  CHECK(le_get(info, mods, 4) == 0x102000);
  CHECK(le_get(info, mods + 4, 4) == 0x102000 + 100);
  CHECK(c_string(info, uint32_t(le_get(info, mods + 8, 4))) == "a.bin arg1");
  CHECK(le_get(info, mods + 16, 4) == 0x103000);
  CHECK(le_get(info, mods + 20, 4) == 0x103000 + 5000);
  CHECK(c_string(info, uint32_t(le_get(info, mods + 24, 4))) == "b.bin");
  REQUIRE(blob_at(b, 0x103000));
  CHECK(blob_at(b, 0x103000)->data == in.modules[1].data);
  // mmap: {size = 20, base, length, type} entries matching the e820 map.
  const std::vector<E820Entry> map = direct_boot_e820(in.ram_bytes, in.bios_bytes);
  CHECK(le_get(info, 44, 4) == map.size() * 24);
  const uint32_t mmap = uint32_t(le_get(info, 48, 4)) - boot::kInfoAddr;
  for (size_t i = 0; i < map.size(); i++) {
    CHECK(le_get(info, mmap + 24 * i, 4) == 20);
    CHECK(le_get(info, mmap + 24 * i + 4, 8) == map[i].addr);
    CHECK(le_get(info, mmap + 24 * i + 12, 8) == map[i].len);
    CHECK(le_get(info, mmap + 24 * i + 20, 4) == map[i].type);
  }
  CHECK(c_string(info, uint32_t(le_get(info, 64, 4))) == "ghost86");
}

TEST_CASE("Multiboot ELF kernels load by program header", "[machine][boot]") {
  // ELF32 header + one PT_LOAD: 16 bytes of file data at paddr 200000h, memsz 32.
  std::vector<uint8_t> k(0x100, 0);
  std::memcpy(k.data(),
              "\x7f"
              "ELF",
              4);
  k[4] = 1, k[5] = 1, k[6] = 1;
  le_put(k, 16, 2, 2);           // ET_EXEC
  le_put(k, 18, 3, 2);           // EM_386
  le_put(k, 24, 0x200008, 4);    // e_entry
  le_put(k, 28, 52, 4);          // e_phoff
  le_put(k, 42, 32, 2);          // e_phentsize
  le_put(k, 44, 1, 2);           // e_phnum
  le_put(k, 52, 1, 4);           // PT_LOAD
  le_put(k, 56, 0xc0, 4);        // p_offset
  le_put(k, 60, 0xc0200000, 4);  // p_vaddr
  le_put(k, 64, 0x200000, 4);    // p_paddr
  le_put(k, 68, 16, 4);          // p_filesz
  le_put(k, 72, 32, 4);          // p_memsz
  // Multiboot header (no address fields) at 80h.
  le_put(k, 0x80, 0x1badb002, 4);
  le_put(k, 0x84, 0, 4);
  le_put(k, 0x88, uint32_t(-0x1badb002), 4);
  for (int i = 0; i < 16; i++) k[0xc0 + i] = uint8_t(0xa0 + i);
  MultibootInput in;
  in.kernel = k;
  in.ram_bytes = 16ull << 20;
  const DirectBoot b = load_multiboot(in);
  CHECK(b.entry == 0x200008);
  const auto* seg = blob_at(b, 0x200000);
  REQUIRE(seg);
  REQUIRE(seg->data.size() == 32);
  CHECK(seg->data[0] == 0xa0);
  CHECK(seg->data[15] == 0xaf);
  CHECK(seg->data[16] == 0);
}

TEST_CASE("Multiboot loader refuses what it cannot boot", "[machine][boot]") {
  MultibootInput in;
  in.ram_bytes = 32ull << 20;
  in.kernel = fake_multiboot(0x10008);  // bit 3: an unknown requirement
  CHECK_THROWS_WITH(load_multiboot(in), Catch::Contains("requires"));
  in.kernel = fake_multiboot();
  in.kernel[24] ^= 1;  // bad checksum: no header
  CHECK_THROWS_WITH(load_multiboot(in), Catch::Contains("no Multiboot header"));
  in.kernel = fake_multiboot(0x3);  // no address fields and not ELF
  CHECK_THROWS_WITH(load_multiboot(in), Catch::Contains("ELF"));
  in.kernel = fake_multiboot(0x10003, 0x4000000);  // bss beyond RAM
  CHECK_THROWS_WITH(load_multiboot(in), Catch::Contains("outside RAM"));
}

namespace {

struct AcpiTable {
  std::string sig;
  uint32_t len;
};
AcpiTable table_at(const std::vector<uint8_t>& blob, uint32_t at) {
  return {std::string(blob.begin() + at, blob.begin() + at + 4), uint32_t(le_get(blob, at + 4, 4))};
}

}  // namespace

TEST_CASE("ACPI tables: layout and checksums", "[machine][acpi]") {
  const acpi::Tables t = acpi::build(acpi::Config{});
  const std::vector<uint8_t>& b = t.tables;
  // RSDP (ACPI 1.0): 20 bytes summing to zero, revision 0, RSDT address.
  REQUIRE(t.rsdp.size() == 20);
  CHECK(std::string(t.rsdp.begin(), t.rsdp.begin() + 8) == "RSD PTR ");
  CHECK(acpi::sum(t.rsdp.data(), 20) == 0);
  CHECK(t.rsdp[15] == 0);
  CHECK(le_get(t.rsdp, 16, 4) == t.rsdt);
  // FACS: 64-byte aligned, length 64, no checksum.
  CHECK(t.facs % 64 == 0);
  CHECK(table_at(b, t.facs).sig == "FACS");
  CHECK(table_at(b, t.facs).len == 64);
  // Every other table sums to zero over its length.
  for (uint32_t at : {t.dsdt, t.fadt, t.madt, t.rsdt}) {
    const AcpiTable tab = table_at(b, at);
    REQUIRE(at + tab.len <= b.size());
    CHECK(acpi::sum(&b[at], tab.len) == 0);
  }
  CHECK(table_at(b, t.rsdt).sig == "RSDT");
  CHECK(table_at(b, t.rsdt).len == 44);
  CHECK(le_get(b, t.rsdt + 36, 4) == t.fadt);
  CHECK(le_get(b, t.rsdt + 40, 4) == t.madt);
  // FADT (signature FACP) at the ACPI 1.0 offsets.
  const uint32_t f = t.fadt;
  CHECK(table_at(b, f).sig == "FACP");
  CHECK(table_at(b, f).len == 116);
  CHECK(le_get(b, f + 36, 4) == t.facs);
  CHECK(le_get(b, f + 40, 4) == t.dsdt);
  CHECK(le_get(b, f + 46, 2) == 9);      // SCI_INT
  CHECK(le_get(b, f + 48, 4) == 0xb2);   // SMI_CMD
  CHECK(b[f + 52] == 0xf1);              // ACPI_ENABLE
  CHECK(b[f + 53] == 0xf0);              // ACPI_DISABLE
  CHECK(le_get(b, f + 56, 4) == 0x600);  // PM1a_EVT_BLK
  CHECK(le_get(b, f + 64, 4) == 0x604);  // PM1a_CNT_BLK
  CHECK(le_get(b, f + 76, 4) == 0x608);  // PM_TMR_BLK
  CHECK(b[f + 88] == 4);                 // PM1_EVT_LEN
  CHECK(b[f + 89] == 2);                 // PM1_CNT_LEN
  CHECK(b[f + 91] == 4);                 // PM_TMR_LEN
  // The DSDT: the AML iasl compiled (its contents are checked by disassembly in
  // test_apic_tables.cpp), under this table set's header.
  CHECK(table_at(b, t.dsdt).sig == "DSDT");
  const std::vector<uint8_t> aml = acpi::dsdt_aml();
  CHECK(std::vector<uint8_t>(b.begin() + t.dsdt + 36, b.begin() + t.dsdt + table_at(b, t.dsdt).len) ==
        std::vector<uint8_t>(aml.begin() + 36, aml.end()));
}

TEST_CASE("ACPI relocation makes pointers physical and keeps checksums", "[machine][acpi]") {
  acpi::Tables t = acpi::build(acpi::Config{});
  const acpi::Tables orig = t;
  acpi::relocate(t, 0x9f040);
  CHECK(le_get(t.rsdp, 16, 4) == 0x9f040 + orig.rsdt);
  CHECK(le_get(t.tables, t.rsdt + 36, 4) == 0x9f040 + orig.fadt);
  CHECK(le_get(t.tables, t.fadt + 36, 4) == 0x9f040 + orig.facs);
  CHECK(le_get(t.tables, t.fadt + 40, 4) == 0x9f040 + orig.dsdt);
  CHECK(acpi::sum(t.rsdp.data(), 20) == 0);
  CHECK(le_get(t.tables, t.rsdt + 40, 4) == 0x9f040 + orig.madt);
  for (uint32_t at : {t.dsdt, t.fadt, t.madt, t.rsdt})
    CHECK(acpi::sum(&t.tables[at], le_get(t.tables, at + 4, 4)) == 0);
}

TEST_CASE("ACPI table-loader script, executed as QEMU's loader format defines", "[machine][acpi]") {
  const acpi::Tables t = acpi::build(acpi::Config{});
  const std::vector<uint8_t> script = acpi::table_loader(t);
  REQUIRE(script.size() % 128 == 0);
  // A firmware's side: files by name, allocation addresses chosen here.
  std::map<std::string, std::vector<uint8_t>> files = {{acpi::kTablesFile, t.tables},
                                                       {acpi::kRsdpFile, t.rsdp}};
  std::map<std::string, uint32_t> addr;
  std::map<std::string, uint8_t> zone;
  const std::map<std::string, uint32_t> place = {{acpi::kTablesFile, 0x7fe0000},
                                                 {acpi::kRsdpFile, 0xf5a40}};
  auto name = [&](size_t at) { return std::string(reinterpret_cast<const char*>(&script[at])); };
  for (size_t c = 0; c < script.size(); c += 128) {
    const uint32_t cmd = uint32_t(le_get(script, c, 4));
    const size_t u = c + 4;
    if (cmd == 1) {  // ALLOCATE {file, align, zone}
      const std::string f = name(u);
      REQUIRE(files.count(f));
      CHECK(place.at(f) % le_get(script, u + 56, 4) == 0);
      addr[f] = place.at(f);
      zone[f] = script[u + 60];
    } else if (cmd == 2) {  // ADD_POINTER {dest, src, offset, size}
      std::vector<uint8_t>& dest = files.at(name(u));
      const uint32_t off = uint32_t(le_get(script, u + 112, 4));
      const unsigned size = script[u + 116];
      le_put(dest, off, le_get(dest, off, size) + addr.at(name(u + 56)), size);
    } else if (cmd == 3) {  // ADD_CHECKSUM {file, offset, start, length}
      std::vector<uint8_t>& f = files.at(name(u));
      const uint32_t off = uint32_t(le_get(script, u + 56, 4)),
                     start = uint32_t(le_get(script, u + 60, 4));
      const uint32_t len = uint32_t(le_get(script, u + 64, 4));
      f[off] = uint8_t(f[off] - acpi::sum(&f[start], len));
    } else {
      FAIL("unknown command " << cmd);
    }
  }
  CHECK(zone[acpi::kTablesFile] == 1);  // high memory
  CHECK(zone[acpi::kRsdpFile] == 2);    // F segment, where an OS searches
  // The result equals relocating directly.
  acpi::Tables direct = t;
  acpi::relocate(direct, 0x7fe0000);
  CHECK(files[acpi::kTablesFile] == direct.tables);
  CHECK(files[acpi::kRsdpFile] == direct.rsdp);
}

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "machine/pc_machine.h"

TEST_CASE(
    "direct boot leaves the CPU in flat 32-bit protected mode at the entry, again after a reset",
    "[machine][boot]") {
  // A Multiboot kernel whose code sends the low bytes of CS and EAX to port E9h, then halts
  // with interrupts off (so the run ends).
  std::vector<uint8_t> k = fake_multiboot();
  const std::vector<uint8_t> code = {0x89, 0xc1,  // mov ecx, eax
                                     0x8c, 0xc8,  // mov eax, cs
                                     0xe6, 0xe9,  // out e9h, al
                                     0x89, 0xc8,  // mov eax, ecx
                                     0xe6, 0xe9,  // out e9h, al
                                     0xf4};       // hlt
  std::copy(code.begin(), code.end(), k.begin() + 0x40);
  const auto path = std::filesystem::temp_directory_path() /
                    ("ghost86-test-mb-" + std::to_string(::getpid()) + ".bin");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(k.data()), std::streamsize(k.size()));
  MachineConfig cfg;
  cfg.kernel = path.string();
  cfg.ram_bytes = 32ull << 20;
  std::string out;
  PcMachine pc(cfg, [&](char c) { out += c; });
  CHECK(pc.run().kind == RunResult::Kind::HaltedForever);
  CHECK(out == "\x10\x02");  // CS = 10h, EAX = 2BADB002h
  const cpu::CpuState& s = pc.cpu().s;
  CHECK((s.cr0 & (cpu::cr0::PE | cpu::cr0::PG)) == cpu::cr0::PE);
  CHECK(!(s.eflags & cpu::fl::IF));
  CHECK(s.seg[cpu::DS].sel == 0x18);
  CHECK(s.seg[cpu::DS].base == 0);
  CHECK(s.seg[cpu::DS].limit == 0xffffffffu);
  CHECK(s.regs[cpu::EBX] == boot::kInfoAddr);
  // The PM block decodes where the FADT says (PM1a_CNT at 604h): SCI_EN reads back.
  pc.bus().io_write(0x604, 2, 1);
  CHECK(pc.bus().io_read(0x604, 2) == 1);
  // A reset puts the kernel back and enters it again, virtual time running on.
  const uint64_t before = s.icount;
  pc.memory().ram()[0x100040] = 0xcc;  // the guest could have overwritten anything
  pc.reset();
  CHECK(s.eip == 0x100040);
  CHECK(s.regs[cpu::EAX] == 0x2badb002);
  CHECK(s.icount >= before);
  out.clear();
  CHECK(pc.run().kind == RunResult::Kind::HaltedForever);
  CHECK(out == "\x10\x02");
  std::filesystem::remove(path);
}
