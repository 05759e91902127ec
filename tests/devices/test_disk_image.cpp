#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "devices/disk_image.h"

namespace {

std::string make_image(const std::string& name, size_t size, uint8_t fill) {
  auto path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".img");
  std::ofstream f(path, std::ios::binary);
  std::string data(size, char(fill));
  f.write(data.data(), std::streamsize(data.size()));
  return path.string();
}

uint8_t file_byte(const std::string& path, size_t off) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(std::streamoff(off));
  return uint8_t(f.get());
}

}  // namespace

using devices::DiskImage;

TEST_CASE("disk image reads, writes through, and refuses out-of-range access", "[devices][disk]") {
  const std::string path = make_image("rw", 4096, 0x11);
  {
    auto img = DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda");
    CHECK(img->size() == 4096);
    uint8_t buf[4] = {};
    CHECK(img->read(100, buf, 4));
    CHECK(buf[3] == 0x11);
    const uint8_t w[2] = {0xaa, 0xbb};
    CHECK(img->write(4094, w, 2));
    CHECK_FALSE(img->write(4095, w, 2));
    CHECK_FALSE(img->read(4096, buf, 1));
    CHECK_FALSE(img->read(~0ull - 1, buf, 4));
  }
  CHECK(file_byte(path, 4095) == 0xbb);
  std::filesystem::remove(path);
}

TEST_CASE("snapshot mode keeps writes in memory and leaves the file alone", "[devices][disk]") {
  const std::string path = make_image("snap", 2048, 0x22);
  {
    auto img = DiskImage::open(path, DiskImage::Mode::Snapshot, "-hda");
    const uint8_t w[3] = {1, 2, 3};
    CHECK(img->write(510, w, 3));  // straddles two overlay chunks
    uint8_t r[5] = {};
    CHECK(img->read(509, r, 5));
    CHECK(r[0] == 0x22);
    CHECK(r[1] == 1);
    CHECK(r[3] == 3);
    CHECK(r[4] == 0x22);
  }
  CHECK(file_byte(path, 510) == 0x22);
  CHECK(file_byte(path, 512) == 0x22);
  std::filesystem::remove(path);
}

TEST_CASE("a read-only image refuses writes; a locked image refuses a second writer", "[devices][disk]") {
  const std::string path = make_image("lock", 1024, 0);
  auto ro = DiskImage::open(path, DiskImage::Mode::ReadOnly, "-cdrom");
  const uint8_t w = 1;
  CHECK_FALSE(ro->write(0, &w, 1));
  CHECK_FALSE(ro->writable());
  // A shared (reader) lock is held: a writer must be refused with a clear message.
  CHECK_THROWS_WITH(DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda"), Catch::Contains("in use"));
  ro.reset();
  auto rw = DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda");
  CHECK_THROWS_WITH(DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hdb"), Catch::Contains("-hdb"));
  std::filesystem::remove(path);
}

TEST_CASE("missing files and directories are refused with the option named", "[devices][disk]") {
  CHECK_THROWS_WITH(DiskImage::open("/nonexistent/x.img", DiskImage::Mode::ReadOnly, "-fda"),
                    Catch::Contains("-fda") && Catch::Contains("No such file"));
  CHECK_THROWS_WITH(DiskImage::open("/tmp", DiskImage::Mode::ReadOnly, "-fda"), Catch::Contains("not a regular file"));
}
