#include "devices/pic.h"

#include "devices/byte_ports.h"

namespace devices {

void Pic::reset() {
  // The 8259A has no reset pin; power-on leaves it uninitialised. Start masked so nothing is
  // delivered before firmware programs it. Input levels are wires and survive.
  for (Chip& c : chips_) {
    const uint8_t lines = c.lines;
    c = Chip{};
    c.lines = lines;
  }
  update_cascade();
}

void Pic::serialize(Serializer& s) {
  for (Chip& c : chips_) {
    s.io(c.irr), s.io(c.isr), s.io(c.imr), s.io(c.lines), s.io(c.elcr), s.io(c.vector_base);
    s.io(c.icw3), s.io(c.lowest), s.io(c.init_step), s.io(c.need_icw4), s.io(c.single);
    s.io(c.auto_eoi), s.io(c.special_nested), s.io(c.rotate_on_aeoi), s.io(c.special_mask);
    s.io(c.read_isr), s.io(c.poll);
    if (s.loading()) {  // a damaged snapshot must not leave out-of-range state behind
      c.lowest &= 7;
      if (c.init_step == 1 || c.init_step > 4) c.init_step = 0;
    }
  }
}

uint32_t Pic::port_read(uint16_t port, unsigned size) {
  return read_bytewise(port, size, [this](uint16_t p) { return read8(p); });
}

void Pic::port_write(uint16_t port, unsigned size, uint32_t value) {
  write_bytewise(port, size, value, [this](uint16_t p, uint8_t v) { write8(p, v); });
}

uint8_t Pic::read8(uint16_t port) {
  switch (port) {
    case 0x4d0:
    case 0x4d1: return chips_[port & 1].elcr;
    case 0x20:
    case 0xa0: {
      const unsigned idx = port == 0x20 ? kMaster : kSlave;
      Chip& c = chips_[idx];
      if (c.poll) {
        // Poll command (OCW3 P=1): this read is the acknowledge; bit 7 says whether there was a
        // request, bits 2-0 give its level (8259A datasheet, "The Poll Command").
        c.poll = false;
        if (highest_request(c, idx) < 0) return 0;
        const uint8_t ir = uint8_t(acknowledge(c, idx));
        update_cascade();
        return uint8_t(0x80 | ir);
      }
      return c.read_isr ? c.isr : c.irr;
    }
    case 0x21:
    case 0xa1: return chips_[port == 0x21 ? kMaster : kSlave].imr;
    default: return 0xff;
  }
}

void Pic::write8(uint16_t port, uint8_t v) {
  switch (port) {
    case 0x4d0:
    case 0x4d1: set_elcr(chips_[port & 1], v); break;
    case 0x20:
    case 0xa0: write_command(chips_[port == 0x20 ? kMaster : kSlave], v); break;
    case 0x21:
    case 0xa1: write_data(chips_[port == 0x21 ? kMaster : kSlave], v); break;
    default: return;
  }
  update_cascade();
}

void Pic::write_command(Chip& c, uint8_t v) {
  if (v & 0x10) {
    // ICW1. The edge sense latches are reset (a line that is high must fall and rise again),
    // IMR is cleared, IR7 gets the lowest priority, special mask mode is off, status read is
    // IRR, and without IC4 every ICW4 function is zero. The datasheet is silent on ISR; it is
    // cleared so that a controller re-initialised by an OS starts with nothing in service.
    c.init_step = 2;
    c.need_icw4 = v & 0x01;
    c.single = v & 0x02;
    c.imr = 0;
    c.isr = 0;
    c.irr = c.lines & c.elcr;
    c.lowest = 7;
    c.special_mask = c.read_isr = c.poll = c.rotate_on_aeoi = false;
    c.auto_eoi = c.special_nested = false;
    c.icw3 = 0;
    return;
  }
  if (v & 0x08) {
    // OCW3: status read select (RR, RIS), poll (P), special mask mode (ESMM, SMM).
    if (v & 0x04) c.poll = true;
    if (v & 0x02) c.read_isr = v & 0x01;
    if (v & 0x40) c.special_mask = v & 0x20;
    return;
  }
  // OCW2: R, SL, EOI in bits 7-5, level in bits 2-0.
  const unsigned level = v & 7;
  switch (v >> 5) {
    case 0b001: eoi(c, highest_in_service(c), false); break;  // non-specific EOI
    case 0b011: eoi(c, int(level), false); break;             // specific EOI
    case 0b101: eoi(c, highest_in_service(c), true); break;   // rotate on non-specific EOI
    case 0b100: c.rotate_on_aeoi = true; break;
    case 0b000: c.rotate_on_aeoi = false; break;
    case 0b111: eoi(c, int(level), true); break;              // rotate on specific EOI
    case 0b110: c.lowest = uint8_t(level); break;             // set priority
    default: break;                                           // 010: no operation
  }
}

void Pic::write_data(Chip& c, uint8_t v) {
  switch (c.init_step) {
    case 2:  // ICW2: T7-T3 of the vector (8086 mode)
      c.vector_base = v & 0xf8;
      c.init_step = !c.single ? 3 : c.need_icw4 ? 4 : 0;
      return;
    case 3:  // ICW3: slave map (master) or slave ID
      c.icw3 = v;
      c.init_step = c.need_icw4 ? 4 : 0;
      return;
    case 4:  // ICW4: uPM, AEOI, M/S, BUF, SFNM. Only 8086 mode is meaningful on a PC.
      c.auto_eoi = v & 0x02;
      c.special_nested = v & 0x10;
      c.init_step = 0;
      return;
    default:  // OCW1
      c.imr = v;
      return;
  }
}

void Pic::set_irq(unsigned irq, bool level) {
  if (irq >= 16) return;
  if (irq == kCascadeIr) irq = 9;
  set_line(chips_[irq >> 3], irq & 7, level);
  update_cascade();
}

void Pic::set_line(Chip& c, unsigned ir, bool level) {
  const uint8_t bit = uint8_t(1u << ir);
  const bool was = c.lines & bit;
  c.lines = level ? c.lines | bit : c.lines & ~bit;
  if (c.elcr & bit)
    c.irr = level ? c.irr | bit : c.irr & ~bit;
  else if (level && !was)
    c.irr |= bit;
}

void Pic::set_elcr(Chip& c, uint8_t v) {
  const unsigned idx = &c == &chips_[kMaster] ? kMaster : kSlave;
  c.elcr = v & kElcrWritable[idx];
  // Lines that become level-triggered now request exactly while they are high.
  c.irr = uint8_t((c.irr & ~c.elcr) | (c.lines & c.elcr));
}

bool Pic::is_cascade(unsigned ir) const {
  const Chip& m = chips_[kMaster];
  return !m.single && (m.icw3 & (1u << ir)) && ir == kCascadeIr;
}

// Highest-priority pending request not blocked by the in-service register, or -1. In special
// mask mode, masked in-service levels do not block; in special fully nested mode the master lets
// a slave interrupt again while that slave's input is in service (8259A datasheet, "Special
// Mask Mode", "Special Fully Nested Mode").
int Pic::highest_request(const Chip& c, unsigned chip_index) const {
  const uint8_t pending = c.irr & ~c.imr;
  if (!pending) return -1;
  const uint8_t in_service = c.special_mask ? uint8_t(c.isr & ~c.imr) : c.isr;
  for (unsigned p = 1; p <= 8; p++) {
    const unsigned ir = (c.lowest + p) & 7;
    const uint8_t bit = uint8_t(1u << ir);
    if (in_service & bit) {
      const bool nested_slave = chip_index == kMaster && c.special_nested && is_cascade(ir);
      return nested_slave && (pending & bit) ? int(ir) : -1;
    }
    if (pending & bit) return int(ir);
  }
  return -1;
}

int Pic::highest_in_service(const Chip& c) const {
  for (unsigned p = 1; p <= 8; p++) {
    const unsigned ir = (c.lowest + p) & 7;
    if (c.isr & (1u << ir)) return int(ir);
  }
  return -1;
}

void Pic::eoi(Chip& c, int ir, bool rotate) {
  if (ir < 0) return;
  c.isr &= uint8_t(~(1u << ir));
  if (rotate) c.lowest = uint8_t(ir);
}

unsigned Pic::acknowledge(Chip& c, unsigned chip_index) {
  const int ir = highest_request(c, chip_index);
  if (ir < 0) return 7;
  const uint8_t bit = uint8_t(1u << ir);
  if (!(c.elcr & bit)) c.irr &= uint8_t(~bit);  // the edge latch is consumed
  if (c.auto_eoi) {
    if (c.rotate_on_aeoi) c.lowest = uint8_t(ir);
  } else {
    c.isr |= bit;
  }
  return unsigned(ir);
}

// The slave's INT output drives master IR2. Like any 8259A input, IR2 needs a rising edge to
// request and loses the request when INT falls (datasheet, "Edge Triggered Mode" and the IR
// timing figure): a slave whose request was masked, acknowledged or withdrawn must not leave a
// stale cascade request behind, or the master would later answer with a spurious IR15.
void Pic::update_cascade() {
  const bool slave_int = highest_request(chips_[kSlave], kSlave) >= 0;
  set_line(chips_[kMaster], kCascadeIr, slave_int);
  if (!slave_int) chips_[kMaster].irr &= uint8_t(~(1u << kCascadeIr));
  if (request_hook_ && intr_pending()) request_hook_();
}

bool Pic::intr_pending() { return highest_request(chips_[kMaster], kMaster) >= 0; }

uint8_t Pic::intr_acknowledge() {
  Chip& m = chips_[kMaster];
  const bool had_request = highest_request(m, kMaster) >= 0;
  const unsigned ir = acknowledge(m, kMaster);
  uint8_t vector;
  if (had_request && is_cascade(ir)) {
    Chip& s = chips_[kSlave];
    vector = uint8_t(s.vector_base | acknowledge(s, kSlave));
  } else {
    vector = uint8_t(m.vector_base | ir);
  }
  update_cascade();
  return vector;
}

}  // namespace devices
