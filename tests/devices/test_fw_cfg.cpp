#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "devices/fw_cfg.h"

namespace {

struct Fixture {
  mmu::PhysMemory mem{1 << 20};
  devices::FwCfg fw{mem};

  void select(uint16_t key) { fw.port_write(0x510, 2, key); }
  uint8_t inb() { return uint8_t(fw.port_read(0x511, 1)); }
  std::string read_str(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; i++) s += char(inb());
    return s;
  }
  uint64_t read_le(unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= uint64_t(inb()) << (8 * i);
    return v;
  }
  uint64_t read_be(unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v = v << 8 | inb();
    return v;
  }
  // A FWCfgDmaAccess at `desc`, all fields big-endian, started as a 32-bit guest would:
  // outl(bswap32(desc), 0x518).
  void put_be(uint32_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) mem.write(at + i, 1, uint32_t(v >> (8 * (n - 1 - i))) & 0xff);
  }
  uint32_t get_be32(uint32_t at) {
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) v = v << 8 | mem.read(at + i, 1);
    return v;
  }
  static uint32_t bswap(uint32_t v) { return __builtin_bswap32(v); }
  uint32_t dma(uint32_t desc, uint32_t control, uint32_t length, uint64_t addr) {
    put_be(desc, control, 4);
    put_be(desc + 4, length, 4);
    put_be(desc + 8, addr, 8);
    fw.port_write(0x518, 4, bswap(desc));
    return get_be32(desc);
  }
};

constexpr uint32_t kSelect = devices::fwcfg::kDmaSelect, kRead = devices::fwcfg::kDmaRead;
constexpr uint32_t kError = devices::fwcfg::kDmaError;

}  // namespace

TEST_CASE("fw_cfg: signature and ID through the I/O ports", "[devices][fw_cfg]") {
  Fixture f;
  f.select(0x0000);
  CHECK(f.read_str(4) == "QEMU");
  CHECK(f.inb() == 0);  // past the end of an item: 0
  f.select(0x0001);
  CHECK(f.read_le(4) == 3);  // traditional interface + DMA
  // Reselecting rewinds.
  f.select(0x0000);
  CHECK(f.inb() == 'Q');
  // The write-channel bit selects the same item.
  f.select(0x4000);
  CHECK(f.inb() == 'Q');
  // An unknown key reads zeros.
  f.select(0x3fff);
  CHECK(f.read_le(4) == 0);
  f.select(0xffff);
  CHECK(f.read_le(4) == 0);
  // Reading the DMA address register gives "QEMU CFG" big-endian.
  CHECK(f.fw.port_read(0x514, 4) == 0x554d4551u);  // bytes 'Q','E','M','U' at 514h..517h
  CHECK(f.fw.port_read(0x518, 4) == 0x47464320u);  // ' ','C','F','G'
}

TEST_CASE("fw_cfg: the file directory lists files by name with keys from 20h", "[devices][fw_cfg]") {
  Fixture f;
  f.fw.add_file("etc/zeta", {1, 2, 3});
  f.fw.add_file("bootorder", {'/', '\n'});
  f.fw.add_file("etc/alpha", std::vector<uint8_t>(300, 7));
  f.select(0x19);
  REQUIRE(f.read_be(4) == 3);
  struct Entry {
    uint32_t size;
    uint16_t select;
    std::string name;
  };
  std::vector<Entry> dir;
  for (int i = 0; i < 3; i++) {
    Entry e;
    e.size = uint32_t(f.read_be(4));
    e.select = uint16_t(f.read_be(2));
    CHECK(f.read_be(2) == 0);
    std::string raw = f.read_str(56);
    e.name = raw.substr(0, raw.find('\0'));
    dir.push_back(e);
  }
  CHECK(dir[0].name == "bootorder");
  CHECK(dir[0].select == 0x20);
  CHECK(dir[0].size == 2);
  CHECK(dir[1].name == "etc/alpha");
  CHECK(dir[1].select == 0x21);
  CHECK(dir[1].size == 300);
  CHECK(dir[2].name == "etc/zeta");
  CHECK(dir[2].select == 0x22);
  CHECK(f.fw.file_key("etc/zeta") == 0x22);
  CHECK(!f.fw.file_key("nope"));
  f.select(0x22);
  CHECK(f.read_le(3) == 0x030201);
  f.select(0x23);  // beyond the last file
  CHECK(f.inb() == 0);
  CHECK_THROWS(f.fw.add_file("etc/zeta", {}));
  CHECK_THROWS(f.fw.add_file(std::string(56, 'x'), {}));
  CHECK_THROWS(f.fw.add_file("", {}));
  CHECK_THROWS(f.fw.add_bytes(0x20, {}));
  CHECK_THROWS(f.fw.add_bytes(0x19, {}));
}

TEST_CASE("fw_cfg: DMA read into guest RAM", "[devices][fw_cfg]") {
  Fixture f;
  f.fw.add_file("etc/test", {10, 11, 12, 13, 14, 15});
  const uint16_t key = *f.fw.file_key("etc/test");
  // Select + read 4 bytes into 2000h.
  CHECK(f.dma(0x1000, uint32_t(key) << 16 | kSelect | kRead, 4, 0x2000) == 0);
  CHECK(f.mem.read(0x2000, 4) == 0x0d0c0b0au);
  // Continue from the offset; past the end the transfer yields zeros.
  f.mem.write(0x3000, 4, 0xffffffffu);
  CHECK(f.dma(0x1000, kRead, 4, 0x3000) == 0);
  CHECK(f.mem.read(0x3000, 4) == 0x00000f0eu);
  // Skip, then read through the I/O port: the offset is shared.
  CHECK(f.dma(0x1000, uint32_t(key) << 16 | kSelect | devices::fwcfg::kDmaSkip, 5, 0) == 0);
  CHECK(f.inb() == 15);
  // A high half makes a 64-bit address (here beyond RAM: nothing happens, the descriptor is
  // left as it was). The register is 0 after every operation, so a low-half write alone then
  // uses a 32-bit address.
  f.put_be(0x1000, uint32_t(key) << 16 | kSelect | kRead, 4);
  f.put_be(0x1004, 2, 4);
  f.put_be(0x1008, 0x4000, 8);
  f.fw.port_write(0x514, 4, Fixture::bswap(1));
  f.fw.port_write(0x518, 4, Fixture::bswap(0x1000));
  CHECK(f.get_be32(0x1000) == (uint32_t(key) << 16 | kSelect | kRead));
  CHECK(f.mem.read(0x4000, 2) == 0);
  f.fw.port_write(0x518, 4, Fixture::bswap(0x1000));
  CHECK(f.get_be32(0x1000) == 0);
  CHECK(f.mem.read(0x4000, 2) == 0x0b0a);
  // Signature by DMA, as firmware reads the ID.
  CHECK(f.dma(0x1000, 0x0001u << 16 | kSelect | kRead, 4, 0x5000) == 0);
  CHECK(f.mem.read(0x5000, 4) == 3);
}

TEST_CASE("fw_cfg: DMA to an out-of-range address sets the error bit and writes nothing", "[devices][fw_cfg]") {
  Fixture f;
  f.fw.add_file("etc/test", std::vector<uint8_t>(64, 0xab));
  const uint16_t key = *f.fw.file_key("etc/test");
  // The last 2 bytes of RAM are inside; the transfer of 16 is not.
  const uint32_t end = 1u << 20;
  f.mem.write(end - 2, 2, 0x1234);
  CHECK(f.dma(0x1000, uint32_t(key) << 16 | kSelect | kRead, 16, end - 2) & kError);
  CHECK(f.mem.read(end - 2, 2) == 0x1234);
  // Far beyond RAM, and wrapping around 2^64.
  CHECK(f.dma(0x1000, kRead, 16, 0xfffffffffffffff8ull) & kError);
  CHECK(f.dma(0x1000, kRead, 0xffffffffu, 0x100) & kError);
  CHECK(f.mem.read(0x100, 4) == 0);
  // A 64-bit address via the high half: still outside RAM.
  f.put_be(0x1000, uint32_t(key) << 16 | kSelect | kRead, 4);
  f.put_be(0x1004, 4, 4);
  f.put_be(0x1008, 0x100000000ull, 8);
  f.fw.port_write(0x514, 4, Fixture::bswap(0));
  f.fw.port_write(0x518, 4, Fixture::bswap(0x1000));
  CHECK(f.get_be32(0x1000) & kError);
  // A descriptor outside RAM: nothing to read, nothing written back, no crash.
  f.fw.port_write(0x514, 4, Fixture::bswap(0x1));
  f.fw.port_write(0x518, 4, Fixture::bswap(0x0));
  f.fw.port_write(0x518, 4, Fixture::bswap(end - 8));
}

TEST_CASE("fw_cfg: DMA writes only into writable items, never resizing them", "[devices][fw_cfg]") {
  Fixture f;
  f.fw.add_file("etc/ro", {1, 2, 3, 4});
  f.fw.add_file("etc/rw", {0, 0, 0, 0}, true);
  const uint16_t ro = *f.fw.file_key("etc/ro"), rw = *f.fw.file_key("etc/rw");
  const uint32_t kWrite = devices::fwcfg::kDmaWrite;
  f.mem.write(0x2000, 4, 0xdeadbeefu);
  CHECK(f.dma(0x1000, uint32_t(ro) << 16 | kSelect | kWrite, 4, 0x2000) & kError);
  CHECK(*f.fw.item(ro) == std::vector<uint8_t>{1, 2, 3, 4});
  CHECK(f.dma(0x1000, uint32_t(rw) << 16 | kSelect | kWrite, 5, 0x2000) & kError);  // too long
  CHECK(*f.fw.item(rw) == std::vector<uint8_t>{0, 0, 0, 0});
  CHECK(f.dma(0x1000, uint32_t(rw) << 16 | kSelect | kWrite, 4, 0x2000) == 0);
  CHECK(*f.fw.item(rw) == std::vector<uint8_t>{0xef, 0xbe, 0xad, 0xde});
  // Data-port writes are ignored.
  f.select(rw);
  f.fw.port_write(0x511, 1, 0x55);
  CHECK(f.fw.item(rw)->at(0) == 0xef);
}

TEST_CASE("fw_cfg: the standard PC items", "[devices][fw_cfg]") {
  Fixture f;
  devices::FwCfgPc pc;
  pc.ram_bytes = 128ull << 20;
  pc.bios_bytes = 256 << 10;
  pc.bootorder = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n";
  devices::add_pc_items(f.fw, pc);
  f.select(0x03);
  CHECK(f.read_le(8) == 128ull << 20);
  f.select(0x05);
  CHECK(f.read_le(2) == 1);
  f.select(0x0f);
  CHECK(f.read_le(2) == 1);
  f.select(0x0e);
  CHECK(f.read_le(2) == 0);
  f.select(0x8002);
  CHECK(f.read_le(4) == 1);
  // etc/e820: {le64 address, le64 length, le32 type} x 3.
  const auto key = f.fw.file_key("etc/e820");
  REQUIRE(key);
  f.select(*key);
  struct E {
    uint64_t a, l;
    uint32_t t;
  };
  std::vector<E> e;
  for (int i = 0; i < 3; i++) {
    E x;
    x.a = f.read_le(8);
    x.l = f.read_le(8);
    x.t = uint32_t(f.read_le(4));
    e.push_back(x);
  }
  CHECK(f.fw.item(*key)->size() == 3 * 20);
  CHECK((e[0].a == 0 && e[0].l == 0xa0000 && e[0].t == 1));                    // 640 KB RAM
  CHECK((e[1].a == 0x100000 && e[1].l == (127ull << 20) && e[1].t == 1));      // 1 MB up
  CHECK((e[2].a == 0xfffc0000u && e[2].l == 0x40000 && e[2].t == 2));          // BIOS flash
  f.select(*f.fw.file_key("etc/boot-fail-wait"));
  CHECK(f.read_le(4) == 0xffffffffu);
  f.select(*f.fw.file_key("bootorder"));
  CHECK(f.read_str(pc.bootorder.size()) == pc.bootorder);
}

TEST_CASE("fw_cfg: serialize round trip", "[devices][fw_cfg]") {
  Fixture f;
  f.fw.add_file("etc/rw", {0, 0}, true);
  const uint16_t rw = *f.fw.file_key("etc/rw");
  f.mem.write(0x2000, 2, 0x4321);
  f.dma(0x1000, uint32_t(rw) << 16 | kSelect | devices::fwcfg::kDmaWrite, 2, 0x2000);
  f.select(0x0000);
  f.inb();
  f.fw.port_write(0x514, 4, Fixture::bswap(0x12));
  devices::StateWriter w;
  f.fw.serialize(w);
  f.fw.reset();
  f.fw.port_write(0x514, 4, 0);
  f.fw.add_file("etc/other", {});  // keys move, but the writable item keeps its contents
  devices::StateReader r(w.out);
  // A state saved before the configuration changed must still match the writable items.
  f.fw.serialize(r);
  CHECK(r.at_end());
  devices::StateWriter w2;
  f.fw.serialize(w2);
  CHECK(w2.out == w.out);
  CHECK(f.inb() == 'E');  // selector and offset restored
  CHECK(*f.fw.item(*f.fw.file_key("etc/rw")) == std::vector<uint8_t>{0x21, 0x43});
}
