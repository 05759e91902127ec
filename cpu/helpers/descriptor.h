// Protected-mode segment descriptors (SDM Vol.3 §3.4.5) and the segment-register loads built on
// them, shared by Cpu::load_seg and the far-transfer helpers.
#pragma once

#include <cstdint>

#include "cpu/cpu.h"

namespace cpu {

// One 8-byte descriptor as it sits in the GDT or LDT.
struct Descriptor {
  uint32_t lo = 0, hi = 0;

  uint32_t base() const { return (lo >> 16) | (hi & 0xff) << 16 | (hi & 0xff000000u); }
  // The limit in bytes (the G bit scales the 20-bit field by 4 KiB).
  uint32_t limit() const {
    const uint32_t raw = (lo & 0xffff) | (hi & 0x000f0000u);
    return hi & (1u << 23) ? raw << 12 | 0xfff : raw;
  }
  uint32_t flags() const { return (hi >> 8) & 0xffff; }  // the layout of Segment::flags
  unsigned type() const { return (hi >> 8) & 0xf; }
  bool system() const { return !(hi & (1u << 12)); }  // S = 0: gates, TSS, LDT
  unsigned dpl() const { return (hi >> 13) & 3; }
  bool present() const { return hi & (1u << 15); }
  bool code() const { return !system() && (type() & 8); }
  bool data() const { return !system() && !(type() & 8); }
  bool conforming() const { return code() && (type() & 4); }
  bool readable() const { return data() || (code() && (type() & 2)); }
  bool writable() const { return data() && (type() & 2); }
};

// Selector fields (SDM Vol.3 §3.4.2).
constexpr uint16_t sel_error(uint16_t sel) { return sel & 0xfffc; }  // error-code form
constexpr unsigned sel_rpl(uint16_t sel) { return sel & 3; }
constexpr bool sel_null(uint16_t sel) { return (sel & 0xfffc) == 0; }

// Reads the descriptor `sel` names from the GDT or LDT (TI bit) through linear addresses;
// #GP(sel) when it lies outside the table.
Descriptor fetch_descriptor(Cpu& cpu, uint16_t sel);

// Sets the accessed bit of a code/data descriptor in memory (and in `d`).
void mark_accessed(Cpu& cpu, uint16_t sel, Descriptor& d);

// The descriptor cache a segment register holds for `d`.
Segment segment_cache(uint16_t sel, const Descriptor& d);

// Checks `sel` as a stack segment for privilege level `pl` (MOV SS: CPL; RET/IRET to an outer
// level: the new CPL): #GP(0) null, #GP(sel) bad RPL/type/DPL, #SS(sel) not present.
Descriptor check_stack_segment(Cpu& cpu, uint16_t sel, unsigned pl);

// Loads CS for a control transfer whose checks have passed; the new CPL becomes its RPL.
void load_code_segment(Cpu& cpu, uint16_t sel, Descriptor d, unsigned cpl);

// Segment-register loads of MOV/POP/LxS (Cpu::load_seg) by mode.
void load_seg_v86(Cpu& cpu, unsigned seg, uint16_t sel);
void load_seg_protected(Cpu& cpu, unsigned seg, uint16_t sel);

// A null selector in a data-segment register: the load is allowed, every access through it
// raises #GP(0) (access rights 0 make Cpu::check_seg fail).
void load_null_segment(Cpu& cpu, unsigned seg, uint16_t sel);

// After a return to an outer privilege level, data-segment registers the new CPL may not use
// are nulled (SDM Vol.2 RET/IRET: data or non-conforming code segments with DPL < CPL).
void null_inaccessible_segments(Cpu& cpu);

}  // namespace cpu
