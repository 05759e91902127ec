#include "devices/disk_image.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "devices/host_file.h"
#include "devices/image_probe.h"
#include "devices/qcow2_image.h"
#include "devices/raw_image.h"
#include "devices/snapshot_image.h"

namespace devices {

std::unique_ptr<DiskImage> detail::open_image(const std::string& path, bool write,
                                              const std::string& what, DiskImage::Format format,
                                              unsigned depth) {
  using Format = DiskImage::Format;
  HostFile file = HostFile::open(path, write, what);
  if (format == Format::Raw) return std::make_unique<RawImage>(std::move(file), write, path, false);
  std::vector<uint8_t> head(std::min(kProbeBytes, file.size()));
  if (!file.read(0, head.data(), head.size()))
    throw std::runtime_error(fmt::format("{}: cannot read '{}'", what, path));
  const ImageProbe probe = probe_image(head);
  if (format == Format::Qcow2 && probe.kind != ImageProbe::Kind::Qcow2)
    throw std::runtime_error(
        fmt::format("{}: '{}' is not a qcow2 image (it looks like {})", what, path, probe.name));
  if (probe.kind == ImageProbe::Kind::Qcow2)
    return std::make_unique<Qcow2Image>(std::move(file), write, path, what, depth);
  if (probe.kind == ImageProbe::Kind::Other)
    throw std::runtime_error(
        fmt::format("{}: '{}' is a {} image, which is not supported (format=raw would use its "
                    "bytes as the disk)",
                    what, path, probe.name));
  return std::make_unique<RawImage>(std::move(file), write, path, true);
}

std::unique_ptr<DiskImage> DiskImage::open(const std::string& path, Mode mode,
                                           const std::string& what, Format format) {
  auto image = detail::open_image(path, mode == Mode::ReadWrite, what, format, 0);
  if (mode == Mode::Snapshot) return std::make_unique<SnapshotImage>(std::move(image));
  return image;
}

}  // namespace devices
