// Instruction templates: each one emits a randomised instance of one instruction form (plus the
// pins that keep it inside the harness's constraints) into a Group. Covering a new instruction
// means adding a row to the table of its class in one of the gen_*.cpp files.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace diff {

class Group;

enum Cls : uint8_t {
  kAlu, kUnary, kShift, kMulDiv, kBcd, kBit, kCond, kDataMov, kStack, kString, kFlag, kControl,
  kSegment, kFault, kNumCls
};
// Not a template class: streams drawn uniformly from every class.
constexpr unsigned kMixCls = kNumCls;

inline const char* cls_name(unsigned c) {
  static constexpr const char* kNames[] = {"alu",    "unary",   "shift",  "muldiv",  "bcd",
                                           "bit",    "cond",    "datamov", "stack",  "string",
                                           "flags",  "control", "segment", "fault",  "mix"};
  return kNames[c];
}
// Class number by name ("mix" gives kMixCls); -1 when unknown.
int cls_by_name(std::string_view name);

enum Trait : uint8_t {
  kReal = 1 << 0,
  kFlat = 1 << 1,
  kBoth = kReal | kFlat,
  kNoBody = 1 << 2,   // touches the stack or control flow: not allowed inside a CALL/RET body
  kFaults = 1 << 3,   // ends the stream with an exception: only drawn as the last group
};

struct Template {
  const char* name;
  uint8_t cls;
  uint8_t traits;
  // Emits into the group; false when this draw cannot be built (the generator draws again).
  bool (*emit)(Group&);
};

std::span<const Template> templates();

// Per-class tables, one per gen_*.cpp file.
std::span<const Template> alu_templates();        // alu unary bcd
std::span<const Template> shift_mul_templates();  // shift muldiv
std::span<const Template> bits_templates();       // bit cond flags
std::span<const Template> data_templates();       // datamov
std::span<const Template> segment_templates();    // segment
std::span<const Template> stack_templates();      // stack string
std::span<const Template> control_templates();    // control fault

}  // namespace diff
