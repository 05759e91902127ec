// Runs a stream on Unicorn (QEMU's TCG), the reference. UC_MODE_16 for real mode; UC_MODE_32
// for flat32, with the same flat GDT descriptors ghost86 uses loaded so selectors read alike.
//
// Exceptions never reach a guest handler: Unicorn reports them through the interrupt hook (the
// vector, with the state of the faulting instruction) or, for #UD, as UC_ERR_INSN_INVALID.
#pragma once

#include <unicorn/unicorn.h>

#include <string>

#include "tests/diff/outcome.h"
#include "tests/diff/stream.h"

namespace diff {

class UnicornRunner {
 public:
  explicit UnicornRunner(Mode mode);
  ~UnicornRunner();
  UnicornRunner(const UnicornRunner&) = delete;
  UnicornRunner& operator=(const UnicornRunner&) = delete;

  // With `check_accesses`, every data access outside the stream's memory ranges is an error:
  // this validates the generator's address constraints (slow; used by --oracle).
  Outcome run(const Stream& s, bool check_accesses = false);

 private:
  static void on_interrupt(uc_engine* uc, uint32_t intno, void* self);
  static bool on_unmapped(uc_engine* uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void* self);
  static void on_access(uc_engine* uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                        void* self);
  void load(const Stream& s);

  Mode mode_;
  uc_engine* uc_ = nullptr;
  uc_context* fresh_ = nullptr;  // the CPU as set up, restored before every stream
  uc_hook intr_hook_ = 0, unmapped_hook_ = 0;
  int vector_ = -1;
  uint32_t fault_eip_ = 0, fault_cr2_ = 0;
  std::string access_error_;
  const Stream* checking_ = nullptr;
  uint32_t prev_code_lin_ = 0, prev_code_len_ = 0;
};

}  // namespace diff
