#include "cpu/cpu.h"

#include "cpu/flags.h"
#include "cpu/helpers/descriptor.h"

namespace cpu {

void Cpu::reset() {
  s = CpuState{};
  set_cpl(0);
  s.regs[EDX] = model.signature;  // the processor signature, as CPUID leaf 1 reports it
  for (auto& sg : s.seg) sg = Segment{0, 0, 0, 0xffff, 0, 0xffff, 0x93, 3};
  s.seg[CS].sel = 0xf000;
  s.seg[CS].base = 0xffff0000;
  s.seg[CS].flags = 0x9b;
  s.eip = 0xfff0;
  s.gdtr = DescTable{0, 0xffff};
  s.idtr = DescTable{0, 0x3ff};
  s.ldtr = Segment{0, 0, 0, 0xffff, 0, 0xffff, 0x82, 0};  // no LDT until LLDT (access 0)
  s.tr = Segment{0, 0, 0, 0xffff, 0, 0xffff, 0x8b, 3};
  mmu_.flush_tlb();
}

void Cpu::seg_fault(unsigned seg) {
  if (seg == SS) raise(kSS, 0);
  raise(kGP, 0);
}

uint32_t Cpu::load(unsigned seg, uint32_t off, unsigned size) {
  switch (size) {
    case 1: return load<1>(seg, off);
    case 2: return load<2>(seg, off);
    default: return load<4>(seg, off);
  }
}

void Cpu::store(unsigned seg, uint32_t off, unsigned size, uint32_t v) {
  switch (size) {
    case 1: return store<1>(seg, off, v);
    case 2: return store<2>(seg, off, v);
    default: return store<4>(seg, off, v);
  }
}

bool Cpu::try_load(unsigned seg, uint32_t off, unsigned size, uint32_t& v) {
  switch (size) {
    case 1: return try_load<1>(seg, off, v);
    case 2: return try_load<2>(seg, off, v);
    default: return try_load<4>(seg, off, v);
  }
}

bool Cpu::try_store(unsigned seg, uint32_t off, unsigned size, uint32_t v) {
  switch (size) {
    case 1: return try_store<1>(seg, off, v);
    case 2: return try_store<2>(seg, off, v);
    default: return try_store<4>(seg, off, v);
  }
}

uint32_t Cpu::reg(unsigned r, unsigned size) const {
  if (size == 4) return s.regs[r];
  if (size == 2) return s.regs[r] & 0xffff;
  return r < 4 ? s.regs[r] & 0xff : (s.regs[r - 4] >> 8) & 0xff;
}

void Cpu::set_reg(unsigned r, unsigned size, uint32_t v) {
  if (size == 4) {
    s.regs[r] = v;
  } else if (size == 2) {
    s.regs[r] = (s.regs[r] & 0xffff0000u) | (v & 0xffff);
  } else if (r < 4) {
    s.regs[r] = (s.regs[r] & 0xffffff00u) | (v & 0xff);
  } else {
    s.regs[r - 4] = (s.regs[r - 4] & 0xffff00ffu) | ((v & 0xff) << 8);
  }
}

void Cpu::load_seg_real(unsigned seg, uint16_t sel) {
  s.seg[seg].sel = sel;
  s.seg[seg].base = uint32_t(sel) << 4;
  // Real mode checks limits but not types: whatever attributes a protected-mode load left in
  // the cache, the segment can be read and written (code bytes through a CS override too).
  s.seg[seg].access = kSegRead | kSegWrite;
}

void Cpu::load_seg(unsigned seg, uint16_t sel) {
  if (!protected_mode()) return load_seg_real(seg, sel);
  if (v86()) return load_seg_v86(*this, seg, sel);
  load_seg_protected(*this, seg, sel);  // descriptor checks: cpu/helpers/descriptor.cpp
}

}  // namespace cpu
