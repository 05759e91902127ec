#!/usr/bin/env bash
# One command from a fresh clone: install dependencies (with the Linux guest built from Debian
# packages), build, and boot Debian's i386 kernel with a busybox initramfs to a shell on this
# terminal (-nographic: the serial console is the terminal). `poweroff` in the guest ends it;
# Ctrl-A x quits at any time. With arguments, ghost86 runs with those instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
ghost86=${BUILD_DIR:-build}/ghost86
if [ $# -gt 0 ]; then exec "$ghost86" "$@"; fi
linux=.cache/linux
if [ ! -s "$linux/vmlinuz" ] || [ ! -s "$linux/initramfs.gz" ]; then
  echo "run.sh: the Linux guest could not be built (see scripts/fetch-linux.sh); booting the demo firmware" >&2
  exec "$ghost86" -bios demo -debugcon stdio -display none
fi
exec "$ghost86" -m 128 -kernel "$linux/vmlinuz" -initrd "$linux/initramfs.gz" \
  -append "console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell" -nographic
