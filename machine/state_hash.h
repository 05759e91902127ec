// The machine-state hash behind --report and --checkpoint-every (DESIGN.md §2.1): CPU state,
// RAM and every device's serialized state fed field by field into XXH3, so the value depends
// only on guest-visible state, never on host pointers, struct padding or which engine ran.
#pragma once

#include <cstdint>

#include "cpu/state.h"
#include "devices/device.h"

struct XXH3_state_s;  // xxhash.h

namespace machine {

// A Serializer in the saving direction whose output is hashed instead of stored, so devices'
// serialize() feeds it directly.
class StateHasher : public devices::Serializer {
 public:
  StateHasher();
  ~StateHasher() override;
  StateHasher(const StateHasher&) = delete;
  StateHasher& operator=(const StateHasher&) = delete;

  bool loading() const override { return false; }
  void bytes(void* data, size_t len) override { add(data, len); }
  void add(const void* data, size_t len);
  template <class T>
  requires std::is_scalar_v<T>
  void add(T v) { add(&v, sizeof v); }
  template <class... T>
  void add_all(T... v) { (add(v), ...); }

  // Every architectural field of the processor (machine/cpu_state_io.h).
  void add_cpu(const cpu::CpuState& s);

  uint64_t digest() const;

 private:
  XXH3_state_s* state_;
};

}  // namespace machine
