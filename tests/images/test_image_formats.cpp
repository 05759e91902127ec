// Format detection (no image is used as a format it is not) and QEMU-compatible image locks.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "devices/disk_image.h"
#include "tests/images/image_util.h"

namespace {

using devices::DiskImage;
using test::ScratchDir;
using test::sh;

std::string with_head(const ScratchDir& dir, const std::string& name, uint64_t at,
                      const std::string& magic) {
  std::vector<uint8_t> data(64 * 1024, 0);
  std::memcpy(data.data() + at, magic.data(), magic.size());
  test::write_bytes(dir / name, data);
  return dir / name;
}

std::string open_error(const std::string& path, DiskImage::Mode mode = DiskImage::Mode::ReadWrite,
                       DiskImage::Format format = DiskImage::Format::Auto) {
  try {
    DiskImage::open(path, mode, "-hda", format);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

// Whether some open file holds an OFD lock on byte `at` of `path`.
bool byte_locked(const std::string& path, off_t at) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = at;
  fl.l_len = 1;
  const bool held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

}  // namespace

TEST_CASE("images of other formats are refused by magic unless format=raw is given",
          "[images][format]") {
  const ScratchDir dir;
  // Signatures from each format's specification.
  const std::vector<std::tuple<std::string, uint64_t, std::string>> cases = {
      {"vmdk", 0, "KDMV"},
      {"vmdk", 0, "# Disk DescriptorFile"},
      {"vdi", 64, std::string("\x7f\x10\xda\xbe", 4)},
      {"vhdx", 0, "vhdxfile"},
      {"vpc", 0, "conectix"},
      {"qed", 0, std::string("QED\0", 4)},
      {"luks", 0, std::string("LUKS\xba\xbe", 6)},
  };
  for (const auto& [name, at, magic] : cases) {
    INFO(name);
    const std::string path = with_head(dir, "x." + name, at, magic);
    const std::string err = open_error(path);
    CHECK(err ==
          fmt::format(
              "-hda: '{}' is a {} image, which is not supported (format=raw would use its bytes as "
              "the disk)",
              path, name));
    CHECK(open_error(path, DiskImage::Mode::ReadWrite, DiskImage::Format::Raw).empty());
    CHECK(open_error(path, DiskImage::Mode::ReadOnly, DiskImage::Format::Qcow2)
              .find("is not a qcow2 image") != std::string::npos);
  }
}

TEST_CASE("images that qemu-img makes in other formats are refused", "[images][format]") {
  if (test::skip_without_qemu()) return;
  const ScratchDir dir;
  for (const char* format : {"vmdk", "vdi", "vhdx", "qed", "vpc"}) {
    INFO(format);
    const std::string path = dir / (std::string("x.") + format);
    REQUIRE(sh(fmt::format("qemu-img create -f {} '{}' 4M", format, path)) == 0);
    CHECK(open_error(path).find(fmt::format("is a {} image", format)) != std::string::npos);
  }
  const std::string q = dir / "q.qcow2";
  REQUIRE(sh(fmt::format("qemu-img create -f qcow2 '{}' 4M", q)) == 0);
  auto img = DiskImage::open(q, DiskImage::Mode::ReadOnly, "-hda", DiskImage::Format::Qcow2);
  CHECK(img->size() == 4 << 20);
}

TEST_CASE("a probed raw image refuses guest writes that would make it look like another format",
          "[images][format]") {
  const ScratchDir dir;
  const std::string path = with_head(dir, "d.img", 0, "");
  const std::string qcow2_magic("QFI\xfb\0\0\0\3", 8);
  {
    auto img = DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda");
    CHECK_FALSE(img->write(0, qcow2_magic.data(), qcow2_magic.size()));
    CHECK(img->write(0, "MBR", 3));
    CHECK(img->write(600, qcow2_magic.data(), qcow2_magic.size()));  // past the probed sector
  }
  {
    auto img = DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda", DiskImage::Format::Raw);
    CHECK(img->write(0, qcow2_magic.data(), qcow2_magic.size()));  // the format was given
  }
  CHECK(open_error(path).find("qcow2 image") != std::string::npos);  // now refused as bad qcow2
}

TEST_CASE("images are locked on QEMU's bytes: 100+ permissions, 200+ what is not shared",
          "[images][lock]") {
  const ScratchDir dir;
  const std::string path = with_head(dir, "l.img", 0, "");
  {
    auto rw = DiskImage::open(path, DiskImage::Mode::ReadWrite, "-hda");
    // consistent read, write and resize held; write and resize not shared
    CHECK(byte_locked(path, 100));
    CHECK(byte_locked(path, 101));
    CHECK_FALSE(byte_locked(path, 102));
    CHECK(byte_locked(path, 103));
    CHECK_FALSE(byte_locked(path, 200));
    CHECK(byte_locked(path, 201));
    CHECK(byte_locked(path, 203));
    CHECK(open_error(path, DiskImage::Mode::ReadOnly).find("is in use by another process") !=
          std::string::npos);
  }
  auto ro = DiskImage::open(path, DiskImage::Mode::ReadOnly, "-cdrom");
  CHECK(byte_locked(path, 100));
  CHECK_FALSE(byte_locked(path, 101));
  CHECK(byte_locked(path, 201));
  auto ro2 = DiskImage::open(path, DiskImage::Mode::Snapshot, "-hdb");  // readers share
  CHECK(open_error(path).find("is in use by another process") != std::string::npos);
}

TEST_CASE("QEMU's tools and ghost86 cannot both hold an image for writing", "[images][lock]") {
  if (test::skip_without_qemu(true)) return;
  const ScratchDir dir;
  const std::string q = dir / "q.qcow2";
  REQUIRE(sh(fmt::format("qemu-img create -f qcow2 '{}' 1M", q)) == 0);
  {
    auto img = DiskImage::open(q, DiskImage::Mode::ReadWrite, "-hda");
    CHECK(sh(fmt::format("qemu-img info '{}'", q)) != 0);
    CHECK(sh(fmt::format("qemu-img info -U '{}'", q)) == 0);
    CHECK(sh(fmt::format("qemu-io -f qcow2 -c 'read 0 512' '{}'", q)) != 0);
  }
  {
    auto ro = DiskImage::open(q, DiskImage::Mode::ReadOnly, "-cdrom");
    CHECK(sh(fmt::format("qemu-img info '{}'", q)) == 0);  // readers share
    CHECK(sh(fmt::format("qemu-io -f qcow2 -c 'write 0 512' '{}'", q)) != 0);
  }
  // qemu-io holds the image open for writing until its stdin closes; wait for its locks (read
  // without taking any, which could make qemu-io's own open fail).
  test::Child io({"qemu-io", "-f", "qcow2", q});
  REQUIRE(io.pid > 0);
  bool locked = false;
  for (int i = 0; i < 3000 && !locked; i++) {
    locked = byte_locked(q, 101) && byte_locked(q, 201);  // opened and not sharing write
    if (!locked) usleep(10000);
  }
  REQUIRE(locked);
  CHECK(open_error(q) ==
        fmt::format("-hda: '{}' is in use by another process (it does not share \"write\")", q));
  CHECK(open_error(q, DiskImage::Mode::Snapshot).find("is in use by another process") !=
        std::string::npos);
}
