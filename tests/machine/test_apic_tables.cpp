// The interrupt-controller tables: the MADT (ACPI 6.x §5.2.12), the DSDT as iasl disassembles it,
// and the MP specification 1.4 tables. Expected layouts come from those specifications and the
// wiring of QEMU's PC (IRQ 0 on GSI 2, PCI IRQs 5, 9, 10, 11 level/high, slot S pin P on link
// (S + P - 1) mod 4).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "machine/acpi.h"
#include "machine/le_bytes.h"
#include "machine/mp_table.h"

using machine::le_get;
namespace acpi = machine::acpi;
namespace mp = machine::mp;

namespace {

std::vector<uint8_t> bytes(const std::vector<uint8_t>& b, size_t at, size_t n) {
  return std::vector<uint8_t>(b.begin() + long(at), b.begin() + long(at + n));
}

// The disassembly without its comments and white space.
std::string squeeze(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s.compare(i, 2, "//") == 0) {
      i = std::min(s.find('\n', i), s.size());
      continue;
    }
    if (s.compare(i, 2, "/*") == 0) {
      i = std::min(s.find("*/", i), s.size()) + 1;
      continue;
    }
    const char c = s[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("MADT: local APIC, I/O APIC, QEMU's interrupt source overrides and LINT1 NMI",
          "[machine][acpi][apic]") {
  const acpi::Tables t = acpi::build(acpi::Config{});
  const std::vector<uint8_t>& b = t.tables;
  const uint32_t m = t.madt;
  REQUIRE(std::string(b.begin() + m, b.begin() + m + 4) == "APIC");
  const uint32_t len = uint32_t(le_get(b, m + 4, 4));
  REQUIRE(m + len <= b.size());
  CHECK(acpi::sum(&b[m], len) == 0);
  CHECK(le_get(b, m + 36, 4) == 0xfee00000);  // local interrupt controller address
  CHECK(le_get(b, m + 40, 4) == 1);           // PCAT_COMPAT
  const std::vector<std::vector<uint8_t>> want = {
      {0, 8, 0, 0, 1, 0, 0, 0},  // processor local APIC: UID 0, ID 0, enabled
      {1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0},  // I/O APIC 0 at FEC00000h, GSI base 0
      {2, 10, 0, 0, 2, 0, 0, 0, 0, 0},                    // ISA IRQ 0 -> GSI 2, conforming
      {2, 10, 0, 5, 5, 0, 0, 0, 0x0d, 0},                 // IRQ 5: active high, level
      {2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0},
      {2, 10, 0, 10, 10, 0, 0, 0, 0x0d, 0},
      {2, 10, 0, 11, 11, 0, 0, 0, 0x0d, 0},
      {4, 6, 0xff, 0, 0, 1},  // local APIC NMI: all processors, LINT1
  };
  uint32_t at = m + 44;
  for (const std::vector<uint8_t>& e : want) {
    REQUIRE(at + e.size() <= m + len);
    CHECK(bytes(b, at, e.size()) == e);
    at += uint32_t(e.size());
  }
  CHECK(at == m + len);
}

TEST_CASE("DSDT: iasl disassembles the PCI root bridge, _PRT, links and ISA devices",
          "[machine][acpi][apic]") {
  if (std::system("iasl -v > /dev/null 2>&1") != 0) {
    WARN("iasl (acpica-tools) is not installed: skipped");
    return;
  }
  const acpi::Tables t = acpi::build(acpi::Config{});
  const uint32_t len = uint32_t(le_get(t.tables, t.dsdt + 4, 4));
  char dir[] = "/tmp/ghost86-dsdt-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  const std::string aml = std::string(dir) + "/dsdt.aml", dsl = std::string(dir) + "/dsdt.dsl";
  {
    std::ofstream f(aml, std::ios::binary);
    f.write(reinterpret_cast<const char*>(&t.tables[t.dsdt]), len);
  }
  const int rc = std::system(("iasl -d " + aml + " > /dev/null 2>&1").c_str());
  std::stringstream text;
  text << std::ifstream(dsl).rdbuf();
  std::system(("rm -rf " + std::string(dir)).c_str());
  REQUIRE(rc == 0);
  const std::string s = squeeze(text.str());
  for (const char* want : {
           "Device(PCI0){Name(_HID,EisaId(\"PNP0A03\")",
           // _CRS: bus 0-FF, config ports, I/O 0-CF7 and D00-FFFF, VGA window, 32-bit hole.
           "WordBusNumber(ResourceProducer,MinFixed,MaxFixed,PosDecode,0x0000,0x0000,0x00FF,0x0000,"
           "0x0100",
           "0x0000,0x0000,0x0CF7,0x0000,0x0CF8",
           "0x0000,0x0D00,0xFFFF,0x0000,0xF300",
           "0x00000000,0x000A0000,0x000BFFFF,0x00000000,0x00020000",
           "0x00000000,0xE0000000,0xFEBFFFFF,0x00000000,0x1EC00000",
           "Method(_OSC,4",
           "If(OSCF){Return(CRSW)}Return(CRSL)",
           "Name(_PRT,Package(0x80)",
           // Slot 0 INTA on LNKD, slot 3 (the first NIC) INTA on LNKC, slot 31 INTD on LNKB.
           "Package(0x04){0xFFFF,Zero,LNKD,Zero}",
           "Package(0x04){0x0003FFFF,Zero,LNKC,Zero}",
           "Package(0x04){0x001FFFFF,0x03,LNKB,Zero}",
           "OperationRegion(PIRQ,PCI_Config,0x60,0x04)",
           "Device(LNKA){Name(_HID,EisaId(\"PNP0C0F\")",
           "Device(LNKD){Name(_HID,EisaId(\"PNP0C0F\")",
           "Interrupt(ResourceConsumer,Level,ActiveHigh,Shared,,,){0x00000005,0x0000000A,"
           "0x0000000B,}",
           "Method(_SRS,1",
           "Method(_DIS,0",
           "EisaId(\"PNP0000\")",
           "EisaId(\"PNP0100\")",
           "EisaId(\"PNP0B00\")",
           "EisaId(\"PNP0303\")",
           "EisaId(\"PNP0F13\")",
           "EisaId(\"PNP0501\")",
           "EisaId(\"PNP0700\")",
           "Name(_S5,Package(0x04){Zero,Zero,Zero,Zero})",
       }) {
    INFO(want);
    CHECK(s.find(want) != std::string::npos);
  }
  // Slot 1 (the PIIX3) INTA on LNKA.
  CHECK(s.find("Package(0x04){0x0001FFFF,Zero,LNKA,Zero}") != std::string::npos);
}

TEST_CASE("MP tables: floating pointer and configuration table entries", "[machine][apic]") {
  mp::Config c;
  c.cpu_signature = 0x633;
  c.cpu_features = 0x0181bb7d;
  c.pci_irqs = {{3, 1, 11}};  // slot 3 INTA#: PIRQC, routed to IRQ 11
  const std::vector<uint8_t> t = mp::config_table(c);
  REQUIRE(t.size() >= 44);
  CHECK(std::string(t.begin(), t.begin() + 4) == "PCMP");
  CHECK(le_get(t, 4, 2) == t.size());
  CHECK(t[6] == 4);  // specification 1.4
  CHECK(acpi::sum(t.data(), t.size()) == 0);
  CHECK(le_get(t, 36, 4) == 0xfee00000);
  // 1 processor + 2 buses + 1 I/O APIC + 15 ISA IRQs (no IRQ 2) + 1 PCI pin.
  CHECK(le_get(t, 34, 2) == 20);
  CHECK(t.size() == 44 + 20 + 2 * 8 + 8 + 16 * 8);
  // Processor: APIC ID 0, version 14h, enabled bootstrap processor, CPUID signature/features.
  CHECK(bytes(t, 44, 12) ==
        std::vector<uint8_t>{0, 0, 0x14, 3, 0x33, 0x06, 0, 0, 0x7d, 0xbb, 0x81, 0x01});
  CHECK(bytes(t, 64, 8) == std::vector<uint8_t>{1, 0, 'P', 'C', 'I', ' ', ' ', ' '});
  CHECK(bytes(t, 72, 8) == std::vector<uint8_t>{1, 1, 'I', 'S', 'A', ' ', ' ', ' '});
  CHECK(bytes(t, 80, 8) == std::vector<uint8_t>{2, 1, 0x11, 1, 0x00, 0x00, 0xc0, 0xfe});
  // ISA IRQ 0 on INTIN 2, conforming; IRQ 1 on INTIN 1; IRQ 5 level/high.
  CHECK(bytes(t, 88, 8) == std::vector<uint8_t>{3, 0, 0, 0, 1, 0, 1, 2});
  CHECK(bytes(t, 96, 8) == std::vector<uint8_t>{3, 0, 0, 0, 1, 1, 1, 1});
  CHECK(bytes(t, 88 + 4 * 8, 8) == std::vector<uint8_t>{3, 0, 0x0d, 0, 1, 5, 1, 5});
  // The PCI pin: bus 0, IRQ field = device 3 << 2 | INTA (0), to INTIN 11, level/high.
  CHECK(bytes(t, t.size() - 8, 8) == std::vector<uint8_t>{3, 0, 0x0d, 0, 0, 12, 1, 11});

  const std::vector<uint8_t> f = mp::floating_pointer(0x9c040);
  REQUIRE(f.size() == 16);
  CHECK(std::string(f.begin(), f.begin() + 4) == "_MP_");
  CHECK(le_get(f, 4, 4) == 0x9c040);
  CHECK(f[8] == 1);  // one 16-byte paragraph
  CHECK(f[9] == 4);
  CHECK(acpi::sum(f.data(), 16) == 0);
  CHECK(bytes(f, 11, 5) == std::vector<uint8_t>(5, 0));  // configuration table present, no IMCR
}
