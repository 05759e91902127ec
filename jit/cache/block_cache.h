// The translation cache (DESIGN.md §5): blocks keyed by EIP, CS base, physical address and the
// mode bits translation depends on; a direct-mapped jump cache in front of a hash map; per-page
// lists so a write to guest code drops exactly the blocks it overlaps.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cpu/translate.h"

namespace jit {

struct BlockKey {
  uint32_t eip, cs_base, phys, mode;
  bool operator==(const BlockKey&) const = default;
};

struct BlockKeyHash {
  size_t operator()(const BlockKey& k) const {
    uint64_t h = (uint64_t(k.eip) << 32 | k.phys) * 0x9e3779b97f4a7c15ull;
    return size_t(h ^ (uint64_t(k.cs_base) * 0xc2b2ae3d27d4eb4full) ^ k.mode);
  }
};

// A direct jump of another block's translated code patched to enter this one, and where it
// jumped before (its exit stub), to point it back when this block is dropped.
struct IncomingLink {
  uintptr_t site;
  const uint8_t* stub;
};

struct CachedBlock {
  BlockKey key;
  cpu::TranslatedBlock code;
  bool valid = true;
  const uint8_t* host = nullptr;  // translated code (nullptr: run on the interpreter)
  bool chainable = false;         // may its exits jump straight to other blocks
  std::vector<IncomingLink> incoming;
};

class Backend;

// The per-CPU jump cache (DESIGN.md §5): direct-mapped by linear EIP, in front of the block map.
// An entry holds for the CS base, translation mode and TLB generation (CpuState::jc_gen, which
// every TLB flush advances) it was made under. Translated code probes it inline for indirect
// jumps, calls and returns, so its layout is part of the contract with the backends.
struct JumpCacheEntry {
  uint32_t eip = 0;
  uint32_t cs_base = 0;  // cs_base and mode are compared as one 64-bit word
  uint32_t mode = 0;
  uint32_t gen = 0;
  const uint8_t* host = nullptr;  // translated code, or nullptr (interpreted block)
  CachedBlock* block = nullptr;   // nullptr: the entry is empty
};
static_assert(sizeof(JumpCacheEntry) == 32);
constexpr unsigned kJumpCacheBits = 16;
// The page number is folded in, so blocks at the same offset of different pages (function
// entries all over a kernel) do not all share one entry.
inline uint32_t jump_cache_index(uint32_t lin_eip) {
  return (lin_eip ^ (lin_eip >> kJumpCacheBits)) & ((1u << kJumpCacheBits) - 1);
}

uint32_t mode_bits(const cpu::TranslationMode& m);

class BlockCache {
 public:
  // Set when blocks have translated code: dropping a block unlinks the jumps into it.
  void set_backend(Backend* backend) { backend_ = backend; }

  // The block for `key` or nullptr.
  CachedBlock* find(const BlockKey& key);
  CachedBlock* insert(const BlockKey& key, std::unique_ptr<CachedBlock> block);
  // Drops one block (as invalidate() does), e.g. one whose second page now maps elsewhere.
  void drop(CachedBlock* b) { remove(b); }

  // Drops every block whose code bytes overlap [phys, phys + len). Returns true if any block
  // was dropped. Dropped blocks stay allocated until collect(), since one may be running.
  bool invalidate(uint32_t phys, uint32_t len);
  // The code bytes of the blocks on physical page `page`, one [lo, hi) range per block.
  std::vector<std::pair<uint32_t, uint32_t>> code_on_page(uint32_t page) const;
  // Pages that no longer hold any block (so their write protection can be lifted).
  std::vector<uint32_t> take_empty_pages();
  void collect() { graveyard_.clear(); }
  void clear();

  size_t size() const { return map_.size(); }

  JumpCacheEntry* jump_cache() { return jump_cache_.data(); }
  JumpCacheEntry& jump_cache_slot(uint32_t lin_eip) { return jump_cache_[jump_cache_index(lin_eip)]; }

 private:
  void remove(CachedBlock* b);

  std::unordered_map<BlockKey, std::unique_ptr<CachedBlock>, BlockKeyHash> map_;

  std::unordered_map<uint32_t, std::vector<CachedBlock*>> pages_;
  std::vector<uint32_t> empty_pages_;
  std::vector<std::unique_ptr<CachedBlock>> graveyard_;
  Backend* backend_ = nullptr;
  // On the heap: 512 KiB is too much for an engine that lives on a stack (as in tests).
  std::vector<JumpCacheEntry> jump_cache_ = std::vector<JumpCacheEntry>(1u << kJumpCacheBits);
};

}  // namespace jit
