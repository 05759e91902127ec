// The processor's architectural state through a devices::Serializer, one field after another
// in a fixed order: the state hash feeds it to XXH3 and snapshots store it, so both see the
// same fields. Left out: the TLB and jump-cache pointers and the run loop's bookkeeping, which
// belong to the engine, not to the guest.
#pragma once

#include "cpu/state.h"
#include "devices/device.h"

namespace machine {

// EFLAGS travels materialised, so how an engine held the arithmetic flags (lazily or not)
// never shows. Loading brings values a damaged file may hold back into their ranges (CPL 0-3,
// flags 0/1), so no later code sees a state the processor cannot be in.
void serialize_cpu(cpu::CpuState& s, devices::Serializer& io);

}  // namespace machine
