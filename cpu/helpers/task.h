// The task-state segment as privilege changes and task switches use it (SDM Vol.3 ch.7), and
// the far transfers through system descriptors: call gates (cpu/helpers/gate.cpp) and task
// switches (cpu/helpers/task.cpp).
#pragma once

#include <cstdint>

#include "cpu/helpers/descriptor.h"

namespace cpu {

// Descriptor types of system segments and gates (SDM Vol.3 §3.5, table 3-2).
enum SysType : unsigned {
  kTss16 = 0x1, kLdtType = 0x2, kTss16Busy = 0x3, kCallGate16 = 0x4, kTaskGate = 0x5,
  kTss32 = 0x9, kTss32Busy = 0xb, kCallGate32 = 0xc,
};

// The stack for privilege level `dpl` from the current TSS (SDM Vol.3 §7.2.1): a 32-bit TSS
// holds ESPn/SSn at 4 + 8n / 8 + 8n, a 16-bit one SPn/SSn at 2 + 4n / 4 + 4n. #TS(TR) when the
// TSS limit does not cover them.
void tss_stack(Cpu& cpu, unsigned dpl, uint16_t& ss, uint32_t& esp);

// Checks the inner stack segment named by the TSS for privilege level `dpl` (SDM Vol.3
// §6.12.1, Vol.2 CALL "MORE-PRIVILEGE"): #TS(SS | ext) except not-present, #SS(SS | ext).
Descriptor check_inner_stack(Cpu& cpu, uint16_t ss, unsigned dpl, uint32_t ext);

// Pushes onto a stack segment that is not loaded yet (the inner stack of a call gate): a push
// outside its limit raises #SS(`error`); writes have supervisor privilege.
class NewStack {
 public:
  NewStack(Cpu& cpu, const Segment& ss, uint32_t esp, uint32_t error)
      : cpu_(cpu), ss_(ss), big_(ss.flags & kSegFlagDB), sp_(big_ ? esp : esp & 0xffff), error_(error) {}
  void push(uint32_t v, unsigned size) {
    sp_ = big_ ? sp_ - size : (sp_ - size) & 0xffff;
    if (sp_ < ss_.lo || uint64_t(sp_) + size - 1 > ss_.hi) raise(kSS, error_);
    cpu_.mmu().write_sys(ss_.base + sp_, size, v);
  }
  // The new (E)SP; a 16-bit stack keeps the upper half of `esp`.
  uint32_t esp(uint32_t esp) const { return big_ ? sp_ : (esp & 0xffff0000u) | sp_; }

 private:
  Cpu& cpu_;
  const Segment& ss_;
  bool big_;
  uint32_t sp_;
  uint32_t error_;
};

// Far JMP/CALL through the call gate `gate` named by `sel` (SDM Vol.2 CALL/JMP "CALL-GATE",
// Vol.3 §5.8.5): same-level transfers, and for CALL the switch to an inner stack with the
// parameter copy. Returns the new EIP.
uint32_t far_through_call_gate(Cpu& cpu, uint16_t sel, const Descriptor& gate, bool call, uint32_t ret_eip);

}  // namespace cpu
