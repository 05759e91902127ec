// FERR# -> IRQ 13 latch of the PC/AT, cleared by a write to port F0h (or F1h).
#include <catch2/catch.hpp>

#include "devices/fpu_irq.h"

namespace {

struct Line : devices::IrqSink {
  int level[16] = {};
  int raises = 0;
  void set_irq(unsigned irq, bool on) override {
    if (on && !level[irq]) raises++;
    level[irq] = on;
  }
};

}  // namespace

TEST_CASE("FERR# raises IRQ 13 until port F0h is written", "[devices][fpu]") {
  Line line;
  devices::FpuIrq dev(line);
  dev.reset();
  CHECK(line.level[13] == 0);
  dev.ferr();
  CHECK(line.level[13] == 1);
  dev.ferr();  // already latched: no second edge
  CHECK(line.raises == 1);
  dev.port_write(0xf0, 1, 0);
  CHECK(line.level[13] == 0);
  CHECK(!dev.asserted());
  dev.ferr();
  CHECK(line.level[13] == 1);
  dev.port_write(0xf1, 1, 0);
  CHECK(line.level[13] == 0);
}
