// The registers gdb sees (its remote protocol and the gdb stub, frontend/gdb), in the order of
// the target description (target_xml): the i386 core feature (general registers, EIP, EFLAGS,
// segment selectors, x87), then the control registers. Here because a recorded register write
// (machine/host_input.h) is applied by the machine itself at replay.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpu/cpu.h"

namespace machine {

struct RegisterInfo {
  std::string_view name;
  unsigned bits;
  std::string_view type;   // the description's type name
  std::string_view group;  // empty: general
};

// Every register in number order.
const std::vector<RegisterInfo>& registers();

// The target description (qXfer:features:read:target.xml). Its architecture is i8086 for a
// processor in real mode, i386 otherwise: gdb disassembles by it, and a user's `set
// architecture` can widen it (i8086 to i386) but not narrow it.
std::string target_xml(bool real_mode);

// Register `n` in target byte order, or nullopt for no such register.
std::optional<std::vector<uint8_t>> read_register(const cpu::Cpu& cpu, unsigned n);
// Sets register `n` from `bytes` (its size exactly). False when the register does not exist,
// cannot be written here (control registers), or the value is refused (a selector the
// descriptor tables do not hold in protected mode).
bool write_register(cpu::Cpu& cpu, unsigned n, const std::vector<uint8_t>& bytes);

}  // namespace machine
