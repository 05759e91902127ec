#include "machine/acpi.h"

#include <algorithm>
#include <cstring>

#include "machine/le_bytes.h"

namespace machine::acpi {
namespace {

constexpr char kOemId[6] = {'G', 'H', 'O', 'S', 'T', '8'};
constexpr uint32_t kHeaderSize = 36, kFacsSize = 64, kFadtSize = 116;

// Appends a table of `len` bytes with the standard 36-byte header; returns its offset.
uint32_t add_table(std::vector<uint8_t>& blob, const char sig[4], uint32_t len, uint8_t rev) {
  const uint32_t at = uint32_t(blob.size());
  blob.resize(at + len, 0);
  std::memcpy(&blob[at], sig, 4);
  le_put(blob, at + 4, len, 4);
  blob[at + 8] = rev;
  std::memcpy(&blob[at + 10], kOemId, 6);
  std::memcpy(&blob[at + 16], "GHOST86 ", 8);  // OEM table ID
  le_put(blob, at + 24, 1, 4);                 // OEM revision
  std::memcpy(&blob[at + 28], "G86 ", 4);      // creator ID
  le_put(blob, at + 32, 1, 4);                 // creator revision
  return at;
}

// The MADT (ACPI 6.x §5.2.12) of a QEMU PC with one processor: local APIC ID 0, the I/O APIC
// with GSIs from 0, the timer's IRQ 0 on GSI 2, the PCI-routable IRQs 5, 9, 10 and 11 level
// triggered and active high (as the PIIX3 drives them), and LINT1 as NMI.
std::vector<uint8_t> madt_body(const Config& cfg) {
  std::vector<uint8_t> b(8, 0);
  le_put(b, 0, cfg.lapic_addr, 4);
  le_put(b, 4, 1, 4);  // PCAT_COMPAT: 8259s present (masked by the OS when it uses the APIC)
  auto add = [&b](std::initializer_list<std::pair<uint64_t, unsigned>> fields) { le_append(b, fields); };
  add({{0, 1}, {8, 1}, {0, 1}, {0, 1}, {1, 4}});  // processor local APIC: UID 0, ID 0, enabled
  add({{1, 1}, {12, 1}, {cfg.ioapic_id, 1}, {0, 1}, {cfg.ioapic_addr, 4}, {0, 4}});  // I/O APIC, GSI base 0
  constexpr unsigned kLevelHigh = 0xd;  // MPS INTI flags: polarity 01 active high, trigger 11 level
  add({{2, 1}, {10, 1}, {0, 1}, {0, 1}, {2, 4}, {0, 2}});  // ISA IRQ 0 -> GSI 2, conforming
  for (unsigned irq : {5u, 9u, 10u, 11u}) add({{2, 1}, {10, 1}, {0, 1}, {irq, 1}, {irq, 4}, {kLevelHigh, 2}});
  add({{4, 1}, {6, 1}, {0xff, 1}, {0, 2}, {1, 1}});  // local APIC NMI: all processors, LINT1
  return b;
}

}  // namespace

uint8_t sum(const uint8_t* p, size_t n) {
  uint8_t s = 0;
  for (size_t i = 0; i < n; i++) s = uint8_t(s + p[i]);
  return s;
}

Tables build(const Config& cfg) {
  Tables t;
  std::vector<uint8_t>& b = t.tables;

  // FACS first: it needs 64-byte alignment and the blob is allocated 64-byte aligned.
  t.facs = uint32_t(b.size());
  b.assign(kFacsSize, 0);
  std::memcpy(&b[t.facs], "FACS", 4);
  le_put(b, t.facs + 4, kFacsSize, 4);

  // The DSDT's AML as iasl compiled machine/acpi/dsdt.asl, under this table set's header.
  const std::vector<uint8_t> dsdt = dsdt_aml();
  const std::vector<uint8_t> aml(dsdt.begin() + std::min<size_t>(kHeaderSize, dsdt.size()), dsdt.end());
  t.dsdt = add_table(b, "DSDT", kHeaderSize + uint32_t(aml.size()), 1);
  std::copy(aml.begin(), aml.end(), b.begin() + t.dsdt + kHeaderSize);
  t.checksums.push_back({false, t.dsdt + 9, t.dsdt, uint32_t(b.size()) - t.dsdt});

  // FADT, ACPI 1.0 layout (revision 1, 116 bytes).
  t.fadt = add_table(b, "FACP", kFadtSize, 1);
  const uint32_t f = t.fadt;
  le_put(b, f + 36, t.facs, 4);  // FIRMWARE_CTRL
  le_put(b, f + 40, t.dsdt, 4);  // DSDT
  t.pointers.push_back({false, f + 36, 4});
  t.pointers.push_back({false, f + 40, 4});
  le_put(b, f + 46, cfg.sci_irq, 2);
  le_put(b, f + 48, cfg.smi_cmd, 4);
  b[f + 52] = cfg.acpi_enable;
  b[f + 53] = cfg.acpi_disable;
  le_put(b, f + 56, cfg.pm_base + 0x00, 4);  // PM1a_EVT_BLK
  le_put(b, f + 64, cfg.pm_base + 0x04, 4);  // PM1a_CNT_BLK
  le_put(b, f + 76, cfg.pm_base + 0x08, 4);  // PM_TMR_BLK
  b[f + 88] = 4;                             // PM1_EVT_LEN
  b[f + 89] = 2;                             // PM1_CNT_LEN
  b[f + 91] = 4;                             // PM_TMR_LEN
  le_put(b, f + 96, 0xfff, 2);               // P_LVL2_LAT > 100: C2 unsupported
  le_put(b, f + 98, 0xfff, 2);               // P_LVL3_LAT > 1000: C3 unsupported
  b[f + 108] = 0x32;                         // CENTURY: the RTC's CMOS century byte
  // Flags: WBINVD, PROC_C1, SLP_BUTTON (none); the power button is the fixed one; 24-bit timer.
  le_put(b, f + 112, (1u << 0) | (1u << 2) | (1u << 5), 4);
  t.checksums.push_back({false, f + 9, f, kFadtSize});

  const std::vector<uint8_t> madt = madt_body(cfg);
  t.madt = add_table(b, "APIC", kHeaderSize + uint32_t(madt.size()), 1);
  std::copy(madt.begin(), madt.end(), b.begin() + t.madt + kHeaderSize);
  t.checksums.push_back({false, t.madt + 9, t.madt, kHeaderSize + uint32_t(madt.size())});

  t.rsdt = add_table(b, "RSDT", kHeaderSize + 8, 1);
  le_put(b, t.rsdt + kHeaderSize, t.fadt, 4);
  le_put(b, t.rsdt + kHeaderSize + 4, t.madt, 4);
  t.pointers.push_back({false, t.rsdt + kHeaderSize, 4});
  t.pointers.push_back({false, t.rsdt + kHeaderSize + 4, 4});
  t.checksums.push_back({false, t.rsdt + 9, t.rsdt, kHeaderSize + 8});

  // RSDP, ACPI 1.0 (revision 0): signature, checksum, OEM ID, revision, RSDT address.
  t.rsdp.assign(20, 0);
  std::memcpy(t.rsdp.data(), "RSD PTR ", 8);
  std::memcpy(&t.rsdp[9], kOemId, 6);
  le_put(t.rsdp, 16, t.rsdt, 4);
  t.pointers.push_back({true, 16, 4});
  t.checksums.push_back({true, 8, 0, 20});

  relocate(t, 0);  // offsets stay offsets; this fills the checksums
  return t;
}

void relocate(Tables& t, uint32_t tables_addr) {
  for (const Pointer& p : t.pointers) {
    std::vector<uint8_t>& blob = p.in_rsdp ? t.rsdp : t.tables;
    le_put(blob, p.offset, le_get(blob, p.offset, p.size) + tables_addr, p.size);
  }
  for (const Checksum& c : t.checksums) {
    std::vector<uint8_t>& blob = c.in_rsdp ? t.rsdp : t.tables;
    blob[c.offset] = 0;
    blob[c.offset] = uint8_t(-sum(&blob[c.start], c.length));
  }
}

std::vector<uint8_t> table_loader(const Tables& t) {
  // Each command: le32 type, then a 124-byte union (QEMU's hw/acpi/bios-linker-loader.c
  // format): ALLOCATE {file[56], le32 align, u8 zone}, ADD_POINTER {dest[56], src[56],
  // le32 offset, u8 size}, ADD_CHECKSUM {file[56], le32 offset, le32 start, le32 length}.
  constexpr uint32_t kAllocate = 1, kAddPointer = 2, kAddChecksum = 3;
  constexpr uint8_t kZoneHigh = 1, kZoneFseg = 2;
  constexpr size_t kName = 56, kCmd = 128;
  std::vector<uint8_t> out((2 + t.pointers.size() + t.checksums.size()) * kCmd, 0);
  size_t next = 0;
  auto command = [&out, &next](uint32_t type) {
    const size_t at = next;
    next += kCmd;
    le_put(out, at, type, 4);
    return at + 4;
  };
  auto name = [&out](size_t at, const char* s) {
    std::memcpy(&out[at], s, std::min(std::strlen(s), kName - 1));
  };
  auto file = [](bool in_rsdp) { return in_rsdp ? kRsdpFile : kTablesFile; };

  size_t at = command(kAllocate);
  name(at, kTablesFile);
  le_put(out, at + kName, 64, 4);
  out[at + kName + 4] = kZoneHigh;
  at = command(kAllocate);
  name(at, kRsdpFile);
  le_put(out, at + kName, 16, 4);
  out[at + kName + 4] = kZoneFseg;
  for (const Pointer& p : t.pointers) {
    at = command(kAddPointer);
    name(at, file(p.in_rsdp));
    name(at + kName, kTablesFile);
    le_put(out, at + 2 * kName, p.offset, 4);
    out[at + 2 * kName + 4] = p.size;
  }
  for (const Checksum& c : t.checksums) {
    at = command(kAddChecksum);
    name(at, file(c.in_rsdp));
    le_put(out, at + kName, c.offset, 4);
    le_put(out, at + kName + 4, c.start, 4);
    le_put(out, at + kName + 8, c.length, 4);
  }
  return out;
}

}  // namespace machine::acpi
