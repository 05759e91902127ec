#!/usr/bin/env bash
# Builds ghost86 for AArch64 hosts with Debian's cross toolchain and runs the unit tests under
# qemu-aarch64-static. The arm64 library packages are unpacked into .a64-sysroot/ (no multiarch
# install needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64-static >/dev/null; then
  $sudo apt-get update || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y g++-aarch64-linux-gnu qemu-user-static
fi
root=$PWD/.a64-sysroot
if [ ! -f "$root/usr/lib/aarch64-linux-gnu/libZydis.so" ] || [ ! -f "$root/usr/lib/aarch64-linux-gnu/libpng.so" ]; then
  dpkg --print-foreign-architectures | grep -q arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update || true
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download libasmjit-dev:arm64 libzydis-dev:arm64 libzydis4.0:arm64 \
     libzycore-dev:arm64 libzycore1.4:arm64 libfmt-dev:arm64 libfmt9:arm64 zlib1g-dev:arm64 zlib1g:arm64 \
     libpng-dev:arm64 libpng16-16:arm64)
  mkdir -p "$root"
  for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$root"; done
  rm -rf "$tmp"
fi
A64_SYSROOT=$root cmake -S . -B build-a64 -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-sysroot.cmake -DGHOST86_WITH_SDL=OFF >/dev/null
cmake --build build-a64
# Tests wrapped in shell scripts run the binary directly, which needs binfmt_misc; the rest run
# through CMAKE_CROSSCOMPILING_EMULATOR.
ctest --test-dir build-a64 --output-on-failure -j"$(nproc)" -E "cli_bad_input|seabios_boots"
# The soft-float x87 gives bit-identical results on both hosts: the digests of the same seeded
# cases (every operation, the transcendentals included) must be equal.
if [ -x build/ghost86-fpudiff ]; then
  a64=$(qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib:$root/lib/aarch64-linux-gnu \
    build-a64/ghost86-fpudiff --seed 20261121 --count 20000 --ops all --digest)
  x64=$(build/ghost86-fpudiff --seed 20261121 --count 20000 --ops all --digest)
  echo "AArch64: $a64"
  echo "x86-64:  $x64"
  [ "$a64" = "$x64" ] || { echo "cross-aarch64.sh: the soft-float digests differ" >&2; exit 1; }
fi
