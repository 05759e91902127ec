// What one differential test case is: a mode, an initial machine state, memory windows with their
// contents, and the code. Both engines are set up from this and nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace diff {

enum class Mode : uint8_t { Real, Flat32 };
inline const char* mode_name(Mode m) { return m == Mode::Real ? "real" : "flat32"; }

// Address layout. Every memory operand, string pointer and the stack stay inside one window of
// offsets [kWinLo, kWinHi) of whatever segment they use; in real mode each segment register's
// window is a different piece of linear memory. Everything sits below 64 KB so 16-bit address
// arithmetic (67h in flat32, or 66h branches that truncate EIP) reaches the same bytes.
constexpr uint32_t kWinLo = 0x7000, kWinHi = 0x8000;
constexpr uint32_t kCodeOff = 0x1000, kCodeMax = 0x1000;  // code: CS:kCodeOff, at most kCodeMax bytes
// Real mode: selectors come from [kSelLo, kSelHi); both engines map linear [kRealMapLo, kRealMapHi).
constexpr uint16_t kSelLo = 0x1000, kSelHi = 0x7000;
constexpr uint32_t kRealMapLo = 0x10000, kRealMapHi = 0x80000;
// Flat32: both engines map [0, kFlatMapHi); ghost86 alone also holds its descriptor tables there.
constexpr uint32_t kFlatMapHi = 0x10000;
constexpr uint16_t kFlatCodeSel = 0x08, kFlatDataSel = 0x10;

// Paging ("--mode paged"): flat32 streams run with CR0.PG and WP set, the page directory at
// kPagingPd and its table at kPagingPt identity-mapping [0, kFlatMapHi) (or one 4 MB PSE page),
// with the window page writable, read-only or not present. The tables are part of the compared
// memory, so accessed and dirty bits are compared too.
constexpr uint32_t kPagingPd = 0xA000, kPagingPt = 0xB000;
struct Paging {
  bool on = false;
  bool pse = false;
  uint8_t window = 0;  // 0 writable, 1 read-only, 2 not present
};

constexpr uint8_t kNoVector = 0xff;
constexpr uint64_t kMaxInsns = 10000;  // per stream, far more than any stream executes

// Segment registers in cpu::SegReg order.
enum Seg : uint8_t { sES, sCS, sSS, sDS, sFS, sGS, kSegs };
inline const char* seg_name(unsigned s) {
  static constexpr const char* kNames[] = {"es", "cs", "ss", "ds", "fs", "gs"};
  return kNames[s];
}

struct InitState {
  uint32_t regs[8] = {};  // EAX ECX EDX EBX ESP EBP ESI EDI
  uint32_t eflags = 2;
  uint16_t sel[kSegs] = {};
  uint32_t eip = kCodeOff;
};

struct MemRange {
  uint32_t lin = 0, len = 0;
};

enum class Role : uint8_t { Pin, Sanitize, Main };

struct StreamInsn {
  uint16_t off = 0;
  uint8_t len = 0;
  Role role = Role::Main;
  uint8_t cls = 0;
  uint16_t mnemonic = 0;
  uint8_t expect_vector = kNoVector;  // the instruction is meant to fault with this vector
  uint32_t undef_after = 0;           // flags undefined after it (for narrowing down failures)
};

struct Stream {
  Mode mode = Mode::Real;
  unsigned cls = 0;  // the class the stream was drawn for
  uint64_t seed = 0;
  InitState init;
  std::vector<MemRange> ranges;  // linear, sorted, disjoint: the compared memory
  std::vector<uint8_t> mem;      // initial contents of `ranges`, concatenated
  std::vector<uint8_t> code;     // the stream, without the terminating HLT
  std::vector<StreamInsn> insns;
  uint32_t undef_flags = 0;      // EFLAGS bits left undefined at the end: not compared
  Paging paging;

  bool code32() const { return mode == Mode::Flat32; }
  uint32_t cs_base() const { return mode == Mode::Real ? uint32_t(init.sel[sCS]) << 4 : 0; }
  uint32_t code_lin() const { return cs_base() + init.eip; }
  uint32_t end_eip() const { return init.eip + uint32_t(code.size()); }
};

// The harness itself is wrong (an encoding the decoder disagrees with, an unresolvable branch):
// never a verdict about the emulator.
struct HarnessError {
  std::string what;
};

}  // namespace diff
