// Stack accesses for helpers that push or pop several values (far CALL/RET, IRET, interrupt
// delivery). (E)SP moves only at commit(), so a fault part-way through leaves it untouched and
// the instruction can be restarted (DESIGN.md §2.4).
#pragma once

#include "cpu/cpu.h"

namespace cpu {

class StackCursor {
 public:
  explicit StackCursor(Cpu& cpu)
      : cpu_(cpu), big_(cpu.stack32()), sp_(big_ ? cpu.s.regs[ESP] : cpu.s.regs[ESP] & 0xffff) {}

  void push(uint32_t v, unsigned size) {
    sp_ = wrap(sp_ - size);
    cpu_.store(SS, sp_, size, v);
  }
  uint32_t pop(unsigned size) {
    const uint32_t v = cpu_.load(SS, sp_, size);
    sp_ = wrap(sp_ + size);
    return v;
  }
  void skip(uint32_t bytes) { sp_ = wrap(sp_ + bytes); }
  void commit() {
    uint32_t& esp = cpu_.s.regs[ESP];
    esp = big_ ? sp_ : (esp & 0xffff0000u) | sp_;
  }

 private:
  uint32_t wrap(uint32_t v) const { return big_ ? v : v & 0xffff; }

  Cpu& cpu_;
  bool big_;
  uint32_t sp_;
};

}  // namespace cpu
