// qcow2 read/write against qemu-img: images it creates are written through ghost86's image code
// alongside a raw copy; afterwards `qemu-img check` must find no errors or leaks and
// `qemu-img compare` must find the two disks identical.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "devices/disk_image.h"
#include "tests/images/image_util.h"
#include "tests/splitmix64.h"

namespace {

using devices::DiskImage;
using test::ScratchDir;
using test::sh;

constexpr uint64_t kMiB = 1 << 20;

// The same pseudo-random writes (sizes up to `max_len`, some crossing clusters) to both images,
// then every byte read back from the qcow2 compared with the raw copy.
void write_both(DiskImage& q, DiskImage& raw, uint64_t seed, unsigned count, uint64_t max_len) {
  REQUIRE(q.size() == raw.size());
  std::vector<uint8_t> buf;
  for (unsigned i = 0; i < count; i++) {
    const uint64_t len = 1 + test::splitmix64(seed) % max_len;
    const uint64_t off = test::splitmix64(seed) % (q.size() - len);
    buf.resize(len);
    for (auto& b : buf) b = uint8_t(test::splitmix64(seed));
    REQUIRE(q.write(off, buf.data(), len));
    REQUIRE(raw.write(off, buf.data(), len));
  }
  std::vector<uint8_t> a(kMiB), b(kMiB);
  for (uint64_t off = 0; off < q.size(); off += kMiB) {
    const uint64_t n = std::min(kMiB, q.size() - off);
    REQUIRE(q.read(off, a.data(), n));
    REQUIRE(raw.read(off, b.data(), n));
    REQUIRE(std::equal(a.begin(), a.begin() + long(n), b.begin()));
  }
}

void check_and_compare(const std::string& qcow2, const std::string& raw) {
  CHECK(sh(fmt::format("qemu-img check -f qcow2 '{}'", qcow2)) == 0);
  CHECK(sh(fmt::format("qemu-img compare -f qcow2 -F raw '{}' '{}'", qcow2, raw)) == 0);
}

}  // namespace

TEST_CASE(
    "qcow2 images of both versions and several cluster sizes are written as qemu-img reads them",
    "[images][qcow2]") {
  if (test::skip_without_qemu()) return;
  const ScratchDir dir;
  const std::string q = dir / "q.qcow2", r = dir / "r.img";
  for (const char* compat : {"0.10", "1.1"}) {
    for (unsigned cluster : {512u, 65536u, 2u << 20}) {
      for (const char* prealloc : {"off", "metadata"}) {
        INFO("compat " << compat << ", cluster " << cluster << ", preallocation " << prealloc);
        REQUIRE(
            sh(fmt::format(
                "qemu-img create -f qcow2 -o compat={},cluster_size={},preallocation={} '{}' 8M",
                compat, cluster, prealloc, q)) == 0);
        REQUIRE(sh(fmt::format("truncate -s 0 '{0}' && truncate -s 8M '{0}'", r)) == 0);
        {
          auto qi = DiskImage::open(q, DiskImage::Mode::ReadWrite, "-hda");
          auto ri = DiskImage::open(r, DiskImage::Mode::ReadWrite, "-hdb", DiskImage::Format::Raw);
          CHECK(qi->format_name() == "qcow2");
          write_both(*qi, *ri, cluster, 200, 70000);
        }
        check_and_compare(q, r);
      }
    }
  }
}

TEST_CASE("qcow2 with 512-byte clusters grows its refcount table as a whole disk is written",
          "[images][qcow2]") {
  if (test::skip_without_qemu()) return;
  const ScratchDir dir;
  const std::string q = dir / "q.qcow2", r = dir / "r.img";
  REQUIRE(sh(fmt::format("qemu-img create -f qcow2 -o cluster_size=512 '{}' 16M", q)) == 0);
  const uint64_t table_before = test::peek_be(q, 48, 8);
  REQUIRE(sh(fmt::format("truncate -s 16M '{}'", r)) == 0);
  {
    auto qi = DiskImage::open(q, DiskImage::Mode::ReadWrite, "-hda");
    auto ri = DiskImage::open(r, DiskImage::Mode::ReadWrite, "-hdb", DiskImage::Format::Raw);
    std::vector<uint8_t> sector(512);
    for (uint64_t off = 0; off < qi->size(); off += 512) {
      for (unsigned i = 0; i < 512; i++) sector[i] = uint8_t(off / 512 * 7 + i);
      REQUIRE(qi->write(off, sector.data(), 512));
      REQUIRE(ri->write(off, sector.data(), 512));
    }
  }
  CHECK(test::peek_be(q, 48, 8) != table_before);  // the table moved: it did grow
  check_and_compare(q, r);
}

TEST_CASE("qcow2 refcount widths other than 16 bits are kept consistent", "[images][qcow2]") {
  if (test::skip_without_qemu()) return;
  const ScratchDir dir;
  const std::string q = dir / "q.qcow2", r = dir / "r.img";
  for (unsigned bits : {1u, 2u, 8u, 32u, 64u}) {
    INFO("refcount_bits " << bits);
    REQUIRE(sh(fmt::format("qemu-img create -f qcow2 -o refcount_bits={},cluster_size=4096 '{}' 4M",
                           bits, q)) == 0);
    REQUIRE(sh(fmt::format("truncate -s 0 '{0}' && truncate -s 4M '{0}'", r)) == 0);
    {
      auto qi = DiskImage::open(q, DiskImage::Mode::ReadWrite, "-hda");
      auto ri = DiskImage::open(r, DiskImage::Mode::ReadWrite, "-hdb", DiskImage::Format::Raw);
      write_both(*qi, *ri, bits, 150, 20000);
    }
    check_and_compare(q, r);
  }
}

TEST_CASE(
    "qcow2 overlays on raw and qcow2 backing files read through and leave the backing file alone",
    "[images][qcow2]") {
  if (test::skip_without_qemu()) return;
  const ScratchDir dir;
  // A backing disk with a byte pattern, as raw and as qcow2; the reference starts as its copy.
  std::vector<uint8_t> base(6 * kMiB);
  uint64_t seed = 99;
  for (auto& b : base) b = uint8_t(test::splitmix64(seed) >> 56);
  test::write_bytes(dir / "base.raw", base);
  REQUIRE(sh(fmt::format("qemu-img convert -f raw -O qcow2 -o compat=0.10 '{}' '{}'",
                         dir / "base.raw", dir / "base.qcow2")) == 0);
  for (const char* fmt_name : {"raw", "qcow2"}) {
    INFO("backing format " << fmt_name);
    const std::string q = dir / "overlay.qcow2", r = dir / "ref.img";
    // Relative backing name, resolved against the overlay's directory; the overlay is larger.
    REQUIRE(sh(fmt::format("cd '{}' && qemu-img create -f qcow2 -b base.{} -F {} overlay.qcow2 8M",
                           dir.path.string(), fmt_name, fmt_name)) == 0);
    test::write_bytes(r, base);
    REQUIRE(sh(fmt::format("truncate -s 8M '{}'", r)) == 0);
    {
      auto qi = DiskImage::open(q, DiskImage::Mode::ReadWrite, "-hda");
      auto ri = DiskImage::open(r, DiskImage::Mode::ReadWrite, "-hdb", DiskImage::Format::Raw);
      write_both(*qi, *ri, 7, 100, 100000);
    }
    check_and_compare(q, r);
    CHECK(test::file_bytes(dir / "base.raw") == base);
    CHECK(sh(fmt::format("qemu-img compare -f qcow2 -F raw '{}' '{}'", dir / "base.qcow2",
                         dir / "base.raw")) == 0);
  }
}

TEST_CASE("qcow2 data written by qemu-io and qemu-img convert reads back the same",
          "[images][qcow2]") {
  if (test::skip_without_qemu(true)) return;
  const ScratchDir dir;
  std::vector<uint8_t> raw(3 * kMiB);
  uint64_t seed = 5;
  for (size_t i = 0; i < raw.size(); i += 4096)  // some runs stay zero, as on real disks
    if (test::splitmix64(seed) & 1)
      for (size_t j = i; j < i + 4096; j++) raw[j] = uint8_t(test::splitmix64(seed));
  test::write_bytes(dir / "data.raw", raw);
  for (const char* compat : {"0.10", "1.1"}) {
    INFO("compat " << compat);
    REQUIRE(
        sh(fmt::format("qemu-img convert -f raw -O qcow2 -o compat={},cluster_size=4096 '{}' '{}'",
                       compat, dir / "data.raw", dir / "c.qcow2")) == 0);
    auto img = DiskImage::open(dir / "c.qcow2", DiskImage::Mode::ReadOnly, "-hda");
    std::vector<uint8_t> got(raw.size());
    REQUIRE(img->read(0, got.data(), got.size()));
    CHECK(got == raw);
  }
  // Zero clusters (version 3): qemu-io's write -z on a preallocated image keeps the cluster
  // allocated and flags it zero; ghost86 reads zeros there and can write into it.
  const std::string q = dir / "z.qcow2";
  REQUIRE(sh(fmt::format("qemu-img create -f qcow2 -o preallocation=metadata '{}' 1M", q)) == 0);
  REQUIRE(sh(fmt::format("qemu-io -f qcow2 -c 'write -P 0x11 0 256k' -c 'write -z 64k 64k' -c "
                         "'write -z 192k 64k' '{}'",
                         q)) == 0);
  REQUIRE(sh(fmt::format("qemu-img convert -O raw '{}' '{}'", q, dir / "z.raw")) == 0);
  {
    auto img = DiskImage::open(q, DiskImage::Mode::ReadWrite, "-hda");
    uint8_t b[4] = {};
    REQUIRE(img->read(64 * 1024 - 2, b, 4));
    CHECK((b[0] == 0x11 && b[1] == 0x11 && b[2] == 0 && b[3] == 0));
    const uint8_t w[3] = {7, 8, 9};
    REQUIRE(img->write(64 * 1024 + 100, w, 3));
    auto ref = DiskImage::open(dir / "z.raw", DiskImage::Mode::ReadWrite, "-hdb");
    REQUIRE(ref->write(64 * 1024 + 100, w, 3));
  }
  check_and_compare(q, dir / "z.raw");
}

TEST_CASE("qcow2 internal snapshots stay intact while the active image is written",
          "[images][qcow2]") {
  if (test::skip_without_qemu(true)) return;
  const ScratchDir dir;
  const std::string q = dir / "s.qcow2", r = dir / "r.img";
  REQUIRE(sh(fmt::format("qemu-img create -f qcow2 -o cluster_size=4096 '{}' 4M", q)) == 0);
  REQUIRE(sh(fmt::format("qemu-io -f qcow2 -c 'write -P 0x33 0 3M' '{}'", q)) == 0);
  REQUIRE(sh(fmt::format("qemu-img snapshot -c before '{}'", q)) == 0);
  REQUIRE(sh(fmt::format("qemu-img convert -O raw '{}' '{}'", q, dir / "before.raw")) == 0);
  REQUIRE(sh(fmt::format("cp '{}' '{}'", dir / "before.raw", r)) == 0);
  {
    auto qi = DiskImage::open(q, DiskImage::Mode::ReadWrite, "-hda");
    auto ri = DiskImage::open(r, DiskImage::Mode::ReadWrite, "-hdb", DiskImage::Format::Raw);
    write_both(*qi, *ri, 3, 100, 30000);
  }
  check_and_compare(q, r);
  REQUIRE(sh(fmt::format("qemu-img convert -O raw -l snapshot.name=before '{}' '{}'", q,
                         dir / "snap.raw")) == 0);
  CHECK(test::file_bytes(dir / "snap.raw") == test::file_bytes(dir / "before.raw"));
}

TEST_CASE("an empty qcow2 image (no L1 table) opens with size 0", "[images][qcow2]") {
  if (test::skip_without_qemu()) return;
  const ScratchDir dir;
  REQUIRE(sh(fmt::format("qemu-img create -f qcow2 '{}' 0", dir / "e.qcow2")) == 0);
  auto img = DiskImage::open(dir / "e.qcow2", DiskImage::Mode::ReadWrite, "-hda");
  CHECK(img->size() == 0);
}

TEST_CASE("snapshot mode (-snapshot) on a qcow2 image keeps writes in memory and the file unchanged",
          "[images][qcow2]") {
  if (test::skip_without_qemu()) return;
  const ScratchDir dir;
  const std::string q = dir / "q.qcow2";
  REQUIRE(sh(fmt::format("qemu-img create -f qcow2 '{}' 1M", q)) == 0);
  const auto before = test::file_bytes(q);
  {
    auto img = DiskImage::open(q, DiskImage::Mode::Snapshot, "-hda");
    CHECK(img->format_name() == "qcow2");
    const uint8_t w[4] = {1, 2, 3, 4};
    REQUIRE(img->write(1000, w, 4));
    uint8_t r[4] = {};
    REQUIRE(img->read(1000, r, 4));
    CHECK(r[3] == 4);
  }
  CHECK(test::file_bytes(q) == before);
}
