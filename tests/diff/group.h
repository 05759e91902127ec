// Group: the unit the generator appends to a stream. A template emits one group: the setup
// instructions ("pins": MOVs that put registers and memory where the instruction needs them) and
// the instruction itself. Branches only ever land on group boundaries, so a group's pins always
// run before the instruction they prepare.
//
// The group also carries the generator's knowledge along: which arithmetic flags are undefined
// (instructions that read them get a CMP in front that defines them again) and where ESP is.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "cpu/decoder.h"
#include "tests/diff/rng.h"
#include "tests/diff/stream.h"

namespace diff {

using LoweredFn = std::function<bool(uint16_t mnemonic)>;

struct GenCtx {
  Mode mode = Mode::Real;
  const cpu::Decoder* dec = nullptr;
  LoweredFn lowered;          // does ghost86 implement this mnemonic
  uint16_t sel[kSegs] = {};   // real mode: the selectors whose windows are mapped
  uint32_t avoid_known = ~0u; // the bugs in known_issues.h to steer around, one bit each
  bool code32() const { return mode == Mode::Flat32; }
};

// Facts tracked along the stream, joined conservatively where branches meet.
struct GenState {
  uint32_t undef = 0;  // arithmetic flags whose value is undefined right now
  bool sp_known = true;
  uint32_t esp = 0;    // full ESP when sp_known
  uint16_t sel[kSegs] = {};  // segment registers (always known: loads get chosen selectors)
};

// One instruction under construction.
struct Insn {
  uint8_t b[15] = {};
  uint8_t n = 0;
  Role role = Role::Main;
  uint8_t expect_vector = kNoVector;
  bool allow_unlowered = false;  // meant to raise #UD, so there is nothing to lower
  bool allow_invalid = false;    // ... and the decoder may reject it outright
  uint32_t reads = 0;            // arithmetic flags read
  uint32_t defines = 0;          // arithmetic flags always left with defined values
  uint32_t extra_undef = 0;      // flags the harness knows are undefined here (beyond the table)
  uint8_t writes = 0;            // GPRs (32-bit numbers) left with values the generator can't know
  int sp_delta = 0;              // ESP change (when ESP is not in `writes`)
  int8_t fix_pos = -1;           // a field patched once the label's address is known
  uint8_t fix_width = 0;
  bool fix_rel = false;          // relative to the end of this instruction; else an absolute EIP
  int16_t fix_label = -1;
  int16_t jump_label = -1;       // execution may continue at this label after this instruction

  Insn& u8(uint32_t v) {
    b[n++] = uint8_t(v);
    return *this;
  }
  Insn& imm(uint32_t v, unsigned size) {
    for (unsigned i = 0; i < size; i++) b[n++] = uint8_t(v >> (8 * i));
    return *this;
  }
  Insn& fix(int label, unsigned width, bool rel) {
    fix_pos = int8_t(n);
    fix_width = uint8_t(width);
    fix_rel = rel;
    fix_label = int16_t(label);
    for (unsigned i = 0; i < width; i++) b[n++] = 0;
    return *this;
  }
};

// A memory operand whose effective address is known to land in the window.
struct Mem {
  uint8_t asize = 4;  // address size, 2 or 4
  uint8_t mod = 0, rm = 0;
  bool has_sib = false;
  uint8_t sib = 0;
  uint8_t disp_size = 0;
  uint32_t disp = 0;
  int8_t seg_prefix = -1;  // override prefix, or -1
  uint8_t seg = sDS;       // effective segment
  uint32_t ea = 0;         // offset within the segment
};

// A ModRM r/m operand: a register or memory.
struct Rm {
  bool is_mem = false;
  uint8_t reg = 0;  // register form: x86 number at the operand's size (8-bit: 4..7 = AH..BH)
  Mem m;
};

struct MemOpts {
  unsigned size = 4;      // bytes accessed at the address
  unsigned below = 0;     // further bytes the instruction may reach below / above it
  unsigned above = 0;
  bool write = false;     // written: never through CS
  int sp_bias = 0;        // ESP as a base is read after the instruction moved it (POP m)
  bool no_access = false; // LEA, NOP: the address is computed only; any register values do
};

struct Label {
  int32_t off = -1;         // group-relative offset once bound (local labels)
  bool pending = false;     // a forward target the generator places on a later boundary
  int skip = 1;             // ... this many boundaries ahead at most
  bool short_jump = false;  // reached by a rel8 jump
  int32_t jump_end = -1;    // group-relative end of that jump
  GenState at_jump;         // state on the taken path
};

constexpr unsigned kMaxKnownIssues = 8;

struct Emitted {
  Insn in;
  uint16_t off = 0;
  uint16_t mnemonic = 0;
  uint32_t undef_after = 0;
};

class Group {
 public:
  Group(const GenCtx& ctx, Rng& rng, const GenState& st) : ctx(ctx), rng(rng), st(st) {}

  const GenCtx& ctx;
  Rng& rng;
  GenState st;
  std::vector<Emitted> out;
  std::vector<Label> labels;
  bool failed = false;       // an instruction ghost86 does not implement: the group is dropped
  uint16_t unlowered = 0;    // ... its mnemonic
  uint8_t reserved = 0;      // GPRs the template pins itself: address pins must not use them
  MemRange protect;          // linear bytes memory operands must keep clear of (a return address)
  int known_drop = -1;       // the group was dropped for this known issue
  std::array<uint16_t, kMaxKnownIssues> known_flagged{};  // instructions with unreliable flags

  bool code32() const { return ctx.code32(); }
  bool real() const { return ctx.mode == Mode::Real; }
  unsigned bytes() const;

  // Operand and address sizes, mostly the mode's default, sometimes the prefixed one.
  unsigned osize();
  unsigned asize();
  void prefix_os(Insn& in, unsigned size) const;   // 66h when `size` (2/4) is not the default
  void prefix_mem(Insn& in, const Mem& m) const;   // 67h and the segment override
  void prefix_rm(Insn& in, const Rm& r) const {
    if (r.is_mem) prefix_mem(in, r.m);
  }
  static void modrm(Insn& in, unsigned reg, const Rm& r);
  static void modrm(Insn& in, unsigned reg, const Mem& m);

  // Random immediate of `size` bytes, biased towards edge values.
  uint32_t imm(unsigned size);
  // A register number of `size` whose 32-bit register is not reserved (and not ESP when
  // `pin` says it will be pinned), reserving it.
  unsigned pick_reg(unsigned size, bool pin);
  void reserve(unsigned reg32) { reserved |= uint8_t(1u << reg32); }
  static unsigned parent(unsigned reg, unsigned size) { return size == 1 ? reg & 3 : reg; }
  uint32_t seg_base(unsigned seg) const { return real() ? uint32_t(st.sel[seg]) << 4 : 0; }
  bool hits_protected(uint32_t lin, uint32_t len) const {
    return protect.len && lin < protect.lin + protect.len && protect.lin < lin + len;
  }

  // Operands. Pins for the address registers are emitted right away.
  Mem mem(const MemOpts& o);
  Rm rm(unsigned size, const MemOpts& o, bool pinnable = false);

  // Pins: MOVs that set a register or memory to a chosen value.
  void pin(unsigned reg32, uint32_t value);
  void pin_sized(unsigned reg, unsigned size, uint32_t value);  // upper bits random
  void pin_mem(const Mem& m, uint32_t off, unsigned size, uint32_t value);
  void pin_rm(const Rm& r, unsigned size, uint32_t value);
  void pin_label(unsigned reg32, unsigned size, int label);
  void pin_mem_label(const Mem& m, unsigned size, int label);
  // Makes sure ESP is known and the stack has `down` bytes below and `up` above it in the window.
  void need_stack(unsigned down, unsigned up);

  int forward_label();  // placed by the generator on a later group boundary
  int local_label();
  void bind(int label) { labels[label].off = int32_t(bytes()); }

  // A point to return to when a nested draw (a CALL body) turns out unusable.
  struct Mark {
    size_t nout, nlabels;
    GenState st;
    uint8_t reserved;
    bool failed;
    int known_drop;
  };
  Mark mark() const { return Mark{out.size(), labels.size(), st, reserved, failed, known_drop}; }
  void rollback(const Mark& m) {
    out.resize(m.nout);
    labels.resize(m.nlabels);
    st = m.st;
    reserved = m.reserved;
    failed = m.failed;
    known_drop = m.known_drop;
  }

  // Appends an instruction: checks the encoding against the decoder, drops the group when the
  // instruction is not lowered, defines undefined flags it reads, and updates the tracking.
  void emit(Insn in);

 private:
  bool try_mem(const MemOpts& o, Mem& m);
  void set_sp(uint32_t v);
};

uint32_t cond_reads(unsigned cc);  // flags a condition code (Jcc/SETcc/CMOVcc nibble) reads

}  // namespace diff
