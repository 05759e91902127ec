#!/usr/bin/env bash
# Guest-to-host TCP throughput, ghost86 against QEMU TCG (qemu-system-i386 -accel tcg) with the
# same guest in the same run: the test Linux (scripts/fetch-linux.sh) on a user-mode network
# sends MIB MiB of zeros with busybox nc to a listener on the host's loopback, reached through
# slirp's 10.0.2.2 (bench/net_throughput.py), over an e1000 and over virtio-net-pci. Each card
# and emulator runs RUNS times, the two emulators alternating (and which goes first too); the
# script prints the median rate of each in MB/s (10^6 bytes) and the ratio ghost86/QEMU (above
# 1: ghost86 moves data faster). Nothing is asserted: this measures, it does not judge.
#   RUNS=N          runs per card and emulator (default 3)
#   MIB=N           MiB sent per run (default 32)
#   BUILD_DIR=dir   ghost86 build directory (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3} mib=${MIB:-32} b=${BUILD_DIR:-build}
for tool in qemu-system-i386 python3; do
  command -v $tool >/dev/null || { echo "bench/net.sh: $tool is needed (Debian qemu-system-x86, python3)"; exit 1; }
done
[ -x "$b/ghost86" ] || BUILD_DIR=$b scripts/build.sh
linux=.cache/linux
[ -f "$linux/vmlinuz" ] || scripts/fetch-linux.sh
append="console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell pci=noacpi"
guest=(-m 128 -kernel "$linux/vmlinuz" -initrd "$linux/initramfs.gz" -append "$append" -serial stdio -display none -no-reboot)

probe=$("$b/ghost86" -accel jit --max-insns 1 2>&1 || true)
if [[ "$probe" == *"-accel:"* ]]; then engine=interp; else engine=jit; fi
echo "ghost86 -accel $engine vs $(qemu-system-i386 --version | head -1), ${mib} MiB per run, $runs runs"
echo "$(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"

# run EMULATOR MODEL: one run's rate in MB/s, or FAILED.
run() {
  local cmd
  if [ "$1" = ghost86 ]; then
    cmd=("$b/ghost86" -accel "$engine" "${guest[@]}" -nic "user,model=$2")
  else
    cmd=(qemu-system-i386 -accel tcg -monitor none "${guest[@]}" -nic "user,model=$2")
  fi
  local r
  r=$(python3 bench/net_throughput.py "$mib" -- "${cmd[@]}") || { echo "  $1 $2: $r" >&2; echo FAILED; return; }
  echo "${r%% *}"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf '%-16s %12s %12s %14s\n' card "ghost86 MB/s" "QEMU MB/s" "ghost86/QEMU"
for model in e1000 virtio-net-pci; do
  g=() q=() failed=0
  for ((i = 0; i < runs; i++)); do
    if ((i % 2 == 0)); then order=(ghost86 qemu); else order=(qemu ghost86); fi
    for emu in "${order[@]}"; do
      r=$(run "$emu" "$model")
      [ "$r" = FAILED ] && { failed=1; continue; }
      if [ "$emu" = ghost86 ]; then g+=("$r"); else q+=("$r"); fi
    done
  done
  if [ $failed -ne 0 ] || [ ${#g[@]} -eq 0 ] || [ ${#q[@]} -eq 0 ]; then
    printf '%-16s %12s\n' "$model" FAILED
    continue
  fi
  mg=$(median "${g[@]}") mq=$(median "${q[@]}")
  printf '%-16s %12.2f %12.2f %14.2f\n' "$model" "$mg" "$mq" "$(awk -v a="$mg" -v b="$mq" 'BEGIN {print a / b}')"
done
