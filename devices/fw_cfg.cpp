#include "devices/fw_cfg.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace devices {

namespace {

constexpr char kDmaSignature[8] = {'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G'};
constexpr uint32_t kE820Ram = 1, kE820Reserved = 2;

void put_le(std::vector<uint8_t>& v, uint64_t x, unsigned n) {
  for (unsigned i = 0; i < n; i++) v.push_back(uint8_t(x >> (8 * i)));
}
void put_be(std::vector<uint8_t>& v, uint64_t x, unsigned n) {
  for (unsigned i = n; i-- > 0;) v.push_back(uint8_t(x >> (8 * i)));
}
std::vector<uint8_t> le(uint64_t x, unsigned n) {
  std::vector<uint8_t> v;
  put_le(v, x, n);
  return v;
}
uint64_t get_be(const uint8_t* p, unsigned n) {
  uint64_t x = 0;
  for (unsigned i = 0; i < n; i++) x = x << 8 | p[i];
  return x;
}
constexpr uint32_t bswap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

}  // namespace

FwCfg::FwCfg(mmu::PhysMemory& mem) : mem_(mem) {
  fixed_[fwcfg::kSignature] = Item{{'Q', 'E', 'M', 'U'}};
  fixed_[fwcfg::kId] = Item{le(fwcfg::kIdTraditional | fwcfg::kIdDma, 4)};
  rebuild_directory();
}

void FwCfg::add_bytes(uint16_t key, std::vector<uint8_t> data) {
  const uint16_t k = key & ~fwcfg::kWriteChannel;
  if ((!(k & fwcfg::kArchLocal) && k >= fwcfg::kFileFirst) || k == fwcfg::kFileDir)
    throw std::invalid_argument("fw_cfg: key is reserved for files");
  fixed_[k] = Item{std::move(data)};
}

void FwCfg::add_file(const std::string& name, std::vector<uint8_t> data, bool writable) {
  if (name.empty() || name.size() >= fwcfg::kMaxFileName || name.find('\0') != std::string::npos)
    throw std::invalid_argument("fw_cfg: bad file name '" + name + "'");
  if (files_.count(name)) throw std::invalid_argument("fw_cfg: duplicate file '" + name + "'");
  if (files_.size() >= size_t(fwcfg::kWriteChannel - fwcfg::kFileFirst))
    throw std::invalid_argument("fw_cfg: too many files");
  files_[name] = Item{std::move(data), writable};
  rebuild_directory();
}

std::optional<uint16_t> FwCfg::file_key(const std::string& name) const {
  auto it = files_.find(name);
  if (it == files_.end()) return std::nullopt;
  return uint16_t(fwcfg::kFileFirst + std::distance(files_.begin(), it));
}

void FwCfg::rebuild_directory() {
  // FWCfgFiles: be32 count, then {be32 size, be16 select, be16 reserved, char name[56]}.
  std::vector<uint8_t> dir;
  put_be(dir, files_.size(), 4);
  file_keys_.clear();
  uint16_t key = fwcfg::kFileFirst;
  for (auto& [name, item] : files_) {
    put_be(dir, item.data.size(), 4);
    put_be(dir, key++, 2);
    put_be(dir, 0, 2);
    const size_t at = dir.size();
    dir.resize(at + fwcfg::kMaxFileName, 0);
    std::copy(name.begin(), name.end(), dir.begin() + at);
    file_keys_.push_back(&item);
  }
  fixed_[fwcfg::kFileDir] = Item{std::move(dir)};
}

const FwCfg::Item* FwCfg::find(uint16_t key) const {
  const uint16_t k = key & ~fwcfg::kWriteChannel;
  if (!(k & fwcfg::kArchLocal) && k >= fwcfg::kFileFirst) {
    const size_t i = k - fwcfg::kFileFirst;
    return i < file_keys_.size() ? file_keys_[i] : nullptr;
  }
  auto it = fixed_.find(k);
  return it == fixed_.end() ? nullptr : &it->second;
}

FwCfg::Item* FwCfg::find(uint16_t key) { return const_cast<Item*>(std::as_const(*this).find(key)); }

const std::vector<uint8_t>* FwCfg::item(uint16_t key) const {
  const Item* it = find(key);
  return it ? &it->data : nullptr;
}

void FwCfg::select(uint16_t key) {
  s_.selector = key;
  s_.offset = 0;
}

uint8_t FwCfg::read_data_byte() {
  // Past the end of an item (or with no item selected) the data register reads 0.
  const Item* it = find(s_.selector);
  if (!it || s_.offset >= it->data.size()) return 0;
  return it->data[s_.offset++];
}

uint32_t FwCfg::port_read(uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++) {
    const unsigned p = port + i;
    uint8_t b = 0;
    if (p == kDataPort)
      b = read_data_byte();
    else if (p - kDmaPort < kDmaPorts)
      b = uint8_t(kDmaSignature[p - kDmaPort]);  // "QEMU CFG", big-endian
    v |= uint32_t(b) << (8 * i);
  }
  return v;
}

void FwCfg::port_write(uint16_t port, unsigned size, uint32_t value) {
  if (port == kSelectorPort) {
    select(uint16_t(size == 1 ? value & 0xff : value & 0xffff));
    return;
  }
  // Data-port writes are ignored (as QEMU does since v2.4); writes go through DMA.
  if (size != 4) return;
  // The guest stores the address big-endian: the byte at the lower port is the most significant.
  if (port == kDmaPort) {
    s_.dma_high = bswap32(value);
  } else if (port == kDmaPort + 4) {
    const uint64_t addr = uint64_t(s_.dma_high) << 32 | bswap32(value);
    s_.dma_high = 0;  // the register reads as zero after an operation
    dma(addr);
  }
}

void FwCfg::dma(uint64_t addr) {
  // FWCfgDmaAccess: be32 control, be32 length, be64 address. If the descriptor itself is not
  // in RAM there is nowhere to report an error: nothing happens.
  uint8_t desc[16];
  if (!mem_.read_block(addr, desc, sizeof desc)) return;
  const uint32_t control = uint32_t(get_be(desc, 4));
  const uint32_t length = uint32_t(get_be(desc + 4, 4));
  const uint64_t target = get_be(desc + 8, 8);
  bool ok = true;
  if (control & fwcfg::kDmaSelect) select(uint16_t(control >> 16));
  if (control & fwcfg::kDmaRead) {
    ok = dma_read(target, length);
  } else if (control & fwcfg::kDmaWrite) {
    ok = dma_write(target, length);
  } else if (control & fwcfg::kDmaSkip) {
    const Item* it = find(s_.selector);
    const uint64_t end = it ? it->data.size() : 0;
    s_.offset = uint32_t(std::min<uint64_t>(uint64_t(s_.offset) + length, std::max<uint64_t>(end, s_.offset)));
  }
  std::vector<uint8_t> status;
  put_be(status, ok ? 0 : fwcfg::kDmaError, 4);
  mem_.write_block(addr, status.data(), status.size());
}

bool FwCfg::dma_read(uint64_t addr, uint32_t len) {
  // Checked as a whole first, so a bad range writes nothing at all.
  if (!in_ram(addr, len)) return false;
  const Item* it = find(s_.selector);
  uint32_t n = 0;
  if (it && s_.offset < it->data.size()) {
    n = uint32_t(std::min<uint64_t>(len, it->data.size() - s_.offset));
    mem_.write_block(addr, it->data.data() + s_.offset, n);
    s_.offset += n;
  }
  // Past the end of the item the transfer yields zeros, like the data register.
  static constexpr uint8_t kZeros[4096] = {};
  for (uint32_t done = n; done < len;) {
    const uint32_t chunk = std::min<uint32_t>(len - done, sizeof kZeros);
    mem_.write_block(addr + done, kZeros, chunk);
    done += chunk;
  }
  return true;
}

bool FwCfg::dma_write(uint64_t addr, uint32_t len) {
  // Only writable items, never resized; a transfer that does not fit is dropped whole.
  Item* it = find(s_.selector);
  if (!it || !it->writable || uint64_t(s_.offset) + len > it->data.size() || !in_ram(addr, len)) return false;
  mem_.read_block(addr, it->data.data() + s_.offset, len);
  s_.offset += len;
  return true;
}

void FwCfg::reset() { s_ = State{}; }

void FwCfg::serialize(Serializer& s) {
  s.io(s_.selector);
  s.io(s_.offset);
  s.io(s_.dma_high);
  // Writable items are guest state; their sizes are fixed by the configuration.
  for (auto& [key, it] : fixed_)
    if (it.writable) s.bytes(it.data.data(), it.data.size());
  for (auto& [name, it] : files_)
    if (it.writable) s.bytes(it.data.data(), it.data.size());
}

// ---- Standard PC items -------------------------------------------------------------------

std::vector<uint8_t> build_e820(const FwCfgPc& pc) {
  std::vector<uint8_t> v;
  auto entry = [&v](uint64_t addr, uint64_t len, uint32_t type) {
    put_le(v, addr, 8);
    put_le(v, len, 8);
    put_le(v, type, 4);
  };
  // Conventional memory up to the VGA window at A0000h, then RAM from 1 MB; the legacy area
  // in between is not RAM to an OS. The firmware's flash just below 4 GB is reserved.
  entry(0, std::min<uint64_t>(pc.ram_bytes, 0xa0000), kE820Ram);
  if (pc.ram_bytes > 0x100000) entry(0x100000, pc.ram_bytes - 0x100000, kE820Ram);
  if (pc.bios_bytes) entry((1ull << 32) - pc.bios_bytes, pc.bios_bytes, kE820Reserved);
  return v;
}

void add_pc_items(FwCfg& fw, const FwCfgPc& pc) {
  fw.add_bytes(fwcfg::kUuid, std::vector<uint8_t>(16, 0));
  fw.add_bytes(fwcfg::kRamSize, le(pc.ram_bytes, 8));
  fw.add_bytes(fwcfg::kNoGraphic, le(pc.nographic, 2));
  fw.add_bytes(fwcfg::kNbCpus, le(1, 2));
  fw.add_bytes(fwcfg::kMaxCpus, le(pc.max_cpus, 2));
  fw.add_bytes(fwcfg::kBootMenu, le(pc.boot_menu, 2));
  fw.add_bytes(fwcfg::kNuma, le(0, 8));  // no NUMA nodes
  // Legacy x86 tables: none (counts of zero); SeaBIOS builds its own.
  fw.add_bytes(fwcfg::kAcpiTables, le(0, 2));
  fw.add_bytes(fwcfg::kSmbiosEntries, le(0, 2));
  fw.add_bytes(fwcfg::kIrq0Override, le(pc.irq0_override, 4));
  fw.add_file("etc/e820", build_e820(pc));
  fw.add_file("etc/boot-fail-wait", le(uint32_t(pc.boot_fail_wait_ms), 4));
  if (!pc.bootorder.empty()) fw.add_file("bootorder", std::vector<uint8_t>(pc.bootorder.begin(), pc.bootorder.end()));
}

}  // namespace devices
