// The guest physical address space: RAM, ROM and MMIO regions, the A20 gate, and tracking of
// pages that hold translated code. Every guest-physical access from any layer is bounds-checked
// here (DESIGN.md §2.2).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mmu/zeroed_buffer.h"

namespace mmu {

// A device's memory-mapped registers. Offsets are relative to the region base.
class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  virtual uint32_t mmio_read(uint32_t offset, unsigned size) = 0;
  virtual void mmio_write(uint32_t offset, unsigned size, uint32_t value) = 0;
};

// Told when what backs a physical range changes (shadow RAM control), so TLB entries and
// translations made from the old mapping can be dropped.
class MappingListener {
 public:
  virtual ~MappingListener() = default;
  virtual void mapping_changed(uint32_t phys, uint32_t len) = 0;
};

// Told about guest writes to pages that hold translated code.
class CodeWriteListener {
 public:
  virtual ~CodeWriteListener() = default;
  virtual void code_written(uint32_t phys, uint32_t len) = 0;
};

class PhysMemory {
 public:
  explicit PhysMemory(uint64_t ram_bytes);
  ~PhysMemory();
  PhysMemory(const PhysMemory&) = delete;
  PhysMemory& operator=(const PhysMemory&) = delete;

  uint8_t* ram() { return ram_; }
  const uint8_t* ram() const { return ram_; }
  uint64_t ram_size() const { return ram_size_; }
  // Snapshots: all of RAM zero again, then `len` bytes at `at` taken from `fd` at
  // `file_offset`, mapped copy-on-write where the host allows (ZeroedBuffer::map_file), else
  // read. False when the range is outside RAM or the file cannot be read.
  void clear_ram();
  bool load_ram(uint64_t at, uint64_t len, int fd, uint64_t file_offset);
  // Per 4 KiB RAM page: 0 where the page is known to be zero unread (ZeroedBuffer::touched_pages).
  std::vector<uint8_t> ram_touched_pages() const { return ram_buf_->touched_pages(); }

  // Maps a copy of `image` read-only at [base, base + size). Throws std::runtime_error when the
  // range overlaps another ROM or MMIO region.
  void add_rom(uint32_t base, std::span<const uint8_t> image, std::string name);
  void add_mmio(uint32_t base, uint32_t size, MmioHandler* handler, std::string name);
  // For windows a guest programs (PCI BARs): false instead of an exception on overlap; the
  // mapping listener hears of both changes.
  bool try_add_mmio(uint32_t base, uint32_t size, MmioHandler* handler, std::string name);
  void remove_mmio(uint32_t base, MmioHandler* handler);

  bool a20_enabled() const { return a20_mask_ == 0xffffffffu; }
  void set_a20(bool on) { a20_mask_ = on ? 0xffffffffu : ~(1u << 20); }
  uint32_t a20_mask() const { return a20_mask_; }

  // What backs one 4 KB physical page, for TLB fills.
  struct Page {
    uint8_t* host = nullptr;  // RAM or ROM bytes; nullptr for MMIO/unassigned
    bool writable = false;
    bool code = false;        // holds translated code: writes go through the slow path
  };
  Page page(uint32_t phys_page) const;

  // Slow-path access of 1, 2 or 4 bytes within one page. Unassigned reads return all ones.
  uint32_t read(uint32_t phys, unsigned size);
  void write(uint32_t phys, unsigned size, uint32_t value);

  // Bulk access for devices and DMA. Returns false (and copies nothing) when any byte of the
  // range is outside RAM; writes to ROM are dropped.
  bool read_block(uint64_t phys, void* dst, uint64_t len) const;
  bool write_block(uint64_t phys, const void* src, uint64_t len);

  // Shadow RAM control of the BIOS area C0000h-FFFFFh in 16 KB segments, as a chipset's PAM
  // registers drive it. Until a chipset takes control (the first set_shadow), ROM and MMIO
  // regions overlay RAM there as everywhere. Under control, each segment reads from RAM or from
  // the bus (a ROM/MMIO region, else unassigned), and writes to RAM or to the bus (ROM drops
  // them). Bulk DMA (read_block/write_block) always reaches RAM.
  static constexpr uint32_t kShadowBase = 0xc0000;
  static constexpr unsigned kShadowSegBits = 14;
  static constexpr unsigned kShadowSegs = 16;
  static constexpr uint8_t kShadowReadRam = 1, kShadowWriteRam = 2;
  void set_shadow(unsigned seg, uint8_t attrs);
  uint8_t shadow(unsigned seg) const { return seg < kShadowSegs ? shadow_[seg] & 3 : 0; }
  void set_mapping_listener(MappingListener* l) { mapping_listener_ = l; }

  // Code tracking for self-modifying code, byte by byte: a store reaches the listener only when
  // it overlaps bytes that hold translated code. Real-mode guests keep data right beside their
  // code (a DOS idle loop updates variables in the paragraph it runs from); whole-page, or even
  // 16-byte, tracking sent every such store to the listener. Pages with code get a bitmap from
  // a pool, so RAM without code costs four bytes a page.
  void set_code_listener(CodeWriteListener* l) { code_listener_ = l; }
  // Marks [phys, phys + len) as code; the range lies within one page. Returns true if the page
  // held no code before.
  bool mark_code(uint32_t phys, uint32_t len);
  void clear_code_page(uint32_t phys_page);
  bool is_code_page(uint32_t phys_page) const { return code_mask(phys_page) != nullptr; }
  // Does [phys, phys + len), within one page, overlap a byte of translated code?
  bool overlaps_code(uint32_t phys, uint32_t len) const;
  // Reports a store the caller made straight to RAM (the TLB's host pointer) to the listener.
  void note_ram_write(uint32_t phys, uint32_t len) { notify_code_write(phys, len); }

 private:
  struct Region {
    uint32_t base, size;
    std::vector<uint8_t> rom;  // ROM contents (empty for MMIO)
    MmioHandler* mmio = nullptr;
    std::string name;
  };
  const Region* find_region(uint32_t phys) const;
  void check_overlap(uint32_t base, uint32_t size, const std::string& name) const;
  void notify_code_write(uint32_t phys, uint32_t len);
  // The shadow attributes that govern `phys`, or -1 where regions simply overlay RAM.
  int shadow_attrs(uint32_t phys) const {
    if (!shadow_active_ || phys - kShadowBase >= (kShadowSegs << kShadowSegBits)) return -1;
    return shadow_[(phys - kShadowBase) >> kShadowSegBits];
  }

  std::unique_ptr<ZeroedBuffer> ram_buf_;
  uint8_t* ram_ = nullptr;  // ram_buf_'s bytes
  uint64_t ram_size_ = 0;
  uint32_t a20_mask_ = 0xffffffffu;
  std::vector<std::unique_ptr<Region>> regions_;
  using CodeMask = std::array<uint64_t, 64>;  // one bit per byte of a page
  // The page's bitmap, or nullptr when it holds no code.
  const CodeMask* code_mask(uint32_t phys_page) const {
    const uint32_t n = phys_page >> 12;
    return n < code_slot_.size() && code_slot_[n] ? &code_masks_[code_slot_[n]] : nullptr;
  }
  std::vector<uint32_t> code_slot_;   // per RAM page: its bitmap in code_masks_, 0 for none
  std::vector<CodeMask> code_masks_;  // the pool (entry 0 unused)
  std::vector<uint32_t> free_masks_;
  CodeWriteListener* code_listener_ = nullptr;
  bool shadow_active_ = false;
  uint8_t shadow_[kShadowSegs] = {};
  MappingListener* mapping_listener_ = nullptr;
};

}  // namespace mmu
