#include "tests/diff/ghost_runner.h"

#include <cstdio>

namespace diff {
namespace {

constexpr uint32_t kRealStubs = 0x400;  // 0000:0400+v holds the HLT vector v lands on
constexpr uint32_t kFlatIdt = 0, kFlatGdt = 0x800, kFlatStubs = 0x900;

bool has_error_code(unsigned v) { return v == 8 || (v >= 10 && v <= 14) || v == 17; }

void put16(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  b[at] = uint8_t(v);
  b[at + 1] = uint8_t(v >> 8);
}

}  // namespace

void GhostRunner::set_up(const Stream& s) {
  if (!t_ || shut_down_) {
    t_ = std::make_unique<test::TestCpu>(2u << 20);
    shut_down_ = false;
    prev_code_len_ = 0;
    // The first exception of a stream, as raised: with paging its delivery may fail (the
    // stack is on the faulting page) and end in a shutdown, so its vector and CR2 come from here.
    jit::Engine::Log log;
    log.exception = [this](const cpu::CpuException& e) {
      if (first_vector_ >= 0) return;
      first_vector_ = e.vector;
      first_cr2_ = e.address;
    };
    t_->engine.set_log(std::move(log));
  }
  first_vector_ = -1;
  test::TestCpu& t = *t_;
  cpu::CpuState& st = t.cpu.s;
  if (prev_code_len_) t.poke(prev_code_lin_, std::vector<uint8_t>(prev_code_len_, 0));
  const std::vector<uint8_t> stubs(256, 0xf4);
  if (s.mode == Mode::Real) {
    t.real_mode(s.init.sel[sCS], uint16_t(s.init.eip));
    for (unsigned i = 0; i < kSegs; i++) t.cpu.load_seg_real(i, s.init.sel[i]);
    std::vector<uint8_t> ivt(1024, 0);
    for (unsigned v = 0; v < 256; v++) put16(ivt, 4 * v, kRealStubs + v);
    t.poke(0, ivt);
    t.poke(kRealStubs, stubs);
  } else {
    t.flat32(s.init.eip);
    for (unsigned i = 0; i < kSegs; i++) st.seg[i].sel = s.init.sel[i];
    // 32-bit interrupt gates to the stubs, and the flat descriptors flat32() installed.
    std::vector<uint8_t> idt(256 * 8, 0);
    for (unsigned v = 0; v < 256; v++) {
      put16(idt, 8 * v, kFlatStubs + v);
      put16(idt, 8 * v + 2, kFlatCodeSel);
      idt[8 * v + 5] = 0x8e;
    }
    t.poke(kFlatIdt, idt);
    t.poke(kFlatGdt, {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0,
                      0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0});
    st.gdtr = cpu::DescTable{kFlatGdt, 23};
    st.idtr = cpu::DescTable{kFlatIdt, 256 * 8 - 1};
    t.poke(kFlatStubs, stubs);
  }
  for (unsigned i = 0; i < 8; i++) st.regs[i] = s.init.regs[i];
  st.eflags = s.init.eflags | cpu::fl::kFixed1;
  st.cc_op = 0;
  size_t off = 0;
  for (const MemRange& r : s.ranges) {
    t.phys.write_block(r.lin, s.mem.data() + off, r.len);
    off += r.len;
  }
  std::vector<uint8_t> code(s.code);
  code.push_back(0xf4);
  t.poke(s.code_lin(), code);
  prev_code_lin_ = s.code_lin();
  prev_code_len_ = uint32_t(code.size());
  if (s.paging.on) {
    // The tables are in memory already (they are one of the stream's ranges).
    st.cr3 = kPagingPd;
    if (s.paging.pse) st.cr4 |= cpu::cr4::PSE;
    st.cr0 |= cpu::cr0::PG | cpu::cr0::WP;
  }
  t.mmu.flush_tlb();
  t.engine.flush();
}

void GhostRunner::find_fault(const Stream& s, Outcome& o, uint32_t at) {
  test::TestCpu& t = *t_;
  const cpu::CpuState& st = t.cpu.s;
  o.end = Outcome::End::Fault;
  if (s.mode == Mode::Real) {
    // Real-mode delivery pushed FLAGS, CS, IP and cleared IF, TF, AC and RF.
    o.vector = int(at - kRealStubs);
    const uint32_t sp = st.regs[cpu::ESP] & 0xffff, frame = st.seg[cpu::SS].base + sp;
    o.eip = t.peek16(frame);
    o.sel[sCS] = t.peek16(frame + 2);
    o.eflags = (o.eflags & 0xffff0000u) | t.peek16(frame + 4);
    o.regs[cpu::ESP] = (o.regs[cpu::ESP] & 0xffff0000u) | ((sp + 6) & 0xffff);
    o.scratch.push_back({frame, 6});
    o.scratch_flags = cpu::fl::AC | cpu::fl::RF;
  } else {
    // A 32-bit interrupt gate pushed [error code], EIP, CS, EFLAGS (RF set in the image).
    o.vector = int(at - kFlatStubs);
    const uint32_t esp = st.regs[cpu::ESP], n = has_error_code(unsigned(o.vector)) ? 4 : 0;
    o.eip = t.peek32(esp + n);
    o.sel[sCS] = uint16_t(t.peek32(esp + n + 4));
    o.eflags = t.peek32(esp + n + 8);
    o.regs[cpu::ESP] = esp + n + 12;
    o.scratch.push_back({esp, n + 12});
    o.scratch_flags = cpu::fl::RF;
    if (s.paging.on) {
      // Pushing the frame set accessed/dirty bits that are not the stream's doing.
      o.scratch.push_back({kPagingPd, 1});
      o.scratch.push_back({kPagingPt + (esp >> 12) * 4, 1});
      o.scratch.push_back({kPagingPt + ((esp + n + 11) >> 12) * 4, 1});
    }
  }
  if (o.vector == 14) o.cr2 = first_cr2_;
}

Outcome GhostRunner::run(const Stream& s) {
  set_up(s);
  test::TestCpu& t = *t_;
  cpu::CpuState& st = t.cpu.s;
  const jit::StopReason why = t.engine.run(st.icount + kMaxInsns);

  Outcome o;
  for (unsigned i = 0; i < 8; i++) o.regs[i] = st.regs[i];
  o.eip = st.eip;
  o.eflags = cpu::read_eflags(st);
  for (unsigned i = 0; i < kSegs; i++) o.sel[i] = st.seg[i].sel;
  for (const MemRange& r : s.ranges) o.mem.insert(o.mem.end(), t.phys.ram() + r.lin, t.phys.ram() + r.lin + r.len);

  char buf[160];
  switch (why) {
    case jit::StopReason::Halted: {
      const uint32_t at = st.eip - 1;  // EIP is past the HLT
      const uint32_t lin = st.seg[cpu::CS].base + at;
      const uint32_t stubs = s.mode == Mode::Real ? kRealStubs : kFlatStubs;
      if (lin >= stubs && lin < stubs + 256) {
        find_fault(s, o, lin);
      } else if (st.seg[cpu::CS].sel == s.init.sel[sCS] && at == s.end_eip()) {
        o.end = Outcome::End::Done;
        o.eip = at;
      } else {
        std::snprintf(buf, sizeof buf, "halted at %04x:%08x, not at the end of the stream",
                      st.seg[cpu::CS].sel, at);
        o.error = buf;
      }
      break;
    }
    case jit::StopReason::Shutdown:
      // No delivery happened: the state is the faulting instruction's. With paging the first
      // exception is known (typically #PF whose frame could not be pushed); otherwise the
      // vector is lost.
      o.end = Outcome::End::Fault;
      o.vector = s.paging.on ? first_vector_ : -1;
      if (o.vector == 14) o.cr2 = first_cr2_;
      shut_down_ = true;
      break;
    case jit::StopReason::Limit:
      std::snprintf(buf, sizeof buf, "still running after %llu instructions (eip %08x)",
                    static_cast<unsigned long long>(kMaxInsns), st.eip);
      o.error = buf;
      break;
    default:
      o.error = "stopped for an unexpected reason";
  }
  return o;
}

}  // namespace diff
