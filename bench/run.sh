#!/usr/bin/env bash
# Benchmarks ghost86 against QEMU TCG (qemu-system-i386 -accel tcg) on the same machine in the
# same run: every workload of bench/README.md runs RUNS times (default 5) under each, the two
# alternating (and which goes first alternating too), and the script prints per workload the
# median wall times, the ratio ghost86/QEMU (below 1: ghost86 is faster), the geometric mean of
# the ratios, ghost86's guest instructions per second (from its --report icount) and the peak
# resident memory of each. A checksum that differs between the two marks the row MISMATCH.
# No timing is asserted: this measures, it does not judge.
#   RUNS=N          runs per workload and emulator (default 5)
#   ONLY="a b"      run only these workloads
#   BUILD_DIR=dir   ghost86 build directory (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
b=${BUILD_DIR:-build}

scripts/deps.sh
need=()
command -v qemu-system-i386 >/dev/null || need+=(qemu-system-x86)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -ne 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -o DPkg::Lock::Timeout=600 "${need[@]}"
fi
BUILD_DIR=$b scripts/build.sh
ghost86=$b/ghost86
guests=$b/bench
linux=.cache/linux
measure=bench/measure.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The JIT when this build accepts -accel jit, else the interpreter.
probe=$("$ghost86" -accel jit --max-insns 1 2>&1 || true)
if [[ "$probe" == *"-accel:"* ]]; then engine=interp; else engine=jit; fi

exit_dev=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
qemu=(qemu-system-i386 -accel tcg -m 128 -display none -monitor none -no-reboot)
linux_append="console=ttyS0,115200 quiet cryptomgr.notests"
marker=GHOST86-LINUX-OK

# Workloads: name, kernel image, how its end is recognised.
workloads=()
[ -f "$guests/loops.bin" ] && workloads+=(loops)
for w in sort hash lz matmul memcopy chase recurse vm paging; do
  [ -f "$guests/$w.elf" ] && workloads+=("$w")
done
[ -f "$linux/vmlinuz" ] && [ -f "$linux/initramfs.gz" ] && workloads+=(linux)
if [ -n "${ONLY:-}" ]; then
  keep=()
  for w in "${workloads[@]}"; do [[ " $ONLY " == *" $w "* ]] && keep+=("$w"); done
  workloads=("${keep[@]}")
fi
[ ${#workloads[@]} -ne 0 ] || { echo "bench/run.sh: no workloads built (see bench/README.md)"; exit 1; }

# run_one EMULATOR WORKLOAD PREFIX [report]: one measured run; prints "wall_s rss_kib status".
# Timed runs leave out --report (hashing all of guest RAM at exit is not the workload); one
# extra run with it gives ghost86's instruction count.
run_one() {
  local emu=$1 w=$2 prefix=$3 report=()
  [ "${4:-}" = report ] && report=(--report)
  if [ "$w" = linux ]; then
    if [ "$emu" = ghost86 ]; then
      python3 "$measure" "$prefix" -- "$ghost86" -accel "$engine" -m 128 -kernel "$linux/vmlinuz" \
        -initrd "$linux/initramfs.gz" -append "$linux_append" -serial stdio -display none -no-reboot \
        --until-serial "$marker" "${report[@]}"
    else
      python3 "$measure" "$prefix" --until "$marker" -- "${qemu[@]}" -kernel "$linux/vmlinuz" \
        -initrd "$linux/initramfs.gz" -append "$linux_append" -serial stdio
    fi
    return
  fi
  local img=$guests/$w.elf
  [ "$w" = loops ] && img=$guests/loops.bin
  if [ "$emu" = ghost86 ]; then
    python3 "$measure" "$prefix" -- "$ghost86" -accel "$engine" -m 128 -kernel "$img" -debugcon stdio \
      -display none "${exit_dev[@]}" "${report[@]}"
  else
    python3 "$measure" "$prefix" -- "${qemu[@]}" -kernel "$img" -debugcon stdio -serial none "${exit_dev[@]}"
  fi
}

# What a run produced that both emulators must agree on.
result_of() {
  if [ "$1" = linux ]; then grep -c "$marker" "$2.out" || true; else grep -o "checksum=[0-9a-f]*" "$2.out" || true; fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "ghost86 engine: $engine; $runs runs each; host: $(nproc) CPUs, $(uname -m); $(qemu-system-i386 --version | head -1)"
printf "%-9s %10s %10s %7s %11s %11s %11s  %s\n" workload "ghost86 s" "qemu s" ratio "ghost86 MIPS" \
  "ghost86 MiB" "qemu MiB" check
ratios=()
for w in "${workloads[@]}"; do
  : > "$tmp/g.t"; : > "$tmp/q.t"; : > "$tmp/g.m"; : > "$tmp/q.m"; : > "$tmp/i"
  check=ok
  run_one ghost86 "$w" "$tmp/$w.count" report > /dev/null
  sed -n 's/^icount=\([0-9]*\) .*/\1/p' "$tmp/$w.count.err" | tail -1 > "$tmp/i"
  for r in $(seq "$runs"); do
    order=(ghost86 qemu)
    [ $((r % 2)) -eq 0 ] && order=(qemu ghost86)
    for emu in "${order[@]}"; do
      p=$tmp/$w.$emu.$r
      read -r wall rss status < <(run_one "$emu" "$w" "$p")
      # Guests exit through isa-debug-exit with 0: status 1. Linux is stopped at its marker.
      if [ "$w" != linux ] && [ "$status" -ne 1 ]; then check="FAILED ($emu status $status)"; fi
      echo "$wall" >> "$tmp/${emu:0:1}.t"
      echo "$rss" >> "$tmp/${emu:0:1}.m"
    done
    g=$(result_of "$w" "$tmp/$w.ghost86.$r"); q=$(result_of "$w" "$tmp/$w.qemu.$r")
    if [ -z "$g" ] || [ "$g" = 0 ] || [ "$g" != "$q" ]; then [ "$check" = ok ] && check="MISMATCH (ghost86 '$g', qemu '$q')"; fi
  done
  gt=$(median < "$tmp/g.t"); qt=$(median < "$tmp/q.t")
  gm=$(median < "$tmp/g.m"); qm=$(median < "$tmp/q.m")
  insns=$(median < "$tmp/i")
  ratio=$(awk -v g="$gt" -v q="$qt" 'BEGIN { printf "%.2f", g / q }')
  ratios+=("$ratio")
  printf "%-9s %10.3f %10.3f %7s %11.1f %11.1f %11.1f  %s\n" "$w" "$gt" "$qt" "$ratio" \
    "$(awk -v i="${insns:-0}" -v t="$gt" 'BEGIN { print i / t / 1e6 }')" \
    "$(awk -v k="$gm" 'BEGIN { print k / 1024 }')" "$(awk -v k="$qm" 'BEGIN { print k / 1024 }')" "$check"
done
printf "geometric mean of ghost86/QEMU: %s\n" \
  "$(printf '%s\n' "${ratios[@]}" | awk '{ s += log($1) } END { printf "%.2f", exp(s / NR) }')"
