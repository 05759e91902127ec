#!/usr/bin/env bash
# Compares ghost86's interpreter with QEMU TCG on the same guests in the same run, printing
# wall times and the ratio (QEMU time / ghost86 time: above 1 means ghost86 is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
if ! command -v qemu-system-i386 >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -o DPkg::Lock::Timeout=600 qemu-system-x86
fi
scripts/build.sh
b=${BUILD_DIR:-build}
wall() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", b - a}'; }
printf "%-10s %12s %10s %10s %8s\n" guest "ghost86 MIPS" "ghost86 s" "qemu s" ratio
for k in 1 2 3; do
  img=$b/bench/compute$k.bin
  line=$("$b/bench/ghost86-bench" --repeat 1 "$img")
  mips=$(echo "$line" | sed -E 's/.*: ([0-9.]+) M instructions.*/\1/')
  g=$(wall "$b/ghost86" -bios "$img" -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel interp)
  q=$(wall qemu-system-i386 -bios "$img" -display none -serial none -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg)
  printf "%-10s %12s %10.3f %10.3f %8.2f\n" "compute$k" "$mips" "$g" "$q" "$(awk -v q="$q" -v g="$g" 'BEGIN{printf "%.2f", q / g}')"
done
