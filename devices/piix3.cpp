#include "devices/piix3.h"

namespace devices {

namespace {

constexpr PciId kIsaId{.vendor = 0x8086, .device = 0x7000, .class_code = 0x060100, .revision = 0x00,
                       .header_type = 0x80, .int_pin = 0, .subsys_vendor = 0x1af4, .subsys_id = 0x1100};
constexpr PciId kIdeId{.vendor = 0x8086, .device = 0x7010, .class_code = 0x010180, .revision = 0x00,
                       .header_type = 0x00, .int_pin = 0, .subsys_vendor = 0x1af4, .subsys_id = 0x1100};

// IRQs a PIRQ may be steered to (82371SB PIRQRC: 3-7, 9-12, 14, 15; other values are reserved).
constexpr uint16_t kRoutableIrqs = 0xdef8;

}  // namespace

// ---- ISA bridge --------------------------------------------------------------------------

Piix3Isa::Piix3Isa(IrqSink& isa, ResetFn reset) : PciDevice(kIsaId), isa_(isa), reset_fn_(std::move(reset)) {
  // I/O, memory and bus-master are always enabled on the bridge (PCICMD 0007h); special
  // cycles and the rest are not implemented. Medium DEVSEL (PCISTS 0200h).
  init16(pci::kCommand, 0x0007);
  init16(pci::kStatus, 0x0200, 0, 0x7800);
  init8(0x4c, 0x4d, 0xff);  // ISA recovery timer
  init8(0x4e, 0x03, 0xff);  // X-bus chip select enables
  for (unsigned i = 0; i < 4; i++) init8(kPirqRoute + i, kRouteDisable, 0x8f);
  init8(0x69, 0x02, 0xff);  // top of memory
  init8(0x70, 0x80, 0xef);  // motherboard IRQ routes (not used by this board)
  init8(0x71, 0x80, 0xef);
  init8(0x80, 0x00, 0x7f);  // APIC base
  init8(0x82, 0x00, 0x0f);  // deterministic latency control
  init8(0xa0, 0x08, 0xff);  // SMI control and enables: stored; there is no SMM
  init16(0xa2, 0x0000, 0x00ff);
  init32(0xa4, 0, 0xffffffffu);
  init8(0xa8, 0x0f, 0xff);
}

int Piix3Isa::pirq_route(unsigned pirq) const {
  if (pirq >= 4) return -1;
  const uint8_t r = cfg8(kPirqRoute + pirq);
  const unsigned irq = r & 0x0f;
  return !(r & kRouteDisable) && (kRoutableIrqs >> irq & 1) ? int(irq) : -1;
}

void Piix3Isa::update_irqs() {
  uint16_t out = s_.ext_level;
  for (unsigned p = 0; p < 4; p++) {
    const int irq = pirq_route(p);
    if (irq >= 0 && (s_.pirq_level >> p & 1)) out |= uint16_t(1u << irq);
  }
  const uint16_t diff = out ^ s_.irq_out;
  s_.irq_out = out;
  for (unsigned irq = 0; irq < 16; irq++)
    if (diff >> irq & 1) isa_.set_irq(irq, out >> irq & 1);
}

void Piix3Isa::set_pirq(unsigned pirq, bool level) {
  if (pirq >= 4) return;
  s_.pirq_level = uint8_t(level ? s_.pirq_level | 1u << pirq : s_.pirq_level & ~(1u << pirq));
  update_irqs();
}

void Piix3Isa::set_irq(unsigned irq, bool level) {
  if (irq >= 16) return;
  s_.ext_level = uint16_t(level ? s_.ext_level | 1u << irq : s_.ext_level & ~(1u << irq));
  update_irqs();
}

void Piix3Isa::config_written(unsigned off, unsigned len) {
  if (off < kPirqRoute + 4 && off + len > kPirqRoute) update_irqs();
}

uint32_t Piix3Isa::port_read(uint16_t port, unsigned size) {
  if (port == kResetPort && size == 1) return s_.rcr;
  return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

void Piix3Isa::port_write(uint16_t port, unsigned size, uint32_t value) {
  if (port != kResetPort || size != 1) return;
  // RCR: bit 1 chooses a hard (system) or soft (CPU-only) reset; writing bit 2 starts it
  // (and is not kept).
  s_.rcr = uint8_t(value & 0x02);
  if ((value & 0x04) && reset_fn_) reset_fn_((value & 0x02) != 0);
}

void Piix3Isa::reset() {
  PciDevice::reset();
  // Lower whatever this bridge drove; the sources reset themselves.
  s_.pirq_level = 0;
  s_.ext_level = 0;
  s_.rcr = 0;
  update_irqs();
}

void Piix3Isa::serialize(Serializer& s) {
  PciDevice::serialize(s);
  // Field by field: no padding bytes in the saved state.
  s.io(s_.pirq_level);
  s.io(s_.ext_level);
  s.io(s_.irq_out);
  s.io(s_.rcr);
}

// ---- IDE function ------------------------------------------------------------------------

Piix3Ide::Piix3Ide(PortDevice* bmdma) : PciDevice(kIdeId) {
  // Status: fast back-to-back, medium DEVSEL; master/target aborts are write-one-to-clear.
  init16(pci::kStatus, 0x0280, 0, 0x3800);
  init8(pci::kLatency, 0x00, 0xf0);
  declare_bar(kBmBar, Space::Io, 16, bmdma, nullptr, "piix3-ide bus master");
  bm_window_ = 0;
  init16(pci::kCommand, 0x0000, pci::kCmdIo | pci::kCmdMaster);
  // IDE timing (IDETIM primary/secondary, SIDETIM): bit 15 enables the channel's decode.
  init16(kIdetimPrimary, 0x0000, 0xf3ff);
  init16(kIdetimSecondary, 0x0000, 0xf3ff);
  init8(0x44, 0x00, 0xff);
}

bool Piix3Ide::channel_enabled(unsigned ch) const {
  return ch < 2 && (cfg16(ch ? kIdetimSecondary : kIdetimPrimary) & 0x8000);
}

void Piix3Ide::window_changed(unsigned id) {
  if (id == bm_window_ && listener_) listener_(bmdma_base());
}

}  // namespace devices
