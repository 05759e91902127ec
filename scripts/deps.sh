#!/usr/bin/env bash
# Installs the Debian 12 packages ghost86 needs to build, run and test. Idempotent.
set -euo pipefail
packages=(
  g++ cmake ninja-build nasm ccache pkg-config
  libasmjit-dev libzydis-dev libzycore-dev libfmt-dev libcli11-dev catch2
  zlib1g-dev nlohmann-json3-dev libsdl2-dev libpng-dev
  libxxhash-dev    # XXH3: the machine-state hash of --report, snapshot checksums
  libzstd-dev      # snapshot sections (-savevm)
  libslirp-dev     # user-mode networking (-netdev user)
  libtomlplusplus-dev libxml2-dev  # ghost86 test: suites in TOML, JUnit XML results
  libvncserver-dev # -vnc's server; its libvncclient is the VNC test's viewer
  xvfb x11-apps    # test-only: the SDL window test's X server and its xwd screenshot
  python3          # test-only: the QMP and monitor tests' clients
  seabios          # firmware: /usr/share/seabios/bios.bin, vgabios-stdvga.bin
  acpica-tools     # iasl: compiles the DSDT (machine/acpi/dsdt.asl); its disassembler checks it
  libunicorn-dev   # test-only: reference CPU for the differential tests
  python3-mpmath   # test-only: the high-precision reference of the x87 transcendentals
  qemu-utils       # test-only: qemu-img/qemu-io, the reference for qcow2 images and image locks
  gdb              # test-only: the gdb stub's tests drive Debian's gdb in batch mode
)
# Test-only: gcc -m32 builds the x87 guest program (tests/guest/x87) and its host twin.
if [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then packages+=(gcc-multilib); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update || true
  $sudo apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi
# Test guests built from Debian packages (Linux kernel, busybox initramfs, isolinux CD) into
# .cache/linux; the tests that need them are registered only when they exist.
"$(dirname "$0")/fetch-linux.sh"
