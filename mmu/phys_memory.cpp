#include "mmu/phys_memory.h"

#include <fmt/format.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "mmu/tlb.h"

namespace mmu {

PhysMemory::PhysMemory(uint64_t ram_bytes) : ram_size_(ram_bytes) {
  // Zeroed pages the host provides lazily, so a large guest costs nothing until touched; a
  // page-aligned mapping, so a snapshot's RAM can be mapped into it. On huge pages: guests
  // touch most of their RAM, and a fault per 4 KiB was a tenth of a Linux boot's time.
  try {
    ram_buf_ = std::make_unique<ZeroedBuffer>(size_t(ram_bytes), /*huge_pages=*/true);
  } catch (const std::bad_alloc&) {
    throw std::runtime_error(fmt::format("cannot allocate {} MiB of guest RAM", ram_bytes >> 20));
  }
  ram_ = ram_buf_->data();
  code_slot_.assign((ram_bytes + kPageSize - 1) >> kPageBits, 0);
  code_masks_.assign(1, CodeMask{});
}

PhysMemory::~PhysMemory() = default;

void PhysMemory::clear_ram() { ram_buf_->clear(); }

bool PhysMemory::load_ram(uint64_t at, uint64_t len, int fd, uint64_t file_offset) {
  if (at > ram_size_ || len > ram_size_ - at) return false;
  if (ram_buf_->map_file(size_t(at), size_t(len), fd, file_offset)) return true;
  for (uint64_t done = 0; done < len;) {
    const ssize_t n = pread(fd, ram_ + at + done, size_t(len - done), off_t(file_offset + done));
    if (n <= 0) return false;
    done += uint64_t(n);
  }
  return true;
}

void PhysMemory::check_overlap(uint32_t base, uint32_t size, const std::string& name) const {
  if (size == 0 || uint64_t(base) + size > (1ull << 32))
    throw std::runtime_error(fmt::format("region {} at {:#x}+{:#x} is outside the 4 GB space", name, base, size));
  for (auto& r : regions_) {
    if (base < uint64_t(r->base) + r->size && r->base < uint64_t(base) + size)
      throw std::runtime_error(
          fmt::format("region {} at {:#x}+{:#x} overlaps {}", name, base, size, r->name));
  }
}

void PhysMemory::add_rom(uint32_t base, std::span<const uint8_t> image, std::string name) {
  uint32_t size = uint32_t((image.size() + kPageSize - 1) & kPageMask);
  check_overlap(base, size, name);
  auto r = std::make_unique<Region>();
  r->base = base;
  r->size = size;
  r->rom.assign(size, 0xff);
  std::memcpy(r->rom.data(), image.data(), image.size());
  r->name = std::move(name);
  regions_.push_back(std::move(r));
}

void PhysMemory::add_mmio(uint32_t base, uint32_t size, MmioHandler* handler, std::string name) {
  check_overlap(base, size, name);
  auto r = std::make_unique<Region>();
  r->base = base;
  r->size = size;
  r->mmio = handler;
  r->name = std::move(name);
  regions_.push_back(std::move(r));
}

bool PhysMemory::try_add_mmio(uint32_t base, uint32_t size, MmioHandler* handler, std::string name) {
  try {
    add_mmio(base, size, handler, std::move(name));
  } catch (const std::runtime_error&) {
    return false;
  }
  if (mapping_listener_) mapping_listener_->mapping_changed(base, size);
  return true;
}

void PhysMemory::remove_mmio(uint32_t base, MmioHandler* handler) {
  for (auto it = regions_.begin(); it != regions_.end(); ++it) {
    if ((*it)->base == base && (*it)->mmio == handler) {
      const uint32_t size = (*it)->size;
      regions_.erase(it);
      if (mapping_listener_) mapping_listener_->mapping_changed(base, size);
      return;
    }
  }
}

const PhysMemory::Region* PhysMemory::find_region(uint32_t phys) const {
  for (auto& r : regions_)
    if (phys - r->base < r->size) return r.get();
  return nullptr;
}

PhysMemory::Page PhysMemory::page(uint32_t phys_page) const {
  Page p;
  const int sh = shadow_attrs(phys_page);
  if (sh < 0 || !(sh & kShadowReadRam)) {
    if (const Region* r = find_region(phys_page)) {
      if (!r->mmio && phys_page - r->base + kPageSize <= r->size)
        p.host = const_cast<uint8_t*>(r->rom.data()) + (phys_page - r->base);
      return p;
    }
    if (sh >= 0) return p;  // an empty bus: the slow path reads all ones
  }
  if (phys_page < ram_size_) {
    p.host = ram_ + phys_page;
    // Shadow RAM that is read from RAM but written to the bus takes writes on the slow path.
    p.writable = sh < 0 || (sh & kShadowWriteRam);
    p.code = is_code_page(phys_page);
  }
  return p;
}

uint32_t PhysMemory::read(uint32_t phys, unsigned size) {
  const int sh = shadow_attrs(phys);
  if (sh < 0 || !(sh & kShadowReadRam)) {
    if (const Region* r = find_region(phys)) {
      uint32_t off = phys - r->base;
      if (r->mmio) return r->mmio->mmio_read(off, size);
      uint32_t v = 0;
      for (unsigned i = 0; i < size; i++)
        v |= uint32_t(off + i < r->size ? r->rom[off + i] : 0xff) << (8 * i);
      return v;
    }
    if (sh >= 0) return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  }
  uint32_t v = 0;
  for (unsigned i = 0; i < size; i++) {
    uint64_t a = uint64_t(phys) + i;
    v |= uint32_t(a < ram_size_ ? ram_[a] : 0xff) << (8 * i);
  }
  return v;
}

void PhysMemory::write(uint32_t phys, unsigned size, uint32_t value) {
  const int sh = shadow_attrs(phys);
  if (sh < 0 || !(sh & kShadowWriteRam)) {
    if (const Region* r = find_region(phys)) {
      if (r->mmio) r->mmio->mmio_write(phys - r->base, size, value);
      return;  // ROM: writes are ignored
    }
    if (sh >= 0) return;  // nothing on the bus takes it
  }
  for (unsigned i = 0; i < size; i++) {
    uint64_t a = uint64_t(phys) + i;
    if (a < ram_size_) ram_[a] = uint8_t(value >> (8 * i));
  }
  notify_code_write(phys, size);
}

bool PhysMemory::read_block(uint64_t phys, void* dst, uint64_t len) const {
  if (phys > ram_size_ || len > ram_size_ - phys) return false;
  if (len) std::memcpy(dst, ram_ + phys, len);  // dst may be null when len is 0 (an empty buffer)
  return true;
}

bool PhysMemory::write_block(uint64_t phys, const void* src, uint64_t len) {
  if (phys > ram_size_ || len > ram_size_ - phys) return false;
  if (len) std::memcpy(ram_ + phys, src, len);
  notify_code_write(uint32_t(phys), uint32_t(len));
  return true;
}

void PhysMemory::set_shadow(unsigned seg, uint8_t attrs) {
  if (seg >= kShadowSegs) return;
  attrs &= kShadowReadRam | kShadowWriteRam;
  if (!shadow_active_) {
    // Taking control changes what backs every segment at once.
    shadow_active_ = true;
    shadow_[seg] = attrs;
    if (mapping_listener_) mapping_listener_->mapping_changed(kShadowBase, kShadowSegs << kShadowSegBits);
    return;
  }
  if (shadow_[seg] == attrs) return;
  shadow_[seg] = attrs;
  if (mapping_listener_)
    mapping_listener_->mapping_changed(kShadowBase + (seg << kShadowSegBits), 1u << kShadowSegBits);
}

namespace {
// Calls f(word, bits) for the bitmap bits of [phys, phys + len) (len > 0, within one page).
template <typename F>
void for_bits(uint32_t phys, uint32_t len, F f) {
  const unsigned first = phys & (kPageSize - 1);
  const unsigned last = first + len - 1;
  for (unsigned w = first / 64; w <= last / 64; w++) {
    const unsigned lo = w == first / 64 ? first % 64 : 0, hi = w == last / 64 ? last % 64 : 63;
    f(w, (~uint64_t(0) >> (63 - hi)) & (~uint64_t(0) << lo));
  }
}
}  // namespace

bool PhysMemory::mark_code(uint32_t phys, uint32_t len) {
  const uint32_t n = phys >> kPageBits;
  if (n >= code_slot_.size() || len == 0) return false;
  const bool fresh = code_slot_[n] == 0;
  if (fresh) {
    if (free_masks_.empty()) {
      code_slot_[n] = uint32_t(code_masks_.size());
      code_masks_.emplace_back();
    } else {
      code_slot_[n] = free_masks_.back();
      free_masks_.pop_back();
    }
  }
  CodeMask& m = code_masks_[code_slot_[n]];
  for_bits(phys, len, [&](unsigned w, uint64_t bits) { m[w] |= bits; });
  return fresh;
}

void PhysMemory::clear_code_page(uint32_t phys_page) {
  const uint32_t n = phys_page >> kPageBits;
  if (n >= code_slot_.size() || !code_slot_[n]) return;
  code_masks_[code_slot_[n]] = CodeMask{};
  free_masks_.push_back(code_slot_[n]);
  code_slot_[n] = 0;
}

bool PhysMemory::overlaps_code(uint32_t phys, uint32_t len) const {
  const CodeMask* m = code_mask(phys & kPageMask);
  if (!m || len == 0) return false;
  bool hit = false;
  for_bits(phys, len, [&](unsigned w, uint64_t bits) { hit |= ((*m)[w] & bits) != 0; });
  return hit;
}

void PhysMemory::notify_code_write(uint32_t phys, uint32_t len) {
  if (!code_listener_ || len == 0) return;
  for (uint64_t p = phys & kPageMask; p < uint64_t(phys) + len; p += kPageSize) {
    const uint64_t lo = std::max<uint64_t>(p, phys),
                   hi = std::min<uint64_t>(p + kPageSize, uint64_t(phys) + len);
    if (overlaps_code(uint32_t(lo), uint32_t(hi - lo)))
      code_listener_->code_written(uint32_t(lo), uint32_t(hi - lo));
  }
}

}  // namespace mmu
