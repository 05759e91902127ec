#include "tests/diff/unicorn_runner.h"

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace diff {
namespace {

constexpr int kGpr[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                         UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI};
constexpr int kSeg[kSegs] = {UC_X86_REG_ES, UC_X86_REG_CS, UC_X86_REG_SS,
                             UC_X86_REG_DS, UC_X86_REG_FS, UC_X86_REG_GS};
constexpr uint32_t kFlatGdt = 0x800;

void check(uc_err e, const char* what) {
  if (e != UC_ERR_OK) throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(e));
}

uint32_t read_reg(uc_engine* uc, int reg) {
  uint32_t v = 0;  // segment registers are read as 16 bits
  uc_reg_read(uc, reg, &v);
  return v;
}

}  // namespace

UnicornRunner::UnicornRunner(Mode mode) : mode_(mode) {
  check(uc_open(UC_ARCH_X86, mode == Mode::Real ? UC_MODE_16 : UC_MODE_32, &uc_), "open");
  if (mode == Mode::Real) {
    check(uc_mem_map(uc_, kRealMapLo, kRealMapHi - kRealMapLo, UC_PROT_ALL), "map");
  } else {
    check(uc_mem_map(uc_, 0, kFlatMapHi, UC_PROT_ALL), "map");
    const uint64_t gdt[3] = {0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull};
    check(uc_mem_write(uc_, kFlatGdt, gdt, sizeof gdt), "gdt");
    uc_x86_mmr gdtr{};
    gdtr.base = kFlatGdt;
    gdtr.limit = sizeof gdt - 1;
    check(uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr), "gdtr");
    for (unsigned i = 0; i < kSegs; i++) {
      const uint32_t sel = i == sCS ? kFlatCodeSel : kFlatDataSel;
      check(uc_reg_write(uc_, kSeg[i], &sel), "selector");
    }
  }
  // QEMU remembers the last exception to decide double faults; since Unicorn never delivers
  // them, one stream's #DE would turn the next stream's into #DF. Every stream therefore starts
  // from this saved CPU state.
  check(uc_context_alloc(uc_, &fresh_), "context");
  check(uc_context_save(uc_, fresh_), "context save");
  check(uc_hook_add(uc_, &intr_hook_, UC_HOOK_INTR, reinterpret_cast<void*>(on_interrupt), this, 1, 0),
        "interrupt hook");
  check(uc_hook_add(uc_, &unmapped_hook_, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(on_unmapped),
                    this, 1, 0),
        "unmapped hook");
}

UnicornRunner::~UnicornRunner() {
  uc_context_free(fresh_);
  uc_close(uc_);
}

void UnicornRunner::on_interrupt(uc_engine* uc, uint32_t intno, void* self) {
  auto* r = static_cast<UnicornRunner*>(self);
  r->vector_ = int(intno);
  r->fault_eip_ = read_reg(uc, UC_X86_REG_EIP);
  r->fault_cr2_ = read_reg(uc, UC_X86_REG_CR2);
  uc_emu_stop(uc);
}

bool UnicornRunner::on_unmapped(uc_engine*, uc_mem_type type, uint64_t addr, int size, int64_t,
                                void* self) {
  auto* r = static_cast<UnicornRunner*>(self);
  char buf[96];
  std::snprintf(buf, sizeof buf, "unmapped %s of %d bytes at %08llx",
                type == UC_MEM_WRITE_UNMAPPED ? "write" : type == UC_MEM_FETCH_UNMAPPED ? "fetch" : "read",
                size, static_cast<unsigned long long>(addr));
  if (r->access_error_.empty()) r->access_error_ = buf;
  return false;
}

void UnicornRunner::on_access(uc_engine*, uc_mem_type type, uint64_t addr, int size, int64_t,
                              void* self) {
  auto* r = static_cast<UnicornRunner*>(self);
  if (!r->checking_ || !r->access_error_.empty()) return;
  for (const MemRange& m : r->checking_->ranges)
    if (addr >= m.lin && addr + uint64_t(size) <= uint64_t(m.lin) + m.len) return;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s of %d bytes at %08llx is outside the memory windows",
                type == UC_MEM_WRITE ? "write" : "read", size, static_cast<unsigned long long>(addr));
  r->access_error_ = buf;
}

void UnicornRunner::load(const Stream& s) {
  check(uc_context_restore(uc_, fresh_), "context restore");
  // Unicorn 2.0.1 keeps translations of overwritten code unless told to drop them.
  if (prev_code_len_) {
    const std::vector<uint8_t> zero(prev_code_len_, 0);
    uc_mem_write(uc_, prev_code_lin_, zero.data(), zero.size());
    uc_ctl_remove_cache(uc_, prev_code_lin_, prev_code_lin_ + prev_code_len_);
  }
  check(uc_mem_write(uc_, s.code_lin(), s.code.data(), s.code.size()), "code");
  uc_ctl_remove_cache(uc_, s.code_lin(), s.code_lin() + s.code.size());
  prev_code_lin_ = s.code_lin();
  prev_code_len_ = uint32_t(s.code.size());
  size_t off = 0;
  for (const MemRange& r : s.ranges) {
    check(uc_mem_write(uc_, r.lin, s.mem.data() + off, r.len), "memory");
    off += r.len;
  }
  if (mode_ == Mode::Real)
    for (unsigned i = 0; i < kSegs; i++) {
      const uint32_t sel = s.init.sel[i];
      check(uc_reg_write(uc_, kSeg[i], &sel), "selector");
    }
  if (s.paging.on) {
    const uint32_t cr4 = s.paging.pse ? 0x10 : 0, cr3 = kPagingPd;
    uint32_t cr0 = 0;
    uc_reg_read(uc_, UC_X86_REG_CR0, &cr0);
    cr0 |= 0x80010001u;  // PG, WP, PE
    check(uc_reg_write(uc_, UC_X86_REG_CR4, &cr4), "cr4");
    check(uc_reg_write(uc_, UC_X86_REG_CR3, &cr3), "cr3");
    check(uc_reg_write(uc_, UC_X86_REG_CR0, &cr0), "cr0");
    // Writing control registers through the API leaves QEMU's TLB as it was, so translations
    // (and accessed bits already set) would survive from the previous stream: a guest MOV to
    // CR3, run from page 0, flushes it.
    static constexpr uint8_t kFlush[] = {0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8};  // mov eax,cr3; mov cr3,eax
    constexpr uint32_t kFlushAt = 0xf00;
    check(uc_mem_write(uc_, kFlushAt, kFlush, sizeof kFlush), "tlb flush stub");
    check(uc_emu_start(uc_, kFlushAt, kFlushAt + sizeof kFlush, 0, 2), "tlb flush");
  }
  for (unsigned i = 0; i < 8; i++) check(uc_reg_write(uc_, kGpr[i], &s.init.regs[i]), "register");
  check(uc_reg_write(uc_, UC_X86_REG_EFLAGS, &s.init.eflags), "eflags");
}

Outcome UnicornRunner::run(const Stream& s, bool check_accesses) {
  load(s);
  vector_ = -1;
  access_error_.clear();
  uc_hook access_hook = 0;
  if (check_accesses) {
    check(uc_hook_add(uc_, &access_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                      reinterpret_cast<void*>(on_access), this, 1, 0),
          "access hook");
    checking_ = &s;
  }
  const uint32_t begin = s.code_lin();
  const uc_err err = uc_emu_start(uc_, begin, begin + s.code.size(), 0, kMaxInsns);
  checking_ = nullptr;
  if (access_hook) uc_hook_del(uc_, access_hook);

  Outcome o;
  for (unsigned i = 0; i < 8; i++) o.regs[i] = read_reg(uc_, kGpr[i]);
  o.eip = read_reg(uc_, UC_X86_REG_EIP);
  o.eflags = read_reg(uc_, UC_X86_REG_EFLAGS);
  for (unsigned i = 0; i < kSegs; i++) o.sel[i] = uint16_t(read_reg(uc_, kSeg[i]));
  for (const MemRange& r : s.ranges) {
    const size_t at = o.mem.size();
    o.mem.resize(at + r.len);
    uc_mem_read(uc_, r.lin, o.mem.data() + at, r.len);
  }
  char buf[128];
  if (!access_error_.empty()) {
    o.error = access_error_;
  } else if (vector_ >= 0) {
    o.end = Outcome::End::Fault;
    o.vector = vector_;
    o.eip = fault_eip_;
    if (vector_ == 14) o.cr2 = fault_cr2_;
  } else if (err == UC_ERR_INSN_INVALID) {
    o.end = Outcome::End::Fault;
    o.vector = 6;
  } else if (err != UC_ERR_OK) {
    std::snprintf(buf, sizeof buf, "uc_emu_start: %s (eip %08x)", uc_strerror(err), o.eip);
    o.error = buf;
  } else if (o.eip == s.end_eip()) {
    o.end = Outcome::End::Done;
  } else {
    std::snprintf(buf, sizeof buf, "stopped at eip %08x before the end (%llu instruction limit?)",
                  o.eip, static_cast<unsigned long long>(kMaxInsns));
    o.error = buf;
  }
  return o;
}

}  // namespace diff
