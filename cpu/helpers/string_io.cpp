// Port I/O (IN, OUT) and the string instructions (SDM Vol.2 MOVS CMPS STOS LODS SCAS INS OUTS,
// and "REP/REPE/REPZ/REPNE/REPNZ").
//
// String iterations update (E)SI, (E)DI and (E)CX only after their memory accesses succeeded,
// so a fault part-way leaves a state from which the instruction restarts correctly (EIP still
// names it). A REP form runs at most kChunkBytes worth of elements per call; the chunk does not
// depend on which path (host-memory bulk copy or per-element) did the work, so execution stays
// deterministic.
#include <algorithm>
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/debug_regs.h"
#include "cpu/flags.h"
#include "cpu/helpers/helpers.h"
#include "cpu/helpers/string_io.h"

namespace cpu {
namespace {

constexpr uint32_t kChunkBytes = 4096;

constexpr uint32_t ones(unsigned size) { return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }

// Protected-mode I/O permission (SDM Vol.1 §19.5): allowed when CPL <= IOPL outside V86 mode;
// otherwise every bit for the accessed ports in the TSS I/O permission bitmap must be clear.
// The processor reads the bitmap two bytes at a time, so both must lie within the TSS limit.
void check_io(Cpu& cpu, uint16_t port, unsigned size) {
  const CpuState& s = cpu.s;
  if (!cpu.protected_mode()) return;
  const unsigned iopl = (s.eflags & fl::IOPL) >> 12;
  if (!cpu.v86() && s.cpl <= iopl) return;
  const unsigned type = s.tr.flags & 0xf;  // only a 32-bit TSS (available 9, busy 11) has a bitmap
  if ((type != 9 && type != 11) || s.tr.limit < 0x67) raise(kGP, 0);
  // The TSS is read with supervisor privilege whatever the CPL.
  const uint32_t at = cpu.mmu().read_sys(s.tr.base + 0x66, 2) + port / 8u;
  if (at + 1 > s.tr.limit) raise(kGP, 0);
  const uint32_t bits = cpu.mmu().read_sys(s.tr.base + at, 2);
  if ((bits >> (port & 7)) & ((1u << size) - 1)) raise(kGP, 0);
}

// I/O breakpoints (DR7 R/W = 10 with CR4.DE) trap after the instruction (SDM Vol.3 §17.2.4).
void io_breakpoints(Cpu& cpu, uint16_t port, unsigned size) {
  if (!(cpu.s.dbg_data & 0xf0)) [[likely]]
    return;
  if (const uint32_t hits = dbg::io_hits(cpu.s, port, size)) {
    cpu.s.db_trap |= hits;
    cpu::request_exit(cpu.s);
  }
}

// With no bus attached (bare CPU tests) reads float high like an empty ISA bus.
uint32_t port_read(Cpu& cpu, uint16_t port, unsigned size) {
  io_breakpoints(cpu, port, size);
  if (!cpu.io) return ones(size);
  return cpu.io->io_read(port, size) & ones(size);
}

void port_write(Cpu& cpu, uint16_t port, unsigned size, uint32_t value) {
  io_breakpoints(cpu, port, size);
  if (cpu.io) cpu.io->io_write(port, size, value & ones(size));
}

// One string instruction's view of the machine: element size, direction, which of SI/DI/CX or
// ESI/EDI/ECX it uses, and the prefix.
struct Str {
  Str(Cpu& cpu, uint32_t key)
      : cpu(cpu),
        s(cpu.s),
        size(key_size(key)),
        mask(key_addr32(key) ? 0xffffffffu : 0xffffu),
        rep(key_rep(key)),
        seg(key_seg(key)),
        down(cpu.s.eflags & fl::DF),
        step(down ? 0u - size : size) {}

  Cpu& cpu;
  CpuState& s;
  const unsigned size;
  const uint32_t mask;
  const StrRep rep;
  const unsigned seg;  // source segment (DS or the override)
  const bool down;     // DF
  const uint32_t step;
  bool stop = false;   // REPE/REPNE condition ended the loop

  uint32_t get(unsigned r) const { return s.regs[r] & mask; }
  void set(unsigned r, uint32_t v) { s.regs[r] = (s.regs[r] & ~mask) | (v & mask); }
  // Advances the index registers `n` elements and counts the iterations off (E)CX.
  void advance(unsigned r, uint32_t n) { set(r, get(r) + step * n); }
  void retire(uint32_t n) {
    if (rep != kRepNone) set(ECX, get(ECX) - n);
  }

  // CMPS/SCAS: flags as CMP src1, src2; the REPE/REPNE condition is checked on ZF.
  void compare(uint32_t a, uint32_t b) {
    const uint32_t r = (a - b) & ones(size);
    s.cc_op = cc_op(CcKind::Sub, size);
    s.cc_src1 = a;
    s.cc_src2 = b;
    s.cc_res = r;
    stop = rep == kRepE ? r != 0 : rep == kRepNE ? r == 0 : false;
  }

  // The host bytes of a run of up to `max` elements at seg:off (going down when DF=1) that lie
  // in one RAM page, inside the segment limit, with no offset wrap, and whose TLB entry hits
  // for `access` (a write hit excludes pages with translated code, ROM and MMIO). Sets `n` to
  // the run length and returns the host address of its lowest byte, or nullptr.
  uint8_t* host_run(unsigned sg_idx, uint32_t off, uint32_t max, bool write, uint32_t& n) const {
    const Segment& sg = s.seg[sg_idx];
    if (!(sg.access & (write ? kSegWrite : kSegRead))) return nullptr;
    if (off < sg.lo || uint64_t(off) + size - 1 > std::min(sg.hi, mask)) return nullptr;
    const uint32_t lin = sg.base + off;
    const uint32_t in_page = lin & (mmu::kPageSize - 1);
    if (in_page + size > mmu::kPageSize) return nullptr;
    uint64_t len;
    uint32_t lo_lin;
    if (!down) {
      len = std::min<uint64_t>((mmu::kPageSize - in_page) / size,
                               (uint64_t(std::min(sg.hi, mask)) - off + 1) / size);
    } else {
      len = std::min<uint64_t>(in_page / size, (off - sg.lo) / size) + 1;
    }
    n = uint32_t(std::min<uint64_t>(len, max));
    lo_lin = down ? lin - (n - 1) * size : lin;
    const mmu::TlbEntry& e = cpu.mmu().tlb()[mmu::tlb_index(lo_lin)];  // the current privilege's set
    const uint32_t tag = write ? e.tag_write : e.tag_read;
    if (tag != (lo_lin & mmu::kPageMask)) return nullptr;
    return reinterpret_cast<uint8_t*>(e.addend + lo_lin);
  }
};

// Runs `iter(st, max)` (which performs between 1 and `max` iterations and returns how many) the
// way the prefix asks, and returns the EIP to continue at.
template <typename Iter>
uint32_t drive(Cpu& cpu, uint32_t next_eip, uint32_t key, Iter iter) {
  Str st(cpu, key);
  if (st.rep == kRepNone) {
    iter(st, 1);
    return next_eip;
  }
  uint32_t left = kChunkBytes / st.size;
  for (;;) {
    const uint32_t count = st.get(ECX);
    if (count == 0) return next_eip;
    if (left == 0) {
      // More to do: this instruction runs again. An interrupt taken in between pushes RF = 1
      // (SDM Vol.3 §17.3.1.1), and the resumed instruction does not re-check its breakpoint.
      cpu.s.eflags |= fl::RF;
      return cpu.s.eip;
    }
    left -= iter(st, std::min(left, count));
    if (st.stop) return next_eip;
    // A data or I/O breakpoint hit by this iteration traps before the next one, with EIP still
    // naming the instruction while iterations remain (SDM Vol.3 §17.3.1.2); the trap then
    // pushes RF = 1 so an instruction breakpoint on it does not fire again (§17.3.1.1).
    // Watched pages never take the bulk paths, so the hit is always the last element done.
    if (cpu.s.db_trap & dbg::kBAny) [[unlikely]] {
      if (!st.get(ECX)) return next_eip;
      cpu.s.eflags |= fl::RF;
      return cpu.s.eip;
    }
  }
}

// Checks a destination element for writing (segment and page) before a port is read, so a
// fault cannot swallow input data.
void check_dest(Cpu& cpu, uint32_t off, unsigned size) {
  const uint32_t lin = cpu.check_seg(ES, off, size, kSegWrite);
  cpu.mmu().translate(lin, mmu::Access::Write);
  if (((lin & (mmu::kPageSize - 1)) + size) > mmu::kPageSize)
    cpu.mmu().translate(lin + size - 1, mmu::Access::Write);
}

// Repeats the first `period` bytes of p[0, bytes) over the rest (with `down`, the last `period`
// bytes over what lies below them), in block copies of doubling length. Each block copies a
// multiple of the period and never overlaps its source.
void replicate(uint8_t* p, size_t period, size_t bytes, bool down) {
  for (size_t done = period; done < bytes;) {
    const size_t n = std::min(done, bytes - done);
    if (!down) {
      std::memcpy(p + done, p, n);
    } else {
      std::memcpy(p + bytes - done - n, p + bytes - n, n);
    }
    done += n;
  }
}

// Copies `bytes` bytes the way REP MOVS with elements of `size` bytes does, one element after
// the other upwards (or downwards with DF = 1). Only an overlap where later elements read what
// earlier ones wrote makes the order visible; then the distance d between the two ranges is
// the period of the result: the first d bytes copied (the last d going down) repeat over the
// whole destination. When d >= size, elements equal bytes copied in order, so the pattern is
// replicated with a few block copies of doubling length instead of byte by byte. An element
// overlapping its own source (d < size) is a load then a store: kept element by element.
void copy_in_order(uint8_t* dst, const uint8_t* src, size_t bytes, unsigned size, bool down) {
  const bool hazard = down ? dst < src && dst + bytes > src : dst > src && dst < src + bytes;
  if (!hazard) {
    std::memmove(dst, src, bytes);
    return;
  }
  const size_t d = size_t(down ? src - dst : dst - src);
  if (d < size) {
    if (!down) {
      for (size_t i = 0; i < bytes; i += size) std::memmove(dst + i, src + i, size);
    } else {
      for (size_t i = bytes; i > 0; i -= size) std::memmove(dst + i - size, src + i - size, size);
    }
    return;
  }
  if (!down) {
    std::memcpy(dst, src, d);
  } else {
    std::memcpy(dst + bytes - d, src + bytes - d, d);
  }
  replicate(dst, d, bytes, down);
}

uint32_t movs_iter(Str& st, uint32_t max) {
  const uint32_t si = st.get(ESI), di = st.get(EDI);
  if (max > 1) {
    uint32_t ns, nd;
    uint8_t* src = st.host_run(st.seg, si, max, false, ns);
    uint8_t* dst = src ? st.host_run(ES, di, max, true, nd) : nullptr;
    if (dst) {
      const uint32_t n = std::min(ns, nd);
      // Both runs are re-anchored to n elements (host_run returns the lowest byte).
      if (st.down) {
        src += (ns - n) * st.size;
        dst += (nd - n) * st.size;
      }
      copy_in_order(dst, src, size_t(n) * st.size, st.size, st.down);
      st.advance(ESI, n);
      st.advance(EDI, n);
      st.retire(n);
      return n;
    }
  }
  const uint32_t v = st.cpu.load(st.seg, si, st.size);
  st.cpu.store(ES, di, st.size, v);
  st.advance(ESI, 1);
  st.advance(EDI, 1);
  st.retire(1);
  return 1;
}

uint32_t stos_iter(Str& st, uint32_t max) {
  const uint32_t di = st.get(EDI);
  const uint32_t v = st.s.regs[EAX] & ones(st.size);
  if (max > 1) {
    uint32_t n;
    if (uint8_t* dst = st.host_run(ES, di, max, true, n)) {
      if (st.size == 1) {
        std::memset(dst, int(v), n);
      } else {
        std::memcpy(dst, &v, st.size);  // little-endian host
        replicate(dst, st.size, size_t(n) * st.size, false);
      }
      st.advance(EDI, n);
      st.retire(n);
      return n;
    }
  }
  st.cpu.store(ES, di, st.size, v);
  st.advance(EDI, 1);
  st.retire(1);
  return 1;
}

uint32_t lods_iter(Str& st, uint32_t) {
  const uint32_t si = st.get(ESI);
  const uint32_t v = st.cpu.load(st.seg, si, st.size);
  st.cpu.set_reg(EAX, st.size, v);
  st.advance(ESI, 1);
  st.retire(1);
  return 1;
}

uint32_t cmps_iter(Str& st, uint32_t) {
  const uint32_t si = st.get(ESI), di = st.get(EDI);
  const uint32_t a = st.cpu.load(st.seg, si, st.size);
  const uint32_t b = st.cpu.load(ES, di, st.size);
  st.advance(ESI, 1);
  st.advance(EDI, 1);
  st.retire(1);
  st.compare(a, b);
  return 1;
}

uint32_t scas_iter(Str& st, uint32_t) {
  const uint32_t di = st.get(EDI);
  const uint32_t b = st.cpu.load(ES, di, st.size);
  st.advance(EDI, 1);
  st.retire(1);
  st.compare(st.s.regs[EAX] & ones(st.size), b);
  return 1;
}

uint32_t ins_iter(Str& st, uint32_t) {
  const uint32_t di = st.get(EDI);
  check_dest(st.cpu, di, st.size);
  const uint32_t v = port_read(st.cpu, uint16_t(st.s.regs[EDX]), st.size);
  st.cpu.store(ES, di, st.size, v);
  st.advance(EDI, 1);
  st.retire(1);
  return 1;
}

uint32_t outs_iter(Str& st, uint32_t) {
  const uint32_t si = st.get(ESI);
  const uint32_t v = st.cpu.load(st.seg, si, st.size);
  port_write(st.cpu, uint16_t(st.s.regs[EDX]), st.size, v);
  st.advance(ESI, 1);
  st.retire(1);
  return 1;
}

// INS/OUTS check the I/O permission once, before the first iteration (none when the count is 0).
bool io_will_run(Cpu& cpu, uint32_t key) {
  return key_rep(key) == kRepNone || (cpu.s.regs[ECX] & (key_addr32(key) ? 0xffffffffu : 0xffffu));
}

}  // namespace

uint32_t helper_in(Cpu& cpu, uint32_t port, uint32_t, uint32_t, uint32_t size) {
  check_io(cpu, uint16_t(port), size);
  return port_read(cpu, uint16_t(port), size);
}

uint32_t helper_out(Cpu& cpu, uint32_t port, uint32_t value, uint32_t, uint32_t size) {
  check_io(cpu, uint16_t(port), size);
  port_write(cpu, uint16_t(port), size, value);
  return 0;
}

uint32_t helper_movs(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t key) {
  return drive(cpu, next_eip, key, movs_iter);
}

uint32_t helper_cmps(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t key) {
  return drive(cpu, next_eip, key, cmps_iter);
}

uint32_t helper_stos(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t key) {
  return drive(cpu, next_eip, key, stos_iter);
}

uint32_t helper_lods(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t key) {
  return drive(cpu, next_eip, key, lods_iter);
}

uint32_t helper_scas(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t key) {
  return drive(cpu, next_eip, key, scas_iter);
}

uint32_t helper_ins(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t key) {
  if (io_will_run(cpu, key)) check_io(cpu, uint16_t(cpu.s.regs[EDX]), key_size(key));
  return drive(cpu, next_eip, key, ins_iter);
}

uint32_t helper_outs(Cpu& cpu, uint32_t next_eip, uint32_t, uint32_t, uint32_t key) {
  if (io_will_run(cpu, key)) check_io(cpu, uint16_t(cpu.s.regs[EDX]), key_size(key));
  return drive(cpu, next_eip, key, outs_iter);
}

}  // namespace cpu
