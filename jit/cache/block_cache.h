// The translation cache (DESIGN.md §5): blocks keyed by EIP, CS base, physical address and the
// mode bits translation depends on; a direct-mapped jump cache in front of a hash map; per-page
// lists so a write to guest code drops exactly the blocks it overlaps.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
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

uint32_t mode_bits(const cpu::TranslationMode& m);

class BlockCache {
 public:
  // Set when blocks have translated code: dropping a block unlinks the jumps into it.
  void set_backend(Backend* backend) { backend_ = backend; }

  static constexpr unsigned kJumpCacheBits = 12;

  // The block for `key` or nullptr.
  CachedBlock* find(const BlockKey& key);
  CachedBlock* insert(const BlockKey& key, std::unique_ptr<CachedBlock> block);

  // Drops every block whose code bytes overlap [phys, phys + len). Returns true if any block
  // was dropped. Dropped blocks stay allocated until collect(), since one may be running.
  bool invalidate(uint32_t phys, uint32_t len);
  // Pages that no longer hold any block (so their write protection can be lifted).
  std::vector<uint32_t> take_empty_pages();
  void collect() { graveyard_.clear(); }
  void clear();

  size_t size() const { return map_.size(); }

 private:
  static size_t jc_index(const BlockKey& k) {
    return (k.eip ^ (k.eip >> kJumpCacheBits) ^ k.cs_base) & ((1u << kJumpCacheBits) - 1);
  }
  void remove(CachedBlock* b);

  std::unordered_map<BlockKey, std::unique_ptr<CachedBlock>, BlockKeyHash> map_;
  std::array<CachedBlock*, (1u << kJumpCacheBits)> jump_cache_{};
  std::unordered_map<uint32_t, std::vector<CachedBlock*>> pages_;
  std::vector<uint32_t> empty_pages_;
  std::vector<std::unique_ptr<CachedBlock>> graveyard_;
  Backend* backend_ = nullptr;
};

}  // namespace jit
