#include "devices/i440fx.h"

namespace devices {

namespace {

// QEMU's machines carry the Red Hat "QEMU virtual machine" subsystem ID, which firmware uses
// to recognise the platform.
constexpr PciId kId{.vendor = 0x8086, .device = 0x1237, .class_code = 0x060000, .revision = 0x02,
                    .header_type = 0x00, .int_pin = 0, .subsys_vendor = 0x1af4, .subsys_id = 0x1100};

}  // namespace

I440fx::I440fx(mmu::PhysMemory& mem) : PciDevice(kId), mem_(mem) {
  // Memory and bus-master are always on for the host bridge; parity and SERR responses are
  // the guest's (PCICMD 0006h). Status: fast back-to-back capable, medium DEVSEL (0280h).
  init16(pci::kCommand, 0x0006, pci::kCmdParity | pci::kCmdSerr);
  init16(pci::kStatus, 0x0280, 0, 0xf900);
  init8(pci::kLatency, 0x00, 0xf8);
  // Chipset configuration, DRAM control and timing (50h-58h): plain storage here.
  for (unsigned off = 0x50; off <= 0x58; off++) init8(off, 0x00, 0xff);
  // PAM0 holds only the F0000h-FFFFFh field (bits 5:4); PAM1-6 two fields each (bits 1:0, 5:4).
  init8(kPam0, 0x00, 0x30);
  for (unsigned off = kPam0 + 1; off <= kPamLast; off++) init8(off, 0x00, 0x33);
  // DRAM row boundaries default to one 8 MB unit each.
  for (unsigned off = 0x60; off <= 0x67; off++) init8(off, 0x01, 0xff);
  init8(0x68, 0x00, 0xc0);  // fixed DRAM hole
  init8(0x70, 0x00, 0xfc);  // multi-transaction timer
  init8(0x71, 0x00, 0xff);
  // SMRAM: C_BASE_SEG is hardwired to 010b (A0000h-BFFFFh).
  init8(kSmram, 0x02, kSmramDOpen | kSmramDCls | kSmramDLck | kSmramGSmrame);
  init8(0x90, 0x00, 0xff);        // error command
  init8(0x91, 0x00, 0x00, 0x11);  // error status: write one to clear
  apply_pam();
}

void I440fx::reset() {
  PciDevice::reset();
  apply_pam();
}

void I440fx::serialize(Serializer& s) {
  PciDevice::serialize(s);
  if (s.loading()) apply_pam();
}

uint8_t I440fx::filter_write(unsigned off, uint8_t old, uint8_t proposed) {
  if (off != kSmram) return proposed;
  // Once D_LCK is set, D_LCK and G_SMRAME are frozen and D_OPEN is forced closed until reset.
  if (old & kSmramDLck) return uint8_t((old & ~kSmramDCls) | (proposed & kSmramDCls));
  if (proposed & kSmramDLck) return uint8_t(proposed & ~kSmramDOpen);
  return proposed;
}

void I440fx::config_written(unsigned off, unsigned len) {
  if (off <= kPamLast && off + len > kPam0) apply_pam();
}

void I440fx::apply_pam() {
  // Each 2-bit field: bit 0 reads from DRAM, bit 1 writes to DRAM (otherwise the PCI bus).
  // PAM0[5:4] covers the four 16 KB segments of F0000h-FFFFFh.
  const uint8_t f = (cfg8(kPam0) >> 4) & 3;
  for (unsigned seg = 12; seg < 16; seg++) mem_.set_shadow(seg, f);
  // PAM1..PAM6: C0000h upwards, 32 KB per register, low field first.
  for (unsigned i = 0; i < 6; i++) {
    const uint8_t v = cfg8(kPam0 + 1 + i);
    mem_.set_shadow(2 * i, v & 3);
    mem_.set_shadow(2 * i + 1, (v >> 4) & 3);
  }
}

}  // namespace devices
