#include "jit/cache/block_cache.h"

#include <algorithm>
#include <utility>

#include "jit/backend/backend.h"

namespace jit {

uint32_t mode_bits(const cpu::TranslationMode& m) {
  return uint32_t(m.code32) | uint32_t(m.stack32) << 1 | uint32_t(m.pe) << 2 |
         uint32_t(m.vm) << 3 | uint32_t(m.cpl) << 4 | uint32_t(m.flat_segs) << 8 |
         uint32_t(m.open_segs) << 16;
}

CachedBlock* BlockCache::find(const BlockKey& key) {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : it->second.get();
}

CachedBlock* BlockCache::insert(const BlockKey& key, std::unique_ptr<CachedBlock> block) {
  CachedBlock* b = block.get();
  b->key = key;
  if (auto it = map_.find(key); it != map_.end()) remove(it->second.get());
  map_[key] = std::move(block);
  for (unsigned i = 0; i < b->code.npages; i++) pages_[b->code.pages[i]].push_back(b);
  return b;
}

void BlockCache::remove(CachedBlock* b) {
  b->valid = false;
  // Jumps of other blocks that enter this one go back to their exit stubs. (A jump inside a
  // block already dropped is patched too: its code stays in place until the buffer is emptied,
  // and nothing runs it.)
  if (backend_)
    for (const IncomingLink& l : b->incoming) backend_->link(l.site, l.stub);
  b->incoming.clear();
  if (JumpCacheEntry& e = jump_cache_slot(b->key.cs_base + b->key.eip); e.block == b) e = JumpCacheEntry{};
  for (unsigned i = 0; i < b->code.npages; i++) {
    auto it = pages_.find(b->code.pages[i]);
    if (it == pages_.end()) continue;
    std::erase(it->second, b);
    if (it->second.empty()) {
      empty_pages_.push_back(it->first);
      pages_.erase(it);
    }
  }
  auto it = map_.find(b->key);
  if (it != map_.end() && it->second.get() == b) {
    graveyard_.push_back(std::move(it->second));
    map_.erase(it);
  }
}

namespace {
// The bytes of `b` on physical page `page`, as [lo, hi). A block's bytes run from its physical
// start; a block that continues on a second page covers the start of that page.
std::pair<uint32_t, uint32_t> bytes_on_page(const CachedBlock& b, uint32_t page) {
  const uint32_t first_page_end = (b.code.phys & mmu::kPageMask) + mmu::kPageSize;
  if (page == (b.code.phys & mmu::kPageMask))
    return {b.code.phys,
            uint32_t(std::min<uint64_t>(uint64_t(b.code.phys) + b.code.byte_len, first_page_end))};
  return {page, page + (b.code.byte_len - (first_page_end - b.code.phys))};
}
}  // namespace

bool BlockCache::invalidate(uint32_t phys, uint32_t len) {
  const uint32_t page = phys & mmu::kPageMask;
  auto it = pages_.find(page);
  if (it == pages_.end()) return false;
  std::vector<CachedBlock*> victims;
  for (CachedBlock* b : it->second) {
    const auto [lo, hi] = bytes_on_page(*b, page);
    if (phys < hi && lo < phys + len) victims.push_back(b);
  }
  for (CachedBlock* b : victims) remove(b);
  return !victims.empty();
}

std::vector<std::pair<uint32_t, uint32_t>> BlockCache::code_on_page(uint32_t page) const {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  if (auto it = pages_.find(page); it != pages_.end())
    for (const CachedBlock* b : it->second) out.push_back(bytes_on_page(*b, page));
  return out;
}

std::vector<uint32_t> BlockCache::take_empty_pages() {
  std::vector<uint32_t> out;
  out.swap(empty_pages_);
  return out;
}

void BlockCache::clear() {
  for (auto& [k, b] : map_) {
    b->valid = false;
    graveyard_.push_back(std::move(b));
  }
  map_.clear();
  for (const auto& [page, blocks] : pages_) empty_pages_.push_back(page);
  pages_.clear();
  std::fill(jump_cache_.begin(), jump_cache_.end(), JumpCacheEntry{});
}

}  // namespace jit
