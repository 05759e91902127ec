// The i440FX host bridge (82441FX PMC), function 00:00.0, 8086:1237. Besides its header it
// drives the shadow RAM of the BIOS area through the PAM registers 59h-5Fh, and holds the
// SMRAM control register 72h (this machine has no SMM, so SMRAM never changes the memory map).
#pragma once

#include "devices/pci.h"
#include "mmu/phys_memory.h"

namespace devices {

class I440fx : public PciDevice {
 public:
  static constexpr unsigned kPam0 = 0x59, kPamLast = 0x5f, kSmram = 0x72;
  // SMRAM bits (82441FX datasheet, SMRAM control register).
  static constexpr uint8_t kSmramDOpen = 0x40, kSmramDCls = 0x20, kSmramDLck = 0x10, kSmramGSmrame = 0x08;

  explicit I440fx(mmu::PhysMemory& mem);

  const char* name() const override { return "i440fx"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint8_t smram() const { return cfg8(kSmram); }

 protected:
  void config_written(unsigned off, unsigned len) override;
  uint8_t filter_write(unsigned off, uint8_t old, uint8_t proposed) override;

 private:
  void apply_pam();

  mmu::PhysMemory& mem_;
};

}  // namespace devices
