// The device interfaces (DESIGN.md §4 "devices/"): a device keeps its state in one struct,
// implements port and/or MMIO access, and offers reset() and one bidirectional serialize().
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace devices {

// Bidirectional state transfer: the same serialize() code saves and restores.
class Serializer {
 public:
  virtual ~Serializer() = default;
  virtual bool loading() const = 0;
  virtual void bytes(void* data, size_t len) = 0;

  template <class T>
    requires std::is_trivially_copyable_v<T>
  void io(T& v) {
    bytes(&v, sizeof v);
  }
  // A bool travels as one byte 0/1; any other byte in a damaged snapshot loads as a valid bool.
  void io(bool& b) {
    uint8_t v = b;
    bytes(&v, 1);
    b = v & 1;
  }
};

class StateWriter : public Serializer {
 public:
  bool loading() const override { return false; }
  void bytes(void* data, size_t len) override {
    auto* p = static_cast<const uint8_t*>(data);
    out.insert(out.end(), p, p + len);
  }
  std::vector<uint8_t> out;
};

class StateReader : public Serializer {
 public:
  explicit StateReader(const std::vector<uint8_t>& in) : in_(in) {}
  bool loading() const override { return true; }
  void bytes(void* data, size_t len) override {
    if (len > in_.size() - pos_) throw std::runtime_error("device state is truncated");
    std::memcpy(data, in_.data() + pos_, len);
    pos_ += len;
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  const std::vector<uint8_t>& in_;
  size_t pos_ = 0;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual const char* name() const = 0;
  virtual void reset() = 0;
  virtual void serialize(Serializer& s) = 0;
};

// Port I/O registers. `port` is the absolute port number.
class PortDevice {
 public:
  virtual ~PortDevice() = default;
  virtual uint32_t port_read(uint16_t port, unsigned size) = 0;
  virtual void port_write(uint16_t port, unsigned size, uint32_t value) = 0;
};

// An interrupt request line into the interrupt controllers. Edge-triggered ISA devices raise
// and lower their line; the controller decides what an edge or a level means (ELCR).
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void set_irq(unsigned irq, bool level) = 0;
};

}  // namespace devices
