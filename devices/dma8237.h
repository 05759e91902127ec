// The AT's pair of Intel 8237A DMA controllers: channels 0-3 (8-bit) at 00h-0Fh, channels 4-7
// (16-bit, channel 4 cascades the first chip) at C0h-DEh on even ports, and the page registers at
// 80h-8Fh (81h/82h/83h/87h for channels 2/3/1/0, 89h/8Ah/8Bh for 6/7/5, 8Fh for 4). Reference:
// Intel 8237A datasheet (register formats, flip-flop, modes, terminal count, autoinitialize).
//
// Integrator: register ports 0x00-0x0f, 0x80-0x8f and 0xc0-0xdf to this device. Devices move
// data with transfer(); there is no bus timing, a device calls it when its DREQ would be served.
//
// Addresses: an 8-bit channel counts bytes in a 16-bit address register and its page register
// supplies A16-A23, so a transfer wraps within its 64 KB page, as on the chip. A 16-bit channel
// counts words: A1-A16 come from the address register and A17-A23 from page bits 7-1, so it
// wraps within 128 KB. Memory is reached only through PhysMemory's bounds-checked block API;
// bytes outside RAM are dropped on writes and read as FFh.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "devices/device.h"
#include "mmu/phys_memory.h"

namespace devices {

class Dma8237 : public Device, public PortDevice {
 public:
  // Mode register bits 3-2: what a transfer does with memory.
  enum class Xfer : uint8_t { Verify = 0, ToMemory = 1, FromMemory = 2, Illegal = 3 };
  struct Result {
    unsigned bytes = 0;  // bytes moved (or counted, in verify mode)
    bool tc = false;     // the count ran out (terminal count) during this transfer
  };

  explicit Dma8237(mmu::PhysMemory& mem) : mem_(mem) { reset(); }

  const char* name() const override { return "dma8237"; }
  void reset() override;
  void serialize(Serializer& s) override;

  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // Serves a device's DMA request on `channel`: moves up to buf.size() bytes in the direction
  // the channel's mode register says (ToMemory: buf -> RAM; FromMemory: RAM -> buf; Verify:
  // counts only). Stops at terminal count (reloading if autoinitialize is set, else masking the
  // channel). Nothing moves while the channel is masked or its controller disabled. A 16-bit
  // channel moves whole words only.
  Result transfer(unsigned channel, std::span<uint8_t> buf);

  // For devices and tests.
  Xfer mode_xfer(unsigned channel) const;
  bool masked(unsigned channel) const;
  uint32_t current_address(unsigned channel) const;  // physical address of the next byte
  uint16_t current_count(unsigned channel) const;    // remaining transfers minus one

 private:
  struct Channel {
    uint16_t base_addr = 0, base_count = 0, cur_addr = 0, cur_count = 0;
    uint8_t mode = 0;
  };
  struct Controller {
    std::array<Channel, 4> ch;
    uint8_t command = 0;
    uint8_t status = 0;    // bits 0-3: TC reached; 4-7: software requests
    uint8_t mask = 0x0f;
    bool flip_flop = false;  // false: the next address/count byte is the low one
  };
  struct State {
    std::array<Controller, 2> ctl;
    std::array<uint8_t, 16> page{};  // 80h-8Fh
  };

  uint8_t read_reg(unsigned chip, unsigned reg);
  void write_reg(unsigned chip, unsigned reg, uint8_t v);
  static unsigned page_index(unsigned channel);
  uint32_t phys_address(unsigned channel, uint16_t addr) const;
  void move(Xfer x, uint32_t phys, uint8_t* data, uint32_t len);

  mmu::PhysMemory& mem_;
  State s_;
};

}  // namespace devices
