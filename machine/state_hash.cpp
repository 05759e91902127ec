#include "machine/state_hash.h"

#include <xxhash.h>

#include <new>

#include "machine/cpu_state_io.h"

namespace machine {

StateHasher::StateHasher() : state_(XXH3_createState()) {
  if (!state_) throw std::bad_alloc();
  XXH3_64bits_reset(state_);
}

StateHasher::~StateHasher() { XXH3_freeState(state_); }

void StateHasher::add(const void* data, size_t len) { XXH3_64bits_update(state_, data, len); }

uint64_t StateHasher::digest() const { return XXH3_64bits_digest(state_); }

void StateHasher::add_cpu(const cpu::CpuState& s) {
  cpu::CpuState copy = s;  // the walk is bidirectional; saving leaves the copy as it was
  serialize_cpu(copy, *this);
}

}  // namespace machine
