// The ACPI tables of the PC board, built in one place: RSDP, RSDT, FADT (the PIIX4 PM fixed
// hardware), FACS, MADT (local APIC, I/O APIC, interrupt source overrides) and the DSDT, compiled
// from machine/acpi/dsdt.asl at build time (PCI root bridge with _PRT and link devices, the ISA
// devices, the soft-off sleep type).
// They serve two paths: QEMU-style fw_cfg files plus an "etc/table-loader" script that SeaBIOS
// executes (ALLOCATE, ADD_POINTER, ADD_CHECKSUM), and direct kernel boot, where the loader places
// them in RAM itself (relocate()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace machine::acpi {

struct Config {
  uint16_t pm_base = 0x600;  // PIIX4 PMBA as SeaBIOS programs it when tables come from fw_cfg
  uint8_t sci_irq = 9;
  uint16_t smi_cmd = 0xb2;
  uint8_t acpi_enable = 0xf1, acpi_disable = 0xf0;
  uint32_t lapic_addr = 0xfee00000u;
  uint8_t ioapic_id = 0;
  uint32_t ioapic_addr = 0xfec00000u;
};

// fw_cfg file names (as QEMU publishes them).
inline constexpr const char* kTablesFile = "etc/acpi/tables";
inline constexpr const char* kRsdpFile = "etc/acpi/rsdp";
inline constexpr const char* kLoaderFile = "etc/table-loader";

// A pointer field inside one blob that holds an offset into another (or the same) blob.
struct Pointer {
  bool in_rsdp;      // the field lives in the RSDP blob (else in the tables blob)
  uint32_t offset;   // of the field
  uint8_t size;      // bytes
};
// A checksum byte that makes bytes [start, start + length) of a blob sum to zero.
struct Checksum {
  bool in_rsdp;
  uint32_t offset, start, length;
};

struct Tables {
  std::vector<uint8_t> tables;  // FACS (offset 0, 64-byte aligned), DSDT, FADT, MADT, RSDT
  std::vector<uint8_t> rsdp;    // 20-byte ACPI 1.0 RSDP
  uint32_t facs = 0, dsdt = 0, fadt = 0, madt = 0, rsdt = 0;  // offsets in `tables`
  std::vector<Pointer> pointers;  // every target is the tables blob
  std::vector<Checksum> checksums;
};

// The tables with pointers holding offsets into `tables` and valid checksums for that state.
Tables build(const Config& cfg);
// Turns the offsets into physical addresses for tables at `tables_addr` and recomputes every
// checksum. The RSDP goes wherever the caller copies it (it holds no pointer to itself).
void relocate(Tables& t, uint32_t tables_addr);
// The "etc/table-loader" commands (128 bytes each) that make a QEMU-style firmware allocate
// both blobs (tables in high memory, RSDP in the F segment), patch the pointers and checksums.
std::vector<uint8_t> table_loader(const Tables& t);

// The DSDT as iasl compiled it (generated source).
std::vector<uint8_t> dsdt_aml();

// Byte sum of a range (a valid ACPI table sums to 0 mod 256).
uint8_t sum(const uint8_t* p, size_t n);

}  // namespace machine::acpi
